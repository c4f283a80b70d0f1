"""TaskStore: every run and subtask in SQLite (stdlib), fed by the engine's events.

How an event is recorded: `handle_event` applies it to the run's record kept in memory with
run_state.apply (the same rules every other reader of the events uses), then queues the rows that
changed, with the values of that record (rows.py), for the batched writer (writer.py). So the rows
hold exactly what the record in memory holds, and `get()` answers a run this store recorded from
memory: the engine's end-of-run hooks cost no disk round trip on the event loop
(benchmarks/engine_overhead.py). Finished runs stay in memory for a while (LIVE_FINISHED_KEPT).

- Progress is written at most once a second per subtask; a progress event that comes sooner is
  held back, and the last one held is applied and written before the subtask's end, so the final
  rows (and record) carry the last progress and speed the engine reported, as every reader has it.
  Statuses and final states are always written.
- The store records the runs it saw created; events of a run it never saw created change nothing.
- Reads from SQLite (`get_stored`, `list`, a `get` of a run not in memory) first commit this
  store's pending writes, so a reader in this process always sees its own writes. The CLI flushes
  before it prints a TaskId, so that a printed TaskId is visible to another process.
- WAL mode: readers in other processes (`mediaflow status` while the GUI runs) never block writes.
- Opening a store marks the runs of dead processes "Interrupted" and starts removing their
  leftovers in the background (recovery.py).
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ..events import Event, EventBus, RunCreated, RunFinished, SubtaskFinished, SubtaskProgress, SubtaskStarted
from ..run_state import RunRecord, apply
from . import reads, rows
from .recovery import LeftoverCleaner, mark_interrupted, owner
from .schema import connect, db_value, migrate
from .task_query import task_query_dict
from .writer import BatchWriter

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL = 1.0  # seconds between progress writes of one subtask
LIVE_FINISHED_KEPT = 64  # finished runs kept in memory for get() after their end
CLEANUP_WAIT_ON_CLOSE = 5.0  # seconds close() waits for a clean-up still running


class TaskStore:
    """Runs and subtasks in SQLite. Subscribe it to a bus with `attach(bus)`."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 work_root: str | os.PathLike[str] | None = None) -> None:
        """`work_root`: where engines keep runs' private work dirs (default `<data dir>/work`)."""
        if path is None:
            from ...paths import task_store_path
            path = task_store_path()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        from ...paths import private_file
        private_file(self.path)  # SQLite gives its -wal/-shm files the database's mode: 0600 for all
        self._owner = owner()
        self._read_lock = threading.Lock()
        self._reader = connect(self.path, check_same_thread=False)
        migrate(self._reader)
        self._cleaner = LeftoverCleaner(self.path, work_root)
        self.mark_interrupted()
        self._cleaner.start()
        self._writer = BatchWriter(self.path)
        self._live_lock = threading.Condition()  # guards the records below; notified when a run ends
        self._live: dict[str, RunRecord] = {}  # runs recorded through this store, by TaskId
        self._live_finished: list[str] = []  # finished ones among them, oldest first
        self._last_progress_write: dict[tuple[str, str], float] = {}
        self._held_progress: dict[tuple[str, str], SubtaskProgress] = {}  # came sooner than the interval
        self._unsubscribe: list[Callable[[], None]] = []
        self._attached: set[int] = set()
        self._closed = False

    # -- recovery --------------------------------------------------------------------------
    def mark_interrupted(self) -> int:
        """Mark runs whose owning process is gone as FAIL "Interrupted" (done when the store opens;
        call again to catch processes that died since). Returns how many; their files are removed
        in the background."""
        with self._read_lock:
            count = mark_interrupted(self._reader)
        if count and self._cleaner.started:  # not the first call (from __init__, which starts one)
            self._cleaner.start()
        return count

    def wait_cleanup(self, timeout: float | None = 30.0) -> bool:
        """Wait for the background clean-up (tests, `mediaflow doctor`); True if it is done."""
        return self._cleaner.wait(timeout)

    # -- writing ----------------------------------------------------------------------------
    def _put(self, *writes: rows.Write) -> None:
        if self._closed:
            raise RuntimeError("the task store is closed")
        self._writer.put(*writes)

    def flush(self, timeout: float = 30.0) -> None:
        """Block until every write queued so far is committed."""
        self._writer.flush(timeout)

    def wait_recorded(self, task_id: str, timeout: float = 5.0) -> bool:
        """Block until this store has recorded the end of `task_id` (when it saw the run created)
        and committed it; False on timeout. For whoever hears of a run's end on another path (the
        notifier's own records) and must not tell anyone before the store holds it."""
        deadline = time.monotonic() + timeout
        with self._live_lock:
            while True:
                record = self._live.get(task_id)
                if record is None or record.finished or self._closed:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._live_lock.wait(remaining)
        self.flush(max(0.0, deadline - time.monotonic()))
        return True

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._attached.clear()
        self._writer.close()
        # a short command (`mediaflow status`) must not exit in the middle of the clean-up it started;
        # a clean-up cut short anyway (a kill) is finished by the next start (cleanup_pending)
        self.wait_cleanup(CLEANUP_WAIT_ON_CLOSE)
        with self._live_lock:
            self._closed = True
            self._live_lock.notify_all()
        with self._read_lock:
            self._reader.close()

    def __enter__(self) -> "TaskStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- events in -----------------------------------------------------------------------
    def attach(self, bus: EventBus) -> None:
        """Persist the events of `bus` (once per bus, however often it is called)."""
        if id(bus) in self._attached:
            return
        self._attached.add(id(bus))
        self._unsubscribe.append(bus.subscribe(self.handle_event))

    def handle_event(self, event: Event) -> None:
        """Apply `event` to the run's record and queue the rows it changed (see the module docstring)."""
        key = (event.task_id, getattr(event, "step_id", ""))
        if isinstance(event, SubtaskProgress):
            now = time.monotonic()
            if now - self._last_progress_write.get(key, -1e9) < PROGRESS_WRITE_INTERVAL:
                self._held_progress[key] = event  # the latest one is written before the subtask ends
                return
            self._last_progress_write[key] = now
            self._held_progress.pop(key, None)
        elif isinstance(event, SubtaskStarted):
            self._held_progress.pop(key, None)  # a new start: earlier progress is over
        elif isinstance(event, SubtaskFinished):
            self._last_progress_write.pop(key, None)
            held = self._held_progress.pop(key, None)
            if held is not None:
                self._record(held)
        elif isinstance(event, RunFinished):
            for held_key in [k for k in self._held_progress if k[0] == event.task_id]:
                self._record(self._held_progress.pop(held_key))
        self._record(event)

    def _record(self, event: Event) -> None:
        with self._live_lock:
            before = self._live.get(event.task_id)
            if isinstance(event, RunCreated) and before is not None:
                return  # told twice: recorded already
            record = apply(before, event)
            if record is None:  # a run this store did not see created
                return
            if isinstance(event, RunCreated):
                self._live[event.task_id] = record
                writes = rows.created(record, self._owner)
            elif isinstance(event, SubtaskProgress):
                writes = [rows.subtask_progress(record.task_id, record.subtask(event.step_id))]
            elif isinstance(event, (SubtaskStarted, SubtaskFinished)):
                try:
                    writes = [rows.subtask_state(record.task_id, record.subtask(event.step_id))]
                except KeyError:  # a step the run does not have: nothing changed
                    return
            else:  # RunStarted, RunFinished
                writes = [rows.run_state(record)]
                if isinstance(event, RunFinished):
                    self._forget_finished(event.task_id)
                    self._live_lock.notify_all()
        self._put(*writes)

    def _forget_finished(self, task_id: str) -> None:
        """Keep the last LIVE_FINISHED_KEPT finished runs in memory (under the live lock)."""
        if task_id in self._live_finished:
            return
        self._live_finished.append(task_id)
        while len(self._live_finished) > LIVE_FINISHED_KEPT:
            self._live.pop(self._live_finished.pop(0), None)

    # -- reads ---------------------------------------------------------------------------
    def get(self, task_id: str) -> RunRecord | None:
        """The run's record: from memory when this store recorded it (a copy), else from SQLite."""
        with self._live_lock:
            live = self._live.get(task_id)
            if live is not None:  # the same values the rows hold, without a disk read
                return copy.deepcopy(live)
        return self.get_stored(task_id)

    def get_stored(self, task_id: str) -> RunRecord | None:
        """The run as SQLite holds it (after committing this store's pending writes)."""
        self.flush()
        with self._read_lock:
            return reads.get_run(self._reader, task_id)

    def list(self, limit: int = 50, search: str | None = None) -> list[RunRecord]:
        """Newest first; `search` matches a TaskId prefix or any part of the input."""
        self.flush()
        with self._read_lock:
            return reads.list_runs(self._reader, limit, search)

    def delete(self, task_id: str) -> bool:
        with self._live_lock:
            self._live.pop(task_id, None)
        self._put(
            ("DELETE FROM subtasks WHERE task_id=?", (db_value(task_id),)),
            # its workflow snapshot goes with it when no other run ran that workflow
            ("DELETE FROM workflow_snapshots WHERE hash=(SELECT workflow_hash FROM runs WHERE task_id=?) "
             "AND NOT EXISTS (SELECT 1 FROM runs WHERE workflow_hash=workflow_snapshots.hash AND task_id!=?)",
             (db_value(task_id), db_value(task_id))),
            ("DELETE FROM runs WHERE task_id=?", (db_value(task_id),)))
        self.flush()
        return self.get(task_id) is None

    def task_query(self, task_id: str) -> dict[str, Any]:
        """The cloud service's task-query JSON for one run (KeyError if unknown)."""
        record = self.get(task_id)
        if record is None:
            raise KeyError(task_id)
        return task_query_dict(record)
