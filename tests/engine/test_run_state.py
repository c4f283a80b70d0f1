"""run_state.apply, the one set of rules that turns engine events into a run's record, and the
record's display rules (progress over subtasks, a folded watermark shown running, elapsed time).
Pure functions: no store, no bus, no clock."""

from __future__ import annotations

import copy
from dataclasses import asdict
from pathlib import Path

import pytest

from mediaflow_gui.engine.events import (Event, RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskProgress, SubtaskStarted)
from mediaflow_gui.engine.run_state import FOLDED_MESSAGE, RunRecord, apply
from mediaflow_gui.model.statuses import RunResult, RunStatus, SubtaskStatus

TID = "mf-20260101-00000001"
STEPS = (StepInfo("hd", "HD", "transcode"), StepInfo("logo", "Logo", "watermark", applied_in=("hd",)),
         StepInfo("shots", "Shots", "snapshot"))


def created(**extra: object) -> RunCreated:
    return RunCreated(TID, "/in/a.mp4", "W", STEPS, time=10.0, out_dir="/out", **extra)  # type: ignore[arg-type]


def replay(*events: Event) -> RunRecord:
    record = None
    for event in events:
        record = apply(record, event)
    assert record is not None
    return record


# -- every event kind ------------------------------------------------------------------------------
def test_run_created_starts_a_waiting_record_of_plain_data() -> None:
    record = apply(None, created(workflow={"name": "W", "nodes": ({"id": "hd"},), "base": Path("/wf")}))
    assert record is not None
    assert (record.task_id, record.input, record.workflow_name, record.out_dir) == (TID, "/in/a.mp4", "W", "/out")
    assert (record.status, record.result, record.create_time, record.begin_time) == (RunStatus.WAITING, None, 10.0,
                                                                                     None)
    assert [(s.step_id, s.name, s.task_kind, s.status) for s in record.subtasks] == [
        ("hd", "HD", "transcode", SubtaskStatus.WAITING), ("logo", "Logo", "watermark", SubtaskStatus.WAITING),
        ("shots", "Shots", "snapshot", SubtaskStatus.WAITING)]
    assert record.subtask("logo").applied_in == ("hd",)
    # what JSON gives back, as the store reads it: a tuple is a list, a Path its string
    assert record.workflow == {"name": "W", "nodes": [{"id": "hd"}], "base": "/wf"}


def test_run_started_processing_with_metadata() -> None:
    record = replay(created(), RunStarted(TID, time=11.0, metadata={"Width": 320, "Streams": (1, 2)}))
    assert (record.status, record.begin_time) == (RunStatus.PROCESSING, 11.0)
    assert record.metadata == {"Width": 320, "Streams": [1, 2]}


def test_subtask_started_and_progress() -> None:
    record = replay(created(), RunStarted(TID, time=11.0),
                    SubtaskStarted(TID, "hd", ("ffmpeg", "-i", "a.mp4"), time=12.0, input="/in/a.mp4"),
                    SubtaskProgress(TID, "hd", 33.3333, 1.5))
    hd = record.subtask("hd")
    assert (hd.status, hd.begin_time, hd.command, hd.input) == (SubtaskStatus.PROCESSING, 12.0,
                                                                ["ffmpeg", "-i", "a.mp4"], "/in/a.mp4")
    assert (hd.progress, hd.speed) == (33.33, 1.5)  # kept to a hundredth, as the store writes it


def test_subtask_finished_success_failure_and_outputs() -> None:
    record = replay(created(), SubtaskStarted(TID, "hd", time=12.0), SubtaskProgress(TID, "hd", 40.0),
                    SubtaskStarted(TID, "shots", time=12.0), SubtaskProgress(TID, "shots", 70.0),
                    SubtaskFinished(TID, "hd", SubtaskStatus.SUCCESS,
                                    ({"path": Path("/out/a b.mp4"), "size": 3},), time=13.0),
                    SubtaskFinished(TID, "shots", SubtaskStatus.FAIL, (), "InputNotSupported", "no video",
                                    time=14.0))
    hd, shots = record.subtask("hd"), record.subtask("shots")
    assert (hd.status, hd.progress, hd.finish_time) == (SubtaskStatus.SUCCESS, 100.0, 13.0)
    assert hd.outputs == [{"path": "/out/a b.mp4", "size": 3}]
    assert (shots.status, shots.progress, shots.error_code, shots.message) == (SubtaskStatus.FAIL, 70.0,
                                                                               "InputNotSupported", "no video")
    assert record.outputs() == [{"path": "/out/a b.mp4", "size": 3}]


