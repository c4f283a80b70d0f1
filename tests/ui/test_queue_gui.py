"""The queue in the task list (a fake FFmpeg behind the engine's runner seam, one thread): waiting
runs read "Queued (n ahead)", can be moved from the list's menu, paused, canceled several at once,
and cleared from the list once finished; a canceled run's bar shows where it stopped."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.engine.fake_ffmpeg import FakeFFmpeg

from .conftest import until
from .test_runs import serial_workflow


@dataclass
class HeldFFmpeg(FakeFFmpeg):
    """A FakeFFmpeg whose jobs wait for `go` before their delay: the first run stays running until the
    test has paused the queue, however long a loaded machine takes to get there (with the delay alone,
    a run that ended before the pause let the next one start)."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    held: int = 0  # jobs waiting for `go`

    async def __call__(self, job, on_progress, min_interval=0.2, keep_lines=30):  # type: ignore[no-untyped-def]
        self.held += 1
        try:
            await self.go.wait()
        finally:
            self.held -= 1
        return await super().__call__(job, on_progress, min_interval, keep_lines)


def status_of(window, task_id: str) -> str:  # noqa: ANN001
    from mediaflow_gui.ui.runs.task_model import COL_STATUS
    model = window.tasks.model
    return model.data(model.index(model.row_of(task_id), COL_STATUS))


def select(window, task_ids: list[str]) -> None:  # noqa: ANN001
    from PySide6.QtCore import QItemSelectionModel
    table, proxy, model = window.tasks.table, window.tasks.proxy, window.tasks.model
    table.clearSelection()
    for task_id in task_ids:
        index = proxy.mapFromSource(model.index(model.row_of(task_id), 0))
        table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.Select
                                      | QItemSelectionModel.SelectionFlag.Rows)


def test_queued_runs_can_be_moved_paused_canceled_and_cleared(window, run, tmp_path: Path, video_clip: Path) -> None:  # noqa: ANN001
    engine = window.adapter.engine
    fake = HeldFFmpeg(delay=1.0)
    engine._runner = fake  # the runner seam: scheduling without FFmpeg
    engine.settings.max_threads = 1  # one run at a time: the others queue
    window.controller.set_workflow(serial_workflow())
    clips = []
    for name in ("a.mp4", "b.mp4", "c.mp4", "d.mp4"):
        clips.append(tmp_path / name)
        shutil.copy(video_clip, clips[-1])
    panel = window.tasks
    ids: list[str] = []

    async def scenario() -> None:
        ids.extend(window.process_files([str(c) for c in clips]))  # submit needs the running loop
        await until(lambda: fake.held == 1 and len(engine.queued()) == 3)  # the first run's first job
        [running] = [t for t in ids if t not in engine.queued()]
        a, b, c = engine.queued()
        await until(lambda: status_of(window, c) == "Queued (2 ahead)")
        assert status_of(window, a) == "Queued (next)" and status_of(window, running) == "Running"
        # the list's menu: move c to the top
        select(window, [c])
        panel._context_menu(panel.table.visualRect(panel.proxy.mapFromSource(
            panel.model.index(panel.model.row_of(c), 0))).center())
        actions = {act.text(): act for act in panel.context_menu.actions()}
        assert actions["Move to top"].isEnabled() and "Copy TaskId" in actions
        panel.context_menu.close()
        actions["Move to top"].trigger()
        assert engine.queued() == [c, a, b] and status_of(window, c) == "Queued (next)"
        # pause: nothing new starts; the queued rows say so
        panel.pause_button.click()
        assert panel.pause_button.text() == "Resume queue" and status_of(window, a) == "Queued (paused)"
        fake.go.set()  # the running run goes on to its end
        await until(lambda: window.adapter.run(running).finished, 30)
        assert fake.running == 0 and len(engine.queued()) == 3  # the queue held
        # cancel two waiting runs at once
        select(window, [a, b])
        assert panel.cancel_button.isEnabled() and panel.cancel_selected()
        await until(lambda: window.adapter.run(a).finished and window.adapter.run(b).finished, 30)
        panel.pause_button.click()  # resume: c runs
        await until(lambda: window.adapter.run(c).finished, 30)
        assert [window.adapter.run(t).result for t in (running, c)] == ["SUCCESS", "SUCCESS"]
        assert [window.adapter.run(t).result for t in (a, b)] == ["CANCELED", "CANCELED"]
        assert window.adapter.run(a).progress == 0.0  # canceled before it started: not 100 %

    run(scenario(), 120)
    assert panel.clear_finished() == 4 and panel.model.rowCount() == 0
    assert window.adapter.engine.store.get(ids[0]) is not None  # still in the task history
