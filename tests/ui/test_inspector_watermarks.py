"""Inspector: the watermarks inside a transcode, listed, added, edited and removed as undoable steps,
with the watermark node's own field widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from mediaflow_gui.model.params import WatermarkParams

from .test_editor import build_reference
from .test_inspector import _inspect


def _choose(field, value: str) -> None:  # noqa: ANN001
    """Pick an entry of a ChoiceField's combo box the way a user's click does."""
    index = field.combo.findData(value)
    assert index >= 0, value
    field.combo.setCurrentIndex(index)


def _retype(qtbot, line, text: str) -> None:  # noqa: ANN001
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, text)


def test_add_edit_remove_a_text_watermark_and_undo_each(controller, qtbot, tmp_path: Path) -> None:
    from mediaflow_gui.model import load_workflow, save_workflow
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "SD 540p")
    editor = panel.watermarks
    assert editor is not None and editor.list.count() == 0 and editor.group_box.isHidden()
    stack = controller.undo_stack
    start = stack.count()

    qtbot.mouseClick(editor.add_text_button, Qt.MouseButton.LeftButton)
    assert node.params.watermarks == [WatermarkParams(type="text", text="Watermark")]
    assert stack.undoText() == "Add text watermark in SD 540p"
    assert editor.list.count() == 1 and editor.current_row() == 0 and not editor.group_box.isHidden()
    assert "Watermark" in editor.list.item(0).text()
    assert not editor.fields["image_path"].isEnabled() and editor.fields["text"].isEnabled()
    assert editor.fields["image_path"].isHidden() and not editor.fields["text"].isHidden()  # a text watermark's rows

    _choose(editor.fields["origin"], "BottomLeft")
    assert node.params.watermarks[0].origin == "BottomLeft"
    _retype(qtbot, editor.fields["width"].line, "25%")
    assert node.params.watermarks[0].width == "25%"
    assert "BottomLeft · 25%" in editor.list.item(0).text()  # the list follows the edits
    assert stack.count() == start + 3  # add, origin, width (typing merged into one step)
    assert stack.undoText() == "Change watermarks[0].width of SD 540p"
    assert not panel.error_label.text()

    # the watermarks are ordinary parameters: a save + load keeps them
    path = tmp_path / "marks.mfw.json"
    save_workflow(controller.workflow, path)
    assert load_workflow(path).nodes[node.id].params.watermarks == node.params.watermarks

    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert node.params.watermarks == []
    assert editor.list.count() == 0 and editor.group_box.isHidden()
    assert stack.count() == start + 4

    stack.undo()  # the removal
    assert [(w.origin, w.width) for w in node.params.watermarks] == [("BottomLeft", "25%")]
    assert panel.watermarks.list.count() == 1
    assert panel.watermarks.fields["width"].value() == "25%"
    stack.undo()  # the width
    assert node.params.watermarks[0].width == "10%"
    assert panel.watermarks.fields["width"].value() == "10%"
    stack.undo()  # the origin
    assert node.params.watermarks[0].origin == "TopRight"
    assert panel.watermarks.fields["origin"].value() == "TopRight"
    stack.undo()  # the add
    assert node.params.watermarks == []
    assert panel.watermarks.list.count() == 0
    for _ in range(4):
        stack.redo()
    assert node.params.watermarks == []
    stack.undo()
    assert [(w.type, w.text, w.origin, w.width) for w in node.params.watermarks] == \
        [("text", "Watermark", "BottomLeft", "25%")]


def test_invalid_width_is_shown_and_not_written(controller, qtbot) -> None:
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "HD 720p")
    editor = panel.watermarks
    assert editor.add_watermark("text")
    before = [WatermarkParams(**vars(w)) for w in node.params.watermarks]
    count = controller.undo_stack.count()

    line = editor.fields["width"].line
    _retype(qtbot, line, "wide")
    assert line.property("invalid") is True
    assert "not a length" in line.toolTip()
    assert "Watermark 1: Width: not a length: 'wide'" in panel.error_label.text()
    assert node.params.watermarks == before and controller.undo_stack.count() == count
    # a percentage beyond 100 is refused the same way (the params' own problems())
    assert not editor.edit_field("width", "150%")
    assert "Width must be within 100% (such as 3%), not '150%'" in panel.error_label.text()
    assert node.params.watermarks == before and controller.undo_stack.count() == count
    # a valid value clears the mark and is written
    _retype(qtbot, line, "80px")
    assert line.property("invalid") is False and not panel.error_label.text()
    assert node.params.watermarks[0].width == "80px"
    assert controller.undo_stack.count() == count + 1


def test_image_watermark_uses_the_watermark_nodes_widgets_and_file_picker(controller, qtbot, monkeypatch,
                                                                         watermark_png: Path) -> None:
    from mediaflow_gui.ui import file_field as fields  # the file dialog behind every Browse…
    from mediaflow_gui.ui.inspector.specs import SPECS
    build_reference(controller)
    node_panel, _ = _inspect(controller, qtbot, "Logo watermark")
    node_form = {name: (type(w), w.spec) for name, w in node_panel.fields.items()}
    panel, node = _inspect(controller, qtbot, "SD 540p")
    editor = panel.watermarks
    # the same specs and widget classes as the watermark node's form (less its output name)
    assert [spec.name for spec in SPECS["watermark"] if spec.name != "output_name"] == list(editor.fields)
    assert {name: (type(w), w.spec) for name, w in editor.fields.items()} == \
        {name: node_form[name] for name in editor.fields}

    # "Add image…" asks for the file first; cancelling adds nothing
    count = controller.undo_stack.count()
    monkeypatch.setattr(fields.QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    qtbot.mouseClick(editor.add_image_button, Qt.MouseButton.LeftButton)
    assert node.params.watermarks == [] and controller.undo_stack.count() == count
    monkeypatch.setattr(fields.QFileDialog, "getOpenFileName", lambda *a, **k: (str(watermark_png), ""))
    qtbot.mouseClick(editor.add_image_button, Qt.MouseButton.LeftButton)
    assert [(w.type, w.image_path) for w in node.params.watermarks] == [("image", str(watermark_png))]
    assert editor.fields["image_path"].isEnabled() and not editor.fields["text"].isEnabled()
    assert not editor.fields["image_path"].isHidden() and editor.fields["text"].isHidden()
    assert "logo.png" in editor.list.item(0).text()

    # the form's Browse… button is the FileField's own picker
    other = watermark_png.with_name("other.png")
    monkeypatch.setattr(fields.QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    qtbot.mouseClick(editor.fields["image_path"].browse, Qt.MouseButton.LeftButton)
    assert node.params.watermarks[0].image_path == str(other)
    controller.undo_stack.undo()
    assert node.params.watermarks[0].image_path == str(watermark_png)
    assert editor.fields["image_path"].value() == str(watermark_png)


def test_second_watermark_selection_and_type_switch(controller, qtbot) -> None:
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "SD 540p")
    editor = panel.watermarks
    assert editor.add_watermark("text") and editor.add_watermark("text")
    assert editor.current_row() == 1  # the new one is selected
    _retype(qtbot, editor.fields["text"].line, "Second")
    assert [w.text for w in node.params.watermarks] == ["Watermark", "Second"]
    editor.list.setCurrentRow(0)
    assert editor.fields["text"].value() == "Watermark" and editor.group_box.title() == "Watermark 1"
    # switching to an image without an image is written (as the node's editor does) and shown
    _choose(editor.fields["type"], "image")
    assert node.params.watermarks[0].type == "image"
    assert editor.fields["image_path"].line.property("invalid") is True
    assert "Watermark 1: Image is empty: choose a PNG image" in panel.error_label.text()
    qtbot.waitUntil(lambda: controller.scene.node_items[node.id].state.has_problems)
    controller.undo_stack.undo()
    assert node.params.watermarks[0].type == "text" and not panel.error_label.text()
    assert editor.current_row() == 0  # undo keeps the selected watermark
    # removing the selected one keeps the other
    assert editor.remove_selected()
    assert [w.text for w in node.params.watermarks] == ["Second"]
    assert editor.fields["text"].value() == "Second"
