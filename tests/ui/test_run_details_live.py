"""The run details dialog follows a run in progress without being reopened: header and subtask
chips, percentages, a finished subtask's thumbnails, a failed subtask's error; closing it mid-run
disconnects it. Real FFmpeg through the EngineAdapter on small generated clips; the engine's
fetch/deliver hooks hold a run before it starts and before it ends, so "in progress" is a fact
of the test, not a matter of timing."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QLabel

from mediaflow_gui.engine.events import (RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskProgress, SubtaskStarted)
from mediaflow_gui.model.params import transcode_preset
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.ui.runs.run_details import RunDetailsDialog
from tests import media_factory
from tests.engine.helpers import fast_transcode, parallel_workflow, small_snapshots

from .conftest import until

pytestmark = pytest.mark.slow  # whole runs on real FFmpeg, followed in the GUI


class Gate:
    """Engine hooks that hold a run: before it starts (fetch_input) and before it ends (deliver)."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.start = asyncio.Event()
        self.end = asyncio.Event()
        self.delivered = False

    async def fetch_input(self, work_dir: Path) -> Path:
        await self.start.wait()
        return self.source

    async def deliver(self, record) -> None:  # noqa: ANN001 - RunRecord
        await self.end.wait()
        self.delivered = True


def chip(label: QLabel | None) -> str | None:
    return None if label is None else label.property("status")


def card_named(dialog: RunDetailsDialog, name: str):  # noqa: ANN201
    return dialog.cards[dialog.record.subtask_named(name).step_id]


def card_texts(card) -> str:  # noqa: ANN001
    return " ".join(w.text() for w in card.findChildren(QLabel))


def pixmap_paths(card, dialog: RunDetailsDialog) -> list[str]:  # noqa: ANN001
    """Output paths whose thumbnail label in this card holds a decoded image."""
    return [p for p in card.thumb_paths if p in dialog.thumb_labels and card.isAncestorOf(dialog.thumb_labels[p])
            and not dialog.thumb_labels[p].pixmap().isNull()]


def test_dialog_follows_a_run_to_success_with_thumbnails_before_the_end(window, run, video_clip: Path,
                                                                       tmp_path: Path, qtbot) -> None:
    wf = parallel_workflow(task_node("snapshot", "Shots", small_snapshots()),
                           task_node("transcode", "SD", fast_transcode()), name="live")
    gate = Gate(video_clip)
    out_dir = tmp_path / "out"

    async def scenario() -> tuple[str, RunDetailsDialog]:
        task_id = window.adapter.engine.submit(wf, str(video_clip), out_dir, fetch_input=gate.fetch_input,
                                               deliver=gate.deliver)
        dialog = window.show_run(task_id)
        await until(lambda: dialog.record is not None)
        assert chip(dialog.status_chip) == "WAITING"
        assert {chip(c.chip) for c in dialog.cards.values()} == {"WAITING"}
        gate.start.set()
        await until(lambda: chip(dialog.status_chip) == "PROCESSING", timeout=60)
        # every subtask finishes while the run is held before its end (deliver): the cards must
        # show it now, with the snapshot thumbnails, not when the run is over
        await until(lambda: {chip(c.chip) for c in dialog.cards.values()} == {"SUCCESS"}, timeout=90)
        shots = card_named(dialog, "Shots")
        await until(lambda: len(pixmap_paths(shots, dialog)) == 2, timeout=60)
        live = window.adapter.run(task_id)
        assert not live.finished and not gate.delivered
        assert chip(dialog.status_chip) == "PROCESSING"
        assert all(Path(p).is_file() and Path(p).parent == out_dir for p in pixmap_paths(shots, dialog))
        assert ".mp4" in card_texts(card_named(dialog, "SD"))  # the transcode's output line
        assert not any(c.percent.isVisibleTo(c) for c in dialog.cards.values())
        gate.end.set()
        await until(lambda: chip(dialog.status_chip) == "SUCCESS", timeout=60)
        return task_id, dialog

    task_id, dialog = run(scenario(), timeout=180)
    assert window.details_dialogs.get(task_id) is dialog  # the same dialog, never reopened
    qtbot.waitUntil(lambda: dialog.record.finish_time is not None, timeout=20000)
    assert dialog.elapsed_label.text() != "–"
    assert dialog.open_button.isEnabled()
    assert len(pixmap_paths(card_named(dialog, "Shots"), dialog)) == 2  # kept over the run's end
    dialog.close()


