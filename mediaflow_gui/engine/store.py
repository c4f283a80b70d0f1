"""The task store: every run and subtask in SQLite (stdlib), fed by the engine's events.

Design choices, and why:
- One writer thread owns the write connection. Bus callbacks only append small tuples to a list,
  so the asyncio loop (and the GUI on top of it) never waits on the disk; the thread commits what
  gathered within BATCH_WINDOW in one transaction (one wake-up and one commit for a burst of
  events, not one per event). `flush()` waits until everything queued so far is committed; reads
  from SQLite call it first, so a reader in this process always sees its own writes. The CLI
  flushes before it prints a TaskId, so that a printed TaskId is visible to another process.
- The runs this store records are also kept in memory while they run (and a while after), built
  from the same events by the same rules as the rows; `get()` answers those from memory, so the
  engine's end-of-run record costs no disk round trip on the event loop
  (benchmarks/engine_overhead.py).
- WAL mode: readers in other processes (`mediaflow status` while the GUI runs) never block writes.
- Progress is written at most once a second per subtask; statuses and final states always.
- The workflow each run ran is kept once per distinct workflow (table workflow_snapshots, keyed by
  the sha256 of its canonical JSON; runs.workflow_hash points there): 50 runs of one workflow add
  one snapshot, not 50. Stores written before (schema version 1) keep theirs in runs.workflow_json,
  which is still read.
- File names are bytes on Linux; one that is not valid UTF-8 reaches Python as a string with lone
  surrogates (model/text.py). Such a string cannot be bound as SQLite TEXT, so every value written
  goes through `_db_value`: valid text stays TEXT, any other string is stored as a BLOB of exactly
  its file-system bytes (surrogateescape), and reads turn BLOBs back into the same string
  (`_row`): the record opens the real file again. JSON columns escape such characters (`\\udcff`,
  ensure_ascii) and read back the same. What people and other programs see (`task_query_dict`:
  `status --json`, events) is the display form, each undecodable byte written `\\xNN`.
- The writer never dies of a bad write: a batch whose statement fails is committed again without
  that statement (logged, with the error), and any other failure is logged; the thread goes on.
- Runs left WAITING/PROCESSING by a process that is gone (crash, kill) are marked FAIL
  ("Interrupted") when a store is opened. Each run records its owner (pid + process start time),
  so opening the store from a second process never touches runs that are still alive.
- What such runs left on disk is removed by a background thread of the store that marked them
  (`remove_leftovers`): their staging dirs (`<out_dir>/.mediaflow-<TaskId>-*`, complete outputs
  included: the run is recorded as failed, so nothing of it is published) and their work dirs
  (`<data dir>/work/<TaskId>`: downloads, outputs of bucket runs). A run keeps `cleanup_pending`
  until that is done, so a kill during the clean-up is finished by the next start. Work dirs of
  runs that ended FAIL/CANCELED are removed too; a work dir no run claims only when it is old.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import psutil

from ..model.kinds import resolve_task_kind
from ..model.statuses import RunResult, RunStatus, SubtaskStatus
from ..model.text import display_json, from_bytes, has_lone_surrogates, to_bytes
from .events import (Event, EventBus, RunCreated, RunFinished, RunStarted, SubtaskFinished, SubtaskProgress,
                     SubtaskStarted)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: workflow snapshots stored once per distinct workflow (workflow_snapshots)
PROGRESS_WRITE_INTERVAL = 1.0  # seconds between progress writes of one subtask
BATCH_WINDOW = 0.05  # seconds the writer gathers writes before one commit (a flush does not wait)
LIVE_FINISHED_KEPT = 64  # finished runs kept in memory for get() after their end
# the private folder a step writes into before its outputs are published (executor.py); the
# start-up clean-up finds a killed run's leftovers by this name
STAGING_PREFIX = ".mediaflow-"
TASK_ID_PATTERN = re.compile(r"mf-\d{8}-[0-9a-f]{8}")
UNCLAIMED_WORK_DIR_AGE = 3600.0  # seconds before a work dir that no recorded run claims is removed
CLEANUP_WAIT_ON_CLOSE = 5.0  # seconds close() waits for a clean-up still running

# ErrCode numbers for the task query (the service has an int ErrCode; the names go to ErrCodeExt)
ERROR_NUMBERS: dict[str, int] = {
    "": 0,
    "InvalidWorkflow": 1001,
    "InputNotFound": 1002,
    "FetchFailed": 1003,
    "ProbeFailed": 1004,
    "InputNotSupported": 1005,
    "FFmpegNotFound": 1006,
    "FFmpegFailed": 1007,
    "OutputFailed": 1008,
    "DeliveryFailed": 1009,
    "Skipped": 1010,
    "Canceled": 1011,
    "Interrupted": 1012,
    "FFmpegLacksFeature": 1013,
    "InternalError": 1099,
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    task_id TEXT PRIMARY KEY,
    workflow_name TEXT NOT NULL,
    workflow_json TEXT,
    input TEXT NOT NULL,
    out_dir TEXT,
    status TEXT NOT NULL,
    result TEXT,
    error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    create_time REAL NOT NULL,
    begin_time REAL,
    finish_time REAL,
    metadata_json TEXT,
    owner_pid INTEGER,
    owner_started REAL,
    cleanup_pending INTEGER NOT NULL DEFAULT 0  -- 1: interrupted, its files not yet removed
);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(create_time);
-- the workflow as each run ran it, stored once per distinct workflow: a folder of 200 files, or a
-- bucket's thousands of uploads, run one workflow again and again (runs.workflow_hash points here;
-- runs.workflow_json holds the snapshots of stores written before version 2)
CREATE TABLE IF NOT EXISTS workflow_snapshots (
    hash TEXT PRIMARY KEY,  -- sha256 of the canonical JSON below
    json TEXT NOT NULL  -- sorted keys, no spaces
);
CREATE TABLE IF NOT EXISTS subtasks (
    task_id TEXT NOT NULL REFERENCES runs(task_id) ON DELETE CASCADE,
    step_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    task_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    speed REAL,
    input TEXT NOT NULL DEFAULT '',
    outputs_json TEXT NOT NULL DEFAULT '[]',
    error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    command_json TEXT NOT NULL DEFAULT '[]',
    begin_time REAL,
    finish_time REAL,
    PRIMARY KEY (task_id, step_id)
);
"""


