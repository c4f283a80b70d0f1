"""The GUI among the desktop's processes: quit signals, session logout, files from the file manager,
and the names the desktop knows the app by.

One clean shutdown, whatever ends the app: File ▸ Quit closes the window (asking about unsaved
edits and running runs); SIGTERM, SIGINT, SIGHUP and the session's logout (commitDataRequest) call
`quit_cleanly`, which closes the window *without asking* — nobody is there to answer a dialog while
the system shuts down — and the window's `closed` signal starts AppContext.request_shutdown (runs
canceled and recorded CANCELED, their events sent, the embedded store stopped if we started it).
Unsaved edits of the drawn workflow are not saved on that path (a signal cannot ask where to).
The process then exits 0: the shutdown was the one asked for and it completed, so a session manager
or systemd sees a clean stop rather than a kill (128+signal would say "died of the signal").

Signals go through the asyncio loop (`loop.add_signal_handler`): qasync's loop is an asyncio
selector loop whose selector is Qt socket notifiers, so Python's wakeup fd wakes the Qt event loop
and the handler runs on the GUI thread as an ordinary loop callback (measured: SIGTERM from another
process is handled while the window idles in Qt's loop). Where the loop has no signal support
(Windows), `signal.signal` is the fallback; the handler then only schedules the quit on the loop.

`mediaflow-gui FILE…` is what a .desktop file's `Exec=mediaflow-gui %F` runs: local paths, maybe with
spaces and non-ASCII names, and from some file managers file:// URIs; `split_arguments` turns them into
(workflow to open, files to run).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

DESKTOP_FILE_NAME = "mediaflow"  # the .desktop file's base name: Wayland/X11 task bars match windows by it
QUIT_SIGNALS: tuple[str, ...] = ("SIGTERM", "SIGINT", "SIGHUP")  # those this platform has are handled
WORKFLOW_SUFFIX = ".mfw.json"


def local_path(argument: str) -> str:
    """A command-line argument as a path: file:// URIs (percent-encoded, host empty or localhost)
    become local paths; other URIs (s3://…) and plain paths stay as they are."""
    if not argument.lower().startswith("file:"):
        return argument
    parts = urlsplit(argument)
    if parts.netloc not in ("", "localhost"):
        return argument  # a file on another host: not ours to open; process_files says it is not media
    return unquote(parts.path, encoding="utf-8", errors="surrogateescape")


def split_arguments(arguments: list[str]) -> tuple[str | None, list[str]]:
    """(the first *.mfw.json, to open; every other argument, to run) — `mediaflow-gui a.mp4 b.mkv`
    runs both, as "Open with MediaFlow" on several files in a file manager means."""
    workflow: str | None = None
    files: list[str] = []
    for argument in arguments:
        path = local_path(argument)
        if workflow is None and path.lower().endswith(WORKFLOW_SUFFIX):
            workflow = path
        else:
            files.append(path)
    return workflow, files


def set_desktop_identity(app: Any, icon: Any) -> None:
    """The window icon (title bar, task bar on X11, Alt+Tab) and the desktop file name (how Wayland
    compositors and task bars find the .desktop entry, hence its icon and name)."""
    app.setWindowIcon(icon)
    app.setDesktopFileName(DESKTOP_FILE_NAME)


def quit_cleanly(window: Any, context: Any, reason: str) -> None:
    """The shutdown File ▸ Quit does, without any question: open modal dialogs are rejected, the
    window closes (its state saved, `closed` → context.request_shutdown), and should the window not
    close (it is already closed, or a dialog kept it) the shutdown is requested directly."""
    log.info("%s: quitting (runs are canceled and recorded)", reason)
    from PySide6.QtWidgets import QApplication, QDialog
    for _ in range(20):  # nested modal dialogs, innermost first; a bound against one that will not go
        modal = QApplication.activeModalWidget()
        if modal is None:
            break
        if isinstance(modal, QDialog):
            modal.reject()
        modal.close()
    if window is not None and window.isVisible():
        window.quit_without_asking()
    context.request_shutdown()  # the window's close already did this; a second call is a no-op


def install_quit_signals(loop: asyncio.AbstractEventLoop, on_signal: Callable[[str], None]) -> list[str]:
    """Call `on_signal(name)` on the loop for SIGTERM, SIGINT and SIGHUP; the names handled."""
    handled = []
    for name in QUIT_SIGNALS:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            loop.add_signal_handler(number, on_signal, name)
        except (NotImplementedError, RuntimeError):  # Windows' loops: Python's handler, work on the loop
            signal.signal(number, lambda _n, _f, name=name: loop.call_soon_threadsafe(on_signal, name))
        handled.append(name)
    return handled


def session_ending(manager: Any, on_quit: Callable[[str], None]) -> None:
    """QGuiApplication.commitDataRequest: the session logs out or the machine shuts down. We neither
    ask the person anything (no `allowsInteraction`) nor want to be restarted into the next session
    (nothing to restore: runs are not resumed), and quit the clean way."""
    try:
        from PySide6.QtGui import QSessionManager
        manager.setRestartHint(QSessionManager.RestartHint.RestartNever)
    except (AttributeError, TypeError, ImportError):  # a manager without restart hints
        pass
    on_quit("session logout")


def session_saving(manager: Any, save: Callable[[], None]) -> None:
    """QGuiApplication.saveStateRequest: keep our settings on disk (the session may end without
    a commitDataRequest after it) and ask not to be restarted."""
    try:
        from PySide6.QtGui import QSessionManager
        manager.setRestartHint(QSessionManager.RestartHint.RestartNever)
    except (AttributeError, TypeError, ImportError):
        pass
    save()


def connect_session(app: Any, on_quit: Callable[[str], None], save: Callable[[], None]) -> None:
    """Connect the session manager's requests to the clean quit and to saving settings."""
    app.commitDataRequest.connect(lambda manager: session_ending(manager, on_quit))
    app.saveStateRequest.connect(lambda manager: session_saving(manager, save))


__all__ = ["DESKTOP_FILE_NAME", "QUIT_SIGNALS", "connect_session", "install_quit_signals",
           "local_path", "quit_cleanly", "session_ending", "session_saving", "set_desktop_identity",
           "split_arguments"]
