"""engine/run_timeline.py: a run's subtasks as bars on one time axis, fused processes as groups.
Records are built from events with run_state.apply (the executor's way of reporting), and one is
read back from a task store; no FFmpeg, no clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaflow_gui.engine.events import (Event, EventBus, RunCreated, RunFinished, RunStarted, StepInfo,
                                         SubtaskFinished, SubtaskStarted)
from mediaflow_gui.engine.run_state import RunRecord, apply
from mediaflow_gui.engine.run_timeline import duration_text, files_text, fused_groups, step_duration, timeline
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus

TID = "mf-20260101-00000007"
S, F, K = SubtaskStatus.SUCCESS, SubtaskStatus.FAIL, SubtaskStatus.SKIPPED
FUSED = ("ffmpeg", "-i", "in.mp4", "-filter_complex", "split=3", "a.mp4", "b.jpg", "c.gif")
STEPS = (StepInfo("sd", "SD 540p", "transcode"), StepInfo("logo", "Logo", "watermark", applied_in=("hd",)),
         StepInfo("hd", "HD 720p", "transcode"), StepInfo("shots", "Shots", "snapshot"),
         StepInfo("gif", "GIF", "animated_image"), StepInfo("sprite", "Sprite", "image_sprite"),
         StepInfo("after", "After sprite", "transcode"))


def outputs(n: int) -> tuple[dict[str, object], ...]:
    return tuple({"path": f"/out/f{i}.jpg", "kind": "image", "size": 10} for i in range(n))


def standard_run() -> list[Event]:
    """Run begins at 100: SD, HD and GIF share one process (100.5–112.8); Shots runs apart (100.5–103);
    the watermark is folded into HD; Sprite runs apart after them and fails; After sprite is skipped."""
    return [
        RunCreated(TID, "/in/clip.mp4", "Standard", STEPS, time=99.0, workflow={"version": 1}),
        RunStarted(TID, time=100.0),
        *(SubtaskStarted(TID, sid, FUSED, time=100.5) for sid in ("sd", "hd", "gif")),
        SubtaskStarted(TID, "shots", ("ffmpeg", "-ss", "1", "-i", "in.mp4", "shot_1.jpg"), time=100.5),
        SubtaskFinished(TID, "shots", S, outputs(4), time=103.0),
        SubtaskFinished(TID, "sd", S, outputs(1), time=112.8),
        SubtaskFinished(TID, "hd", S, outputs(1), time=112.8),
        SubtaskFinished(TID, "gif", S, outputs(1), time=112.9),
        SubtaskFinished(TID, "logo", S, (), time=112.9),
        SubtaskStarted(TID, "sprite", ("ffmpeg", "-i", "in.mp4", "sprite.jpg"), time=113.0),
        SubtaskFinished(TID, "sprite", F, (), "FFmpegFailed", "Task 'Sprite' failed", time=115.0),
        SubtaskFinished(TID, "after", K, (), "Skipped", "skipped", time=115.0),
        RunFinished(TID, RunResult.FAIL, "FFmpegFailed", "Task 'Sprite' failed", time=115.5, failed_step="sprite"),
    ]


def record_of(events: list[Event]) -> RunRecord:
    record = None
    for event in events:
        record = apply(record, event)
    assert record is not None
    return record


def test_a_fused_process_is_one_group_and_steps_apart_are_in_none() -> None:
    record = record_of(standard_run())
    assert fused_groups(record) == {"g1": ("sd", "hd", "gif")}
    line = timeline(record)
    assert {b.step_id: b.group for b in line.bars} == {"sd": "g1", "hd": "g1", "gif": "g1", "logo": "",
                                                      "shots": "", "sprite": ""}
    assert line.groups == {"g1": ("sd", "hd", "gif")}
    start, end, first, last = line.group_range("g1")
    assert (start, round(end, 6), last - first) == (0.5, 12.9, 2)  # the members lie in adjacent rows


def test_bars_are_relative_to_the_run_begin_sorted_by_start_with_statuses_and_output_counts() -> None:
    line = timeline(record_of(standard_run()))
    assert [b.name for b in line.bars] == ["SD 540p", "HD 720p", "GIF", "Shots", "Logo", "Sprite"]
    assert [b.lane for b in line.bars] == list(range(6))
    shots, sprite = line.bar("shots"), line.bar("sprite")
    assert (shots.start, shots.end, shots.duration, shots.outputs, shots.status) == (0.5, 3.0, 2.5, 4, "SUCCESS")
    assert (sprite.start, sprite.end, sprite.status, sprite.outputs) == (13.0, 15.0, "FAIL", 0)
    assert line.span == pytest.approx(15.5) and line.origin == 100.0


def test_a_folded_watermark_spans_its_transcodes_and_a_skipped_step_is_a_row_without_bar() -> None:
    line = timeline(record_of(standard_run()))
    logo = line.bar("logo")
    assert (logo.start, round(logo.end, 6), logo.folded_into, logo.group) == (0.5, 12.9, ("hd",), "")
    assert [(i.name, i.status, i.lane) for i in line.idle] == [("After sprite", "SKIPPED", 6)]
    assert line.lanes == 7


def test_after_a_culprit_failed_the_rerun_members_form_the_group_and_the_culprit_stands_alone() -> None:
    steps = (StepInfo("a", "A", "transcode"), StepInfo("b", "B", "snapshot"), StepInfo("c", "C", "animated_image"))
    first, second = ("ffmpeg", "1", "a", "b", "c"), ("ffmpeg", "2", "a", "b")
    record = record_of([
        RunCreated(TID, "/in.mp4", "W", steps, time=0.0), RunStarted(TID, time=0.0),
        *(SubtaskStarted(TID, sid, first, time=1.0) for sid in "abc"),
        SubtaskFinished(TID, "c", F, (), "FFmpegFailed", "c failed", time=2.0),
        *(SubtaskStarted(TID, sid, second, time=2.5) for sid in "ab"),
        SubtaskFinished(TID, "a", S, outputs(1), time=5.0), SubtaskFinished(TID, "b", S, outputs(2), time=5.0),
        RunFinished(TID, RunResult.FAIL, time=5.0)])
    assert fused_groups(record) == {"g1": ("a", "b")}
    line = timeline(record)
    assert [(b.name, b.start, b.end, b.group) for b in line.bars] == [("C", 1.0, 2.0, ""), ("A", 2.5, 5.0, "g1"),
                                                                     ("B", 2.5, 5.0, "g1")]


def test_two_processes_that_started_at_once_are_two_groups_and_numbered_by_start() -> None:
    steps = tuple(StepInfo(s, s.upper(), "transcode") for s in "abcd")
    record = record_of([
        RunCreated(TID, "/in.mp4", "W", steps, time=0.0), RunStarted(TID, time=0.0),
        *(SubtaskStarted(TID, sid, ("ffmpeg", "late"), time=3.0) for sid in "ac"),
        *(SubtaskStarted(TID, sid, ("ffmpeg", "early"), time=1.0) for sid in "bd"),
        *(SubtaskFinished(TID, sid, S, outputs(1), time=4.0) for sid in "abcd"),
        RunFinished(TID, RunResult.SUCCESS, time=4.0)])
    assert fused_groups(record) == {"g1": ("b", "d"), "g2": ("a", "c")}
    assert [b.step_id for b in timeline(record).bars] == ["b", "d", "a", "c"]


def test_a_run_still_going_ends_its_open_bar_at_now_and_one_never_begun_has_no_bars() -> None:
    steps = (StepInfo("a", "A", "transcode"),)
    running = record_of([RunCreated(TID, "/in.mp4", "W", steps, time=0.0), RunStarted(TID, time=10.0),
                         SubtaskStarted(TID, "a", ("ffmpeg",), time=11.0)])
    line = timeline(running, now=17.0)
    assert (line.bars[0].start, line.bars[0].end, line.bars[0].status, line.span) == (1.0, 7.0, "PROCESSING", 7.0)
    queued = record_of([RunCreated(TID, "/in.mp4", "W", steps, time=0.0),
                        SubtaskFinished(TID, "a", SubtaskStatus.CANCELED, (), "Canceled", "", time=5.0),
                        RunFinished(TID, RunResult.CANCELED, time=5.0)])
    line = timeline(queued)
    assert (line.bars, [i.status for i in line.idle], line.span) == ((), ["CANCELED"], 0.0)


def test_groups_survive_the_task_store(tmp_path: Path) -> None:
    """The store keeps each subtask's command and start: a run read back has the same timeline."""
    store = TaskStore(tmp_path / "tasks.sqlite3")
    bus = EventBus()
    store.attach(bus)
    try:
        for event in standard_run():
            bus.emit(event)
        store.flush()
        stored = store.get_stored(TID)
    finally:
        store.close()
    assert stored is not None
    assert timeline(stored) == timeline(record_of(standard_run()))


def test_durations_and_counts_read_as_a_person_writes_them() -> None:
    record = record_of(standard_run())
    assert step_duration(record.subtask("shots")) == 2.5 and step_duration(record.subtask("after")) is None
    assert [duration_text(s) for s in (0.04, 12.345, 59.94, 125.0, 3725.0, None)] == \
        ["0.0 s", "12.3 s", "59.9 s", "2 min 05 s", "1 h 02 min", "–"]
    assert (files_text(1), files_text(4), files_text(0)) == ("1 file", "4 files", "0 files")