def new_task_id(now: float | None = None) -> str:
    """Readable and unique: `mf-YYYYMMDD-<8 hex>` (UTC date)."""
    day = _dt.datetime.fromtimestamp(now if now is not None else time.time(), _dt.timezone.utc)
    return f"mf-{day:%Y%m%d}-{uuid.uuid4().hex[:8]}"


def iso_utc(t: float | None) -> str | None:
    if t is None:
        return None
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SubtaskRecord:
    step_id: str
    name: str
    task_kind: str
    status: SubtaskStatus
    progress: float = 0.0
    outputs: list[dict[str, Any]] = field(default_factory=list)
    error_code: str = ""
    message: str = ""
    command: list[str] = field(default_factory=list)
    input: str = ""
    speed: float | None = None
    begin_time: float | None = None
    finish_time: float | None = None


@dataclass
class RunRecord:
    task_id: str
    workflow_name: str
    input: str
    status: RunStatus
    result: RunResult | None
    error_code: str
    message: str
    create_time: float
    begin_time: float | None
    finish_time: float | None
    subtasks: list[SubtaskRecord] = field(default_factory=list)
    out_dir: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    workflow: dict[str, Any] | None = None  # the snapshot of the workflow file as run

    @property
    def succeeded(self) -> bool:
        return self.status == RunStatus.FINISH and self.result == RunResult.SUCCESS

    def subtask(self, step_id: str) -> SubtaskRecord:
        for sub in self.subtasks:
            if sub.step_id == step_id:
                return sub
        raise KeyError(step_id)

    def subtask_named(self, name: str) -> SubtaskRecord:
        for sub in self.subtasks:
            if sub.name == name:
                return sub
        raise KeyError(name)

    def outputs(self) -> list[dict[str, Any]]:
        return [out for sub in self.subtasks for out in sub.outputs]


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Stores written by an older version lack later columns: add them (idempotent, concurrent-safe)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(runs)").fetchall()}
    if "cleanup_pending" not in columns:
        try:
            conn.execute("ALTER TABLE runs ADD COLUMN cleanup_pending INTEGER NOT NULL DEFAULT 0")
        except sqlite3.OperationalError as exc:  # another process added it just now
            if "duplicate column" not in str(exc):
                raise
    conn.execute("CREATE INDEX IF NOT EXISTS runs_cleanup ON runs(cleanup_pending) WHERE cleanup_pending=1")
    if "workflow_hash" not in columns:  # version 2
        try:
            conn.execute("ALTER TABLE runs ADD COLUMN workflow_hash TEXT")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):
                raise
    conn.execute("CREATE INDEX IF NOT EXISTS runs_by_workflow ON runs(workflow_hash)")


