"""GUI entry (`mediaflow-gui`): a QApplication on a qasync event loop, one main window.

qasync makes the asyncio loop and the Qt loop one: the engine's coroutines, FFmpeg processes
and progress events run on the GUI thread without blocking it (all waiting is async).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediaflow-gui", description="Draw media workflows and run them on FFmpeg.")
    parser.add_argument("paths", nargs="*", metavar="FILE",
                        help="a *.mfw.json file to open (default: the standard workflow) and media files or folders "
                             "to run (local paths or file:// URIs, as a file manager's \"Open with\" passes them)")
    parser.add_argument("--process", nargs="*", default=[], metavar="FILE", help="files to run once the window is up")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from .ui.session import local_path, split_arguments
    args.workflow, files = split_arguments(args.paths)
    args.process = files + [local_path(str(p)) for p in args.process]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from .paths import secure_data_dir
    secure_data_dir()  # the data dir is the user's alone: checked, and repaired with a log line

    import qasync
    from PySide6.QtWidgets import QApplication

    from .ui import icons
    from .ui.context import AppContext
    from .ui.main_window import MainWindow
    from .ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    # one app per user and data dir: a second start hands its files to the first and exits
    from .paths import data_dir
    from .ui.single_instance import SingleInstance, hand_over, message_for, server_name
    name = server_name(data_dir())
    message = message_for(args.workflow, [str(p) for p in args.process])
    if hand_over(name, message):
        print("MediaFlow is already running: "
              + (f"handed {len(message['process'])} file(s) to it" if message["process"] else "brought it to the front"))
        return 0
    instance = SingleInstance(name)
    if not instance.listen() and hand_over(name, message):  # another start won the race: hand over to it
        return 0
    app.setApplicationName("MediaFlow")
    app.setOrganizationName("MediaFlow")
    from .ui import session
    session.set_desktop_identity(app, icons.app_icon())  # window icon, and the .desktop entry task bars match
    app.setQuitOnLastWindowClosed(False)  # we quit after the engine shut down
    apply_theme(app)
    from .ui.i18n import install_translators
    from .ui.settings import AppSettings
    translators = install_translators(app, AppSettings())  # kept alive for the app's life  # noqa: F841
    from .ui import gc_guard
    collector = gc_guard.install(app)  # cyclic garbage is freed on this thread only (see gc_guard)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    context = AppContext.create()
    window = MainWindow(context, args.workflow)
    window.show()
    # SIGTERM/SIGINT/SIGHUP and the session's logout: the same shutdown as File ▸ Quit, asking nothing
    session.install_quit_signals(loop, lambda name: session.quit_cleanly(window, context, name))
    session.connect_session(app, lambda why: session.quit_cleanly(window, context, why), context.settings.sync)
    loop.call_soon(context.start)  # the embedded bucket store starts in a pool thread; the window is up already
    if args.process:
        loop.call_soon(window.process_files, [str(p) for p in args.process])

    # the one shutdown (AppContext.shutdown: cancel runs, let the task store record their end, close the
    # runtime), whatever asks for it: the window closed (also by File ▸ Quit, a quit signal and the session's
    # logout, through ui/session.py quit_cleanly), or Qt quitting. The exit status is 0 for all of them.
    instance.received.connect(window.take_hand_over)
    window.closed.connect(instance.close)  # a start during shutdown becomes the next first app
    window.closed.connect(context.request_shutdown)
    app.aboutToQuit.connect(context.request_shutdown)

    with loop:
        loop.run_until_complete(context.run_until_shutdown())
    window.controller.dispose()  # graphics items go while Qt is alive (see EditorController.dispose)
    window.deleteLater()
    app.processEvents()
    collector.stop()  # a last collection here, on the GUI thread
    return 0


if __name__ == "__main__":
    sys.exit(main())
