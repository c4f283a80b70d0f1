"""Replaying a finished run (ui/runs/replay.py, ui/runs/timeline_chart.py): the run's own workflow
snapshot drawn read-only with each node's status, duration and output count, and the timeline with a
fused FFmpeg process drawn as one. Runs go through the fake FFmpeg at the engine's runner seam
(tests/engine/fake_ffmpeg.py); a history run is written straight into the task store."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from mediaflow_gui.engine.events import (RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskStarted)
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.serialization import load_workflow, workflow_to_dict
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.paths import sample_workflow_path
from tests.engine.fake_ffmpeg import FakeFFmpeg

from .conftest import until
from .test_runs import serial_workflow

BADGE = re.compile(r"^\d+\.\d s · \d+ files?$")


def open_replay_from_menu(window, task_id: str):  # noqa: ANN001, ANN201
    """Select the run, open the task list's menu on it and trigger "Replay on canvas"."""
    panel = window.tasks
    panel.select_task(task_id)
    index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(task_id), 0))
    panel._context_menu(panel.table.visualRect(index).center())
    actions = {action.text(): action for action in panel.context_menu.actions()}
    panel.context_menu.close()
    assert actions["Replay on canvas"].isEnabled()
    actions["Replay on canvas"].trigger()
    return window.replay_dialogs[task_id]


