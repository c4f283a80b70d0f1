"""Results where people want them: the tool bar's "Results to" choice (default folder, next to each
input, the folder chosen last, Choose folder…) used by drops and Process files and remembered; a
folder per input; the Settings fields (existing-file policy, folder per input, Open). FFmpeg is the
fake behind the engine's runner seam: where files land is the point, not what FFmpeg makes."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QUrl

from mediaflow_gui.ui.results_target import CHOOSE, ResultsTarget
from mediaflow_gui.ui.settings import AppSettings
from mediaflow_gui.ui.settings_dialog import SettingsDialog
from tests.engine.fake_ffmpeg import FakeFFmpeg

from .conftest import until
from .test_runs import drop_files


def pick(target: ResultsTarget, data: str) -> None:
    """Choose an item as a person does (the combo's `activated`, which a programmatic change does not send)."""
    index = target.combo.findData(data)
    assert index >= 0, data
    target.combo.setCurrentIndex(index)
    target.combo.activated.emit(index)


def drop_and_wait(window, run, clip: Path) -> Path:  # noqa: ANN001
    """Drop one file, wait for its run; the folder its outputs went to."""
    before = set(window.adapter.runs)

    async def scenario() -> str:
        drop_files(window, [clip])  # submitting needs the running loop
        [task_id] = set(window.adapter.runs) - before
        await until(lambda: window.adapter.run(task_id).finished, 30)
        return task_id

    record = window.adapter.run(run(scenario()))
    assert record.result == "SUCCESS", record.message
    folders = {Path(o["path"]).parent for o in record.outputs()}
    assert len(folders) == 1, folders
    return folders.pop()


def test_results_go_where_the_tool_bar_says_and_the_choice_is_remembered(window, run, tmp_path: Path,
                                                                           video_clip: Path) -> None:  # noqa: ANN001
    window.adapter.engine._runner = FakeFFmpeg()  # the runner seam
    inputs = tmp_path / "footage"
    inputs.mkdir()
    clip = inputs / "holiday.mp4"
    shutil.copy(video_clip, clip)
    target = window.results_target
    results = Path(window.settings.output_dir)
    assert target.combo.currentText() == "results" and target.folder() == str(results)
    assert str(results) in target.combo.toolTip()  # the full path on hover

    # the default folder; the standard workflow writes several files: a folder named after the input
    assert drop_and_wait(window, run, clip) == results / "holiday"
    assert "results in " + str(results) in window.statusBar().currentMessage()

    # Choose folder… asks once; the folder becomes the choice
    elsewhere = tmp_path / "delivery"
    target.ask_folder = lambda: str(elsewhere)
    pick(target, CHOOSE)
    assert target.combo.currentText() == "delivery" and window.settings.results_to == "last"
    assert drop_and_wait(window, run, clip) == elsewhere / "holiday"

    # a cancelled folder dialog changes nothing
    target.ask_folder = lambda: ""
    pick(target, CHOOSE)
    assert target.combo.currentText() == "delivery" and target.folder() == str(elsewhere)

    # next to each input
    pick(target, "beside")
    assert drop_and_wait(window, run, clip) == inputs / "holiday_mediaflow"
    assert "results next to each input" in window.statusBar().currentMessage()
    assert clip.read_bytes() == video_clip.read_bytes()  # the input is untouched

    # remembered: a new start shows the choice, and the folder chosen last is still offered
    again = ResultsTarget(AppSettings(window.settings.path))
    assert again.combo.currentText() == "Next to each input"
    assert again.combo.findData("last") >= 0 and again.combo.itemText(again.combo.findData("last")) == "delivery"
    pick(again, "last")
    assert again.folder() == str(elsewhere)
    again.deleteLater()


def test_process_files_uses_the_choice_and_a_single_file_run_needs_no_folder_of_its_own(
        window, run, tmp_path: Path, video_clip: Path) -> None:  # noqa: ANN001
    from mediaflow_gui.model.workflow import Workflow
    from tests.engine.helpers import fast_transcode, parallel_workflow, task_node
    window.adapter.engine._runner = FakeFFmpeg()
    one_file: Workflow = parallel_workflow(task_node("transcode", "Small", fast_transcode("SD")))
    window.controller.snapshot = lambda: one_file  # what "Process files" runs
    window.ask_input_files = lambda: [str(video_clip)]

    async def scenario() -> str:
        [task_id] = window.ask_process_files()
        await until(lambda: window.adapter.run(task_id).finished, 30)
        return task_id

    task_id = run(scenario())
    [output] = window.adapter.run(task_id).outputs()
    assert Path(output["path"]) == Path(window.settings.output_dir) / "clip_SD.mp4"

    window.settings.subfolder_per_input = False  # off: several files go straight into the folder too
    standard = window.adapter.output_dir_for(str(video_clip), None)
    assert standard == Path(window.settings.output_dir)


def test_settings_show_the_results_fields_and_save_them(qtbot, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from mediaflow_gui.paths import default_results_dir
    settings = AppSettings(tmp_path / "s.ini")
    assert settings.output_dir == str(default_results_dir())  # beside the test's data dir, not in the home
    assert settings.on_existing == "keep-both" and settings.subfolder_per_input
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.output_dir.edit.placeholderText() == str(default_results_dir())
    assert [dialog.on_existing.itemData(i) for i in range(dialog.on_existing.count())] == [
        "keep-both", "overwrite", "skip"]
    assert dialog.on_existing.currentData() == "keep-both" and dialog.subfolder.isChecked()

    opened: list[QUrl] = []
    monkeypatch.setattr("mediaflow_gui.ui.settings_dialog.QDesktopServices.openUrl",
                        lambda url: opened.append(url) or True)
    dialog.output_dir.setText(str(tmp_path / "fresh results"))
    dialog.open_output.click()
    assert [u.toLocalFile() for u in opened] == [str(tmp_path / "fresh results")]
    assert (tmp_path / "fresh results").is_dir()  # made, so that the file manager has something to show

    dialog.on_existing.setCurrentIndex(dialog.on_existing.findData("skip"))
    dialog.subfolder.setChecked(False)
    dialog._save_event_targets = lambda: True  # the event targets are tested elsewhere
    dialog.accept()
    again = AppSettings(tmp_path / "s.ini")
    assert again.on_existing == "skip" and not again.subfolder_per_input
    assert again.output_dir == str(tmp_path / "fresh results")


def test_the_policy_reaches_the_engine_and_an_old_check_box_is_carried_over(window, tmp_path: Path) -> None:  # noqa: ANN001
    window.settings.on_existing = "overwrite"
    window.adapter.apply_settings()
    assert window.adapter.engine.settings.on_existing == "overwrite"
    window.settings.qsettings.setValue("runs/on_existing", "explode")  # a hand-edited INI file
    assert window.settings.on_existing == "keep-both"

    old = tmp_path / "old.ini"
    old.write_text("[runs]\noutput_beside_input=true\n")
    settings = AppSettings(old)
    assert settings.results_to == "beside" and settings.output_beside_input and settings.results_folder() == ""
    settings.sync()
    assert "output_beside_input" not in old.read_text()