def test_run_finished_names_the_failed_step() -> None:
    record = replay(created(), RunStarted(TID, time=11.0),
                    RunFinished(TID, RunResult.FAIL, "InputNotSupported", "no video", time=15.0,
                                failed_step="shots"))
    assert (record.status, record.result, record.error_code, record.message) == (
        RunStatus.FINISH, RunResult.FAIL, "InputNotSupported", "no video")
    assert (record.finish_time, record.failed_step, record.begin_time) == (15.0, "shots", 11.0)
    assert record.finished and not record.succeeded and record.display_status == "FAIL"


def test_a_run_that_never_started_begins_when_it_ends() -> None:
    record = replay(created(), RunFinished(TID, RunResult.CANCELED, "Canceled", "early", time=12.0))
    assert (record.begin_time, record.finish_time, record.elapsed()) == (12.0, 12.0, 0.0)
    assert record.failed_step == ""


# -- out of order, twice, strangers -----------------------------------------------------------------
def test_events_before_the_run_was_created_give_no_record() -> None:
    for event in (RunStarted(TID), SubtaskProgress(TID, "hd", 5.0), RunFinished(TID, RunResult.SUCCESS)):
        assert apply(None, event) is None


def test_another_runs_event_is_refused() -> None:
    record = replay(created())
    with pytest.raises(ValueError, match="mf-other"):
        apply(record, RunStarted("mf-other"))


def test_events_told_twice_change_nothing() -> None:
    record = replay(created(), SubtaskStarted(TID, "hd", time=12.0),
                    SubtaskFinished(TID, "hd", SubtaskStatus.SUCCESS, ({"path": "/out/a.mp4"},), time=13.0),
                    RunFinished(TID, RunResult.SUCCESS, time=15.0))
    before = copy.deepcopy(record)
    for again in (created(), SubtaskFinished(TID, "hd", SubtaskStatus.SUCCESS, (), time=20.0),
                  RunFinished(TID, RunResult.SUCCESS, time=21.0)):
        assert apply(record, again) is record
    assert asdict(record) == asdict(before)


def test_the_first_final_status_wins() -> None:
    record = replay(created(), SubtaskFinished(TID, "hd", SubtaskStatus.CANCELED, (), "Canceled", "stop", time=13.0),
                    SubtaskFinished(TID, "hd", SubtaskStatus.SUCCESS, ({"path": "/out/late.mp4"},), time=14.0),
                    RunFinished(TID, RunResult.CANCELED, "Canceled", "stop", time=15.0),
                    RunFinished(TID, RunResult.SUCCESS, time=16.0))
    hd = record.subtask("hd")
    assert (hd.status, hd.outputs, hd.finish_time) == (SubtaskStatus.CANCELED, [], 13.0)
    assert (record.result, record.finish_time) == (RunResult.CANCELED, 15.0)


def test_an_ended_subtask_never_runs_again() -> None:
    record = replay(created(), SubtaskStarted(TID, "hd", ("a",), time=12.0),
                    SubtaskFinished(TID, "hd", SubtaskStatus.FAIL, (), "FFmpegFailed", "bad", time=13.0),
                    SubtaskStarted(TID, "hd", ("b",), time=14.0), SubtaskProgress(TID, "hd", 50.0, 2.0))
    hd = record.subtask("hd")
    assert (hd.status, hd.command, hd.begin_time, hd.progress, hd.speed) == (SubtaskStatus.FAIL, ["a"], 12.0, 0.0,
                                                                             None)


def test_nothing_runs_after_the_run_ended_but_a_straggling_end_is_kept() -> None:
    record = replay(created(), RunStarted(TID, time=11.0), SubtaskStarted(TID, "hd", time=12.0),
                    RunFinished(TID, RunResult.CANCELED, "Canceled", "stop", time=13.0),
                    RunStarted(TID, time=14.0), SubtaskStarted(TID, "shots", time=14.0),
                    SubtaskProgress(TID, "hd", 90.0),
                    SubtaskFinished(TID, "hd", SubtaskStatus.CANCELED, (), "Canceled", "stop", time=14.0))
    assert (record.status, record.begin_time) == (RunStatus.FINISH, 11.0)
    assert record.subtask("shots").status == SubtaskStatus.WAITING
    hd = record.subtask("hd")
    assert (hd.status, hd.progress) == (SubtaskStatus.CANCELED, 0.0)  # its end still arrives; progress does not


def test_a_step_the_run_does_not_have_changes_nothing() -> None:
    record = replay(created())
    before = copy.deepcopy(record)
    for event in (SubtaskStarted(TID, "nope"), SubtaskProgress(TID, "nope", 5.0),
                  SubtaskFinished(TID, "nope", SubtaskStatus.SUCCESS)):
        assert apply(record, event) is record
    assert asdict(record) == asdict(before)


def test_progress_before_its_start_is_kept_and_the_start_resets_it() -> None:
    record = replay(created(), SubtaskProgress(TID, "hd", 12.0))
    assert (record.subtask("hd").status, record.subtask("hd").progress) == (SubtaskStatus.WAITING, 12.0)
    apply(record, SubtaskStarted(TID, "hd", time=12.0))
    assert (record.subtask("hd").status, record.subtask("hd").progress) == (SubtaskStatus.PROCESSING, 0.0)


