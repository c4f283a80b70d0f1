"""The CLI's progress printer draws a line on a TTY, plain lines otherwise (the layer rule: tests/test_layers.py)."""

from __future__ import annotations

import io
from types import SimpleNamespace

from mediaflow_gui.cli.progress import ProgressPrinter
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


def test_tty_output_redraws_a_status_line(monkeypatch) -> None:  # noqa: ANN001
    import mediaflow_gui.cli.progress as progress

    # the whole feed within 0.1 s, whatever the machine: a stall of this thread between two progress
    # events (a loaded machine) drew a progress line the expectation below does not have
    # (the module's own clock only: time.monotonic of the whole process stays as it is)
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: 1000.0))
    stream = io.StringIO()
    _feed(ProgressPrinter(stream, tty=True))
    text = stream.getvalue()
    assert "\r\x1b[K" in text and "TaskId: mf-1\n" in text
    bars = [part for part in text.split("\r\x1b[K") if part.startswith("mf-1 [")]
    # each distinct status line, in order (progress within 0.1 s of a draw is not drawn again)
    assert list(dict.fromkeys(bars)) == [
        "mf-1 [........................]   0.0% ",  # created
        "mf-1 [........................]   0.0% SD 0%",  # SD started
        "mf-1 [############............]  50.0% ",  # SD done, Thumbs waiting
    ]  # Thumbs failed before any progress: the run ends at 50 %, not 100 % (a failure counts where it stopped)
    assert text.endswith("\r\x1b[K") or text.endswith("\n")  # the status line is cleared at the end


def test_the_bar_is_the_records_progress_with_a_folded_watermark_running_in_its_transcode(monkeypatch) -> None:
    """The status line renders the run's record (run_state): a watermark folded into a transcode runs at
    the transcode's progress and counts in the bar."""
    import mediaflow_gui.cli.progress as progress

    clock = iter(float(i) for i in range(1000))  # every draw is a second after the last: none is throttled
    # the module's own clock only: another thread of the process reading time.monotonic meanwhile
    # would take values off this one (and see the process's clock jump back)
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    stream = io.StringIO()
    printer = ProgressPrinter(stream, tty=True)
    steps = (StepInfo("hd", "HD", "transcode"), StepInfo("wm", "Logo", "watermark", applied_in=("hd",)))
    printer(RunCreated("mf-2", "/in/y.mp4", "W", steps, out_dir="/out"))
    printer(SubtaskStarted("mf-2", "hd"))
    printer(SubtaskProgress("mf-2", "hd", 50.0, 1.0))
    last = stream.getvalue().split("\r\x1b[K")[-1]
    assert last == "mf-2 [############............]  50.0% HD 50% | Logo 50%"
    assert printer.records["mf-2"].progress == 50.0


def test_an_event_told_twice_prints_once() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter(stream, tty=False)
    created = RunCreated("mf-3", "/in/z.mp4", "W", (StepInfo("a", "SD", "transcode"),), out_dir="/out")
    done = SubtaskFinished("mf-3", "a", SubtaskStatus.SUCCESS, ({"path": "/out/z_SD.mp4"},))
    for event in (created, created, SubtaskStarted("mf-3", "a"), done, done,
                  SubtaskFinished("mf-3", "a", SubtaskStatus.FAIL, (), "FFmpegFailed", "late")):
        printer(event)
    assert stream.getvalue().splitlines() == ["TaskId: mf-3", "  /in/z.mp4 → /out with 'W', 1 task(s)",
                                              "[mf-3] SD: started", "[mf-3] SD: SUCCESS → z_SD.mp4"]
