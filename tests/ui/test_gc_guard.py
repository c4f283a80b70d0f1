"""Cyclic garbage, and any Qt object in it, is freed on the GUI thread while the guard runs."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject, QTimer

from mediaflow_gui.ui.gc_guard import GuiThreadGarbageCollector


class _Cycle:
    """A Python reference cycle that owns a QObject with a running timer (like a window with lambdas)."""

    def __init__(self, destroyed_on: list[int]) -> None:
        self.me = self
        self.obj = QObject()
        self.timer = QTimer(self.obj)
        self.timer.start(60_000)
        self.obj.destroyed.connect(lambda *_: destroyed_on.append(threading.get_ident()))


@pytest.mark.slow  # waits for a busy worker
def test_a_cycle_made_garbage_is_freed_on_the_gui_thread_not_by_a_busy_worker(qapp) -> None:  # noqa: ANN001
    gc.collect()
    outer = gc.isenabled()
    collector = GuiThreadGarbageCollector(interval_ms=60_000)  # check() is called by hand below
    try:
        assert not gc.isenabled()
        destroyed_on: list[int] = []
        _Cycle(destroyed_on)  # garbage at once, but only the cyclic GC can free it

        kept: list[list[list[int]]] = []

        def allocate() -> None:  # net allocations past the gen-0 threshold: automatic GC would run here
            kept.append([[] for _ in range(5 * gc.get_threshold()[0])])

        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join()
        assert destroyed_on == []  # the worker's allocations collected nothing
        assert gc.get_count()[0] > gc.get_threshold()[0]
        collector.check()  # what the guard's timer does on the GUI thread
        assert destroyed_on == [threading.get_ident()]
        assert collector.collections >= 1
    finally:
        collector.stop()
    assert gc.isenabled() == outer
