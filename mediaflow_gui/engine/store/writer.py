"""The task store's writer: one thread owns the write connection and commits in batches.

Callers (the engine's bus callbacks, on the asyncio loop and with it the GUI) only append small
(sql, args) tuples to a list, so they never wait on the disk; the thread commits what gathered
within BATCH_WINDOW in one transaction (one wake-up and one commit for a burst of events, not one
per event). `flush()` waits until everything queued so far is committed.

The writer never dies of a bad write: a batch whose statement fails is committed again without
that statement (logged, with the error), and any other failure is logged; the thread goes on.
Values are bound as given: the caller passes them through schema.db_value.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from typing import Any

from .schema import connect

log = logging.getLogger(__name__)

BATCH_WINDOW = 0.05  # seconds the writer gathers writes before one commit (a flush does not wait)

Write = tuple[str, tuple[Any, ...]]


class BatchWriter:
    """Queues writes and commits them on its own thread (started on the first write)."""

    def __init__(self, path: str | os.PathLike[str], name: str = "mediaflow-task-store") -> None:
        self.path = path
        self.name = name
        self._cond = threading.Condition()  # guards the three below; wakes the writer
        self._pending: list[Write] = []
        self._flush_waiters: list[threading.Event] = []
        self._stop = False
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()

    def put(self, *writes: Write) -> None:
        """Queue writes; the writes of one call are committed in the same transaction."""
        self._ensure_thread()
        with self._cond:
            was_empty = not self._pending
            self._pending.extend(writes)
            if was_empty:  # the writer sleeps only when nothing is pending
                self._cond.notify()

    def flush(self, timeout: float = 30.0) -> None:
        """Block until every write queued so far is committed."""
        if self._thread is None or not self._thread.is_alive():
            return
        done = threading.Event()
        with self._cond:
            self._flush_waiters.append(done)
            self._cond.notify()
        done.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued and end the thread."""
        if self._thread is not None and self._thread.is_alive():
            with self._cond:
                self._stop = True
                self._cond.notify()
            self._thread.join(timeout)

    # -- the thread ----------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()

    def _take_batch(self) -> tuple[list[Write], list[threading.Event], bool]:
        """Wait for work, let a burst gather (unless someone flushes), and take all of it."""
        with self._cond:
            while not (self._pending or self._flush_waiters or self._stop):
                self._cond.wait()
            deadline = time.monotonic() + BATCH_WINDOW
            while not (self._flush_waiters or self._stop):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            writes, self._pending = self._pending, []
            waiters, self._flush_waiters = self._flush_waiters, []
            return writes, waiters, self._stop

    def _loop(self) -> None:
        conn = connect(self.path)
        try:
            while True:
                writes, waiters, stop = self._take_batch()
                try:
                    if writes:
                        commit(conn, writes)
                except Exception:  # never let one batch end the thread: later runs must be recorded
                    log.exception("task store: %d write(s) could not be committed", len(writes))
                finally:
                    for waiter in waiters:
                        waiter.set()
                if stop:
                    with self._cond:
                        if not self._pending:
                            return
        finally:
            conn.close()


def commit(conn: sqlite3.Connection, writes: list[Write]) -> None:
    """Commit `writes` in one transaction; a statement that fails is dropped (and logged) and the
    rest committed again without it, so one bad write costs only itself."""
    pending = list(writes)
    while pending:
        failed_at, error = _transaction(conn, pending)
        if error is None:
            return
        if failed_at < 0:  # the transaction itself (locked for 30 s, disk full): nothing to single out
            log.error("task store: %d write(s) lost: %s: %s", len(pending), type(error).__name__, error)
            return
        sql, _args = pending.pop(failed_at)
        log.error("task store: one write dropped (%s: %s): %s", type(error).__name__, error,
                  " ".join(sql.split()[:6]))


def _transaction(conn: sqlite3.Connection, writes: list[Write]) -> tuple[int, BaseException | None]:
    """Run `writes` in one transaction: (-1, None) when committed, else (index of the statement
    that failed or -1, the error), rolled back."""
    index = -1
    try:
        conn.execute("BEGIN IMMEDIATE")
        for index, (sql, args) in enumerate(writes):
            conn.execute(sql, args)
        index = -1
        conn.execute("COMMIT")
    except Exception as exc:  # sqlite3.Error, and what binding raises (OverflowError, TypeError, …)
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("task store: rollback failed")
        return index, exc
    return -1, None
