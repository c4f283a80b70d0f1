"""Run blocking work (SQLite reads, probing, thumbnails, FFmpeg lookup) off the GUI thread.

`run_in_thread(fn, on_done, on_error)` uses the global QThreadPool and delivers the result
on the GUI thread through a queued signal; it needs no running asyncio loop, so it works the
same in the app, in dialogs and in tests.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the caller on the GUI thread
            self._tell(self.relay.failed, exc)
            return
        self._tell(self.relay.done, result)

    @staticmethod
    def _tell(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # "Signal source has been deleted": the app quit meanwhile; nobody waits
            log.debug("a background job ended after its receiver was gone")


_live: set[_Relay] = set()  # keep relays alive until they delivered


def run_in_thread(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                  on_error: Callable[[BaseException], None] | None = None, *,
                  context: QObject | None = None) -> None:
    """Call `fn()` on a pool thread; `on_done(result)` / `on_error(exc)` run on the GUI thread.

    With `context`, the callbacks are dropped when that object is destroyed first (a dialog
    closed before its thumbnails arrived).
    """
    relay = _Relay()
    _live.add(relay)
    alive = [True]
    if context is not None:
        context.destroyed.connect(lambda *_: alive.__setitem__(0, False))

    def deliver(result: Any) -> None:
        _live.discard(relay)
        if alive[0] and on_done is not None:
            on_done(result)

    def fail(exc: BaseException) -> None:
        _live.discard(relay)
        if alive[0] and on_error is not None:
            on_error(exc)
        elif on_error is None:
            log.error("background job failed: %s", exc, exc_info=exc)

    relay.done.connect(deliver)
    relay.failed.connect(fail)
    QThreadPool.globalInstance().start(_Job(fn, relay))


def wait_for_pool(msecs: int = 5000) -> bool:
    """Wait for background jobs (used on shutdown and in tests)."""
    return QThreadPool.globalInstance().waitForDone(msecs)