def test_replay_draws_the_runs_own_snapshot_with_badges_and_one_bar_group_per_fused_process(
        window, run, video_clip: Path, qtbot) -> None:  # noqa: ANN001
    engine = window.adapter.engine
    engine._runner = FakeFFmpeg(delay=0.3)  # the runner seam: a fused standard run without FFmpeg
    engine.settings.fusion = True
    standard = load_workflow(sample_workflow_path("standard.mfw.json"))
    window.controller.set_workflow(standard)

    async def scenario() -> str:
        [task_id] = window.process_files([str(video_clip)])
        await until(lambda: window.adapter.run(task_id).finished, 30)
        return task_id

    task_id = run(scenario())
    record = window.adapter.run(task_id)
    assert record.result == RunResult.SUCCESS, record.message
    # the document changes after the run: the replay still draws what the run ran
    window.controller.set_workflow(serial_workflow())
    undo_before = window.controller.undo_stack.count()

    dialog = open_replay_from_menu(window, task_id)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == f"Replay — {video_clip.name}"
    scene = dialog.scene
    assert set(scene.node_items) == set(standard.nodes) and scene is not window.controller.scene
    tasks = {nid: n for nid, n in standard.nodes.items() if n.kind == NodeKind.TASK}
    assert {scene.state_of(nid).run_status for nid in standard.nodes} == {"SUCCESS"}

    # badges: duration and output count of each task, the folded watermark names its transcode
    by_name = {n.name: nid for nid, n in tasks.items()}
    for nid, node in tasks.items():
        badge = scene.badges[nid].badge
        sub = record.subtask(nid)
        if node.task_kind == "watermark":
            assert badge.text == "in HD 720p", badge
            continue
        assert BADGE.match(badge.text), badge.text
        count = len(sub.outputs)
        assert badge.text.endswith(f"· {count} file" + ("" if count == 1 else "s")) and count >= 1
        assert float(badge.text.split(" s")[0]) == round(sub.finish_time - sub.begin_time, 1)
    start = next(nid for nid, n in standard.nodes.items() if n.kind == NodeKind.START)
    end = next(nid for nid, n in standard.nodes.items() if n.kind == NodeKind.END)
    assert scene.badges[start].badge.text == video_clip.name
    assert scene.badges[end].badge.text.startswith("Total ")

    # the timeline: one bar per task; the six that shared one FFmpeg process outlined as one group
    chart = dialog.chart
    bars = chart.timeline.bars
    assert len(bars) == len(tasks) == 7 and not chart.timeline.idle
    [(group, members)] = chart.timeline.groups.items()
    assert set(members) == set(tasks) - {by_name["Logo watermark"]}
    outline = chart.group_rect(group)
    member_rects = [chart.bar_rect(b) for b in bars if b.group == group]
    assert len(member_rects) == 6 and all(outline.contains(r) for r in member_rects)
    assert chart.bar_at(chart.bar_rect(chart.timeline.bar(by_name["Logo watermark"])).center()).folded_into
    hd = chart.timeline.bar(by_name["HD 720p"])
    tip = chart.tooltip_for(hd)
    assert "Start: +" in tip and "Duration: " in tip and "One FFmpeg process with: " in tip and "SD 540p" in tip
    assert chart.bar_at(chart.bar_rect(hd).center()) == hd and chart.bar_at(QPointF(2, 2)) is None
    at = chart.bar_rect(hd).center().toPoint()  # hovering shows the exact times
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, at, chart.mapToGlobal(at)))
    assert QToolTip.text() == tip
    QToolTip.hideText()
    assert "1 FFmpeg process" in chart.group_label(group)

    # read-only: nodes do not move, no connection can start, the document is untouched
    item = next(iter(scene.node_items.values()))
    assert not item.flags() & item.GraphicsItemFlag.ItemIsMovable
    scene.begin_connection(item, "out")
    assert not scene.connecting
    assert window.controller.undo_stack.count() == undo_before and set(window.controller.workflow.nodes) != \
        set(standard.nodes)

    dialog.grab().save("/tmp/replay.png")
    # Esc closes it, even with the canvas focused
    dialog.view.setFocus()
    qtbot.keyClick(dialog.view.viewport(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: task_id not in window.replay_dialogs, timeout=3000)

    # the run's details open the same replay (a button next to Open output folder)
    details = window.show_run(task_id)
    qtbot.waitUntil(lambda: details.replay_button.isEnabled(), timeout=5000)
    details.replay_button.click()
    assert task_id in window.replay_dialogs and window.replay_dialogs[task_id].windowTitle() == dialog.windowTitle()
    window.replay_dialogs[task_id].close()
    details.close()


TID = "mf-20260101-00000099"


def history_run(store, workflow) -> None:  # noqa: ANN001
    """A failed run written to the task store only (as one from an earlier session): Transcode ran
    for 12.5 s and made 1 file, Sprite failed after 3.25 s, nothing was fused."""
    ids = {n.name: nid for nid, n in workflow.nodes.items()}
    transcode, sprite = ids["Transcode"], ids["Sprite"]
    steps = (StepInfo(transcode, "Transcode", "transcode"), StepInfo(sprite, "Sprite", "image_sprite"))
    for event in (
            RunCreated(TID, "/media/old clip.mp4", "serial", steps, time=1000.0, workflow=workflow_to_dict(workflow)),
            RunStarted(TID, time=1000.0),
            SubtaskStarted(TID, transcode, ("ffmpeg", "-i", "old clip.mp4", "a.mp4"), time=1000.5),
            SubtaskFinished(TID, transcode, SubtaskStatus.SUCCESS, ({"path": "/out/old clip_SD.mp4"},), time=1013.0),
            SubtaskStarted(TID, sprite, ("ffmpeg", "-i", "a.mp4", "s.jpg"), time=1013.0),
            SubtaskFinished(TID, sprite, SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'Sprite' failed: boom",
                            time=1016.25),
            RunFinished(TID, RunResult.FAIL, "FFmpegFailed", "Task 'Sprite' failed: boom", time=1016.5,
                        failed_step=sprite)):
        store.handle_event(event)
    store.flush()


def test_a_run_from_the_history_is_read_from_the_store_and_replayed(window, run, qtbot) -> None:  # noqa: ANN001
    workflow = serial_workflow()
    history_run(window.adapter.store, workflow)
    assert not window.adapter.ran_here(TID)
    assert window.show_replay(TID) is None  # read in a pool thread first
    qtbot.waitUntil(lambda: TID in window.replay_dialogs, timeout=10000)
    dialog = window.replay_dialogs[TID]
    ids = {n.name: nid for nid, n in workflow.nodes.items()}
    badges = {name: dialog.scene.badges[nid].badge for name, nid in ids.items() if nid in dialog.scene.badges}
    assert (badges["Transcode"].text, badges["Transcode"].status) == ("12.5 s · 1 file", "SUCCESS")
    assert (badges["Sprite"].text, badges["Sprite"].status) == ("3.2 s · 0 files", "FAIL")
    assert "boom" in badges["Sprite"].tooltip
    assert (badges["End"].text, badges["End"].status) == ("Total 16.5 s", "FAIL")
    assert dialog.scene.state_of(ids["Sprite"]).run_status == "FAIL"
    line = dialog.chart.timeline
    assert [(b.name, b.start, b.end, b.status, b.group) for b in line.bars] == [
        ("Transcode", 0.5, 13.0, "SUCCESS", ""), ("Sprite", 13.0, 16.25, "FAIL", "")]
    assert not line.groups and "boom" in dialog.header.text()
    dialog.grab().save("/tmp/replay_failed.png")
    dialog.close_button.click()
    qtbot.waitUntil(lambda: TID not in window.replay_dialogs, timeout=3000)


def test_a_skipped_step_is_a_row_and_a_run_without_snapshot_still_shows_its_timeline(qtbot) -> None:  # noqa: ANN001
    from mediaflow_gui.engine.run_state import apply
    from mediaflow_gui.ui.runs.replay import ReplayDialog
    steps = (StepInfo("a", "First", "transcode"), StepInfo("b", "Second", "image_sprite"))
    record = None
    for event in (RunCreated(TID, "/in/x.mp4", "old", steps, time=0.0), RunStarted(TID, time=0.0),
                  SubtaskStarted(TID, "a", ("ffmpeg", "a"), time=0.0),
                  SubtaskFinished(TID, "a", SubtaskStatus.FAIL, (), "FFmpegFailed", "broken", time=2.0),
                  SubtaskFinished(TID, "b", SubtaskStatus.SKIPPED, (), "Skipped", "a predecessor failed", time=2.0),
                  RunFinished(TID, RunResult.FAIL, "FFmpegFailed", "broken", time=2.0)):
        record = apply(record, event)
    dialog = ReplayDialog(record)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.workflow is None and "no workflow snapshot" in dialog.problem
    assert not dialog.fit_button.isEnabled()
    line = dialog.chart.timeline
    assert [b.name for b in line.bars] == ["First"] and [(i.name, i.status) for i in line.idle] == \
        [("Second", "SKIPPED")]
    assert dialog.chart.height() == dialog.chart.sizeHint().height()  # both rows drawn, none cut off
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_time_axis_has_round_ticks_at_a_readable_distance() -> None:
    from mediaflow_gui.ui.runs.timeline_chart import tick_step, tick_text
    # ~830 px of plot: ticks at least 70 px apart, the smallest round step that allows it
    assert [tick_step(span, 830) for span in (0.04, 0.3, 16.5, 31.6, 600, 7300)] == [0.01, 0.05, 2, 5, 60, 900]
    assert [tick_text(s, st) for s, st in ((0, 5), (2.5, 0.5), (0.05, 0.01), (90, 10), (120, 60), (90, 60))] == \
        ["0 s", "2.5 s", "0.05 s", "90 s", "2 min", "1:30"]
