"""Errors as data: the error codes a run or subtask ends with, the failure of one step, and how an
exception raised while a step is prepared or run becomes a code and a detail.

- `ErrorCode`: every code the engine records, by name (the name is what events, records and the task
  store hold, and what `status --json` shows as MediaFlow.ErrorCode; engine/store/mps_results.py maps it
  to the service's ErrCodeExt) and by number (the service's int ErrCode;
  the numbers are stable: scripts compare them). README.md lists them.
- `StepFailure(code, step_id, detail)`: raised inside the executor when a step cannot run or did not
  succeed; `step_id` names the node to blame when the raiser knows it (the executor fills it in
  otherwise: it knows which step it was running). `str(failure)` is the detail.
- `classify_error(exc)`: (code, detail) for any exception a step raised, so that every failure ends
  as a recorded code instead of a crash.

Assumes nothing about FFmpeg or the store; imports the media layer only for its exception types.
"""

from __future__ import annotations

from enum import StrEnum

from ..media.base import MissingCapabilityError, TaskInputError
from ..media.ffmpeg_locate import FFmpegNotFoundError
from ..media.probe import MediaProbeError
from .ffmpeg_runner import FFmpegError

UNKNOWN_ERROR_NUMBER = 1000  # a code this version does not know (a newer store read by an older app)


class ErrorCode(StrEnum):
    """A failure's code: the member's value is its name, `.number` the task query's ErrCode."""

    number: int

    def __new__(cls, name: str, number: int) -> "ErrorCode":
        member = str.__new__(cls, name)
        member._value_ = name
        member.number = number
        return member

    INVALID_WORKFLOW = ("InvalidWorkflow", 1001)  # the drawing cannot run (validation problems)
    INPUT_NOT_FOUND = ("InputNotFound", 1002)  # the input file is missing, not a file or unreadable
    FETCH_FAILED = ("FetchFailed", 1003)  # downloading the input (a bucket object) failed
    PROBE_FAILED = ("ProbeFailed", 1004)  # the input is not media FFmpeg/PyAV can read
    INPUT_NOT_SUPPORTED = ("InputNotSupported", 1005)  # a task cannot use this input (no video, …)
    FFMPEG_NOT_FOUND = ("FFmpegNotFound", 1006)  # no usable FFmpeg
    FFMPEG_FAILED = ("FFmpegFailed", 1007)  # FFmpeg exited with an error
    OUTPUT_FAILED = ("OutputFailed", 1008)  # an output could not be written or published
    DELIVERY_FAILED = ("DeliveryFailed", 1009)  # uploading the results failed (bucket runs)
    SKIPPED = ("Skipped", 1010)  # a subtask not run: a step it needs failed
    CANCELED = ("Canceled", 1011)  # canceled by request
    INTERRUPTED = ("Interrupted", 1012)  # the process running it ended (crash, kill) before it did
    FFMPEG_LACKS_FEATURE = ("FFmpegLacksFeature", 1013)  # the FFmpeg in use lacks an encoder/filter
    CLUSTER_FAILED = ("ClusterFailed", 1014)  # the Dask cluster could not run a step (unreachable, no workers, staging)
    INTERNAL_ERROR = ("InternalError", 1099)  # a bug: the log has the traceback


def error_number(code: str) -> int:
    """The task query's ErrCode for a recorded code name: 0 for none, 1000 for a name not known here."""
    if not code:
        return 0
    try:
        return ErrorCode(code).number
    except ValueError:
        return UNKNOWN_ERROR_NUMBER


class StepFailure(Exception):
    """A step cannot run or did not succeed: its code, the step to blame ("" when the raiser does not
    know it) and a detail a person can act on (also `str(failure)`)."""

    def __init__(self, code: ErrorCode | str, step_id: str = "", detail: str = "") -> None:
        super().__init__(detail)
        self.code = ErrorCode(code) if code in ErrorCode._value2member_map_ else code
        self.step_id = step_id
        self.detail = detail

    def __repr__(self) -> str:
        return f"StepFailure({str(self.code)!r}, {self.step_id!r}, {self.detail!r})"


# which code an exception raised while preparing or running a step gets: the first type that matches
# (order matters: FileNotFoundError is an OSError)
_CODE_OF: tuple[tuple[type[BaseException], ErrorCode], ...] = (
    (FFmpegError, ErrorCode.FFMPEG_FAILED),
    (TaskInputError, ErrorCode.INPUT_NOT_SUPPORTED),
    (MissingCapabilityError, ErrorCode.FFMPEG_LACKS_FEATURE),
    (MediaProbeError, ErrorCode.PROBE_FAILED),
    (FFmpegNotFoundError, ErrorCode.FFMPEG_NOT_FOUND),
    (FileNotFoundError, ErrorCode.INPUT_NOT_FOUND),
)


def classify_error(exc: BaseException) -> tuple[str, str]:
    """(error code, detail) for an exception raised while preparing or running a step."""
    if isinstance(exc, StepFailure):
        return str(exc.code), exc.detail
    for kind, code in _CODE_OF:
        if isinstance(exc, kind):
            return code.value, str(exc)
    if isinstance(exc, OSError):
        return ErrorCode.OUTPUT_FAILED.value, f"{type(exc).__name__}: {exc}"
    return ErrorCode.INTERNAL_ERROR.value, f"{type(exc).__name__}: {exc}"
