"""A subtask's FFmpeg stderr tail (SubtaskFinished.log_tail) is kept by run_state and stored, so a
finished run read back from the task store still shows its FFmpeg log; a store written before the
column existed opens, gains it, and reads its old rows with an empty log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mediaflow_gui.engine.events import (EventBus, RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskStarted)
from mediaflow_gui.engine.run_state import apply
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus

STEPS = (StepInfo("s1", "HD", "transcode"), StepInfo("s2", "Shots", "snapshot"))
TAIL = "[h264 @ 0x1] non-existing PPS 0 referenced\nError while decoding stream #0:0: Invalid data"


def _events(task_id: str) -> list:
    return [RunCreated(task_id, "/in.mp4", "W", STEPS, time=1.0),
            RunStarted(task_id, time=2.0),
            SubtaskStarted(task_id, "s1", ("ffmpeg", "-i", "/in.mp4", "a.mp4"), time=3.0),
            SubtaskFinished(task_id, "s1", SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'HD' failed", time=4.0,
                            log_tail=TAIL),
            SubtaskFinished(task_id, "s2", SubtaskStatus.SKIPPED, (), "Skipped", "skipped", time=4.0),
            RunFinished(task_id, RunResult.FAIL, "FFmpegFailed", "Task 'HD' failed", time=5.0)]


def test_run_state_keeps_the_log_tail_and_the_first_final_event_wins() -> None:
    record = None
    for event in _events("mf-1"):
        record = apply(record, event)
    assert record.subtask("s1").log_tail == TAIL and record.subtask("s2").log_tail == ""
    apply(record, SubtaskFinished("mf-1", "s1", SubtaskStatus.SUCCESS, log_tail="late"))
    assert record.subtask("s1").log_tail == TAIL


def test_the_log_tail_is_stored_and_read_back(tmp_path: Path) -> None:
    bus = EventBus()
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        for event in _events("mf-20260101-00000001"):
            bus.emit(event)
        store.flush()
    with TaskStore(tmp_path / "t.sqlite3") as again:  # a new process reads the row, not a memory copy
        stored = again.get_stored("mf-20260101-00000001")
    assert stored is not None and stored.subtask("s1").log_tail == TAIL


def test_a_store_without_the_column_opens_and_reads_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    bus = EventBus()
    with TaskStore(path) as store:
        store.attach(bus)
        for event in _events("mf-20260101-00000002"):
            bus.emit(event)
        store.flush()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE subtasks DROP COLUMN log_tail")  # as a store written before it existed
    conn.commit()
    conn.close()
    with TaskStore(path) as store:
        old = store.get_stored("mf-20260101-00000002")
        assert old is not None and old.subtask("s1").log_tail == "" and old.subtask("s1").error_code == "FFmpegFailed"
        bus = EventBus()
        store.attach(bus)
        for event in _events("mf-20260101-00000003"):  # and new runs record their logs in it
            bus.emit(event)
        store.flush()
        assert store.get_stored("mf-20260101-00000003").subtask("s1").log_tail == TAIL