def test_the_same_events_give_the_same_record() -> None:
    events = (created(workflow={"a": 1}), RunStarted(TID, time=11.0, metadata={"W": 1}),
              SubtaskStarted(TID, "hd", ("x",), time=12.0), SubtaskProgress(TID, "hd", 50.0, 1.0),
              SubtaskFinished(TID, "hd", SubtaskStatus.SUCCESS, ({"path": "/o/x.mp4"},), time=13.0),
              RunFinished(TID, RunResult.SUCCESS, time=14.0))
    assert asdict(replay(*events)) == asdict(replay(*events))


# -- display rules ---------------------------------------------------------------------------------
def test_a_folded_watermark_waits_until_its_transcode_starts_then_runs_with_it() -> None:
    record = replay(created())
    assert record.shown("logo") == ("WAITING", 0.0, "")
    apply(record, SubtaskStarted(TID, "hd", time=12.0))
    apply(record, SubtaskProgress(TID, "hd", 42.0))
    assert record.shown("logo") == ("PROCESSING", 42.0, FOLDED_MESSAGE)
    assert record.shown("hd") == ("PROCESSING", 42.0, "")
    # an ended host counts as 100; the watermark's own end is what it shows then
    apply(record, SubtaskFinished(TID, "hd", SubtaskStatus.SUCCESS, (), time=13.0))
    assert record.shown("logo") == ("PROCESSING", 100.0, FOLDED_MESSAGE)
    apply(record, SubtaskFinished(TID, "logo", SubtaskStatus.SUCCESS, (), "", "applied inside 'HD'", time=13.0))
    assert record.shown("logo") == ("SUCCESS", 100.0, "applied inside 'HD'")


def test_a_folded_watermark_runs_at_its_slowest_transcode() -> None:
    steps = (StepInfo("hd", "HD", "transcode"), StepInfo("sd", "SD", "transcode"),
             StepInfo("logo", "Logo", "watermark", applied_in=("hd", "sd")))
    record = replay(RunCreated(TID, "/in/a.mp4", "W", steps), SubtaskStarted(TID, "hd"),
                    SubtaskProgress(TID, "hd", 80.0))
    assert record.shown("logo")[0] == "WAITING"  # SD has not started
    apply(record, SubtaskStarted(TID, "sd"))
    apply(record, SubtaskProgress(TID, "sd", 30.0))
    assert record.shown("logo")[:2] == ("PROCESSING", 30.0)


def test_progress_counts_successes_complete_and_failures_where_they_stopped() -> None:
    record = replay(created())
    assert record.progress == 0.0
    apply(record, SubtaskStarted(TID, "hd"))
    apply(record, SubtaskProgress(TID, "hd", 60.0))
    assert record.progress == pytest.approx((60.0 + 60.0 + 0.0) / 3)  # the folded watermark moves with HD
    apply(record, SubtaskStarted(TID, "shots"))
    apply(record, SubtaskProgress(TID, "shots", 30.0))
    apply(record, SubtaskFinished(TID, "shots", SubtaskStatus.FAIL, (), "FFmpegFailed", "x"))
    assert record.progress == pytest.approx((60.0 + 60.0 + 30.0) / 3)  # failed at 30 %: counts 30, not 100
    apply(record, SubtaskFinished(TID, "hd", SubtaskStatus.SUCCESS, ()))
    assert record.progress == pytest.approx((100.0 + 100.0 + 30.0) / 3)
    apply(record, RunFinished(TID, RunResult.FAIL, "FFmpegFailed", "x"))
    assert record.progress < 100.0  # a failed run's bar shows where it stopped
    empty = replay(RunCreated(TID, "/in/a.mp4", "W", ()))
    assert empty.progress == 0.0
    apply(empty, RunFinished(TID, RunResult.FAIL, "InvalidWorkflow", "no end"))
    assert empty.progress == 0.0  # refused before anything ran
    done = replay(RunCreated(TID, "/in/a.mp4", "W", ()))
    apply(done, RunFinished(TID, RunResult.SUCCESS))
    assert done.progress == 100.0


def test_elapsed_and_display_status() -> None:
    record = replay(created())
    assert record.elapsed(now=50.0) is None and record.display_status == "WAITING"
    apply(record, RunStarted(TID, time=11.0))
    assert record.elapsed(now=14.5) == 3.5 and record.display_status == "PROCESSING"
    apply(record, RunFinished(TID, RunResult.SUCCESS, time=20.0))
    assert record.elapsed(now=99.0) == 9.0 and record.display_status == "SUCCESS" and record.succeeded
    assert set(record.steps) == {"hd", "logo", "shots"} and record.steps["hd"] is record.subtask("hd")
