"""The task store: events in, records and task-query JSON out, search, crash recovery."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict
from pathlib import Path

from mediaflow_gui.engine.events import (EventBus, RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskProgress, SubtaskStarted)
from mediaflow_gui.engine.store import TaskStore, new_task_id
from mediaflow_gui.model.statuses import RunResult, RunStatus, SubtaskStatus

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
STEPS = (StepInfo("s1", "SD 540p", "transcode"), StepInfo("s2", "Thumbs", "snapshot"),
         StepInfo("s3", "Sprite", "image_sprite"))


def _emit_run(bus: EventBus, task_id: str, input: str = "/media/clip one.mp4") -> None:
    bus.emit(RunCreated(task_id, input, "Standard", STEPS, time=1000.0, workflow={"version": 1, "name": "Standard"},
                        out_dir="/out"))
    bus.emit(RunStarted(task_id, time=1001.0, metadata={"Duration": 4.0, "Width": 320, "Height": 240}))
    bus.emit(SubtaskStarted(task_id, "s1", ("ffmpeg", "-i", "clip one.mp4", "out.mp4"), time=1002.0,
                            input="/media/clip one.mp4", threads=1))
    bus.emit(SubtaskProgress(task_id, "s1", 42.5, 1.5))
    bus.emit(SubtaskFinished(task_id, "s1", SubtaskStatus.SUCCESS,
                             ({"path": "/out/clip one_SD.mp4", "kind": "video", "size": 1234, "width": 320,
                               "height": 240, "duration": 4.0},), time=1003.0))
    bus.emit(SubtaskStarted(task_id, "s2", ("ffmpeg", "-i", "x"), time=1002.5))
    bus.emit(SubtaskFinished(task_id, "s2", SubtaskStatus.FAIL, (), "InputNotSupported",
                             "Task 'Thumbs' failed: no video", time=1004.0))
    bus.emit(SubtaskFinished(task_id, "s3", SubtaskStatus.SKIPPED, (), "Skipped", "skipped", time=1004.0))
    bus.emit(RunFinished(task_id, RunResult.FAIL, "InputNotSupported", "Task 'Thumbs' failed: no video",
                         time=1005.0))


def test_events_round_trip_into_records(tmp_path: Path) -> None:
    bus = EventBus()
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        store.attach(bus)  # attaching twice must not record twice
        _emit_run(bus, "mf-20260101-00000001")
        rec = store.get("mf-20260101-00000001")
    assert rec is not None
    assert (rec.status, rec.result, rec.error_code) == (RunStatus.FINISH, RunResult.FAIL, "InputNotSupported")
    assert (rec.create_time, rec.begin_time, rec.finish_time) == (1000.0, 1001.0, 1005.0)
    assert rec.workflow == {"version": 1, "name": "Standard"} and rec.out_dir == "/out"
    assert rec.metadata["Width"] == 320
    assert [s.step_id for s in rec.subtasks] == ["s1", "s2", "s3"]
    sd = rec.subtask("s1")
    assert sd.status == SubtaskStatus.SUCCESS and sd.progress == 100
    assert sd.command == ["ffmpeg", "-i", "clip one.mp4", "out.mp4"] and sd.input == "/media/clip one.mp4"
    assert sd.outputs[0]["path"] == "/out/clip one_SD.mp4" and sd.outputs[0]["size"] == 1234
    assert rec.subtask("s2").error_code == "InputNotSupported"
    assert rec.subtask("s3").status == SubtaskStatus.SKIPPED


def test_the_record_kept_in_memory_equals_the_stored_one(tmp_path: Path) -> None:
    bus = EventBus()
    tid = "mf-20260101-00000009"
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        bus.emit(RunCreated(tid, "/in/a.mp4", "W", STEPS, time=10.0, workflow={"nodes": [{"id": "a"}]}, out_dir="/o"))
        bus.emit(RunStarted(tid, time=11.0, metadata={"Duration": 2.5}))
        bus.emit(SubtaskStarted(tid, "s1", ("ffmpeg", "-i", "a.mp4"), time=12.0, input="/in/a.mp4"))
        bus.emit(SubtaskProgress(tid, "s1", 33.333, 1.25))
        bus.emit(SubtaskProgress(tid, "s1", 66.0, 1.5))  # within a second: neither written nor kept
        mid = store.get(tid)
        assert mid is not None and mid.subtask("s1").progress == 33.33
        assert asdict(mid) == asdict(store.get_stored(tid))
        # outputs holding a Path are stored as JSON text; memory must hold what a reader gets back
        bus.emit(SubtaskFinished(tid, "s1", SubtaskStatus.SUCCESS, ({"path": Path("/o/a b.mp4"), "size": 3},),
                                 time=13.0))
        bus.emit(SubtaskFinished(tid, "s2", SubtaskStatus.FAIL, (), "FFmpegFailed", "bad", time=14.0))
        bus.emit(RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "bad", time=15.0))
        done = store.get(tid)
        assert done is not None and done.subtask("s1").outputs == [{"path": "/o/a b.mp4", "size": 3}]
        assert asdict(done) == asdict(store.get_stored(tid))
        done.subtask("s1").outputs.clear()  # a caller's copy: changing it changes nothing kept
        assert store.get(tid).subtask("s1").outputs  # type: ignore[union-attr]


def test_progress_held_back_by_the_write_interval_is_written_before_the_subtask_ends(tmp_path: Path) -> None:
    """Progress is written at most once a second; the last one held back reaches the rows (and the
    record in memory) before the subtask's end, so the final record is the one every reader of the
    events has (the engine's, the GUI's)."""
    from mediaflow_gui.engine.run_state import apply

    bus = EventBus()
    tid = "mf-20260101-0000000b"
    events = [RunCreated(tid, "/in/a.mp4", "W", STEPS, time=10.0), RunStarted(tid, time=11.0),
              SubtaskStarted(tid, "s1", ("ffmpeg",), time=12.0), SubtaskProgress(tid, "s1", 10.0, 0.5),
              SubtaskProgress(tid, "s1", 20.0, 0.75), SubtaskProgress(tid, "s1", 30.0, 0.9),
              SubtaskStarted(tid, "s2", ("ffmpeg",), time=12.0), SubtaskProgress(tid, "s2", 5.0, 1.0),
              SubtaskProgress(tid, "s2", 45.5, 1.25),
              SubtaskFinished(tid, "s1", SubtaskStatus.SUCCESS, (), time=13.0),
              SubtaskFinished(tid, "s2", SubtaskStatus.FAIL, (), "FFmpegFailed", "bad", time=14.0),
              SubtaskFinished(tid, "s3", SubtaskStatus.SKIPPED, (), "Skipped", "skipped", time=14.0),
              RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "bad", time=15.0, failed_step="s2")]
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        for event in events[:5]:
            bus.emit(event)
        assert store.get_stored(tid).subtask("s1").progress == 10.0  # type: ignore[union-attr]  # 20 held back
        for event in events[5:]:
            bus.emit(event)
        stored = store.get_stored(tid)
        assert stored is not None
        assert (stored.subtask("s1").progress, stored.subtask("s1").speed) == (100.0, 0.9)
        assert (stored.subtask("s2").progress, stored.subtask("s2").speed) == (45.5, 1.25)  # the last, not the 5.0
        assert stored.failed_step == "s2"
        everyone = None
        for event in events:  # what a reader that applies every event holds
            everyone = apply(everyone, event)
        assert asdict(stored) == asdict(store.get(tid)) == asdict(everyone)


def test_writes_reach_the_file_without_a_flush(tmp_path: Path) -> None:
    # the writer gathers a burst and commits it by itself: other processes see runs within moments
    db = tmp_path / "t.sqlite3"
    bus = EventBus()
    with TaskStore(db) as store:
        store.attach(bus)
        _emit_run(bus, "mf-20260101-0000000a")
        # wait for the end itself: the writer may commit the run's first events in one batch and its
        # end in the next (a burst is split when this thread is descheduled for longer than the batch
        # window), so a row that exists need not show FINISH yet
        deadline, rows = time.monotonic() + 5, []
        while time.monotonic() < deadline and rows != [("FINISH",)]:
            time.sleep(0.02)
            with sqlite3.connect(db) as other:
                rows = other.execute("SELECT status FROM runs WHERE task_id='mf-20260101-0000000a'").fetchall()
        assert rows == [("FINISH",)]


def test_reopened_store_sees_the_run(tmp_path: Path) -> None:
    bus = EventBus()
    store = TaskStore(tmp_path / "t.sqlite3")
    store.attach(bus)
    _emit_run(bus, "mf-20260101-00000002")
    store.close()
    with TaskStore(tmp_path / "t.sqlite3") as again:
        rec = again.get("mf-20260101-00000002")
    assert rec is not None and rec.result == RunResult.FAIL and len(rec.subtasks) == 3


def test_task_query_shape(tmp_path: Path) -> None:
    bus = EventBus()
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        _emit_run(bus, "mf-20260101-00000003")
        q = store.task_query("mf-20260101-00000003")
    json.dumps(q)  # plain JSON all the way down
    assert q["TaskId"] == "mf-20260101-00000003" and q["TaskType"] == "WorkflowTask" and q["Status"] == "FINISH"
    for key in ("CreateTime", "BeginProcessTime", "FinishTime"):
        assert ISO.match(q[key]), q[key]
    wt = q["WorkflowTask"]
    assert wt["TaskId"] == q["TaskId"] and wt["Status"] == "FINISH"
    assert wt["ErrCode"] != 0 and wt["MediaFlow"]["ErrorCode"] == "InputNotSupported" and "Thumbs" in wt["Message"]
    assert wt["InputInfo"] == {"Type": "URL", "UrlInputInfo": {"Url": "file:///media/clip%20one.mp4"}}
    assert wt["MediaFlow"]["Input"] == "/media/clip one.mp4"
    assert wt["MetaData"]["Duration"] == 4.0
    results = wt["MediaProcessResultSet"]
    assert [r["Type"] for r in results] == ["Transcode", "SnapshotByTimeOffset", "ImageSprites"]
    tr = results[0]["TranscodeTask"]
    assert tr["Status"] == "SUCCESS" and tr["ErrCode"] == 0
    assert tr["Output"]["Path"] == "/out/clip one_SD.mp4" and tr["Progress"] == 100
    assert tr["MediaFlow"]["Command"][0] == "ffmpeg" and tr["MediaFlow"]["InputPath"] == "/media/clip one.mp4"
    snap = results[1]["SnapshotByTimeOffsetTask"]
    assert snap["Status"] == "FAIL" and snap["ErrCode"] != 0 and snap["Output"] is None


def test_list_newest_first_and_search(tmp_path: Path) -> None:
    bus = EventBus()
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        ids = []
        for i, name in enumerate(["a.mp4", "b 100%_x.mp4", "c.mov"]):
            tid = new_task_id()
            ids.append(tid)
            bus.emit(RunCreated(tid, f"/in/{name}", "W", STEPS, time=2000.0 + i))
        assert [r.task_id for r in store.list()] == ids[::-1]
        assert [r.task_id for r in store.list(limit=2)] == ids[:0:-1]
        assert [r.task_id for r in store.list(search="c.mov")] == [ids[2]]
        assert [r.task_id for r in store.list(search="100%_")] == [ids[1]]  # LIKE wildcards are literal
        assert [r.task_id for r in store.list(search=ids[0][:-2])] == [ids[0]]
        assert store.list(search="nothing-like-this") == []
        assert store.get("mf-unknown") is None


def test_task_ids_are_readable_and_unique() -> None:
    ids = {new_task_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(re.match(r"^mf-\d{8}-[0-9a-f]{8}$", t) for t in ids)


def test_runs_of_a_crashed_process_are_marked_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    # a separate process records a running run and dies without finishing it
    script = textwrap.dedent(f"""
        import os
        from mediaflow_gui.engine.events import EventBus, RunCreated, RunStarted, StepInfo, SubtaskStarted
        from mediaflow_gui.engine.store import TaskStore
        bus = EventBus()
        store = TaskStore({str(db)!r})
        store.attach(bus)
        steps = (StepInfo("a", "A", "transcode"), StepInfo("b", "B", "snapshot"))
        bus.emit(RunCreated("mf-20260101-dead0001", "/in/x.mp4", "W", steps))
        bus.emit(RunStarted("mf-20260101-dead0001"))
        bus.emit(SubtaskStarted("mf-20260101-dead0001", "a"))
        store.flush()
        os._exit(3)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stderr

    # a run of this (living) process must be left alone
    bus = EventBus()
    with TaskStore(db) as mine:
        mine.attach(bus)
        bus.emit(RunCreated("mf-20260101-alive001", "/in/y.mp4", "W", STEPS))
        bus.emit(RunStarted("mf-20260101-alive001"))
        mine.flush()
        dead = mine.get("mf-20260101-dead0001")
        assert dead is not None
        assert (dead.status, dead.result, dead.error_code) == (RunStatus.FINISH, RunResult.FAIL, "Interrupted")
        assert "Interrupted" in dead.message and dead.finish_time is not None
        assert dead.subtask("a").status == SubtaskStatus.FAIL
        assert dead.subtask("b").status == SubtaskStatus.SKIPPED
        with TaskStore(db) as second:  # a second store opened while this process still runs
            alive = second.get("mf-20260101-alive001")
        assert alive is not None and alive.status == RunStatus.PROCESSING


def test_wait_recorded_returns_once_the_runs_end_is_committed(tmp_path: Path) -> None:
    """For a reader that hears of a run's end before the store does (the notifier)."""
    import threading

    bus, tid = EventBus(), "mf-20260101-0000000c"
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        bus.emit(RunCreated(tid, "/in/a.mp4", "W", STEPS, time=10.0))
        assert store.wait_recorded(tid, timeout=0.1) is False  # not ended yet
        answers: list[bool] = []
        waiter = threading.Thread(target=lambda: answers.append(store.wait_recorded(tid, timeout=10)))
        waiter.start()
        time.sleep(0.05)
        assert not answers  # still waiting
        bus.emit(RunFinished(tid, RunResult.SUCCESS, time=11.0))
        waiter.join(10)
        assert answers == [True]
        with sqlite3.connect(tmp_path / "t.sqlite3") as other:  # committed: another connection sees it
            assert other.execute("SELECT status FROM runs WHERE task_id=?", (tid,)).fetchone() == ("FINISH",)
        assert store.wait_recorded("mf-20260101-unknown1", timeout=0.1) is True  # a run it never saw: no wait
