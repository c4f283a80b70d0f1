"""Engine events: plain dataclasses sent on one channel (EventBus).

The GUI adapter, the CLI progress display, the notifier, the task store and the engine itself all
subscribe to the same bus (an observe.Topic: called in subscription order, a failing subscriber
is logged and the others still run), and each turns the events into run records with the same
rules (run_state.apply). Times are POSIX seconds (UTC); the task query formats them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Union

from ..model.statuses import RunResult, SubtaskStatus
from ..observe import Topic


@dataclass(frozen=True)
class StepInfo:
    step_id: str
    name: str
    task_kind: str
    # a watermark folded into transcodes: their step ids (it reports only when they end)
    applied_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunCreated:
    """A run was recorded (status WAITING); the TaskId exists from here on."""

    task_id: str
    input: str  # path or s3:// URL as the user gave it
    workflow_name: str
    steps: tuple[StepInfo, ...]
    time: float = field(default_factory=time.time)
    workflow: dict[str, Any] | None = None  # snapshot of the workflow as run (the file's JSON)
    out_dir: str = ""  # where outputs go ("" when they are delivered elsewhere)


@dataclass(frozen=True)
class RunStarted:
    task_id: str
    time: float = field(default_factory=time.time)
    metadata: dict[str, Any] = field(default_factory=dict)  # the input's MetaData (media_info_dict)


@dataclass(frozen=True)
class SubtaskStarted:
    task_id: str
    step_id: str
    command: tuple[str, ...] = ()  # the FFmpeg argv (first job), for display and debugging
    time: float = field(default_factory=time.time)
    input: str = ""  # the file this subtask reads
    threads: int = 0  # thread tokens the subtask holds while it runs


@dataclass(frozen=True)
class SubtaskProgress:
    task_id: str
    step_id: str
    percent: float  # 0–100
    speed: float | None = None  # FFmpeg's speed factor (1.0 = real time)


@dataclass(frozen=True)
class SubtaskFinished:
    task_id: str
    step_id: str
    status: SubtaskStatus  # SUCCESS, FAIL, SKIPPED or CANCELED
    outputs: tuple[dict[str, Any], ...] = ()  # {path, kind, size, width, height, duration}
    error_code: str = ""
    message: str = ""
    time: float = field(default_factory=time.time)
    # the last stderr lines of the FFmpeg process(es) it ran ("\n"-joined; "" when none ran): the run
    # details' FFmpeg log, kept for finished runs too
    log_tail: str = ""


@dataclass(frozen=True)
class RunFinished:
    task_id: str
    result: RunResult
    error_code: str = ""  # an ErrorCode name (engine/errors.py), "" on success
    message: str = ""
    time: float = field(default_factory=time.time)
    failed_step: str = ""  # the step (node) id of the first subtask that failed, when the steps failed


Event = Union[RunCreated, RunStarted, SubtaskStarted, SubtaskProgress, SubtaskFinished, RunFinished]
Subscriber = Callable[[Event], None]


class EventBus(Topic[[Event]]):
    """The engine's one channel: a Topic of engine events (mediaflow_gui/observe.py). Subscribers are
    called in the order they subscribed, on the engine's loop; a failing one is logged and never stops
    the engine or the subscribers after it. `subscribe` returns the callable that unsubscribes."""

    def __init__(self) -> None:
        super().__init__("the engine's event bus")
