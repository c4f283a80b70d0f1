"""Files: open/save/save as/recent, the unsaved-changes prompt, the title with a modified marker."""

from __future__ import annotations

import json
from pathlib import Path

from mediaflow_gui.ui.documents import CANCEL, DISCARD, SAVE

from .conftest import REFERENCE


def test_starts_with_the_standard_workflow_drawn(window) -> None:
    assert window.controller.workflow.name == "Standard workflow"
    assert len(window.controller.scene.node_items) == 11
    assert window.controller.problems == []
    assert "(unsaved)" in window.windowTitle() and "•" not in window.windowTitle()


def test_save_as_open_recent_and_title(window, qtbot, tmp_path: Path) -> None:
    docs, ctrl = window.documents, window.controller
    ctrl.add_node("task:snapshot", (0, 500))
    assert "•" in window.windowTitle()
    target = tmp_path / "mine.mfw.json"
    docs.ask_save_path = lambda: str(tmp_path / "mine")  # the suffix is added
    assert docs.save_as()
    assert window.windowTitle().startswith("mine.mfw.json — ")
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert len(saved["nodes"]) == 12
    # the relative watermark image still points at the bundled logo from the new folder
    logo = next(n for n in saved["nodes"] if n["name"] == "Logo watermark")["params"]["image_path"]
    assert (tmp_path / logo).resolve() == (REFERENCE.parent / "../watermarks/logo.png").resolve()
    assert str(target.resolve()) == window.settings.recent_files[0]
    assert window.recent_menu.actions()[0].text() == "mine.mfw.json"
    # edit, then open the saved file again through the recent menu, discarding the edit
    ctrl.add_node("task:watermark", (0, 600))
    docs.ask_unsaved = lambda: DISCARD
    window.recent_menu.actions()[0].trigger()
    assert len(ctrl.workflow.nodes) == 12 and not docs.modified
    assert ctrl.undo_stack.count() == 0


def test_unsaved_changes_prompt(window, tmp_path: Path) -> None:
    docs, ctrl = window.documents, window.controller
    ctrl.add_node("task:snapshot", (0, 500))
    asked = []
    docs.ask_unsaved = lambda: asked.append(1) or CANCEL
    assert not docs.new()
    assert asked and len(ctrl.workflow.nodes) == 12  # still the edited workflow
    # "save" runs Save As for an untitled workflow, then goes on
    docs.ask_unsaved = lambda: SAVE
    docs.ask_save_path = lambda: str(tmp_path / "kept.mfw.json")
    assert docs.new()
    assert (tmp_path / "kept.mfw.json").exists()
    assert [n.kind.value for n in ctrl.workflow.nodes.values()] == ["start", "end"]
    # named within the new workflow, not the one it replaced (which had a "Start" and an "End")
    assert [n.name for n in ctrl.workflow.nodes.values()] == ["Start", "End"]
    assert not docs.modified
    # closing the window asks too; cancel keeps it open
    ctrl.add_node("split", (200, 0))
    docs.ask_unsaved = lambda: CANCEL
    assert not window.close()
    assert window.isVisible()
    docs.ask_unsaved = lambda: DISCARD


def test_open_reports_a_broken_file(window, tmp_path: Path) -> None:
    bad = tmp_path / "bad.mfw.json"
    bad.write_text("{not json", encoding="utf-8")
    errors = []
    window.documents.show_error = lambda title, text: errors.append(text)
    assert not window.documents.open(str(bad))
    assert errors and "not valid JSON" in errors[0]
    assert window.controller.workflow.name == "Standard workflow"


def test_the_last_workflow_reopens_at_start_and_dialogs_start_where_work_was(context, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from .conftest import make_window
    first = make_window(context, qtbot)
    folder = tmp_path / "projects"
    folder.mkdir()
    first.documents.ask_save_path = lambda: str(folder / "ads")
    first.controller.add_node("task:snapshot", (0, 500))
    assert first.documents.save_as()
    first.close()

    second = make_window(context, qtbot)  # the next start: the workflow it was working on, saved
    assert second.documents.path == str((folder / "ads.mfw.json").resolve())
    assert len(second.controller.workflow.nodes) == 12 and not second.documents.modified
    assert second.documents.workflow_folder() == str(folder.resolve())
    second.close()

    (folder / "ads.mfw.json").unlink()  # gone: the sample again, without an error dialog
    errors: list[str] = []
    third = make_window(context, qtbot)
    third.documents.show_error = lambda title, text: errors.append(text)
    assert third.controller.workflow.name == "Standard workflow" and third.documents.path is None
    assert errors == []
    third.close()


def test_input_dialogs_start_in_the_last_folder_used(window, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QFileDialog
    starts: list[str] = []
    clip = tmp_path / "in" / "a.mp4"
    clip.parent.mkdir()
    clip.write_bytes(b"x")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda parent, caption, start, filter: (starts.append(start), ([str(clip)], ""))[1]))
    assert window.ask_input_files() == [str(clip)]
    assert window.ask_input_files() == [str(clip)]
    assert starts[1] == str(clip.parent) and window.input_start_folder() == str(clip.parent)
