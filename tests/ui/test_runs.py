"""Runs from the GUI: drop → live node states → SUCCESS; failure marks the node and skips the
dependants; cancel; details with thumbnails and FFmpeg commands; history after a restart;
search; throttled updates. Real FFmpeg on small generated clips."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from mediaflow_gui.engine.events import (RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskProgress, SubtaskStarted)
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from tests import media_factory

from .conftest import make_window, until


def drop_files(window, paths: list[Path]) -> None:  # noqa: ANN001
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def node_states(window) -> dict[str, str | None]:  # noqa: ANN001
    return {item.node.label: item.state.run_status for item in window.controller.scene.node_items.values()}


def serial_workflow(name: str = "serial", positions: tuple[tuple[float, float], ...] = ((0, 0), (240, 0), (480, 0),
                                                                                   (720, 0))) -> Workflow:
    """start → transcode → sprite of the transcoded file → end (at `positions`, in that order)."""
    from tests.engine.helpers import fast_transcode
    wf = Workflow(name)
    start = wf.add_node(Node(NodeKind.START, name="Start", position=positions[0]))
    transcode = wf.add_node(task_node("transcode", "Transcode", fast_transcode(), position=positions[1]))
    sprite = wf.add_node(task_node("image_sprite", "Sprite", position=positions[2]))
    end = wf.add_node(Node(NodeKind.END, name="End", position=positions[3]))
    wf.connect(start, transcode)
    wf.connect(transcode, sprite)
    wf.connect(sprite, end)
    return wf


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Long enough that a cancel lands while FFmpeg runs (320x240, 40 s, 25 fps)."""
    return media_factory.make_video(tmp_path_factory.mktemp("long") / "long clip.mp4", seconds=40)


@pytest.mark.slow  # a whole run on real FFmpeg in the GUI
def test_dropped_file_runs_to_success_with_live_states(window, run, video_clip: Path, qtbot) -> None:
    seen: set[str] = set()

    def watch(task_id: str) -> None:
        seen.update(s for s in node_states(window).values() if s)

    window.signals.run_updated.connect(watch)

    async def scenario() -> str:
        drop_files(window, [video_clip])
        await until(lambda: window.tasks.model.rowCount() == 1)
        task_id = window.tasks.selected_task_id()
        assert task_id and window.canvas_task_id == task_id
        await until(lambda: window.adapter.run(task_id).finished)
        return task_id

    task_id = run(scenario())
    live = window.adapter.run(task_id)
    assert live.result == "SUCCESS", live.message
    states = node_states(window)
    assert set(states.values()) == {"SUCCESS"}, states
    assert "WAITING" in seen or "PROCESSING" in seen  # states were shown while it ran
    model = window.tasks.model
    assert model.data(model.index(0, 2)) == "Done" and model.data(model.index(0, 3)) == "100%"
    # the notification (in-window toast here) names the file
    assert window.notifier.sent and window.notifier.sent[-1][1] == f"Done: {video_clip.name}"
    assert window.notifier.live_toasts()
    # details: every subtask, thumbnails of the images, the output folder
    dialog = window.show_run(task_id)
    qtbot.waitUntil(lambda: dialog.record is not None and dialog.record.finish_time is not None)
    assert [s.name for s in dialog.record.subtasks] == [s.name for s in live.steps.values()]
    qtbot.waitUntil(lambda: dialog.thumbs_loaded >= 4, timeout=20000)
    assert any(p.endswith(".gif") for p in dialog.thumb_labels)
    assert any("_sprite_" in p for p in dialog.thumb_labels)
    assert dialog.open_button.isEnabled()
    # the standard workflow writes several files: they sit in a folder named after the input
    assert Path(dialog.output_folder()) == Path(window.settings.output_dir) / video_clip.stem


@pytest.mark.slow  # a run on real FFmpeg in the GUI
def test_failing_input_marks_the_node_and_skips_dependants(window, run, corrupt_file: Path, qtbot) -> None:
    window.controller.set_workflow(serial_workflow())

    async def scenario() -> str:
        (task_id,) = window.process_files([str(corrupt_file)])
        await until(lambda: window.adapter.run(task_id).finished)
        return task_id

    task_id = run(scenario())
    assert window.adapter.run(task_id).result == "FAIL"
    states = node_states(window)
    assert states["Transcode"] == "FAIL"
    assert states["Sprite"] == "SKIPPED"
    assert states["End"] == "FAIL"
    item = next(i for i in window.controller.scene.node_items.values() if i.node.label == "Transcode")
    assert "not a readable media file" in item.toolTip()
    assert window.notifier.sent[-1][1] == f"Failed: {corrupt_file.name}"
    dialog = window.show_run(task_id)
    # opening the failed run selects the node it blames (its first failed step) on the canvas
    assert window.adapter.run(task_id).failed_step == item.node.id
    assert [i.node.label for i in window.controller.scene.selectedItems() if hasattr(i, "node")] == ["Transcode"]
    qtbot.waitUntil(lambda: dialog.record is not None)
    from PySide6.QtWidgets import QLabel
    texts = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert "not a readable media file" in texts  # the failed subtask's error
    assert "was skipped" in texts  # and why its dependant did not run
    # retry runs the same snapshot again (and fails again, recorded as a new TaskId)
    window.tasks.select_task(task_id)
    assert window.tasks.retry_button.isEnabled()

    async def retry() -> str:
        new_id = window.tasks.retry_selected()
        assert new_id and new_id != task_id
        await until(lambda: window.adapter.run(new_id) is not None and window.adapter.run(new_id).finished)
        return new_id

    new_id = run(retry())
    assert window.adapter.run(new_id).result == "FAIL"


