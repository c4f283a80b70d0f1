"""The app among the desktop's processes, in process: arguments as a file manager passes them, the
names the desktop knows the app by, the session's logout, and the quit without questions that quit
signals and logout use (the real signals on the real app as a process: test_app_signals.py)."""

from __future__ import annotations

from typing import Any

import pytest

from mediaflow_gui.ui import session


def test_file_manager_arguments_become_a_workflow_and_files_to_run() -> None:
    workflow, files = session.split_arguments([
        "/home/me/clip one.mp4",
        "file:///home/me/%E8%A7%86%E9%A2%91%20%C3%A9.mov",  # 视频 é.mov, percent-encoded UTF-8
        "file://localhost/srv/a%23b.mkv",
        "/home/me/ads.MFW.json",
        "s3://inbox/a.mp4",
        "file://otherhost/x.mp4",
        "/home/me/second.mfw.json",
    ])
    assert workflow == "/home/me/ads.MFW.json"  # the first workflow opens; a second one is just an argument
    assert files == ["/home/me/clip one.mp4", "/home/me/视频 é.mov", "/srv/a#b.mkv", "s3://inbox/a.mp4",
                     "file://otherhost/x.mp4", "/home/me/second.mfw.json"]
    assert session.split_arguments([]) == (None, [])


def test_the_app_names_its_desktop_entry_and_has_its_icon(qapp) -> None:  # noqa: ANN001
    from mediaflow_gui.ui import icons
    before = qapp.desktopFileName(), qapp.windowIcon()
    try:
        session.set_desktop_identity(qapp, icons.app_icon())
        assert qapp.desktopFileName() == "mediaflow"  # packaging installs mediaflow.desktop
        icon = qapp.windowIcon()
        assert not icon.isNull() and not icon.pixmap(64, 64).toImage().isNull()
        assert icon.pixmap(64, 64).toImage().pixelColor(32, 32).alpha() > 0  # drawn, not a blank square
    finally:
        qapp.setDesktopFileName(before[0])
        qapp.setWindowIcon(before[1])


class FakeSessionManager:
    """What the handlers use of QSessionManager (PySide6 cannot construct one: its constructor is private)."""

    def __init__(self) -> None:
        self.hints: list[Any] = []

    def setRestartHint(self, hint: Any) -> None:  # noqa: N802 - Qt's name
        self.hints.append(hint)

    def allowsInteraction(self) -> bool:  # noqa: N802 - Qt's name
        raise AssertionError("a logout must not ask the person anything")


def test_logout_quits_the_clean_way_and_asks_not_to_be_restarted() -> None:
    from PySide6.QtGui import QSessionManager
    manager, quits, saves = FakeSessionManager(), [], []
    session.session_ending(manager, quits.append)
    assert quits == ["session logout"] and manager.hints == [QSessionManager.RestartHint.RestartNever]
    session.session_saving(manager, lambda: saves.append(1))
    assert saves == [1] and quits == ["session logout"]  # saving state alone does not quit


def _must_not_ask(*_args: Any) -> Any:
    raise AssertionError("a quit signal or a logout must not show a question")


def test_quit_cleanly_closes_without_questions_and_starts_the_one_shutdown(window, context, run) -> None:  # noqa: ANN001
    window.adapter.running = lambda: ["mf-running"]  # a run in progress …
    from PySide6.QtGui import QUndoCommand
    window.controller.undo_stack.push(QUndoCommand("an edit"))  # … and unsaved edits: Quit would ask about both
    assert window.documents.modified
    window.documents.ask_unsaved = _must_not_ask
    window.ask_stop_runs = _must_not_ask
    closed: list[int] = []
    window.closed.connect(lambda: closed.append(1))
    window.closed.connect(context.request_shutdown)  # as app.py connects it
    session.quit_cleanly(window, context, "SIGTERM")
    assert closed == [1] and not window.isVisible()
    run(context.shutdown())  # the shutdown quit_cleanly started completes (runs canceled, runtime closed)
    assert context.runtime.is_closed


def test_a_signal_while_the_stop_runs_question_is_open_still_closes_once(window, context, run) -> None:  # noqa: ANN001
    """File ▸ Quit asked "cancel the runs and quit?" and SIGTERM came meanwhile: the window closes
    (once), whatever the question's answer, and the shutdown runs."""
    window.adapter.running = lambda: ["mf-running"]
    closed: list[int] = []
    window.closed.connect(lambda: closed.append(1))
    window.closed.connect(context.request_shutdown)

    def question_answered_no_after_a_signal(count: int) -> bool:
        session.quit_cleanly(window, context, "SIGTERM")  # what the loop runs while the question is open
        return False  # the rejected question says "no"
    window.ask_stop_runs = question_answered_no_after_a_signal
    window.close()
    assert closed == [1] and not window.isVisible()
    run(context.shutdown())
    assert context.runtime.is_closed


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_quit_signals_reach_the_loop(name: str, aloop) -> None:  # noqa: ANN001
    import os
    import signal
    got: list[str] = []
    assert session.install_quit_signals(aloop, got.append) == ["SIGTERM", "SIGINT", "SIGHUP"]
    try:
        aloop.call_soon(os.kill, os.getpid(), getattr(signal, name))
        aloop.run_until_complete(_until(lambda: got))
        assert got == [name]
    finally:
        for each in session.QUIT_SIGNALS:
            aloop.remove_signal_handler(getattr(signal, each))


async def _until(predicate, timeout: float = 5.0) -> None:  # noqa: ANN001
    import asyncio
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.02)
    await asyncio.wait_for(poll(), timeout)
