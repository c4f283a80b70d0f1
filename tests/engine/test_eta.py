"""Time left of a run and of the queue (engine/eta.py), on hand-built run records."""

from __future__ import annotations

from mediaflow_gui.engine.eta import queue_remaining, run_remaining, run_speed, typical_run_time
from mediaflow_gui.engine.run_state import RunRecord, SubtaskRecord
from mediaflow_gui.model.statuses import RunResult, RunStatus, SubtaskStatus


def record(*subs: SubtaskRecord, begin: float | None = 100.0, duration: float = 60.0,
           finished: bool = False, finish: float | None = None) -> RunRecord:
    return RunRecord("t", "wf", "/in.mp4", RunStatus.FINISH if finished else RunStatus.PROCESSING,
                     RunResult.SUCCESS if finished else None, "", "", 90.0, begin, finish,
                     list(subs), metadata={"Duration": duration})


def sub(sid: str, status: SubtaskStatus, progress: float = 0.0, speed: float | None = None) -> SubtaskRecord:
    return SubtaskRecord(sid, sid, "transcode", status, progress=progress, speed=speed)


def test_speed_based_time_left_is_the_slowest_subtask() -> None:
    run = record(sub("a", SubtaskStatus.PROCESSING, 50.0, 2.0), sub("b", SubtaskStatus.PROCESSING, 25.0, 1.5))
    # a: 60 s × 0.5 ÷ 2 = 15 s; b: 60 × 0.75 ÷ 1.5 = 30 s
    assert run_remaining(run, now=110.0) == 30.0
    assert run_speed(run) == 1.5


def test_pace_based_when_a_subtask_has_no_speed_and_nothing_too_early() -> None:
    run = record(sub("a", SubtaskStatus.SUCCESS, 100.0), sub("b", SubtaskStatus.WAITING))
    # 50 % done in 10 s: 10 s to go
    assert run_remaining(run, now=110.0) == 10.0
    assert run_remaining(run, now=101.0) is None  # one second in: too early to tell
    assert run_remaining(record(sub("a", SubtaskStatus.PROCESSING, 1.0)), now=200.0) is None  # 1 %: too early


def test_no_time_left_for_queued_or_finished_runs() -> None:
    assert run_remaining(record(sub("a", SubtaskStatus.WAITING), begin=None), now=500.0) is None
    assert run_remaining(record(sub("a", SubtaskStatus.SUCCESS, 100.0), finished=True, finish=120.0),
                         now=500.0) is None


def test_queue_time_spreads_queued_runs_over_the_runs_going_at_once() -> None:
    running = [record(sub("a", SubtaskStatus.PROCESSING, 50.0, 1.0)),  # 30 s left
               record(sub("a", SubtaskStatus.PROCESSING, 75.0, 1.0))]  # 15 s left
    done = [record(sub("a", SubtaskStatus.SUCCESS, 100.0), finished=True, finish=100.0 + t) for t in (20, 40, 30)]
    assert typical_run_time(done) == 30.0
    # 30 s for the running ones, then 4 queued × 30 s ÷ 2 side by side = 60 s
    assert queue_remaining(running, 4, done, now=110.0) == 90.0
    assert queue_remaining(running, 4, [], now=110.0) is None  # nothing finished yet: cannot tell
    assert queue_remaining(running, 0, [], now=110.0) == 30.0
    # a run that started a second ago has no pace yet: the batch's typical 30 s stand in (29 s left)
    young = record(sub("a", SubtaskStatus.SUCCESS, 100.0), sub("b", SubtaskStatus.WAITING), begin=109.0)
    assert queue_remaining([young], 0, [], now=110.0) is None
    assert queue_remaining([young], 0, done, now=110.0) == 29.0