def workflow_snapshot(workflow: dict[str, Any]) -> tuple[str, str]:
    """(canonical JSON, its sha256): one text and one key for every run of an identical workflow."""
    text = json.dumps(workflow, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    # surrogatepass: a lone surrogate (a file-name byte that is not UTF-8) must not stop the record
    return text, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _db_value(value: Any) -> Any:
    """What SQLite is given for `value`: a string that is not valid UTF-8 as the BLOB of its bytes."""
    if isinstance(value, str) and has_lone_surrogates(value):
        return to_bytes(value)
    return value


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> sqlite3.Row:
    """Rows as sqlite3.Row, with the BLOBs _db_value wrote turned back into the same strings."""
    return sqlite3.Row(cursor, tuple(from_bytes(v) if isinstance(v, bytes) else v for v in values))


# what a run row is read with: its workflow snapshot, from the shared table or (older rows) its own column
_RUNS_WITH_SNAPSHOT = ("SELECT runs.*, workflow_snapshots.json AS snapshot_json FROM runs "
                       "LEFT JOIN workflow_snapshots ON workflow_snapshots.hash = runs.workflow_hash")


def _snapshot_of(row: sqlite3.Row) -> dict[str, Any] | None:
    text = row["snapshot_json"] or row["workflow_json"]  # version 2's shared snapshot, else an older row's own
    return json.loads(text) if text else None


def _remove_tree(path: Path) -> bool:
    """rmtree that never follows a symlink and never raises; True if something was removed."""
    try:
        if path.is_symlink() or not path.is_dir():
            return False
    except OSError:
        return False
    shutil.rmtree(path, ignore_errors=True)
    return True


def remove_leftovers(db_path: str | os.PathLike[str], work_root: str | os.PathLike[str]) -> int:
    """Remove what interrupted runs left on disk; returns how many folders went. Safe to run in
    several processes at once: it only touches runs the store marked (owner gone) or ended.

    1. runs with `cleanup_pending`: their staging dirs in their output folder and their work dir;
    2. `work_root/<TaskId>` of runs that ended FAIL or CANCELED (a bucket run removes its own; this
       catches older versions and kills during that removal), and of TaskIds no run claims once
       they are older than UNCLAIMED_WORK_DIR_AGE (a run's dir can exist a moment before its row).
    """
    work = Path(work_root)
    removed = 0
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        pending = conn.execute("SELECT task_id, out_dir FROM runs WHERE cleanup_pending=1").fetchall()
        for task_id, out_dir in pending:
            if isinstance(out_dir, bytes):  # a folder whose name is not UTF-8 (_db_value)
                out_dir = from_bytes(out_dir)
            if TASK_ID_PATTERN.fullmatch(task_id or ""):  # the id goes into a glob and a path
                if out_dir and os.path.isdir(out_dir):
                    for staging in Path(out_dir).glob(f"{STAGING_PREFIX}{task_id}-*"):
                        removed += _remove_tree(staging)
                removed += _remove_tree(work / task_id)
            conn.execute("UPDATE runs SET cleanup_pending=0 WHERE task_id=?", (task_id,))
        try:
            entries = list(os.scandir(work))
        except OSError:  # no work dir yet
            entries = []
        now = time.time()
        for entry in entries:
            if not TASK_ID_PATTERN.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
                continue
            row = conn.execute("SELECT status, result FROM runs WHERE task_id=?", (entry.name,)).fetchone()
            if row is None:
                try:
                    stale = now - entry.stat(follow_symlinks=False).st_mtime > UNCLAIMED_WORK_DIR_AGE
                except OSError:
                    continue
            else:
                stale = row[0] == RunStatus.FINISH.value and row[1] != RunResult.SUCCESS.value
            if stale:
                removed += _remove_tree(Path(entry.path))
    finally:
        conn.close()
    if removed:
        log.info("removed %d folder(s) left by interrupted or failed runs", removed)
    return removed


def _owner() -> tuple[int, float]:
    me = psutil.Process()
    return me.pid, me.create_time()


def _owner_alive(pid: int | None, started: float | None) -> bool:
    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        # a recycled pid belongs to a process started at another time
        return started is None or abs(proc.create_time() - started) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


_Write = tuple[str, tuple[Any, ...]]


class TaskStore:
    """Runs and subtasks in SQLite. Subscribe it to a bus with `attach(bus)`."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 work_root: str | os.PathLike[str] | None = None) -> None:
        """`work_root`: where engines keep runs' private work dirs (default `<data dir>/work`)."""
        if path is None:
            from ..paths import task_store_path
            path = task_store_path()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        from ..paths import private_file
        private_file(self.path)  # SQLite gives its -wal/-shm files the database's mode: 0600 for all
        self._work_root = Path(work_root) if work_root is not None else None
        self._pid, self._started = _owner()
        self._read_lock = threading.Lock()
        self._reader = self._connect(check_same_thread=False)
        with self._reader:
            self._reader.executescript(_SCHEMA)
            self._reader.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            _add_missing_columns(self._reader)
        self._cleanup_lock = threading.Lock()
        self._cleanup_thread: threading.Thread | None = None
        self._cleanup_again = False
        self.mark_interrupted()
        self._start_cleanup()
        self._cond = threading.Condition()  # guards the three below; wakes the writer
        self._pending: list[_Write] = []
        self._flush_waiters: list[threading.Event] = []
        self._stop = False
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()
        self._last_progress_write: dict[tuple[str, str], float] = {}
        self._live_lock = threading.Lock()
        self._live: dict[str, RunRecord] = {}  # runs recorded through this store, by TaskId
        self._live_finished: list[str] = []  # finished ones among them, oldest first
        self._unsubscribe: list[Callable[[], None]] = []
        self._attached: set[int] = set()
        self._closed = False

    # -- connections -----------------------------------------------------------------
    def _connect(self, check_same_thread: bool = True) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=check_same_thread, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable enough, far fewer fsyncs
        conn.execute("PRAGMA foreign_keys=ON")
        conn.row_factory = _row
        return conn

    def mark_interrupted(self) -> int:
        """Mark runs whose owning process is gone as FAIL "Interrupted" (done when the store opens;
        call again to catch processes that died since). Returns how many; their files are removed
        in the background."""
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT task_id, owner_pid, owner_started FROM runs WHERE status != ?", (RunStatus.FINISH.value,)
            ).fetchall()
            dead = [r["task_id"] for r in rows if not _owner_alive(r["owner_pid"], r["owner_started"])]
            if not dead:
                return 0
            now = time.time()
            msg = "Interrupted: the process running this task ended before it finished"
            self._reader.execute("BEGIN IMMEDIATE")
            try:
                for tid in dead:
                    self._reader.execute(
                        "UPDATE runs SET status=?, result=?, error_code='Interrupted', message=?, finish_time=?, "
                        "cleanup_pending=1 WHERE task_id=? AND status != ?",
                        (RunStatus.FINISH.value, RunResult.FAIL.value, msg, now, tid, RunStatus.FINISH.value))
                    self._reader.execute(
                        "UPDATE subtasks SET status=?, error_code='Interrupted', message=?, finish_time=? "
                        "WHERE task_id=? AND status=?",
                        (SubtaskStatus.FAIL.value, msg, now, tid, SubtaskStatus.PROCESSING.value))
                    self._reader.execute(
                        "UPDATE subtasks SET status=?, error_code='Interrupted', message=? WHERE task_id=? AND status=?",
                        (SubtaskStatus.SKIPPED.value, msg, tid, SubtaskStatus.WAITING.value))
                self._reader.execute("COMMIT")
            except BaseException:
                self._reader.execute("ROLLBACK")
                raise
            log.info("marked %d interrupted run(s) as FAIL", len(dead))
        if self._cleanup_thread is not None:  # not the first call (from __init__, which starts one)
            self._start_cleanup()
        return len(dead)

    # -- what interrupted runs left on disk ---------------------------------------------
    def _start_cleanup(self) -> None:
        """Run remove_leftovers on a background thread (the GUI thread and a CLI start never wait)."""
        with self._cleanup_lock:
            if self._cleanup_thread is not None and self._cleanup_thread.is_alive():
                self._cleanup_again = True
                return
            self._cleanup_thread = threading.Thread(target=self._cleanup_loop, name="mediaflow-cleanup", daemon=True)
            self._cleanup_thread.start()

    def _cleanup_loop(self) -> None:
        if self._work_root is None:
            from ..paths import data_dir
            self._work_root = data_dir() / "work"
        while True:
            try:
                remove_leftovers(self.path, self._work_root)
            except Exception:  # never fatal: the next start tries again
                log.exception("removing the leftovers of interrupted runs failed")
            with self._cleanup_lock:
                if not self._cleanup_again:
                    return
                self._cleanup_again = False

    def wait_cleanup(self, timeout: float | None = 30.0) -> bool:
        """Wait for the background clean-up (tests, `mediaflow doctor`); True if it is done."""
        thread = self._cleanup_thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # -- the writer thread -------------------------------------------------------------
    def _ensure_writer(self) -> None:
        if self._writer is not None and self._writer.is_alive():
            return
        with self._writer_lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_loop, name="mediaflow-task-store", daemon=True)
                self._writer.start()

    def _take_batch(self) -> tuple[list[_Write], list[threading.Event], bool]:
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

    def _write_loop(self) -> None:
        conn = self._connect()
        try:
            while True:
                writes, waiters, stop = self._take_batch()
                try:
                    if writes:
                        self._commit(conn, writes)
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

    @staticmethod
    def _commit(conn: sqlite3.Connection, writes: list[_Write]) -> None:
        """Commit `writes` in one transaction; a statement that fails is dropped (and logged) and the
        rest committed again without it, so one bad write costs only itself."""
        pending = list(writes)
        while pending:
            failed_at, error = TaskStore._apply(conn, pending)
            if error is None:
                return
            if failed_at < 0:  # the transaction itself (locked for 30 s, disk full): nothing to single out
                log.error("task store: %d write(s) lost: %s: %s", len(pending), type(error).__name__, error)
                return
            sql, _args = pending.pop(failed_at)
            log.error("task store: one write dropped (%s: %s): %s", type(error).__name__, error,
                      " ".join(sql.split()[:6]))

    @staticmethod
    def _apply(conn: sqlite3.Connection, writes: list[_Write]) -> tuple[int, BaseException | None]:
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

    def _put(self, sql: str, args: tuple[Any, ...], then: _Write | None = None) -> None:
        """Queue a write; `then` is queued right after it, so that both are committed together."""
        if self._closed:
            raise RuntimeError("the task store is closed")
        self._ensure_writer()
        args = tuple(_db_value(a) for a in args)
        if then is not None:
            then = (then[0], tuple(_db_value(a) for a in then[1]))
        with self._cond:
            was_empty = not self._pending
            self._pending.append((sql, args))
            if then is not None:
                self._pending.append(then)
            if was_empty:  # the writer sleeps only when nothing is pending
                self._cond.notify()

    def flush(self, timeout: float = 30.0) -> None:
        """Block until every write queued so far is committed."""
        if self._writer is None or not self._writer.is_alive():
            return
        done = threading.Event()
        with self._cond:
            self._flush_waiters.append(done)
            self._cond.notify()
        done.wait(timeout)

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._attached.clear()
        if self._writer is not None and self._writer.is_alive():
            with self._cond:
                self._stop = True
                self._cond.notify()
            self._writer.join(30)
        # a short command (`mediaflow status`) must not exit in the middle of the clean-up it started;
        # a clean-up cut short anyway (a kill) is finished by the next start (cleanup_pending)
        self.wait_cleanup(CLEANUP_WAIT_ON_CLOSE)
        self._closed = True
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
        # each branch queues the row change and makes the same change to the run kept in memory
        if isinstance(event, RunCreated):
            workflow_json, workflow_hash = workflow_snapshot(event.workflow) if event.workflow else (None, None)
            run_row = ("INSERT INTO runs (task_id, workflow_name, workflow_hash, input, out_dir, status, create_time, "
                       "owner_pid, owner_started) VALUES (?,?,?,?,?,?,?,?,?)",
                       (event.task_id, event.workflow_name, workflow_hash,
                        event.input, event.out_dir, RunStatus.WAITING.value, event.time, self._pid, self._started))
            if workflow_hash is None:
                self._put(*run_row)
            else:  # both in one commit: a run never points at a snapshot that another store's delete() removed
                self._put("INSERT OR IGNORE INTO workflow_snapshots (hash, json) VALUES (?,?)",
                          (workflow_hash, workflow_json), then=run_row)
            for seq, step in enumerate(event.steps):
                self._put(
                    "INSERT INTO subtasks (task_id, step_id, seq, name, task_kind, status) VALUES (?,?,?,?,?,?)",
                    (event.task_id, step.step_id, seq, step.name, step.task_kind, SubtaskStatus.WAITING.value))
            record = RunRecord(
                task_id=event.task_id, workflow_name=event.workflow_name, input=event.input,
                status=RunStatus.WAITING, result=None, error_code="", message="", create_time=event.time,
                begin_time=None, finish_time=None, out_dir=event.out_dir or "",
                workflow=json.loads(workflow_json) if workflow_json else None,
                subtasks=[SubtaskRecord(step_id=st.step_id, name=st.name, task_kind=st.task_kind,
                                        status=SubtaskStatus.WAITING) for st in event.steps])
            with self._live_lock:
                self._live[event.task_id] = record
        elif isinstance(event, RunStarted):
            metadata_json = json.dumps(event.metadata or {})
            self._put("UPDATE runs SET status=?, begin_time=?, metadata_json=? WHERE task_id=?",
                      (RunStatus.PROCESSING.value, event.time, metadata_json, event.task_id))
            with self._live_lock:
                run = self._live.get(event.task_id)
                if run is not None:
                    run.status, run.begin_time, run.metadata = RunStatus.PROCESSING, event.time, json.loads(metadata_json)
        elif isinstance(event, SubtaskStarted):
            self._put("UPDATE subtasks SET status=?, begin_time=?, command_json=?, input=?, progress=0 "
                      "WHERE task_id=? AND step_id=?",
                      (SubtaskStatus.PROCESSING.value, event.time, json.dumps(list(event.command)), event.input,
                       event.task_id, event.step_id))
            with self._live_lock:
                sub = self._live_subtask(event.task_id, event.step_id)
                if sub is not None:
                    sub.status, sub.begin_time, sub.command = SubtaskStatus.PROCESSING, event.time, list(event.command)
                    sub.input, sub.progress = event.input, 0.0
        elif isinstance(event, SubtaskProgress):
            key = (event.task_id, event.step_id)
            now = time.monotonic()
            if now - self._last_progress_write.get(key, -1e9) < PROGRESS_WRITE_INTERVAL:
                return
            self._last_progress_write[key] = now
            percent = round(event.percent, 2)
            self._put("UPDATE subtasks SET progress=?, speed=? WHERE task_id=? AND step_id=?",
                      (percent, event.speed, event.task_id, event.step_id))
            with self._live_lock:
                sub = self._live_subtask(event.task_id, event.step_id)
                if sub is not None:
                    sub.progress, sub.speed = percent, event.speed
        elif isinstance(event, SubtaskFinished):
            self._last_progress_write.pop((event.task_id, event.step_id), None)
            success = event.status == SubtaskStatus.SUCCESS
            progress_sql = ", progress=100" if success else ""
            outputs_json = json.dumps(list(event.outputs), default=str)
            self._put(f"UPDATE subtasks SET status=?, outputs_json=?, error_code=?, message=?, finish_time=?"
                      f"{progress_sql} WHERE task_id=? AND step_id=?",
                      (event.status.value, outputs_json, event.error_code,
                       event.message, event.time, event.task_id, event.step_id))
            with self._live_lock:
                sub = self._live_subtask(event.task_id, event.step_id)
                if sub is not None:
                    sub.status, sub.outputs = event.status, json.loads(outputs_json)
                    sub.error_code, sub.message, sub.finish_time = event.error_code, event.message, event.time
                    if success:
                        sub.progress = 100.0
        elif isinstance(event, RunFinished):
            self._put("UPDATE runs SET status=?, result=?, error_code=?, message=?, finish_time=?, "
                      "begin_time=COALESCE(begin_time, ?) WHERE task_id=?",
                      (RunStatus.FINISH.value, event.result.value, event.error_code, event.message, event.time,
                       event.time, event.task_id))
            with self._live_lock:
                run = self._live.get(event.task_id)
                if run is not None:
                    run.status, run.result, run.error_code = RunStatus.FINISH, event.result, event.error_code
                    run.message, run.finish_time = event.message, event.time
                    if run.begin_time is None:
                        run.begin_time = event.time
                    self._live_finished.append(event.task_id)
                    while len(self._live_finished) > LIVE_FINISHED_KEPT:
                        self._live.pop(self._live_finished.pop(0), None)

    def _live_subtask(self, task_id: str, step_id: str) -> SubtaskRecord | None:
        run = self._live.get(task_id)
        if run is None:
            return None
        for sub in run.subtasks:
            if sub.step_id == step_id:
                return sub
        return None

    # -- reads ---------------------------------------------------------------------------
    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        self.flush()
        with self._read_lock:
            return self._reader.execute(sql, tuple(_db_value(a) for a in args)).fetchall()

    def _subtasks(self, task_id: str) -> list[SubtaskRecord]:
        rows = self._query("SELECT * FROM subtasks WHERE task_id=? ORDER BY seq", (task_id,))
        return [SubtaskRecord(
            step_id=r["step_id"], name=r["name"], task_kind=r["task_kind"], status=SubtaskStatus(r["status"]),
            progress=r["progress"], outputs=json.loads(r["outputs_json"] or "[]"), error_code=r["error_code"],
            message=r["message"], command=json.loads(r["command_json"] or "[]"), input=r["input"],
            speed=r["speed"], begin_time=r["begin_time"], finish_time=r["finish_time"]) for r in rows]

    def _record(self, r: sqlite3.Row, with_subtasks: bool = True) -> RunRecord:
        return RunRecord(
            task_id=r["task_id"], workflow_name=r["workflow_name"], input=r["input"],
            status=RunStatus(r["status"]), result=RunResult(r["result"]) if r["result"] else None,
            error_code=r["error_code"], message=r["message"], create_time=r["create_time"],
            begin_time=r["begin_time"], finish_time=r["finish_time"],
            subtasks=self._subtasks(r["task_id"]) if with_subtasks else [],
            out_dir=r["out_dir"] or "", metadata=json.loads(r["metadata_json"] or "{}"),
            workflow=_snapshot_of(r))

    def get(self, task_id: str) -> RunRecord | None:
        with self._live_lock:
            live = self._live.get(task_id)
            if live is not None:  # recorded here: the same values the rows will hold, without a disk read
                return copy.deepcopy(live)
        return self.get_stored(task_id)

    def get_stored(self, task_id: str) -> RunRecord | None:
        """The run as SQLite holds it (after committing this store's pending writes)."""
        rows = self._query(f"{_RUNS_WITH_SNAPSHOT} WHERE task_id=?", (task_id,))
        return self._record(rows[0]) if rows else None

    def list(self, limit: int = 50, search: str | None = None) -> list[RunRecord]:
        """Newest first; `search` matches a TaskId prefix or any part of the input."""
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._query(
                f"{_RUNS_WITH_SNAPSHOT} WHERE task_id LIKE ? ESCAPE '\\' OR input LIKE ? ESCAPE '\\' "
                "ORDER BY create_time DESC, runs.rowid DESC LIMIT ?", (escaped + "%", "%" + escaped + "%", limit))
        else:
            rows = self._query(f"{_RUNS_WITH_SNAPSHOT} ORDER BY create_time DESC, runs.rowid DESC LIMIT ?", (limit,))
        return [self._record(r) for r in rows]

    def delete(self, task_id: str) -> bool:
        with self._live_lock:
            self._live.pop(task_id, None)
        self._put("DELETE FROM subtasks WHERE task_id=?", (task_id,))
        # its workflow snapshot goes with it when no other run ran that workflow
        self._put("DELETE FROM workflow_snapshots WHERE hash=(SELECT workflow_hash FROM runs WHERE task_id=?) "
                  "AND NOT EXISTS (SELECT 1 FROM runs WHERE workflow_hash=workflow_snapshots.hash AND task_id!=?)",
                  (task_id, task_id))
        self._put("DELETE FROM runs WHERE task_id=?", (task_id,))
        self.flush()
        return self.get(task_id) is None

    def task_query(self, task_id: str) -> dict[str, Any]:
        """The cloud service's task-query JSON for one run (KeyError if unknown)."""
        record = self.get(task_id)
        if record is None:
            raise KeyError(task_id)
        return task_query_dict(record)


