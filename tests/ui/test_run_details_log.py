"""The run details' FFmpeg tab: each FFmpeg process once (a fused group's command is not repeated per
step), its steps, its stderr tail and a Copy button — live for a run of this window, and read from
the task store for a finished run; the cards no longer repeat the command; long names and paths
elide in the middle with the whole text on hover; the Close button has an icon.

The engine runs behind the FFmpeg seam (tests/engine/fake_ffmpeg.py) except in the last test, where a
real FFmpeg fails and its own stderr must reach the tab."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit

from mediaflow_gui.engine.ffmpeg_runner import run_ffmpeg
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.ui.elided import ElidedLabel
from mediaflow_gui.ui.runs.ffmpeg_log import ffmpeg_processes
from mediaflow_gui.ui.runs.run_details import RunDetailsDialog
from tests.engine.fake_ffmpeg import FakeFFmpeg
from tests.engine.helpers import fast_transcode, parallel_workflow, small_snapshots

from .conftest import until


class LoggingFake(FakeFFmpeg):
    """The fake FFmpeg, writing one warning line per process that names its outputs."""

    async def __call__(self, job, on_progress, min_interval=0.2, keep_lines=30):  # noqa: ANN001, ANN204
        state = await super().__call__(job, on_progress, min_interval, keep_lines)
        state.log_tail = [f"[warning] process {len(self.jobs)} wrote {', '.join(self.outputs_of(job))}"]
        return state


def _fused_workflow():  # noqa: ANN202
    return parallel_workflow(task_node("snapshot", "Shots", small_snapshots()),
                             task_node("transcode", "SD", fast_transcode()), name="logs")


def test_one_entry_per_process_with_its_log_and_copy(window, run, video_clip: Path, tmp_path: Path, qtbot) -> None:
    engine = window.adapter.engine
    fake = LoggingFake()
    engine._runner = fake
    engine.settings.fusion = True

    async def scenario() -> str:
        task_id = engine.submit(_fused_workflow(), str(video_clip), tmp_path / "out")
        await until(lambda: window.adapter.run(task_id) is not None and window.adapter.run(task_id).finished, 30)
        return task_id

    task_id = run(scenario())
    record = window.adapter.run(task_id)
    assert record.result == "SUCCESS"
    processes = ffmpeg_processes(record)
    assert len(processes) == len(fake.jobs)  # one entry per FFmpeg process the engine started
    dialog = window.show_run(task_id)
    qtbot.waitUntil(lambda: dialog.record is not None)
    commands = dialog.findChildren(QPlainTextEdit, "ffmpeg_command")
    assert len(commands) == len(fake.jobs)
    assert all(not card.findChildren(QPlainTextEdit, "ffmpeg_command") for card in dialog.cards.values())
    assert len(fake.jobs) == 1  # fused: one process served both steps, its command is shown once
    (entry,) = dialog.ffmpeg_view.entries
    assert entry.process.fused and set(entry.process.names) == {"Shots", "SD"}
    assert "fused" in entry.findChild(QLabel, "process_title").text()
    logs = [w.toPlainText() for w in dialog.findChildren(QPlainTextEdit, "ffmpeg_log")]
    assert sorted(logs) == sorted(f"[warning] process {i} wrote {', '.join(fake.outputs_of(job))}"
                                  for i, job in enumerate(fake.jobs, 1))
    assert dialog.tabs.tabText(dialog.tabs.indexOf(dialog.ffmpeg_view)) == f"FFmpeg ({len(fake.jobs)})"
    entry = dialog.ffmpeg_view.entries[0]
    entry.copy_button.click()
    assert QGuiApplication.clipboard().text() == entry.command.toPlainText() == entry.process.command_text
    assert not dialog.close_button.icon().isNull()
    # a finished run read back from the task store (as after a restart) shows the same log
    stored = engine.store.get_stored(task_id)
    assert sorted(p.log_tail for p in ffmpeg_processes(stored)) == sorted(logs)
    dialog.close()


def test_a_run_from_the_store_shows_its_log_and_elides_long_names(window, qtbot, tmp_path: Path) -> None:
    """Events fed through the engine's bus (as another process's run would be recorded)."""
    from mediaflow_gui.engine.events import (RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                             SubtaskStarted)
    from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
    bus, tid = window.adapter.bus, "mf-test-log-0001"
    long_name = "a very long recording name from the conference in the big hall, second day, afternoon.mp4"
    folder = tmp_path / ("deeply/nested/" * 8) / "results"
    folder.mkdir(parents=True)
    output = folder / long_name.replace(".mp4", "_SD.mp4")
    output.write_bytes(b"x")
    steps = (StepInfo("a", "SD", "transcode"), StepInfo("b", "Shots", "snapshot"), StepInfo("c", "HD", "transcode"))
    fused = ("ffmpeg", "-i", f"/media/{long_name}", "-filter_complex", "split=2[a][b]", "sd.mp4", "shot_%d.jpg")
    tail = "\n".join(f"line {i}" for i in range(59)) + "\n[out#1] Error opening output shot_%d.jpg"
    bus.emit(RunCreated(tid, f"/media/{long_name}", "wf", steps, out_dir=str(folder)))
    bus.emit(RunStarted(tid))
    for sid in ("a", "b"):  # one fused process for two steps
        bus.emit(SubtaskStarted(tid, sid, fused))
    bus.emit(SubtaskStarted(tid, "c", ("ffmpeg", "-i", "x.mp4", "hd.mp4")))
    bus.emit(SubtaskFinished(tid, "a", SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'SD' failed", log_tail=tail))
    bus.emit(SubtaskFinished(tid, "b", SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'Shots' failed", log_tail=tail))
    bus.emit(SubtaskFinished(tid, "c", SubtaskStatus.SUCCESS,
                             ({"path": str(output), "kind": "video", "size": 1},)))
    bus.emit(RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "Task 'SD' failed"))
    dialog = RunDetailsDialog(window.adapter, tid, window)
    qtbot.addWidget(dialog)
    dialog.resize(700, 600)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.record is not None and bool(dialog.ffmpeg_view.entries))
    first, second = dialog.ffmpeg_view.entries
    assert first.process.names == ["SD", "Shots"] and first.process.status == "FAIL"
    assert first.log.toPlainText().endswith("Error opening output shot_%d.jpg")
    assert second.log is None and second.findChild(QLabel, "ffmpeg_log_empty") is not None
    assert len(dialog.findChildren(QPlainTextEdit, "ffmpeg_command")) == 2  # not one per step
    # the file name and the paths: elided in the middle, the whole on hover
    title = dialog.title_label
    assert title.is_elided() and title.toolTip() == long_name and title.text().endswith(".mp4")
    assert "…" in title.text()
    out_folder = dialog.findChild(ElidedLabel, "path_output_folder")
    assert out_folder.is_elided() and out_folder.toolTip() == str(folder)
    (name,) = dialog.cards["c"].findChildren(ElidedLabel, "output_name")
    assert name.full_text() == output.name and name.toolTip() == str(output)
    # a failed card points to the FFmpeg tab instead of repeating the command
    assert dialog.cards["c"].ffmpeg_link is None
    dialog.cards["a"].ffmpeg_link.linkActivated.emit("#ffmpeg")
    assert dialog.tabs.currentWidget() is dialog.ffmpeg_view
    QApplication.processEvents()
    assert first.log.isVisible() and not dialog.cards["c"].isVisible()
    dialog.close()


def test_a_failing_real_ffmpeg_shows_its_stderr_tail(window, run, video_clip: Path, tmp_path: Path, qtbot) -> None:
    """Real FFmpeg, made to fail: a filter that does not exist is added to the step's own job."""
    engine = window.adapter.engine

    async def broken(job, on_progress, **kwargs):  # noqa: ANN001, ANN202
        args = list(job.args)
        return await run_ffmpeg(dataclasses.replace(job, args=[*args[:-1], "-af", "nosuchfilter", args[-1]]),
                                on_progress, **kwargs)

    engine._runner = broken
    wf = parallel_workflow(task_node("transcode", "SD", fast_transcode()), name="broken")

    async def scenario() -> str:
        task_id = engine.submit(wf, str(video_clip), tmp_path / "out")
        await until(lambda: window.adapter.run(task_id) is not None and window.adapter.run(task_id).finished, 60)
        return task_id

    task_id = run(scenario())
    record = window.adapter.run(task_id)
    assert record.result == "FAIL"
    dialog = window.show_run(task_id)
    qtbot.waitUntil(lambda: dialog.record is not None and bool(dialog.ffmpeg_view.entries))
    (entry,) = dialog.ffmpeg_view.entries
    assert entry.log is not None and "nosuchfilter" in entry.log.toPlainText()
    assert "nosuchfilter" in engine.store.get_stored(task_id).subtasks[0].log_tail
    dialog.close()


