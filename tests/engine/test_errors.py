"""engine/errors.py: error codes with stable numbers, StepFailure as data, exceptions classified."""

from __future__ import annotations

import pytest

from mediaflow_gui.engine.errors import UNKNOWN_ERROR_NUMBER, ErrorCode, StepFailure, classify_error, error_number
from mediaflow_gui.engine.ffmpeg_runner import FFmpegError
from mediaflow_gui.media.base import MissingCapabilityError, TaskInputError

# the numbers scripts compare (README "Error codes"); they must never change
NUMBERS = {"InvalidWorkflow": 1001, "InputNotFound": 1002, "FetchFailed": 1003, "ProbeFailed": 1004,
           "InputNotSupported": 1005, "FFmpegNotFound": 1006, "FFmpegFailed": 1007, "OutputFailed": 1008,
           "DeliveryFailed": 1009, "Skipped": 1010, "Canceled": 1011, "Interrupted": 1012,
           "FFmpegLacksFeature": 1013, "ClusterFailed": 1014, "InternalError": 1099}


def test_codes_keep_their_names_and_numbers() -> None:
    assert {code.value: code.number for code in ErrorCode} == NUMBERS
    assert {name: error_number(name) for name in NUMBERS} == NUMBERS
    assert error_number("") == 0 and error_number("SomethingNewer") == UNKNOWN_ERROR_NUMBER == 1000
    assert ErrorCode.FFMPEG_FAILED == "FFmpegFailed" and str(ErrorCode.FFMPEG_FAILED) == "FFmpegFailed"


def test_readme_lists_every_code_with_its_number() -> None:
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name, number in NUMBERS.items():
        assert f"| {number} | `{name}` |" in readme, name
    assert "FailedStepId" in readme


def test_step_failure_is_data() -> None:
    failure = StepFailure(ErrorCode.OUTPUT_FAILED, "node-1", "no free name for x.mp4")
    assert (failure.code, failure.step_id, failure.detail, str(failure)) == (
        ErrorCode.OUTPUT_FAILED, "node-1", "no free name for x.mp4", "no free name for x.mp4")
    assert StepFailure("FFmpegFailed", detail="x").code is ErrorCode.FFMPEG_FAILED  # a known name becomes its code
    assert StepFailure("Newer", detail="x").code == "Newer"  # an unknown one is kept as given
    assert classify_error(failure) == ("OutputFailed", "no free name for x.mp4")


@pytest.mark.parametrize(("exc", "code"), [
    (FFmpegError(1, ["Invalid data found when processing input"], ["ffmpeg"]), "FFmpegFailed"),
    (TaskInputError("no video stream"), "InputNotSupported"),
    (MissingCapabilityError("no libx265"), "FFmpegLacksFeature"),
    (FileNotFoundError("gone.mp4"), "InputNotFound"),
    (PermissionError("read-only"), "OutputFailed"),
    (ZeroDivisionError("bug"), "InternalError"),
])
def test_exceptions_are_classified(exc: BaseException, code: str) -> None:
    assert classify_error(exc)[0] == code
