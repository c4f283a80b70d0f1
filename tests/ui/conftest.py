"""Fixtures for the GUI tests (pytest-qt, offscreen).

Running the engine needs a running asyncio loop; here every test that runs things gets a
fresh qasync QEventLoop and drives it with `run(coro)` (loop.run_until_complete under a
timeout), so Qt events, engine coroutines and FFmpeg subprocesses all progress together and
a stuck test fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REFERENCE = Path(__file__).resolve().parents[2] / "resources" / "workflows" / "standard.mfw.json"


@pytest.fixture(scope="session", autouse=True)
def gui_thread_gc(qapp):  # noqa: ANN001, ANN201
    """As in the app: cyclic garbage (and with it any Qt object in a cycle) is freed on the GUI
    thread only; a window collected on a worker thread left live timers behind (SIGSEGV)."""
    import gc
    from mediaflow_gui.ui import gc_guard
    # what the session has imported by now (Qt, boto3, the package, every test module) is never garbage:
    # frozen, it is left out of every later full collection, so the gc.collect() after each test scans
    # only what tests made (a quarter of a second less per GUI test)
    gc.collect()
    gc.freeze()
    collector = gc_guard.install(qapp)
    yield collector
    gc.unfreeze()  # the last collection (stop) and the interpreter's own at exit see everything again
    collector.stop()


@pytest.fixture(autouse=True)
def collect_after_each_test(gui_thread_gc):  # noqa: ANN001, ANN201
    import gc
    yield
    gc.collect()  # this test's windows and dialogs go now, on this thread


@pytest.fixture
def aloop(qapp):  # noqa: ANN001, ANN201
    import qasync
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    try:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=10))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        delete_loop_qobjects(loop)


def delete_loop_qobjects(loop) -> None:  # noqa: ANN001 - qasync.QEventLoop
    """Delete a closed loop's own QObjects now, on the GUI thread.

    qasync's close() only flags its timer object: the Qt timers of handles still scheduled (every
    cancelled asyncio.wait_for timeout, e.g. `until(..., 30)`) stay registered. The loop sits in
    reference cycles, so the cyclic GC frees it later in whatever thread allocates at that moment,
    often a QThreadPool worker; ~QObject cannot unregister timers from another thread ("QObject::
    ~QObject: Timers cannot be stopped from another thread"), and when such a timer comes due the
    GUI thread delivers it to freed memory: SIGSEGV in QTimerInfoList::activateTimers.
    """
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QObject
    for value in list(vars(loop).values()):
        if isinstance(value, QObject) and not isinstance(value, QCoreApplication) and shiboken6.isValid(value):
            shiboken6.delete(value)


@pytest.fixture
def run(aloop) -> Callable[..., Any]:  # noqa: ANN001
    def runner(coro: Awaitable[Any], timeout: float = 90.0) -> Any:
        return aloop.run_until_complete(asyncio.wait_for(coro, timeout))
    return runner


@pytest.fixture
def context(qapp, tmp_path: Path):  # noqa: ANN001, ANN201
    from mediaflow_gui.ui.context import AppContext
    ctx = AppContext.create()
    ctx.settings.output_dir = str(tmp_path / "results")
    yield ctx
    ctx.close()


def make_window(context, qtbot, **kwargs):  # noqa: ANN001, ANN201
    from mediaflow_gui.ui.documents import DISCARD
    from mediaflow_gui.ui.main_window import MainWindow
    window = MainWindow(context, use_tray=False, **kwargs)
    window.documents.ask_unsaved = lambda: DISCARD
    window.documents.show_error = lambda title, text: None
    window.ask_stop_runs = lambda count: True
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    return window


@pytest.fixture
def window(context, qtbot):  # noqa: ANN001, ANN201
    return make_window(context, qtbot)


@pytest.fixture
def controller(qtbot):  # noqa: ANN001, ANN201
    from mediaflow_gui.ui.editor.controller import EditorController
    from mediaflow_gui.ui.editor.view import WorkflowView
    ctrl = EditorController()
    view = WorkflowView(ctrl.scene)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    ctrl.view = view  # keep it alive with the controller
    yield ctrl
    from PySide6.QtGui import QGuiApplication
    QGuiApplication.clipboard().clear()
    dispose_editor(ctrl)


def dispose_editor(ctrl) -> None:  # noqa: ANN001
    """Tear the scene down while Qt is alive, so no item wrapper outlives its C++ object into
    the interpreter's final garbage collection."""
    import gc
    ctrl.dispose()
    gc.collect()


async def until(predicate: Callable[[], bool], timeout: float = 60.0, step: float = 0.05) -> None:
    """Wait (letting the loop run) until predicate() is true; TimeoutError otherwise."""
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(step)
    await asyncio.wait_for(poll(), timeout)
