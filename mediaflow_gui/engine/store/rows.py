"""The SQL that writes a run's state: each statement takes its values from the record
run_state.apply returned, so the rows hold what the record holds (and a reader gets it back).

Every argument goes through schema.db_value (file names that are not UTF-8 become BLOBs).
"""

from __future__ import annotations

import json
from typing import Any

from ..run_state import RunRecord, SubtaskRecord
from .schema import db_value, workflow_snapshot
from .writer import Write


def _w(sql: str, *args: Any) -> Write:
    return sql, tuple(db_value(a) for a in args)


def created(record: RunRecord, owner: tuple[int, float]) -> list[Write]:
    """The run row, its workflow snapshot and one row per subtask, to be committed together (a run
    never points at a snapshot that another store's delete() removed)."""
    writes: list[Write] = []
    snapshot_hash = None
    if record.workflow is not None:
        text, snapshot_hash = workflow_snapshot(record.workflow)
        writes.append(_w("INSERT OR IGNORE INTO workflow_snapshots (hash, json) VALUES (?,?)", snapshot_hash, text))
    writes.append(_w("INSERT INTO runs (task_id, workflow_name, workflow_hash, input, out_dir, status, create_time, "
                     "owner_pid, owner_started) VALUES (?,?,?,?,?,?,?,?,?)",
                     record.task_id, record.workflow_name, snapshot_hash, record.input, record.out_dir,
                     record.status.value, record.create_time, owner[0], owner[1]))
    for seq, sub in enumerate(record.subtasks):
        writes.append(_w("INSERT INTO subtasks (task_id, step_id, seq, name, task_kind, status, applied_in) "
                         "VALUES (?,?,?,?,?,?,?)", record.task_id, sub.step_id, seq, sub.name, sub.task_kind,
                         sub.status.value, json.dumps(list(sub.applied_in))))
    return writes


def run_state(record: RunRecord) -> Write:
    """The run row's changing columns (status, result, error, times, metadata, failed step)."""
    return _w("UPDATE runs SET status=?, result=?, error_code=?, message=?, begin_time=?, finish_time=?, "
              "metadata_json=?, failed_step=? WHERE task_id=?",
              record.status.value, record.result.value if record.result else None, record.error_code,
              record.message, record.begin_time, record.finish_time, json.dumps(record.metadata),
              record.failed_step, record.task_id)


def subtask_progress(task_id: str, sub: SubtaskRecord) -> Write:
    return _w("UPDATE subtasks SET progress=?, speed=? WHERE task_id=? AND step_id=?",
              sub.progress, sub.speed, task_id, sub.step_id)


def subtask_state(task_id: str, sub: SubtaskRecord) -> Write:
    """Every changing column of a subtask row."""
    return _w("UPDATE subtasks SET status=?, progress=?, speed=?, input=?, outputs_json=?, error_code=?, message=?, "
              "command_json=?, begin_time=?, finish_time=?, log_tail=? WHERE task_id=? AND step_id=?",
              sub.status.value, sub.progress, sub.speed, sub.input, json.dumps(sub.outputs), sub.error_code,
              sub.message, json.dumps(sub.command), sub.begin_time, sub.finish_time, sub.log_tail, task_id,
              sub.step_id)