def test_details_show_error_and_ffmpeg_command_of_a_failed_subtask(window, qtbot) -> None:
    """Fed through the engine's own bus and store, so the dialog reads a real record."""
    from PySide6.QtWidgets import QLabel, QPlainTextEdit
    bus, now = window.adapter.bus, time.time()
    bus.emit(RunCreated("mf-test-0001", "/media/in.mp4", "wf", (StepInfo("a", "HD", "transcode"),), now,
                        out_dir="/nonexistent"))
    bus.emit(RunStarted("mf-test-0001", now))
    bus.emit(SubtaskStarted("mf-test-0001", "a", ("ffmpeg", "-i", "/media/in.mp4", "-c:v", "libx264", "out.mp4"), now))
    bus.emit(SubtaskFinished("mf-test-0001", "a", SubtaskStatus.FAIL, (), "FFmpegFailed",
                             "Task 'HD' failed: Invalid data found when processing input", now))
    bus.emit(RunFinished("mf-test-0001", RunResult.FAIL, "FFmpegFailed", "Task 'HD' failed", now))
    dialog = window.show_run("mf-test-0001")
    qtbot.waitUntil(lambda: dialog.record is not None)
    (command,) = dialog.findChildren(QPlainTextEdit, "ffmpeg_command")
    assert command.toPlainText() == "ffmpeg -i /media/in.mp4 -c:v libx264 out.mp4"
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert any("Invalid data found" in t for t in labels)
    assert not dialog.open_button.isEnabled()  # the folder does not exist


@pytest.mark.slow  # a long run on real FFmpeg, canceled
def test_cancel_a_running_run(window, run, long_clip: Path) -> None:
    async def scenario() -> str:
        (task_id,) = window.process_files([str(long_clip)])
        live = window.adapter.run(task_id)
        await until(lambda: any(s.status == "PROCESSING" for s in live.steps.values()))
        assert window.tasks.cancel_button.isEnabled()
        assert window.tasks.cancel_selected()
        await until(lambda: live.finished)
        return task_id

    task_id = run(scenario())
    assert window.adapter.run(task_id).result == "CANCELED"
    states = node_states(window)
    assert "CANCELED" in states.values()
    assert not {"PROCESSING", "WAITING"} & set(states.values())
    assert not window.tasks.cancel_button.isEnabled()


@pytest.mark.slow  # runs on real FFmpeg, two windows
def test_history_reloads_after_reopening_the_window(context, run, qtbot, video_clip: Path) -> None:
    from mediaflow_gui.ui.context import AppContext
    first = make_window(context, qtbot)

    async def scenario() -> str:
        (task_id,) = first.process_files([str(video_clip)])
        await until(lambda: first.adapter.run(task_id).finished)
        return task_id

    task_id = run(scenario())
    first.close()
    context.close()
    # a new context (a new store connection, as after a restart) and a new window
    again = AppContext.create()
    try:
        second = make_window(again, qtbot)
        qtbot.waitUntil(lambda: second.tasks.model.row_of(task_id) >= 0, timeout=10000)
        row = second.tasks.model.row_of(task_id)
        model = second.tasks.model
        assert model.data(model.index(row, 2)) == "Done"
        # search by TaskId prefix
        second.tasks.search.setText(task_id[:14])
        assert second.tasks.proxy.rowCount() == 1
        second.tasks.search.setText("mf-no-such-id")
        assert second.tasks.proxy.rowCount() == 0
        # a run older than the loaded history is found through the store
        second.tasks.model.beginResetModel()
        second.tasks.model.task_ids.clear()
        second.tasks.model._reindex()
        second.tasks.model.endResetModel()
        second.tasks.search.setText(task_id)
        qtbot.waitUntil(lambda: second.tasks.proxy.rowCount() == 1, timeout=10000)
        second.close()
    finally:
        again.close()


