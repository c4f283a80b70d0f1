"""The workflow each run ran is stored once per distinct workflow, not once per run; stores written
before (schema version 1, the snapshot in each run row) still open and show their runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mediaflow_gui.engine.events import EventBus, RunCreated, RunFinished, StepInfo
from mediaflow_gui.engine.store import SCHEMA_VERSION, TaskStore, new_task_id
from mediaflow_gui.model.serialization import load_workflow, workflow_to_dict
from mediaflow_gui.model.statuses import RunResult, RunStatus
from mediaflow_gui.paths import sample_workflow_path

STEPS = (StepInfo("s1", "SD 540p", "transcode"),)


def _store_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def _runs(bus: EventBus, snapshot: dict, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        tid = new_task_id()
        bus.emit(RunCreated(tid, "/in/a.mp4", snapshot.get("name", "W"), STEPS, workflow=snapshot, out_dir="/o"))
        bus.emit(RunFinished(tid, RunResult.SUCCESS, "", ""))
        ids.append(tid)
    return ids


def _snapshot_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM workflow_snapshots").fetchone()[0]


def test_fifty_runs_of_one_workflow_store_it_once(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    snapshot = workflow_to_dict(load_workflow(sample_workflow_path()))
    snapshot["description"] = "d" * 200_000  # a long description makes a copy per run plain to see
    bus = EventBus()
    with TaskStore(db, work_root=tmp_path / "work") as store:
        store.attach(bus)
        _runs(bus, snapshot, 1)
    before = _store_size(db)
    with TaskStore(db, work_root=tmp_path / "work") as store:
        store.attach(bus)
        ids = _runs(bus, snapshot, 50)
        assert [r.workflow for r in store.list(limit=3)] == [snapshot] * 3
    grown = _store_size(db) - before
    assert _snapshot_rows(db) == 1
    # one copy per run would be 50 × 200 KB = 10 MB; the runs' own rows are a few hundred bytes each
    assert grown < 100_000, grown
    with TaskStore(db, work_root=tmp_path / "work") as store:
        assert store.get(ids[-1]).workflow == snapshot  # type: ignore[union-attr]


def test_an_edited_workflow_gets_its_own_snapshot(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    first = workflow_to_dict(load_workflow(sample_workflow_path()))
    edited = dict(first, name="Standard, edited")
    bus = EventBus()
    with TaskStore(db, work_root=tmp_path / "work") as store:
        store.attach(bus)
        a = _runs(bus, first, 2)
        b = _runs(bus, edited, 2)
        same_again = _runs(bus, first, 1)
        store.flush()
        assert _snapshot_rows(db) == 2
        assert store.get_stored(a[0]).workflow == first  # type: ignore[union-attr]
        assert store.get_stored(b[1]).workflow == edited  # type: ignore[union-attr]
        assert store.get_stored(same_again[0]).workflow == first  # type: ignore[union-attr]
        # deleting a run keeps a snapshot other runs share; the last run of a workflow takes it along
        assert store.delete(b[0])
        assert _snapshot_rows(db) == 2 and store.get(b[1]).workflow == edited  # type: ignore[union-attr]
        assert store.delete(b[1])
        assert _snapshot_rows(db) == 1
        assert store.get(a[1]).workflow == first  # type: ignore[union-attr]


# the schema of version 1 (before the snapshot table), as that version created it
SCHEMA_V1 = """
CREATE TABLE runs (
    task_id TEXT PRIMARY KEY, workflow_name TEXT NOT NULL, workflow_json TEXT, input TEXT NOT NULL, out_dir TEXT,
    status TEXT NOT NULL, result TEXT, error_code TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
    create_time REAL NOT NULL, begin_time REAL, finish_time REAL, metadata_json TEXT, owner_pid INTEGER,
    owner_started REAL
);
CREATE INDEX runs_by_time ON runs(create_time);
CREATE TABLE subtasks (
    task_id TEXT NOT NULL REFERENCES runs(task_id) ON DELETE CASCADE, step_id TEXT NOT NULL, seq INTEGER NOT NULL,
    name TEXT NOT NULL, task_kind TEXT NOT NULL, status TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, speed REAL,
    input TEXT NOT NULL DEFAULT '', outputs_json TEXT NOT NULL DEFAULT '[]', error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '', command_json TEXT NOT NULL DEFAULT '[]', begin_time REAL, finish_time REAL,
    PRIMARY KEY (task_id, step_id)
);
PRAGMA user_version = 1;
"""


def test_a_store_of_the_previous_version_opens_and_shows_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA_V1)
        conn.execute("INSERT INTO runs (task_id, workflow_name, workflow_json, input, out_dir, status, result, "
                     "create_time, finish_time) VALUES (?,?,?,?,?,?,?,?,?)",
                     ("mf-20250101-0000aaaa", "Old", '{"version": 1, "name": "Old"}', "/in/old.mp4", "/o",
                      "FINISH", "SUCCESS", 100.0, 101.0))
        conn.execute("INSERT INTO subtasks (task_id, step_id, seq, name, task_kind, status) VALUES (?,?,?,?,?,?)",
                     ("mf-20250101-0000aaaa", "s1", 0, "SD 540p", "transcode", "SUCCESS"))
    conn.close()
    bus = EventBus()
    with TaskStore(db, work_root=tmp_path / "work") as store:
        old = store.get("mf-20250101-0000aaaa")
        assert old is not None and old.workflow == {"version": 1, "name": "Old"}
        assert (old.status, old.result, [s.name for s in old.subtasks]) == (
            RunStatus.FINISH, RunResult.SUCCESS, ["SD 540p"])
        store.attach(bus)
        (new,) = _runs(bus, {"version": 1, "name": "New"}, 1)
        listed = {r.task_id: r.workflow for r in store.list()}
        assert listed == {"mf-20250101-0000aaaa": {"version": 1, "name": "Old"}, new: {"version": 1, "name": "New"}}
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert conn.execute("SELECT workflow_json FROM runs WHERE task_id=?", (new,)).fetchone()[0] is None
    conn.close()


def test_an_old_store_gains_the_failed_step_and_folded_watermark_columns(tmp_path: Path) -> None:
    """Stores written before failed_step/applied_in existed open with "" and () for their runs, and
    record both for new runs."""
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA_V1)
        conn.execute("INSERT INTO runs (task_id, workflow_name, input, status, result, error_code, create_time) "
                     "VALUES (?,?,?,?,?,?,?)", ("mf-20250101-0000bbbb", "Old", "/in/old.mp4", "FINISH", "FAIL",
                                                "FFmpegFailed", 100.0))
        conn.execute("INSERT INTO subtasks (task_id, step_id, seq, name, task_kind, status) VALUES (?,?,?,?,?,?)",
                     ("mf-20250101-0000bbbb", "s1", 0, "Logo", "watermark", "FAIL"))
    conn.close()
    bus, tid = EventBus(), new_task_id()
    steps = (StepInfo("hd", "HD", "transcode"), StepInfo("wm", "Logo", "watermark", applied_in=("hd",)))
    with TaskStore(db, work_root=tmp_path / "work") as store:
        old = store.get("mf-20250101-0000bbbb")
        assert old is not None and old.failed_step == "" and old.subtask("s1").applied_in == ()
        store.attach(bus)
        bus.emit(RunCreated(tid, "/in/new.mp4", "New", steps))
        bus.emit(RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "Task 'HD' failed", failed_step="hd"))
        stored = store.get_stored(tid)
        assert stored is not None and stored.failed_step == "hd" and stored.subtask("wm").applied_in == ("hd",)
        assert store.task_query(tid)["WorkflowTask"]["MediaFlow"]["FailedStepId"] == "hd"
    with TaskStore(db, work_root=tmp_path / "work") as again:  # read back by a store that did not record it
        assert again.get(tid).failed_step == "hd"  # type: ignore[union-attr]