def test_dialog_shows_the_error_of_a_subtask_when_it_fails(window, run, audio_only: Path, tmp_path: Path) -> None:
    """A time-point snapshot of an audio-only input fails; an audio transcode beside it succeeds."""
    wf = parallel_workflow(task_node("snapshot", "Shots", small_snapshots()),
                           task_node("transcode", "Audio", transcode_preset("Audio only (m4a)")), name="audio")
    gate = Gate(audio_only)

    async def scenario() -> tuple[str, RunDetailsDialog]:
        task_id = window.adapter.engine.submit(wf, str(audio_only), tmp_path / "out", fetch_input=gate.fetch_input)
        dialog = window.show_run(task_id)
        await until(lambda: dialog.record is not None)
        assert chip(dialog.status_chip) == "WAITING"
        shots = card_named(dialog, "Shots")
        assert "no video stream" not in card_texts(shots)
        gate.start.set()

        def failed_shown() -> bool:
            card = card_named(dialog, "Shots")  # looked up again: the card is rebuilt when it fails
            return chip(card.chip) == "FAIL" and "no video stream" in card_texts(card)

        await until(failed_shown, timeout=90)
        await until(lambda: chip(dialog.status_chip) == "FAIL", timeout=60)
        return task_id, dialog

    task_id, dialog = run(scenario(), timeout=180)
    assert window.details_dialogs.get(task_id) is dialog
    audio = card_named(dialog, "Audio")
    assert chip(audio.chip) == "SUCCESS" and ".m4a" in card_texts(audio)
    header = " ".join(w.text() for w in dialog.header.findChildren(QLabel))
    assert "no video stream" in header  # the run's own error names the failed subtask's cause
    dialog.close()


def test_closing_the_dialog_mid_run_disconnects_it(window, run, video_clip: Path, tmp_path: Path, qtbot,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    wf = parallel_workflow(task_node("snapshot", "Shots", small_snapshots()),
                           task_node("sample_snapshot", "Samples"), name="close")
    gate = Gate(video_clip)

    async def scenario() -> tuple[str, RunDetailsDialog, RunDetailsDialog, int]:
        task_id = window.adapter.engine.submit(wf, str(video_clip), tmp_path / "out", fetch_input=gate.fetch_input,
                                               deliver=gate.deliver)
        # one closed before its record even arrived (a pool-thread result into a closed dialog)
        early = RunDetailsDialog(window.adapter, task_id, window)
        early.show()
        early.close()
        dialog = window.show_run(task_id)
        await until(lambda: dialog.record is not None)
        gate.start.set()
        await until(lambda: chip(dialog.status_chip) == "PROCESSING", timeout=60)
        dialog.close()
        assert dialog.closed and early.closed
        assert task_id not in window.details_dialogs
        refreshes = dialog.refreshes
        gate.end.set()
        await until(lambda: window.adapter.run(task_id).finished, timeout=90)
        return task_id, dialog, early, refreshes

    task_id, dialog, early, refreshes_at_close = run(scenario(), timeout=180)
    assert window.adapter.run(task_id).result == "SUCCESS"
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) and not shiboken6.isValid(early), timeout=10000)
    # a late update of the run reaches no one (a connected slot of a deleted dialog would crash here)
    window.signals.run_updated.emit(task_id)
    window.adapter.signals.run_updated.emit(task_id)
    assert dialog.refreshes == refreshes_at_close  # nothing reached it after it closed
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    # a new dialog for the finished run still opens and shows it
    again = window.show_run(task_id)
    assert again is not dialog
    qtbot.waitUntil(lambda: again.record is not None and chip(again.status_chip) == "SUCCESS", timeout=20000)
    again.close()