def test_a_file_field_elides_a_long_path_in_the_middle_until_it_is_edited(qtbot) -> None:
    from mediaflow_gui.ui.file_field import FileField
    path = "/home/ana/" + "a rather long folder name/" * 6 + "watermark logo.png"
    field = FileField(path)
    qtbot.addWidget(field)
    field.resize(320, 30)
    field.show()
    qtbot.waitExposed(field)
    shown = field.edit.shown_text()
    assert shown != path and "…" in shown
    assert shown.startswith("/home/ana/") and shown.endswith("logo.png")
    assert field.text() == path and field.edit.hover_text() == path  # the value is whole; hover shows it
    field.edit.setToolTip("the image does not exist")  # an owner's tooltip (a problem) stays, after the path
    assert field.edit.hover_text() == path + "\nthe image does not exist"
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip
    QApplication.sendEvent(field.edit, QHelpEvent(QHelpEvent.Type.ToolTip, QPoint(5, 5), field.edit.mapToGlobal(QPoint(5, 5))))
    assert QToolTip.text() == path + "\nthe image does not exist"
    field.edit.setToolTip("")
    field.edit.setFocus()
    qtbot.waitUntil(field.edit.hasFocus)
    assert field.edit.shown_text() == path  # editing sees the whole path
    field.setText("/short.png")
    assert field.edit.hover_text() == "/short.png"
    field.edit.clearFocus()
    assert field.edit.shown_text() == "/short.png"
    field.grab()  # paints both ways without error
