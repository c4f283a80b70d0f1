"""What travels between the submitting machine and a Dask worker: plain, picklable data.

Never absolute local paths to run: the worker gets its input from S3 (a bucket run's own object, or a copy
staged by the submitter), the files a step's parameters name (watermark images) as bytes, and it builds
FFmpeg's argv itself — its own FFmpeg, its own fonts, its own temporary folder. Its outputs go back to the
staging store under `output_prefix`; the submitter downloads them into the steps' staging dirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..media.base import MediaInfo, OutputFile
from ..model.plan import PlannedStep

# the Dask topic workers log progress on (distributed.Worker.log_event → Client.subscribe_topic); one for
# every unit, each message names its unit
PROGRESS_TOPIC = "mediaflow-progress"


@dataclass
class StoreRef:
    """An S3 store and bucket as a worker reaches it: S3Connection.to_dict() (with its keys) and a bucket."""

    connection: dict[str, Any]
    bucket: str

    def __repr__(self) -> str:  # never print the keys (Dask logs task arguments on errors)
        return f"StoreRef({self.connection.get('endpoint_url') or 'AWS'!r}, {self.bucket!r})"


@dataclass
class UnitSpec:
    task_id: str
    unit_id: str  # unique per unit and submission: the key of its Dask task, its cancel event, its messages
    workflow_name: str
    steps: list[PlannedStep]  # input_from/depends_on are cleared on the worker: the unit reads `input_key`
    input_store: StoreRef
    input_key: str
    input_name: str  # the input's file name (its suffix matters to FFmpeg and to names)
    probe: MediaInfo  # the submitter's probe (with the measured field order): the worker need not probe again
    source_name: str  # {inputName}
    name_templates: dict[str, str]
    fused: bool  # the submitter's fusion put the steps in one group
    threads_per_step: int
    staging: StoreRef
    output_prefix: str  # outputs go to `<output_prefix><step id>/<file name>`
    cancel_event: str  # the distributed.Event the submitter sets to cancel
    assets: dict[str, bytes] = field(default_factory=dict)  # a path the params name → the file's bytes


@dataclass
class OutputRef:
    """One output file, uploaded: its key in the staging store, and the worker's OutputFile of it with
    the bare file name as its path (the submitter puts it in the step's staging dir)."""

    key: str
    file: OutputFile


@dataclass
class StepResult:
    status: str  # SubtaskStatus value
    error_code: str = ""
    message: str = ""
    started: float | None = None
    outputs: list[OutputRef] = field(default_factory=list)
    log_tail: str = ""


@dataclass
class UnitResult:
    worker: str  # the worker's address
    ffmpeg: str  # the FFmpeg it ran, in one line
    began: float = 0.0  # when the worker started the unit and when it was done (its clock, time.time())
    ended: float = 0.0
    steps: dict[str, StepResult] = field(default_factory=dict)