def test_live_chips_percent_error_and_coalesced_refreshes(window, qtbot, tmp_path: Path) -> None:
    """Fed through the engine's own bus (so the store and the adapter see real events) to pin
    each step of the sequence: percent while running, thumbnails and errors before RunFinished,
    and many updates coalesced into one refresh."""
    bus, adapter, tid = window.adapter.bus, window.adapter, "mf-live-0001"
    images = [media_factory.make_png(tmp_path / f"shot_{i}.png", width=160, height=120) for i in range(2)]
    steps = (StepInfo("a", "Shots", "snapshot"), StepInfo("b", "HD", "transcode"))
    bus.emit(RunCreated(tid, str(tmp_path / "in.mp4"), "wf", steps, time.time(), out_dir=str(tmp_path)))
    dialog = window.show_run(tid)
    qtbot.waitUntil(lambda: dialog.record is not None, timeout=10000)
    assert chip(dialog.status_chip) == "WAITING"
    shots, hd = dialog.cards["a"], dialog.cards["b"]
    assert not shots.percent.isVisibleTo(shots)

    bus.emit(RunStarted(tid))
    bus.emit(SubtaskStarted(tid, "a", ("ffmpeg", "-i", "in.mp4")))
    bus.emit(SubtaskProgress(tid, "a", 42.7))
    adapter.flush()
    qtbot.waitUntil(lambda: chip(dialog.status_chip) == "PROCESSING" and chip(shots.chip) == "PROCESSING",
                    timeout=10000)
    assert shots.percent.isVisibleTo(shots) and shots.percent.text() == "42%"
    bus.emit(SubtaskProgress(tid, "a", 99.8))
    adapter.flush()
    qtbot.waitUntil(lambda: shots.percent.text() == "99%", timeout=10000)  # never "100%" while running

    outputs = tuple({"path": str(p), "kind": "image", "size": p.stat().st_size, "width": 160, "height": 120}
                    for p in images)
    bus.emit(SubtaskFinished(tid, "a", SubtaskStatus.SUCCESS, outputs))
    adapter.flush()
    qtbot.waitUntil(lambda: len(pixmap_paths(dialog.cards["a"], dialog)) == 2, timeout=10000)
    assert chip(dialog.cards["a"].chip) == "SUCCESS" and chip(dialog.status_chip) == "PROCESSING"
    assert dialog.cards["b"] is hd  # an unchanged card is kept, not rebuilt

    bus.emit(SubtaskStarted(tid, "b", ("ffmpeg", "-i", "in.mp4", "-c:v", "libx264", "hd.mp4")))
    adapter.flush()
    qtbot.waitUntil(lambda: chip(hd.chip) == "PROCESSING", timeout=10000)
    # coalescing: 50 updates of this run and 50 of another become one refresh of this dialog
    bus.emit(RunCreated("mf-live-other", "/in/other.mp4", "wf", steps))
    qtbot.waitUntil(lambda: not dialog.refresh_pending, timeout=10000)
    before = dialog.refreshes
    for k in range(50):
        bus.emit(SubtaskProgress(tid, "b", float(k)))
        bus.emit(SubtaskProgress("mf-live-other", "a", float(k)))
        adapter.flush()
    assert dialog.refreshes == before and dialog.refresh_pending
    qtbot.waitUntil(lambda: dialog.refreshes > before, timeout=10000)
    assert dialog.refreshes == before + 1
    assert hd.percent.text() == "49%"

    bus.emit(SubtaskFinished(tid, "b", SubtaskStatus.FAIL, (), "FFmpegFailed",
                             "Task 'HD' failed: Invalid data found when processing input"))
    adapter.flush()
    qtbot.waitUntil(lambda: "Invalid data found" in card_texts(dialog.cards["b"]), timeout=10000)
    assert chip(dialog.cards["b"].chip) == "FAIL" and chip(dialog.status_chip) == "PROCESSING"
    assert len(pixmap_paths(dialog.cards["a"], dialog)) == 2  # the finished card kept its thumbnails

    bus.emit(RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "Task 'HD' failed"))
    qtbot.waitUntil(lambda: chip(dialog.status_chip) == "FAIL" and dialog.record.finish_time is not None,
                    timeout=10000)
    bus.emit(RunFinished("mf-live-other", RunResult.CANCELED, "Canceled", "test"))
    dialog.close()
