"""Inspector with no node selected: the workflow's name and description, edited as undoable steps."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from .test_editor import build_reference


def _workflow_panel(controller, qtbot):  # noqa: ANN001, ANN202
    from mediaflow_gui.ui.inspector.panel import InspectorPanel
    panel = InspectorPanel(controller)
    qtbot.addWidget(panel)
    panel.show()
    controller.select([])
    assert panel.node_id == ""
    assert panel.workflow_name_edit.isVisible() and panel.workflow_description_edit.isVisible()
    return panel


def _retype(qtbot, line, text: str) -> None:  # noqa: ANN001
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, text)


def test_name_and_description_are_edited_through_the_widgets_and_undone(controller, qtbot) -> None:
    build_reference(controller)
    panel = _workflow_panel(controller, qtbot)
    wf = controller.workflow
    old_name, old_description = wf.name, wf.description
    assert panel.workflow_name_edit.text() == old_name
    count = controller.undo_stack.count()

    _retype(qtbot, panel.workflow_name_edit, "Daily proxies")
    assert wf.name == "Daily proxies"
    assert panel.title.text() == "Daily proxies"
    # one keystroke after another merged into one undo step
    assert controller.undo_stack.count() == count + 1
    assert controller.undo_stack.undoText() == "Rename workflow"

    qtbot.keyClicks(panel.workflow_description_edit, "Proxies for editing.")
    qtbot.keyClick(panel.workflow_description_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.workflow_description_edit, "Second line")
    assert wf.description == old_description + "Proxies for editing.\nSecond line"
    assert controller.undo_stack.count() == count + 2
    assert controller.undo_stack.undoText() == "Change workflow description"

    controller.undo_stack.undo()
    assert wf.description == old_description
    assert panel.workflow_description_edit.toPlainText() == old_description  # the widget follows undo
    controller.undo_stack.undo()
    assert wf.name == old_name and panel.workflow_name_edit.text() == old_name
    assert panel.title.text() == (old_name or "Workflow")
    controller.undo_stack.redo()
    controller.undo_stack.redo()
    assert wf.name == "Daily proxies"
    assert wf.description.endswith("Proxies for editing.\nSecond line")
    assert panel.workflow_name_edit.text() == "Daily proxies"
    assert panel.workflow_description_edit.toPlainText() == wf.description


def test_an_empty_name_is_refused_inline(controller, qtbot) -> None:
    panel = _workflow_panel(controller, qtbot)
    wf = controller.workflow
    old = wf.name
    count = controller.undo_stack.count()
    line = panel.workflow_name_edit
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    assert line.text() == ""
    assert line.property("invalid") is True
    assert "needs a name" in line.toolTip()
    assert "The workflow needs a name" in panel.error_label.text()
    assert wf.name == old and controller.undo_stack.count() == count
    qtbot.keyClicks(line, "   ")  # blanks are no name either
    assert line.property("invalid") is True and wf.name == old
    # typing a real name clears the mark and writes it
    _retype(qtbot, line, "Renamed")
    assert line.property("invalid") is False and not panel.error_label.text()
    assert wf.name == "Renamed"


def test_window_follows_and_a_save_load_round_trip_keeps_them(window, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from mediaflow_gui.model import load_workflow
    docs = window.documents
    target = tmp_path / "saved.mfw.json"
    docs.ask_save_path = lambda: str(target)
    assert docs.save_as()
    assert not docs.modified and "•" not in window.windowTitle()
    window.controller.select([])
    panel = window.inspector
    assert panel.node_id == ""

    _retype(qtbot, panel.workflow_name_edit, "Archive masters")
    assert window.controller.workflow.name == "Archive masters"
    assert docs.modified and "•" in window.windowTitle()
    panel.workflow_description_edit.setFocus()
    panel.workflow_description_edit.selectAll()
    qtbot.keyClicks(panel.workflow_description_edit, "Notes")
    # QTest cannot type beyond ASCII; a paste goes through the same textChanged path
    panel.workflow_description_edit.insertPlainText(" — Ünïcode")
    assert window.controller.workflow.description == "Notes — Ünïcode"
    assert window.controller.undo_stack.undoText() == "Change workflow description"

    # undo everything: the document is clean again; redo: dirty again
    window.controller.undo_stack.undo()
    window.controller.undo_stack.undo()
    assert not docs.modified and "•" not in window.windowTitle()
    window.controller.undo_stack.redo()
    window.controller.undo_stack.redo()
    assert docs.modified

    assert docs.save()
    assert not docs.modified
    back = load_workflow(target)
    assert (back.name, back.description) == ("Archive masters", "Notes — Ünïcode")
    # and reopened in the window, the inspector shows them again
    assert docs.new()
    assert docs.open(str(target))
    window.controller.select([])
    assert panel.workflow_name_edit.text() == "Archive masters"
    assert panel.workflow_description_edit.toPlainText() == "Notes — Ünïcode"
    assert not docs.modified  # showing them is not an edit


def test_title_of_an_unsaved_workflow_follows_the_name_as_typed(window, qtbot) -> None:  # noqa: ANN001
    assert window.documents.new()
    window.controller.select([])
    _retype(qtbot, window.inspector.workflow_name_edit, "Fresh name")
    assert window.windowTitle().startswith("Fresh name (unsaved) •")
    window.controller.undo_stack.undo()
    assert window.windowTitle().startswith("Untitled workflow (unsaved) — ")
