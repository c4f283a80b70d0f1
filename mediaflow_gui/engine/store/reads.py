"""Reading runs back from the task store's rows: one run, the newest runs, a search.

Functions over a connection; the TaskStore calls them under its read lock after committing its
own pending writes, so a reader in this process always sees what this process recorded.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ...model.statuses import RunResult, RunStatus, SubtaskStatus
from ..run_state import RunRecord, SubtaskRecord
from .schema import db_value

# what a run row is read with: its workflow snapshot, from the shared table or (older rows) its own column
RUNS_WITH_SNAPSHOT = ("SELECT runs.*, workflow_snapshots.json AS snapshot_json FROM runs "
                      "LEFT JOIN workflow_snapshots ON workflow_snapshots.hash = runs.workflow_hash")


def _query(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    return conn.execute(sql, tuple(db_value(a) for a in args)).fetchall()


def _snapshot_of(row: sqlite3.Row) -> dict[str, Any] | None:
    text = row["snapshot_json"] or row["workflow_json"]  # version 2's shared snapshot, else an older row's own
    return json.loads(text) if text else None


def subtasks_of(conn: sqlite3.Connection, task_id: str) -> list[SubtaskRecord]:
    rows = _query(conn, "SELECT * FROM subtasks WHERE task_id=? ORDER BY seq", (task_id,))
    return [SubtaskRecord(
        step_id=r["step_id"], name=r["name"], task_kind=r["task_kind"], status=SubtaskStatus(r["status"]),
        progress=r["progress"], outputs=json.loads(r["outputs_json"] or "[]"), error_code=r["error_code"],
        message=r["message"], command=json.loads(r["command_json"] or "[]"), input=r["input"],
        speed=r["speed"], begin_time=r["begin_time"], finish_time=r["finish_time"],
        applied_in=tuple(json.loads(r["applied_in"] or "[]")), log_tail=r["log_tail"] or "") for r in rows]


def record_of(conn: sqlite3.Connection, row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        task_id=row["task_id"], workflow_name=row["workflow_name"], input=row["input"],
        status=RunStatus(row["status"]), result=RunResult(row["result"]) if row["result"] else None,
        error_code=row["error_code"], message=row["message"], create_time=row["create_time"],
        begin_time=row["begin_time"], finish_time=row["finish_time"], subtasks=subtasks_of(conn, row["task_id"]),
        out_dir=row["out_dir"] or "", metadata=json.loads(row["metadata_json"] or "{}"),
        workflow=_snapshot_of(row), failed_step=row["failed_step"] or "")


def get_run(conn: sqlite3.Connection, task_id: str) -> RunRecord | None:
    rows = _query(conn, f"{RUNS_WITH_SNAPSHOT} WHERE task_id=?", (task_id,))
    return record_of(conn, rows[0]) if rows else None


def list_runs(conn: sqlite3.Connection, limit: int = 50, search: str | None = None) -> list[RunRecord]:
    """Newest first; `search` matches a TaskId prefix or any part of the input (LIKE wildcards literal)."""
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = _query(conn, f"{RUNS_WITH_SNAPSHOT} WHERE task_id LIKE ? ESCAPE '\\' OR input LIKE ? ESCAPE '\\' "
                      "ORDER BY create_time DESC, runs.rowid DESC LIMIT ?",
                      (escaped + "%", "%" + escaped + "%", limit))
    else:
        rows = _query(conn, f"{RUNS_WITH_SNAPSHOT} ORDER BY create_time DESC, runs.rowid DESC LIMIT ?", (limit,))
    return [record_of(conn, r) for r in rows]
