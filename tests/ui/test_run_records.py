"""The GUI reads run records kept by events (engine/run_state.apply): a run of this window shows its
outputs without the task store being read, history from before the window is read from the store
in a pool thread, and the canvas selects and centres the node a failed run blames."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from mediaflow_gui.engine.events import (EventBus, RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskStarted)
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.workflow import Workflow
from tests import media_factory

from .test_runs import serial_workflow


def chip(label: QLabel | None) -> str | None:
    return None if label is None else label.property("status")


def test_details_of_a_run_of_this_window_show_outputs_without_reading_the_store(
        window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    adapter, bus, tid = window.adapter, window.adapter.bus, "mf-records-0001"
    reads: list[str] = []

    def no_read(task_id: str, *args: object) -> None:
        reads.append(task_id)
        raise AssertionError(f"the task store was read for {task_id}")

    monkeypatch.setattr(adapter.store, "get", no_read)
    monkeypatch.setattr(adapter.store, "get_stored", no_read)
    images = [media_factory.make_png(tmp_path / f"shot_{i}.png", width=160, height=120) for i in range(2)]
    steps = (StepInfo("a", "Shots", "snapshot"), StepInfo("b", "HD", "transcode"))
    bus.emit(RunCreated(tid, str(tmp_path / "in.mp4"), "wf", steps, time.time(), out_dir=str(tmp_path)))
    bus.emit(RunStarted(tid))
    bus.emit(SubtaskStarted(tid, "a", ("ffmpeg", "-i", "in.mp4")))
    outputs = tuple({"path": str(p), "kind": "image", "size": p.stat().st_size, "width": 160, "height": 120}
                    for p in images)
    bus.emit(SubtaskFinished(tid, "a", SubtaskStatus.SUCCESS, outputs))
    dialog = window.show_run(tid)
    assert dialog.record is adapter.run(tid)  # shown at once from the adapter's record
    assert dialog.record.subtask("a").outputs == [dict(o) for o in outputs]  # the outputs came with the event
    qtbot.waitUntil(lambda: dialog.thumbs_loaded == 2, timeout=10000)
    bus.emit(SubtaskFinished(tid, "b", SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'HD' failed: boom"))
    bus.emit(RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "Task 'HD' failed: boom", failed_step="b"))
    qtbot.waitUntil(lambda: chip(dialog.status_chip) == "FAIL" and chip(dialog.cards["b"].chip) == "FAIL",
                    timeout=10000)
    assert "boom" in " ".join(w.text() for w in dialog.cards["b"].findChildren(QLabel))
    dialog.close()
    assert reads == []


def test_details_of_a_run_from_before_the_window_are_read_from_the_store(window, qtbot) -> None:  # noqa: ANN001
    adapter, tid = window.adapter, "mf-records-0002"
    elsewhere = EventBus()  # another process's run: the store records it, this window never sees its events
    adapter.store.attach(elsewhere)
    elsewhere.emit(RunCreated(tid, "/in/old.mp4", "wf", (StepInfo("a", "Shots", "snapshot"),), time.time()))
    elsewhere.emit(SubtaskFinished(tid, "a", SubtaskStatus.SUCCESS, ({"path": "/out/old_1.jpg", "size": 1},)))
    elsewhere.emit(RunFinished(tid, RunResult.SUCCESS))
    assert adapter.run(tid) is None and not adapter.ran_here(tid)
    dialog = window.show_run(tid)
    qtbot.waitUntil(lambda: dialog.record is not None, timeout=10000)
    assert dialog.record.subtask("a").outputs == [{"path": "/out/old_1.jpg", "size": 1}]
    assert chip(dialog.status_chip) == "SUCCESS"
    dialog.close()


def spread_workflow() -> Workflow:
    """start → transcode → sprite → end, far apart: centring on one node moves the view."""
    return serial_workflow("spread", ((0, 0), (3000, 0), (6000, 1500), (9000, 0)))


def selected_names(window) -> list[str]:  # noqa: ANN001
    return [item.node.label for item in window.controller.scene.selectedItems() if hasattr(item, "node")]


def view_centre_distance(window, node_id: str) -> float:  # noqa: ANN001
    view = window.view
    centre = view.mapToScene(view.viewport().rect().center())
    target = window.controller.scene.node_items[node_id].sceneBoundingRect().center()
    return ((centre.x() - target.x()) ** 2 + (centre.y() - target.y()) ** 2) ** 0.5


def test_a_failed_run_selected_or_opened_selects_and_centres_its_failed_node(window, qtbot) -> None:  # noqa: ANN001
    window.controller.set_workflow(spread_workflow())
    nodes = {n.name: nid for nid, n in window.controller.workflow.nodes.items()}
    transcode, sprite = nodes["Transcode"], nodes["Sprite"]
    steps = (StepInfo(transcode, "Transcode", "transcode"), StepInfo(sprite, "Sprite", "image_sprite"))
    bus, failed, fine = window.adapter.bus, "mf-records-fail", "mf-records-fine"
    bus.emit(RunCreated(failed, "/in/a.mp4", "spread", steps, time.time()))
    bus.emit(SubtaskFinished(failed, transcode, SubtaskStatus.SUCCESS, ()))
    bus.emit(SubtaskFinished(failed, sprite, SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'Sprite' failed"))
    bus.emit(RunFinished(failed, RunResult.FAIL, "FFmpegFailed", "Task 'Sprite' failed", failed_step=sprite))
    bus.emit(RunCreated(fine, "/in/b.mp4", "spread", steps, time.time()))  # the newest run is selected
    bus.emit(RunFinished(fine, RunResult.SUCCESS))
    assert window.tasks.selected_task_id() == fine and selected_names(window) == []
    window.view.centerOn(0, 0)
    assert view_centre_distance(window, sprite) > 5000

    window.tasks.select_task(failed)  # selecting the failed run in the task list
    assert window.canvas_task_id == failed
    assert selected_names(window) == ["Sprite"]
    assert view_centre_distance(window, sprite) < 10  # scene units; it was 6000 away

    window.controller.select([])
    window.view.centerOn(0, 0)
    window.tasks.select_task(fine)  # a run that did not fail leaves the selection alone
    assert selected_names(window) == []
    dialog = window.show_run(failed)  # opening it does the same
    assert selected_names(window) == ["Sprite"] and view_centre_distance(window, sprite) < 10
    dialog.close()
