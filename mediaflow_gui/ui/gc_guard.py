"""Python's cyclic garbage collector runs on the GUI thread only, driven by a Qt timer.

Why: a Qt object that sits in a Python reference cycle (a window whose slots are lambdas that
capture it, a widget and its controller) is destroyed when the cyclic GC frees that cycle, on
whichever thread happened to trigger the collection. This app allocates on several threads (the
task store's writer, asyncio's worker threads for probing and building, QThreadPool jobs for
thumbnails and SQLite reads), so that thread is often not the GUI thread. `~QObject` on the wrong
thread cannot stop the object's timers ("QObject::~QObject: Timers cannot be stopped from another
thread"); a later timer event then reaches freed memory and the process dies with SIGSEGV in
QCoreApplication::notifyInternal2. The GUI test session showed exactly that, once the engine did
more of its work in worker threads.

The remedy (the pattern pyqtgraph uses): switch off automatic collection and let a timer on the
GUI thread collect whenever the allocation counts pass the interpreter's own thresholds, so the
amount of work per collection stays what it was; reference counting still frees everything that
is not in a cycle at once, on any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 500  # how often the GUI thread looks at the allocation counts


class GuiThreadGarbageCollector(QObject):
    """While it exists, cyclic garbage is collected on the thread that created it (the GUI thread)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.collections = 0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds (as the interpreter would)."""
        count0, count1, count2 = gc.get_count()
        if count0 <= self.threshold[0]:
            return
        generation = 0
        if count1 > self.threshold[1]:
            generation = 2 if count2 > self.threshold[2] else 1
        gc.collect(generation)
        self.collections += 1

    def stop(self) -> None:
        """Hand collection back to the interpreter (after a final collection on this thread)."""
        self.timer.stop()
        gc.collect()
        if self.was_enabled:
            gc.enable()


def install(parent: QObject) -> GuiThreadGarbageCollector:
    """Start collecting on the GUI thread; call from the GUI thread, keep the returned object."""
    return GuiThreadGarbageCollector(parent)
