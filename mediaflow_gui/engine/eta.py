"""How long a run, and the queue behind it, still has to go: plain arithmetic on run records.

A run's time left comes from FFmpeg itself where it can: a subtask that reports its speed factor
(1.0 = real time) has `input duration × (1 − progress) ÷ speed` seconds to go, and subtasks of one
run work side by side, so the run ends with its slowest one. When a subtask has not started yet or
reports no speed (a sprite sheet, a GIF), the run's own pace stands in: the time spent so far over
the share done. Both are estimates; none is shown before the run has a few seconds and a few percent
behind it, because an early guess jumps around more than it helps.

A queued run has not been probed on the display side, so its time is taken from runs that finished
in this batch (their median), and so is the time of a run that started too recently to have a pace; runs side by side share the machine, so the queue's time is its work
divided by how many runs go at once. No Qt here: the task list and the CLI can both use it.
"""

from __future__ import annotations

import statistics
from typing import Iterable

from ..model.statuses import RunResult, SubtaskStatus
from .run_state import RunRecord

MIN_ELAPSED = 3.0  # seconds of work before the pace of a run says anything
MIN_DONE = 3.0  # percent done before the pace says anything


def input_duration(record: RunRecord) -> float | None:
    """The input's duration in seconds, from the metadata RunStarted recorded."""
    try:
        duration = float(record.metadata.get("Duration") or 0.0)
    except (TypeError, ValueError):
        return None
    return duration if duration > 0 else None


def run_speed(record: RunRecord) -> float | None:
    """FFmpeg's speed factor of the slowest running subtask (the run moves at its pace)."""
    speeds = [s.speed for s in record.subtasks
              if s.status == SubtaskStatus.PROCESSING and s.speed is not None and s.speed > 0]
    return min(speeds) if speeds else None


def run_remaining(record: RunRecord, now: float, typical: float | None = None) -> float | None:
    """Seconds a running run still needs, or None when it is not running or it is too early to say.
    `typical`: how long runs of this batch take; a run too young for its own pace is guessed from it."""
    if record.finished or record.begin_time is None:
        return None
    unfinished = [s for s in record.subtasks if s.status in (SubtaskStatus.WAITING, SubtaskStatus.PROCESSING)
                  and not s.applied_in]  # a folded watermark ends with its transcodes
    if not unfinished:
        return 0.0
    duration = input_duration(record)
    if duration is not None and all(s.status == SubtaskStatus.PROCESSING and s.speed for s in unfinished):
        return max(duration * (1.0 - min(100.0, s.progress) / 100.0) / float(s.speed or 1.0) for s in unfinished)
    elapsed = max(0.0, now - record.begin_time)
    done = record.progress
    if elapsed < MIN_ELAPSED or done < MIN_DONE:
        return max(0.0, typical - elapsed) if typical is not None else None
    return elapsed * (100.0 - done) / done


def typical_run_time(finished: Iterable[RunRecord]) -> float | None:
    """The median time of the runs that succeeded (None when none did yet)."""
    times = [r.finish_time - r.begin_time for r in finished
             if r.result == RunResult.SUCCESS and r.begin_time is not None and r.finish_time is not None]
    return statistics.median(times) if times else None


def queue_remaining(running: list[RunRecord], queued: int, finished: Iterable[RunRecord],
                    now: float) -> float | None:
    """Seconds until every running and queued run has ended, or None when it cannot be told yet.

    The running runs' times left are worked off side by side; each queued run adds the typical
    run time, spread over as many runs as go at once now (at least one).
    """
    typical = typical_run_time(finished)
    left = [run_remaining(r, now, typical) for r in running]
    if any(x is None for x in left):
        return None
    total = max((x for x in left if x is not None), default=0.0)
    if queued:
        if typical is None:
            return None
        total += queued * typical / max(1, len(running))
    return total


__all__ = ["input_duration", "queue_remaining", "run_remaining", "run_speed", "typical_run_time"]
