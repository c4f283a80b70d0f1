"""The task list's speed, time-left and output-folder columns, the queue's summary line, and the run
menu's open-folder / reveal / retry-with-current-workflow actions (a fake FFmpeg behind the engine's
runner seam: what is tested is the list, not FFmpeg)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.engine.fake_ffmpeg import FakeFFmpeg

from .conftest import until
from .test_queue_gui import select
from .test_runs import serial_workflow


def cell(window, task_id: str, column: int) -> str:  # noqa: ANN001
    model = window.tasks.model
    return model.data(model.index(model.row_of(task_id), column))


def test_columns_summary_and_run_menu(window, run, tmp_path: Path, video_clip: Path, monkeypatch) -> None:  # noqa: ANN001
    from mediaflow_gui.ui import desktop
    from mediaflow_gui.ui.runs.task_model import COL_LEFT, COL_OUTPUT, COL_SPEED
    opened: list[str] = []
    monkeypatch.setattr(desktop, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    engine = window.adapter.engine
    fake = FakeFFmpeg(delay=0.5)
    engine._runner = fake
    engine.settings.max_threads = 1  # one run at a time: the others queue
    window.controller.set_workflow(serial_workflow())
    out = tmp_path / "results" / "batch one"
    window.settings.output_dir = str(out)
    clips = []
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        clips.append(tmp_path / name)
        shutil.copy(video_clip, clips[-1])
    panel = window.tasks
    ids: list[str] = []

    async def scenario() -> None:
        ids.extend(window.process_files([str(c) for c in clips]))
        await until(lambda: fake.running == 1 and len(engine.queued()) == 2)
        [first] = [t for t in ids if t not in engine.queued()]
        await until(lambda: cell(window, first, COL_SPEED) == "1.0×")  # the fake reports real-time speed
        assert cell(window, first, COL_LEFT) not in ("", None)  # a time, or "…" while too early to tell
        assert "batch one" in cell(window, first, COL_OUTPUT)  # its folder, or its subfolder there
        panel.update_queue_summary()
        assert panel.queue_label.text().startswith("1 running · 2 queued")
        # the moment the first run ends (read in the signal, before anything else moves on): its time
        # is the batch's typical run time, so the queue's time is known
        at_first_end: list[str] = []
        window.signals.run_finished.connect(
            lambda tid, *_: at_first_end.append(panel.queue_summary()) if tid == first and not at_first_end else None)
        await until(lambda: bool(at_first_end), 30)
        assert "about" in at_first_end[0] and "left" in at_first_end[0], at_first_end
        await until(lambda: all(window.adapter.run(t).finished for t in ids), 60)

    run(scenario(), 120)
    assert panel.queue_summary() == ""  # nothing running or waiting
    assert cell(window, ids[0], COL_LEFT) == "" and cell(window, ids[0], COL_SPEED) == ""

    # the run menu on a finished run
    select(window, [ids[0]])
    panel.table.setCurrentIndex(panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(ids[0]), 0)))
    panel._context_menu(panel.table.visualRect(panel.table.currentIndex()).center())
    actions = {act.text(): act for act in panel.context_menu.actions()}
    panel.context_menu.close()
    assert actions["Open output folder"].isEnabled() and actions["Reveal file"].isEnabled()
    actions["Open output folder"].trigger()
    assert opened == [window.adapter.run(ids[0]).out_dir] and Path(opened[0]).is_relative_to(out)
    actions["Reveal file"].trigger()  # no file manager on D-Bus here: its folder opens instead
    assert len(opened) == 2 and Path(opened[1]).is_relative_to(out)

    # retry with the workflow drawn now (renamed: the new run's snapshot has the new name)
    window.controller.set_workflow(serial_workflow("edited"))
    assert actions["Retry with the current workflow"].isEnabled()
    new_ids: list[str] = []

    async def retry() -> None:
        new_ids.append(panel.retry_with_current())
        await until(lambda: window.adapter.run(new_ids[0]) is not None and window.adapter.run(new_ids[0]).finished, 30)

    run(retry(), 60)
    again = window.adapter.run(new_ids[0])
    assert again.workflow_name == "edited" and again.input == str(clips[0]) and again.result == "SUCCESS"


def test_the_store_retry_setting_reaches_the_storage_service(window, qtbot) -> None:  # noqa: ANN001
    from mediaflow_gui.ui.settings_dialog import SettingsDialog
    service = window.adapter.runtime.storage
    assert service is not None and service.retries == window.settings.store_retries == 3
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    assert dialog.store_retries.value() == 3
    dialog.store_retries.setValue(0)
    assert dialog.store_retries.text() == "never"
    dialog.accept()
    window.adapter.apply_settings()  # what the main window does after the dialog
    assert window.settings.store_retries == 0 and service.retries == 0
