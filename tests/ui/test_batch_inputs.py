"""Handing files to the window: a dropped folder becomes one run per media file inside it (in order),
non-media files are skipped with one summary line instead of one failed run each, and Process files /
Process folder refuse an invalid workflow before any file dialog opens."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from .test_runs import drop_files


class SubmitRecorder:
    """Stands in for EngineAdapter.submit: what would have started (the engine is tested elsewhere)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, workflow: Any, inputs: list[str], out_dir: Path | None = None, **_: Any) -> list[str]:
        self.calls.append(list(inputs))
        return [f"mf-test-{len(self.calls)}-{i}" for i in range(len(inputs))]


def test_a_dropped_folder_runs_its_media_files_in_order_and_sums_up_the_rest(window, tmp_path: Path,
                                                                                video_clip: Path) -> None:  # noqa: ANN001
    folder = tmp_path / "batch"
    (folder / "day 2").mkdir(parents=True)
    for name in ("take 10.mp4", "take 9.mp4", "day 2/take 1.mov"):
        shutil.copy(video_clip, folder / name)
    (folder / "notes.txt").write_text("call sheet")
    (folder / "day 2" / "log.csv").write_text("a,b")
    submit = window.adapter.submit = SubmitRecorder()

    drop_files(window, [folder])
    assert [[str(Path(p).relative_to(folder)) for p in call] for call in submit.calls] == [
        ["day 2/take 1.mov", "take 9.mp4", "take 10.mp4"]]  # by name, as a file manager lists them
    message = window.statusBar().currentMessage()
    assert message.startswith("Started 3 run(s); skipped 2 files that are not media (")
    assert "notes.txt" in message and "log.csv" in message
    assert window.bottom_tabs.currentWidget() is window.tasks
    for task_id in ("mf-test-1-0", "mf-test-1-1", "mf-test-1-2"):  # the three runs end: one notice for all
        window.notifier.on_run_finished(task_id, "SUCCESS", "")
    assert [title for _, title, _ in window.notifier.sent] == ["3 files: 3 done"]


def test_a_dropped_text_file_starts_no_run(window, tmp_path: Path) -> None:  # noqa: ANN001
    notes = tmp_path / "notes.txt"
    notes.write_text("not media")
    submit = window.adapter.submit = SubmitRecorder()
    assert window.process_files([str(notes)]) == []
    assert submit.calls == []
    assert window.statusBar().currentMessage() == (
        "⚠ Nothing to run: skipped 1 file that is not media (notes.txt).")


def test_process_files_and_folder_refuse_an_invalid_workflow_before_the_dialog(window, tmp_path: Path,
                                                                               video_clip: Path) -> None:  # noqa: ANN001
    asked: list[str] = []
    window.ask_input_files = lambda: asked.append("files") or [str(video_clip)]
    window.ask_input_folder = lambda: asked.append("folder") or str(tmp_path)
    submit = window.adapter.submit = SubmitRecorder()
    window.controller.add_node("task:snapshot", (0, 600))  # leads nowhere: a problem
    assert window.ask_process_files() == [] and window.ask_process_folder() == []
    assert asked == []  # no dialog opened
    assert window.bottom_tabs.currentWidget() is window.problems
    assert "problem(s); fix them before running" in window.statusBar().currentMessage()
    # once it can run, the dialog opens and its choice runs
    window.controller.undo_stack.undo()
    assert window.ask_process_files() == ["mf-test-1-0"] and asked == ["files"]
    assert submit.calls == [[str(video_clip)]]


def test_a_batch_reads_top_to_bottom_in_the_order_it_was_given(window) -> None:  # noqa: ANN001
    model = window.tasks.model
    for task_id in ("mf-b-1", "mf-b-2", "mf-b-3"):
        model.add_run(task_id)
    assert model.task_ids[-3:] == ["mf-b-1", "mf-b-2", "mf-b-3"]  # new runs come in at the bottom
    assert [model.row_of(t) for t in ("mf-b-1", "mf-b-2", "mf-b-3")] == [len(model.task_ids) - 3 + i
                                                                        for i in range(3)]
