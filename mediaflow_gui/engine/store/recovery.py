"""Recovery: runs a dead process left unfinished, and what they left on disk.

- Each run records its owner (pid + process start time). When a store is opened, runs left
  WAITING/PROCESSING by a process that is gone (crash, kill) are marked FAIL "Interrupted"
  (`mark_interrupted`); opening the store from a second process never touches runs that are
  still alive (a recycled pid belongs to a process started at another time).
- What such runs left on disk is removed by a background thread (`LeftoverCleaner` running
  `remove_leftovers`): their staging dirs (`<out_dir>/.mediaflow-<TaskId>-*`, complete outputs
  included: the run is recorded as failed, so nothing of it is published) and their work dirs
  (`<data dir>/work/<TaskId>`: downloads, outputs of bucket runs). A run keeps `cleanup_pending`
  until that is done, so a kill during the clean-up is finished by the next start. Work dirs of
  runs that ended FAIL/CANCELED are removed too; a work dir no run claims only when it is old.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import psutil

from ...model.statuses import RunResult, RunStatus, SubtaskStatus
from ...model.text import from_bytes
from ..errors import ErrorCode
from .ids import STAGING_PREFIX, TASK_ID_PATTERN

log = logging.getLogger(__name__)

UNCLAIMED_WORK_DIR_AGE = 3600.0  # seconds before a work dir that no recorded run claims is removed
INTERRUPTED_MESSAGE = "Interrupted: the process running this task ended before it finished"


def owner() -> tuple[int, float]:
    """(pid, start time) of this process: what a run row records as its owner."""
    me = psutil.Process()
    return me.pid, me.create_time()


def owner_alive(pid: int | None, started: float | None) -> bool:
    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        # a recycled pid belongs to a process started at another time
        return started is None or abs(proc.create_time() - started) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def mark_interrupted(conn: sqlite3.Connection) -> int:
    """Mark runs whose owning process is gone as FAIL "Interrupted" in one transaction; how many.

    Their running subtasks fail, their waiting ones are skipped, and `cleanup_pending` is set for
    remove_leftovers."""
    rows = conn.execute("SELECT task_id, owner_pid, owner_started FROM runs WHERE status != ?",
                        (RunStatus.FINISH.value,)).fetchall()
    dead = [r["task_id"] for r in rows if not owner_alive(r["owner_pid"], r["owner_started"])]
    if not dead:
        return 0
    now, code = time.time(), ErrorCode.INTERRUPTED.value
    conn.execute("BEGIN IMMEDIATE")
    try:
        for tid in dead:
            conn.execute(
                "UPDATE runs SET status=?, result=?, error_code=?, message=?, finish_time=?, "
                "cleanup_pending=1 WHERE task_id=? AND status != ?",
                (RunStatus.FINISH.value, RunResult.FAIL.value, code, INTERRUPTED_MESSAGE, now, tid,
                 RunStatus.FINISH.value))
            conn.execute(
                "UPDATE subtasks SET status=?, error_code=?, message=?, finish_time=? WHERE task_id=? AND status=?",
                (SubtaskStatus.FAIL.value, code, INTERRUPTED_MESSAGE, now, tid, SubtaskStatus.PROCESSING.value))
            conn.execute(
                "UPDATE subtasks SET status=?, error_code=?, message=? WHERE task_id=? AND status=?",
                (SubtaskStatus.SKIPPED.value, code, INTERRUPTED_MESSAGE, tid, SubtaskStatus.WAITING.value))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    log.info("marked %d interrupted run(s) as FAIL", len(dead))
    return len(dead)


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
            if isinstance(out_dir, bytes):  # a folder whose name is not UTF-8 (schema.db_value)
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


class LeftoverCleaner:
    """Runs remove_leftovers on a background thread (the GUI thread and a CLI start never wait);
    asked again while it runs, it runs once more when done."""

    def __init__(self, db_path: str | os.PathLike[str], work_root: str | os.PathLike[str] | None) -> None:
        self.db_path = db_path
        self.work_root = Path(work_root) if work_root is not None else None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._thread = threading.Thread(target=self._loop, name="mediaflow-cleanup", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        if self.work_root is None:
            from ...paths import data_dir
            self.work_root = data_dir() / "work"
        while True:
            try:
                remove_leftovers(self.db_path, self.work_root)
            except Exception:  # never fatal: the next start tries again
                log.exception("removing the leftovers of interrupted runs failed")
            with self._lock:
                if not self._again:
                    return
                self._again = False

    def wait(self, timeout: float | None = 30.0) -> bool:
        """Wait for the clean-up; True if it is done."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True
