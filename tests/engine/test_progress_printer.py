"""The CLI's progress printer draws a line on a TTY, plain lines otherwise (the layer rule: tests/test_layers.py)."""

from __future__ import annotations

import io

from mediaflow_gui.cli import ProgressPrinter
from mediaflow_gui.engine.events import RunCreated, RunFinished, StepInfo, SubtaskFinished, SubtaskProgress, \
    SubtaskStarted
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus


def _feed(printer: ProgressPrinter) -> None:
    steps = (StepInfo("a", "SD", "transcode"), StepInfo("b", "Thumbs", "snapshot"))
    printer(RunCreated("mf-1", "/in/x.mp4", "W", steps, out_dir="/out"))
    printer(SubtaskStarted("mf-1", "a"))
    for pct in (10.0, 30.0, 55.0, 80.0):
        printer(SubtaskProgress("mf-1", "a", pct, 2.0))
    printer(SubtaskFinished("mf-1", "a", SubtaskStatus.SUCCESS, ({"path": "/out/x_SD.mp4"},)))
    printer(SubtaskFinished("mf-1", "b", SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'Thumbs' failed:\nboom"))
    printer(RunFinished("mf-1", RunResult.FAIL))


def test_plain_output_is_one_line_per_update() -> None:
    stream = io.StringIO()
    _feed(ProgressPrinter(stream, tty=False))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "TaskId: mf-1"
    assert "\r" not in stream.getvalue()
    assert "[mf-1] SD: started" in lines
    assert [ln for ln in lines if "% (" in ln] == [
        "[mf-1] SD: 25% (2.00x)", "[mf-1] SD: 50% (2.00x)", "[mf-1] SD: 75% (2.00x)"]
    assert "[mf-1] SD: SUCCESS → x_SD.mp4" in lines
    assert "[mf-1] Thumbs: FAIL: Task 'Thumbs' failed: boom" in lines  # one line even for multi-line messages


def test_tty_output_redraws_a_status_line() -> None:
    stream = io.StringIO()
    _feed(ProgressPrinter(stream, tty=True))
    text = stream.getvalue()
    assert "\r\x1b[K" in text and "TaskId: mf-1\n" in text
    assert "[" in text and "#" in text  # the bar
    assert text.endswith("\r\x1b[K") or text.endswith("\n")  # the status line is cleared at the end