def test_progress_updates_are_throttled(window) -> None:
    """8 runs × 6 steps × 50 progress events become one update per run per tick."""
    bus, now = window.adapter.bus, time.time()
    ids = [f"mf-throttle-{i}" for i in range(8)]
    steps = tuple(StepInfo(f"s{j}", f"Step {j}", "snapshot") for j in range(6))
    for tid in ids:
        bus.emit(RunCreated(tid, f"/in/{tid}.mp4", "wf", steps, now))
        bus.emit(RunStarted(tid, now))
    window.adapter.flush()
    before = window.adapter.updates_sent
    for k in range(50):
        for tid in ids:
            for step in steps:
                bus.emit(SubtaskProgress(tid, step.step_id, k * 2.0))
    window.adapter.flush()
    assert window.adapter.updates_sent - before == len(ids)
    assert window.adapter.run(ids[0]).steps["s0"].progress == 98.0
    for tid in ids:  # finish them so the store has nothing pending
        bus.emit(RunFinished(tid, RunResult.CANCELED, "Canceled", "test"))


def test_a_running_percentage_never_reads_100() -> None:
    from mediaflow_gui.ui.theme import percent_text

    assert percent_text(99.96) == "99%" and percent_text(42.7) == "42%" and percent_text(-1) == "0%"
    assert percent_text(100.0, running=False) == "100%" and percent_text(40.4, running=False) == "40%"


def test_a_folded_watermark_moves_with_its_transcode_in_the_run_percent() -> None:
    from mediaflow_gui.engine.run_state import RunRecord, SubtaskRecord
    from mediaflow_gui.model.statuses import RunStatus

    run = RunRecord("mf-x", "wf", "/in.mp4", RunStatus.PROCESSING, None, "", "", 0.0, None, None)
    run.subtasks = [SubtaskRecord("hd", "HD", "transcode", SubtaskStatus.PROCESSING, progress=60.0),
                    SubtaskRecord("wm", "Logo", "watermark", SubtaskStatus.WAITING, applied_in=("hd",)),
                    SubtaskRecord("sd", "SD", "transcode", SubtaskStatus.SUCCESS, progress=100.0)]
    assert run.progress == (60.0 + 60.0 + 100.0) / 3
    # not folded: waiting counts as nothing done
    run.subtasks[1] = SubtaskRecord("wm", "Logo", "watermark", SubtaskStatus.WAITING)
    assert run.progress == (60.0 + 0.0 + 100.0) / 3


def test_run_created_names_the_transcodes_a_watermark_is_folded_into(tmp_path) -> None:  # noqa: ANN001
    from mediaflow_gui.engine.engine import Engine
    from mediaflow_gui.engine.events import RunCreated
    from mediaflow_gui.engine.store import TaskStore
    from mediaflow_gui.model.serialization import load_workflow
    from mediaflow_gui.paths import sample_workflow_path

    workflow = load_workflow(sample_workflow_path("standard.mfw.json"))
    seen: list[RunCreated] = []
    with TaskStore(tmp_path / "t.sqlite3") as store:
        engine = Engine(store)
        engine.bus.subscribe(lambda e: seen.append(e) if isinstance(e, RunCreated) else None)
        engine._create(workflow, tmp_path / "missing.mp4", tmp_path / "out", None)
    folded = {s.name: s.applied_in for s in seen[0].steps if s.applied_in}
    hd = next(s.step_id for s in seen[0].steps if s.name == "HD 720p")
    assert folded == {"Logo watermark": (hd,)}


def test_the_canvas_shows_a_folded_watermark_running_with_its_transcode() -> None:
    from mediaflow_gui.model.serialization import load_workflow
    from mediaflow_gui.paths import sample_workflow_path
    from mediaflow_gui.engine.run_state import RunRecord, SubtaskRecord
    from mediaflow_gui.model.statuses import RunStatus
    from mediaflow_gui.ui.editor.run_states import canvas_states

    workflow = load_workflow(sample_workflow_path("standard.mfw.json"))
    by_name = {n.name: nid for nid, n in workflow.nodes.items()}
    hd, logo = by_name["HD 720p"], by_name["Logo watermark"]
    run = RunRecord("mf-y", "wf", "/in.mp4", RunStatus.PROCESSING, None, "", "", 0.0, 1.0, None)
    run.subtasks = [SubtaskRecord(hd, "HD 720p", "transcode", SubtaskStatus.PROCESSING, progress=42.0),
                    SubtaskRecord(logo, "Logo watermark", "watermark", SubtaskStatus.WAITING, applied_in=(hd,))]
    states = canvas_states(run, workflow)
    assert states[logo][:2] == ("PROCESSING", 42.0) and states[hd][:2] == ("PROCESSING", 42.0)
    run.steps[hd].status = SubtaskStatus.WAITING
    assert canvas_states(run, workflow)[logo][0] == "WAITING"  # not before its transcode starts
