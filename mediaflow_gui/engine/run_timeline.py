"""Where a run's time went: its subtasks as bars on one time axis, and the fused FFmpeg processes.

`timeline(record)` turns a RunRecord (live, or read back from the task store) into a `Timeline`:
one `Bar` per subtask that ran (start and end in seconds after the run began, its status, output
count and, for members of a fused process, the id of their group), one `Idle` row per subtask that
never started (skipped, or canceled while it waited), and the run's span. The replay view
(ui/runs/replay.py, ui/runs/timeline_chart.py) draws it; nothing here imports Qt.

What it assumes about the records (engine/executor.py):
- the members of one fused FFmpeg process each get a SubtaskStarted with the same argv and the same
  time (the fused job's), so `fused_groups` finds them by (command, begin time); a step run apart
  has a command of its own, since its outputs go to its own staging dir. After a member that
  FFmpeg's error named failed, the others start again with a new command: the failed one then
  stands alone with the first command, the others form the group of the process that finished.
- a watermark folded into transcodes has no start of its own: its bar spans its transcodes (from
  the first one's start to its own finish) and names them in `folded_into`.
Times are POSIX seconds in the record; a subtask still running (or cut off) ends at the run's end,
else at `now`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .run_state import RunRecord, SubtaskRecord


@dataclass(frozen=True)
class Bar:
    """One subtask on the time axis."""

    step_id: str
    name: str
    task_kind: str
    lane: int  # its row, top = 0 (rows sorted by start; a fused group's members are adjacent)
    start: float  # seconds after the run began
    end: float
    status: str  # a SubtaskStatus value
    outputs: int = 0  # files it produced
    group: str = ""  # "" when it ran in its own process(es), else its fused group's id ("g1", …)
    folded_into: tuple[str, ...] = ()  # a folded watermark: the step ids of the transcodes it ran in

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Idle:
    """A subtask that never started: a row without a bar."""

    step_id: str
    name: str
    lane: int
    status: str  # SKIPPED, CANCELED or (a run cut off) WAITING


@dataclass(frozen=True)
class Timeline:
    bars: tuple[Bar, ...]
    idle: tuple[Idle, ...]
    span: float  # seconds from the run's begin to its end (at least to the last bar's end)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group id → member step ids, in lane order
    origin: float | None = None  # the POSIX time that is 0 on the axis (None: the run never began)

    @property
    def lanes(self) -> int:
        return len(self.bars) + len(self.idle)

    def bar(self, step_id: str) -> Bar:
        for bar in self.bars:
            if bar.step_id == step_id:
                return bar
        raise KeyError(step_id)

    def group_range(self, group: str) -> tuple[float, float, int, int]:
        """(start, end, first lane, last lane) of a fused group's members."""
        members = [b for b in self.bars if b.group == group]
        if not members:
            raise KeyError(group)
        return (min(b.start for b in members), max(b.end for b in members),
                min(b.lane for b in members), max(b.lane for b in members))


def fused_groups(record: RunRecord) -> dict[str, tuple[str, ...]]:
    """{group id: step ids} of the subtasks that ran as one FFmpeg process (same argv, same start).

    Groups are numbered g1, g2, … in the order they started; a subtask alone is in no group.
    """
    by_process: dict[tuple[tuple[str, ...], float], list[str]] = {}
    for sub in record.subtasks:
        if sub.command and sub.begin_time is not None:
            by_process.setdefault((tuple(sub.command), float(sub.begin_time)), []).append(sub.step_id)
    shared = sorted((key[1], members) for key, members in by_process.items() if len(members) > 1)
    return {f"g{i}": tuple(members) for i, (_start, members) in enumerate(shared, 1)}


def step_duration(sub: SubtaskRecord) -> float | None:
    """Seconds a subtask ran (None when it did not both start and end)."""
    if sub.begin_time is None or sub.finish_time is None:
        return None
    return max(0.0, sub.finish_time - sub.begin_time)


def duration_text(seconds: float | None) -> str:
    """A duration as the replay shows it: "0.4 s", "12.3 s", "2 min 05 s", "1 h 02 min"; "–" for none."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(round(seconds))
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def files_text(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _folded_start(record: RunRecord, sub: SubtaskRecord) -> float | None:
    starts = [h.begin_time for h in record.subtasks if h.step_id in sub.applied_in and h.begin_time is not None]
    return min(starts) if starts else None


def timeline(record: RunRecord, now: float | None = None) -> Timeline:
    """The run's subtasks on one time axis (see the module docstring)."""
    groups = fused_groups(record)
    group_of = {sid: gid for gid, members in groups.items() for sid in members}
    starts: dict[str, float] = {}
    for sub in record.subtasks:
        start = sub.begin_time if sub.begin_time is not None else (
            _folded_start(record, sub) if sub.applied_in and sub.finish_time is not None else None)
        if start is not None:
            starts[sub.step_id] = float(start)
    known = [record.begin_time] if record.begin_time is not None else []
    origin = min(known + list(starts.values())) if (known or starts) else None
    clock = now if now is not None else time.time()
    run_end = record.finish_time if record.finish_time is not None else clock

    index = {sub.step_id: i for i, sub in enumerate(record.subtasks)}
    ran = [sub for sub in record.subtasks if sub.step_id in starts]
    # by start; a group's members together (its id breaks ties), a folded watermark after its hosts
    ran.sort(key=lambda s: (starts[s.step_id], 1 if s.begin_time is None else 0, group_of.get(s.step_id, "~"),
                            index[s.step_id]))
    bars: list[Bar] = []
    for lane, sub in enumerate(ran):
        assert origin is not None  # a subtask started, so the axis has an origin
        end = sub.finish_time if sub.finish_time is not None else run_end
        start = starts[sub.step_id] - origin
        bars.append(Bar(step_id=sub.step_id, name=sub.name, task_kind=sub.task_kind, lane=lane, start=start,
                        end=max(start, float(end) - origin), status=sub.status.value, outputs=len(sub.outputs),
                        group=group_of.get(sub.step_id, ""),
                        folded_into=tuple(sub.applied_in) if sub.begin_time is None else ()))
    idle = tuple(Idle(step_id=sub.step_id, name=sub.name, lane=len(bars) + i, status=sub.status.value)
                 for i, sub in enumerate(s for s in record.subtasks if s.step_id not in starts))
    span = max((b.end for b in bars), default=0.0)
    if origin is not None and record.begin_time is not None:  # the run's own end, after its last step
        span = max(span, run_end - origin)
    ordered = {gid: tuple(b.step_id for b in bars if b.group == gid) for gid in groups}
    return Timeline(bars=tuple(bars), idle=idle, span=max(0.0, span), groups=ordered, origin=origin)
