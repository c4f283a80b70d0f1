"""A run's state and the one set of rules that turns engine events into it.

- `RunRecord` / `SubtaskRecord`: what is known of one run and of each of its subtasks (DESIGN.md's
  statuses). The task store persists them, the engine hands them to `deliver` and to whoever waits
  for a run, the notifier builds its event from one, the GUI (task list, canvas, run details) and
  the CLI progress printer show them.
- `apply(record, event)`: the rules. Every reader of the engine's events keeps its records with it,
  so they cannot drift apart. It does no I/O, takes no lock and reads no clock: the same events give
  the same record. It changes `record` in place and returns it (a RunCreated returns a new record);
  a caller that shares a record with another thread copies it under its own lock.
- The display rules a run's state needs (`RunRecord.progress`, `.shown(step_id)`, `.elapsed()`):
  one place for the GUI and the CLI.

Events that arrive out of order or twice do no harm: the first final status of a subtask (or of
the run) wins and later ones are ignored, a subtask that ended never runs again, progress after a
run ended is dropped, and a second RunCreated for a known run changes nothing.
Every value a record holds is plain data (what JSON gives back): paths in outputs are strings.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from ..model.statuses import RunResult, RunStatus, SubtaskStatus
from .events import Event, RunCreated, RunFinished, RunStarted, SubtaskFinished, SubtaskProgress, SubtaskStarted

PROGRESS_DIGITS = 2  # progress is kept (and stored) to a hundredth of a percent
FOLDED_MESSAGE = "applied inside the transcode"  # what a folded watermark says while its transcodes run


@dataclass
class SubtaskRecord:
    step_id: str
    name: str
    task_kind: str
    status: SubtaskStatus
    progress: float = 0.0
    outputs: list[dict[str, Any]] = field(default_factory=list)  # {path, kind, size, width, height, duration}
    error_code: str = ""
    message: str = ""
    command: list[str] = field(default_factory=list)  # the FFmpeg argv (first job)
    input: str = ""  # the file it read
    speed: float | None = None  # FFmpeg's speed factor
    begin_time: float | None = None
    finish_time: float | None = None
    # a watermark folded into transcodes: their step ids (it reports only when they end)
    applied_in: tuple[str, ...] = ()
    log_tail: str = ""  # the last stderr lines of its FFmpeg process(es), "\n"-joined


@dataclass
class RunRecord:
    task_id: str
    workflow_name: str
    input: str
    status: RunStatus
    result: RunResult | None
    error_code: str
    message: str
    create_time: float
    begin_time: float | None
    finish_time: float | None
    subtasks: list[SubtaskRecord] = field(default_factory=list)
    out_dir: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    workflow: dict[str, Any] | None = None  # the snapshot of the workflow file as run
    failed_step: str = ""  # the step id (= node id) of the first subtask that failed, if the steps failed

    # -- facts -------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.status == RunStatus.FINISH

    @property
    def succeeded(self) -> bool:
        return self.finished and self.result == RunResult.SUCCESS

    @property
    def display_status(self) -> str:
        """The word a person sees: the result once the run ended, else WAITING or PROCESSING."""
        return self.result.value if self.finished and self.result else self.status.value

    @property
    def steps(self) -> dict[str, SubtaskRecord]:
        """The subtasks by step id (a new dict; the records in it are the run's own)."""
        return {sub.step_id: sub for sub in self.subtasks}

    def subtask(self, step_id: str) -> SubtaskRecord:
        for sub in self.subtasks:
            if sub.step_id == step_id:
                return sub
        raise KeyError(step_id)

    def subtask_named(self, name: str) -> SubtaskRecord:
        for sub in self.subtasks:
            if sub.name == name:
                return sub
        raise KeyError(name)

    def outputs(self) -> list[dict[str, Any]]:
        return [out for sub in self.subtasks for out in sub.outputs]

    # -- display rules ------------------------------------------------------------------------
    def shown(self, step_id: str) -> tuple[str, float, str]:
        """(status, progress, message) of a subtask as it is shown.

        A watermark folded into transcodes reports only when they end; while it waits and all of
        them have started, it shows as running at their slowest progress (an ended one counts 100).
        """
        sub = self.subtask(step_id)
        if sub.applied_in and sub.status == SubtaskStatus.WAITING:
            hosts = [h for h in self.subtasks if h.step_id in sub.applied_in]
            if hosts and all(h.status != SubtaskStatus.WAITING for h in hosts):
                progress = min(h.progress if h.status == SubtaskStatus.PROCESSING else 100.0 for h in hosts)
                return SubtaskStatus.PROCESSING.value, progress, FOLDED_MESSAGE
        return sub.status.value, sub.progress, sub.message

    @property
    def progress(self) -> float:
        """0–100 over every subtask as shown: one that succeeded counts as complete, one that failed or
        was canceled where it stopped, one that was skipped as not done — so a failed or canceled run's
        bar shows how far it got, never 100 %."""
        if not self.subtasks:
            return 100.0 if self.result == RunResult.SUCCESS else 0.0
        total = 0.0
        for sub in self.subtasks:
            status, progress, _ = self.shown(sub.step_id)
            if status == SubtaskStatus.SUCCESS.value:
                total += 100.0
            elif status != SubtaskStatus.SKIPPED.value:
                total += progress
        return total / len(self.subtasks)

    def elapsed(self, now: float | None = None) -> float | None:
        """Seconds from the start to the end (or to `now`, default the clock, while it runs)."""
        if self.begin_time is None:
            return None
        end = self.finish_time if self.finish_time is not None else (now if now is not None else time.time())
        return max(0.0, end - self.begin_time)


def plain(value: Any) -> Any:
    """`value` as JSON gives it back (tuples → lists, a Path → its string): what the store reads back."""
    return json.loads(json.dumps(value, default=str))


def new_record(event: RunCreated) -> RunRecord:
    """The record a RunCreated starts: WAITING, every subtask WAITING."""
    return RunRecord(
        task_id=event.task_id, workflow_name=event.workflow_name, input=event.input, status=RunStatus.WAITING,
        result=None, error_code="", message="", create_time=event.time, begin_time=None, finish_time=None,
        out_dir=event.out_dir or "", workflow=plain(event.workflow) if event.workflow else None,
        subtasks=[SubtaskRecord(step_id=s.step_id, name=s.name, task_kind=s.task_kind, status=SubtaskStatus.WAITING,
                                applied_in=tuple(s.applied_in)) for s in event.steps])


def _find(record: RunRecord, step_id: str) -> SubtaskRecord | None:
    for sub in record.subtasks:
        if sub.step_id == step_id:
            return sub
    return None


def apply(record: RunRecord | None, event: Event) -> RunRecord | None:
    """The record after `event` (see the module docstring for the rules).

    `record` is the run's record so far (None before its RunCreated). Returns the same record,
    changed in place, or a new one for a RunCreated; None when there is no record to apply to (an
    event of a run whose creation was not seen). ValueError when the event is another run's.
    """
    if isinstance(event, RunCreated):
        if record is not None:
            if record.task_id != event.task_id:
                raise ValueError(f"event of run {event.task_id} applied to run {record.task_id}")
            return record  # told twice: the run exists already
        return new_record(event)
    if record is None:
        return None
    if record.task_id != event.task_id:
        raise ValueError(f"event of run {event.task_id} applied to run {record.task_id}")
    if isinstance(event, RunStarted):
        if record.status == RunStatus.WAITING:
            record.status, record.begin_time = RunStatus.PROCESSING, event.time
            record.metadata = plain(event.metadata or {})
    elif isinstance(event, SubtaskStarted):
        sub = _find(record, event.step_id)
        if sub is not None and not sub.status.is_final and not record.finished:
            sub.status, sub.begin_time, sub.command = SubtaskStatus.PROCESSING, event.time, list(event.command)
            sub.input, sub.progress = event.input, 0.0
    elif isinstance(event, SubtaskProgress):
        sub = _find(record, event.step_id)
        if sub is not None and not sub.status.is_final and not record.finished:
            sub.progress, sub.speed = round(float(event.percent), PROGRESS_DIGITS), event.speed
    elif isinstance(event, SubtaskFinished):
        sub = _find(record, event.step_id)
        if sub is not None and not sub.status.is_final:
            sub.status, sub.outputs = SubtaskStatus(event.status), plain(list(event.outputs))
            sub.error_code, sub.message, sub.finish_time = str(event.error_code), event.message, event.time
            sub.log_tail = event.log_tail
            if sub.status == SubtaskStatus.SUCCESS:
                sub.progress = 100.0
    elif isinstance(event, RunFinished):
        if not record.finished:
            record.status, record.result = RunStatus.FINISH, RunResult(event.result)
            record.error_code, record.message, record.finish_time = str(event.error_code), event.message, event.time
            record.failed_step = event.failed_step
            if record.begin_time is None:
                record.begin_time = event.time
    return record