def _output_entry(out: dict[str, Any]) -> dict[str, Any]:
    entry = {"Path": out.get("path"), "Kind": out.get("kind"), "Size": out.get("size", 0)}
    for key, name in (("width", "Width"), ("height", "Height"), ("duration", "Duration")):
        if out.get(key):
            entry[name] = out[key]
    return entry


def task_query_dict(record: RunRecord) -> dict[str, Any]:
    """DESIGN.md's task-query shape; extras (Progress, Command, Outputs, …) are extra fields.

    Every string is in display form (model/text.py display_text: an undecodable file-name byte
    is written `\\xNN`), so the dict encodes to valid UTF-8 JSON; the record keeps the real paths.
    """
    results = []
    for sub in record.subtasks:
        kind = resolve_task_kind(sub.task_kind)
        rtype = kind.result_type if kind else sub.task_kind
        outputs = [_output_entry(o) for o in sub.outputs]
        results.append({
            "Type": rtype,
            f"{rtype}Task": {
                "Status": sub.status.value,
                "ErrCode": ERROR_NUMBERS.get(sub.error_code, 1000) if sub.error_code else 0,
                "ErrCodeExt": sub.error_code,
                "Message": sub.message or ("SUCCESS" if sub.status == SubtaskStatus.SUCCESS else ""),
                "Input": {"Name": sub.name, "StepId": sub.step_id, "TaskKind": sub.task_kind, "Path": sub.input},
                "Output": outputs[0] if outputs else None,
                "Outputs": outputs,
                "Progress": round(sub.progress, 1),
                "Speed": sub.speed,
                "Command": list(sub.command),
                "BeginProcessTime": iso_utc(sub.begin_time),
                "FinishTime": iso_utc(sub.finish_time),
            },
        })
    input_type = "URL" if "://" in record.input else "File"
    workflow_task = {
        "TaskId": record.task_id,
        "Status": record.status.value,
        "Result": record.result.value if record.result else None,
        "ErrCode": ERROR_NUMBERS.get(record.error_code, 1000) if record.error_code else 0,
        "ErrCodeExt": record.error_code,
        "Message": record.message or ("SUCCESS" if record.succeeded else ""),
        "WorkflowName": record.workflow_name,
        "InputInfo": {"Type": input_type, ("Url" if input_type == "URL" else "Path"): record.input},
        "OutputDir": record.out_dir,
        "MetaData": record.metadata or None,
        "MediaProcessResultSet": results,
    }
    return display_json({
        "TaskId": record.task_id,
        "TaskType": "WorkflowTask",
        "Status": record.status.value,
        "CreateTime": iso_utc(record.create_time),
        "BeginProcessTime": iso_utc(record.begin_time),
        "FinishTime": iso_utc(record.finish_time),
        "WorkflowTask": workflow_task,
    })
