"""Lanes: one FIFO queue and the one thread that drains it (the EventNotifier's per-target workers).

Items are handled one at a time in the order they were put, so what goes through one lane keeps
its order, and a handler that hangs holds up its own lane only. Assumes the owner gives all its
lanes one lock: `put`, `stop` and the lane's own bookkeeping run under it, the handler outside it.

- Bounded: a full lane drops its *oldest waiting* item to make room for the new one (the item in
  hand is never dropped) and returns it, so the owner can log it and account for it. Oldest, because
  when a target comes back the recent events are the ones worth having, and a lane never refuses
  work to its caller (the caller is another lane, which must not wait).
- Idle: a lane whose queue stayed empty for `idle_exit` seconds ends its thread and tells the owner
  (`retired`, under the lock), which forgets it; the next item starts a new lane. So threads follow
  the targets in use, never the number of events.
- stop(): the thread ends after the item in hand (the handler gets the lane's stop event to cut
  waits short, and the owner may cut the item in hand: `in_hand`); items never started are
  discarded — the owner knows them anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Callable, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class LaneClosed(RuntimeError):
    """put() on a lane that ended (idle or stopped): the owner makes a new one."""


class Lane(Generic[T]):
    def __init__(self, name: str, handle: Callable[[T, threading.Event], None], lock: threading.Lock, *,
                 limit: int | None = None, idle_exit: float = 60.0,
                 retired: Callable[["Lane[T]"], None] | None = None) -> None:
        self.name = name
        self.limit = limit
        self.idle_exit = idle_exit
        self.stop_event = threading.Event()
        self.ended = False  # no more items are taken (idle exit or stop)
        self.dropped = 0
        self.in_hand: T | None = None  # the item being handled (read under the lock)
        self._handle = handle
        self._retired = retired
        self._cond = threading.Condition(lock)
        self._items: deque[T] = deque()
        self._thread: threading.Thread | None = None

    # -- under the owner's lock ----------------------------------------------------------------------
    def put(self, item: T) -> T | None:
        """Queue `item`; returns the oldest waiting item if the lane was full and dropped it."""
        if self.ended:
            raise LaneClosed(self.name)
        dropped = None
        if self.limit is not None and len(self._items) >= max(1, self.limit):
            dropped = self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        if self._thread is None:
            # daemon: a handler stuck in a network call must never keep the process alive at exit
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        else:
            self._cond.notify()
        return dropped

    def waiting(self) -> int:
        return len(self._items)

    def stop(self) -> None:
        """End the thread after the item in hand; waiting items are discarded (the owner tracks them)."""
        self.ended = True
        self._items.clear()
        self.stop_event.set()
        self._cond.notify_all()

    # -- any thread ------------------------------------------------------------------------------------
    def join(self, timeout: float | None) -> bool:
        """Wait for the thread to end (without the lock held); True if it did (or never started)."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                idle_since = time.monotonic()
                while not self._items and not self.stop_event.is_set():
                    remaining = idle_since + self.idle_exit - time.monotonic()
                    if remaining <= 0:
                        self.ended = True  # under the lock: no put() can slip in between
                        if self._retired is not None:
                            self._retired(self)
                        return
                    self._cond.wait(remaining)
                if self.stop_event.is_set():
                    return
                item = self.in_hand = self._items.popleft()
            try:
                self._handle(item, self.stop_event)
            except Exception:  # a handler bug must not end the lane and strand the items behind it
                log.exception("%s: handling an item failed", self.name)
            finally:
                with self._cond:
                    self.in_hand = None
