"""Inspector: a widget per parameter, values checked as typed, invalid ones never reach the model."""

from __future__ import annotations

import copy

from .test_editor import build_reference


def _inspect(controller, qtbot, name: str):  # noqa: ANN001, ANN202
    from mediaflow_gui.ui.inspector.panel import InspectorPanel
    panel = InspectorPanel(controller)
    qtbot.addWidget(panel)
    panel.show()
    node = next(n for n in controller.workflow.nodes.values() if n.name == name)
    controller.select([node.id])
    assert panel.node_id == node.id
    return panel, node


def test_widgets_per_parameter(controller, qtbot) -> None:
    from mediaflow_gui.ui.inspector.fields import ChoiceField, FileParamField as FileField, IntField, OffsetListField
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "SD 540p")
    assert isinstance(panel.fields["container"], ChoiceField)
    assert isinstance(panel.fields["crf"], IntField)
    assert panel.fields["audio_bitrate_kbps"].spin.suffix() == " kbps"
    assert panel.preset_combo is not None and panel.preset_combo.currentText() == "SD 540p"
    panel, node = _inspect(controller, qtbot, "Logo watermark")
    assert isinstance(panel.fields["image_path"], FileField)
    assert not panel.fields["text"].isEnabled()  # an image watermark has no text …
    for name in ("text", "font_size", "font_color"):  # … and shows no text or font rows at all
        assert panel.fields[name].isHidden(), name
    assert not panel.fields["image_path"].isHidden()
    assert panel.form.labelForField(panel.fields["text"]).isHidden()  # the row's label goes too
    panel, node = _inspect(controller, qtbot, "Time-point snapshots")
    assert isinstance(panel.fields["offsets"], OffsetListField)
    assert panel.fields["offsets"].value() == ["1s", "25%", "50%", "75%"]


def test_out_of_range_values_are_rejected(controller, qtbot) -> None:
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "Time-point snapshots")
    before = copy.deepcopy(node.params)
    count = controller.undo_stack.count()
    # a cell size must be 0 or 128–4096: 50 is marked and not written
    assert not panel.edit_field("width", 50)
    assert panel.fields["width"].spin.property("invalid") is True
    assert "Width must be 0 (keep proportion) or 128–4096 pixels" in panel.error_label.text()
    assert node.params == before and controller.undo_stack.count() == count
    # a bad time point in the list editor
    assert not panel.edit_field("offsets", ["1s", "150%"])
    assert panel.fields["offsets"].list.property("invalid") is True
    assert node.params.offsets == before.offsets
    # valid values are written (one undoable step) and clear the marks
    assert panel.edit_field("width", 320)
    assert node.params.width == 320 and panel.fields["width"].spin.property("invalid") is False
    assert panel.edit_field("offsets", ["2s", "90%"])
    assert node.params.offsets == ["2s", "90%"]
    assert not panel.error_label.text()
    controller.undo_stack.undo()
    controller.undo_stack.undo()
    assert node.params == before
    assert panel.fields["offsets"].value() == before.offsets  # the widgets follow undo


def test_typing_is_checked_keystroke_by_keystroke(controller, qtbot) -> None:
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "Animated GIF")
    # fps above 30: "45" stays typed and turns red; the model keeps the last valid keystroke's 4
    spin = panel.fields["fps"].spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "45")
    assert spin.value() == 45 and spin.property("invalid") is True and node.params.fps == 4
    # an offset typed as text: invalid while it is not a time, written once it is
    line = panel.fields["end"].line
    line.clear()
    qtbot.keyClicks(line, "abc")
    assert line.property("invalid") is True and node.params.end == "3s"
    line.clear()
    qtbot.keyClicks(line, "2.5s")
    assert line.property("invalid") is False and node.params.end == "2.5s"
    # the edits of one field merged into one undo step
    assert controller.undo_stack.undoText() == "Change end of Animated GIF"


def test_preset_and_rename(controller, qtbot) -> None:
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "SD 540p")
    panel.preset_combo.setCurrentText("FHD 1080p")
    panel.preset_combo.activated.emit(panel.preset_combo.currentIndex())
    assert node.params.short_side == 1080 and node.params.definition == "FHD"
    qtbot.keyClicks(panel.name_edit, " main")
    assert node.name == "SD 540p main"
    controller.undo_stack.undo()
    assert node.name == "SD 540p"
    assert panel.name_edit.text() == "SD 540p"


def test_container_codec_clash_is_written_and_shown_as_a_problem(controller, qtbot) -> None:
    """A choice that makes another field invalid is allowed; validation shows it live."""
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "SD 540p")
    assert panel.edit_field("container", "webm")
    assert panel.fields["video_codec"].combo.property("invalid") is True
    qtbot.waitUntil(lambda: controller.scene.node_items[node.id].state.has_problems)
    assert panel.edit_field("video_codec", "vp9")
    assert panel.edit_field("audio_codec", "opus")
    qtbot.waitUntil(lambda: not controller.scene.node_items[node.id].state.has_problems)


def test_typing_past_the_range_turns_red_with_the_reason_and_is_never_clamped(controller, qtbot) -> None:
    from PySide6.QtCore import Qt
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "SD 540p")
    crf = panel.fields["crf"].spin
    before, count = node.params.crf, controller.undo_stack.count()
    crf.setFocus()
    crf.selectAll()
    qtbot.keyClicks(crf, "99")
    assert crf.text() == "99"  # both keys were taken (a 0–51 QSpinBox kept only the first: 9)
    assert crf.property("invalid") is True and "Quality (CRF) must be 0–51 such as 23, not '99'" in crf.toolTip()
    assert "Quality (CRF) must be 0–51 such as 23, not '99'" in panel.error_label.text()
    # 99 never reached the model: it holds the first keystroke's valid 9, one undo step from before
    assert before != 9 and node.params.crf == 9 and controller.undo_stack.count() == count + 1
    qtbot.keyClick(crf, Qt.Key.Key_Backspace)  # back to 9: the mark goes
    assert node.params.crf == 9 and crf.property("invalid") is False
    # the arrows stay inside the range
    crf.setValue(51)
    crf.stepBy(5)
    assert crf.value() == 51 and node.params.crf == 51
    crf.setValue(0)
    crf.stepBy(-1)
    assert crf.value() == 0


def test_file_numbers_are_edited_in_one_row_and_checked_as_typed(controller, qtbot) -> None:
    from mediaflow_gui.model.params import NumberFormat
    from mediaflow_gui.ui.inspector.fields import NumberFormatField
    build_reference(controller)
    panel, node = _inspect(controller, qtbot, "Time-point snapshots")
    field = panel.fields["number_format"]
    assert isinstance(field, NumberFormatField) and field.value() == NumberFormat()
    assert field.example.text() == "Files: _01, _02 … _10"
    # three digits: written (one undoable step), the example follows
    field.min_length.setFocus()
    field.min_length.selectAll()
    qtbot.keyClicks(field.min_length, "3")
    assert node.params.number_format == NumberFormat(min_length=3) and field.example.text() == "Files: _001, _002 … _010"
    # a padding of two characters: that box turns red with the reason in words, nothing is written
    field.pad.setFocus()
    field.pad.selectAll()
    qtbot.keyClicks(field.pad, "ab")
    assert field.pad.property("invalid") is True and field.min_length.property("invalid") is False
    assert "file numbers must be padded with one character" in field.pad.toolTip()
    assert "file numbers must be padded with one character" in panel.error_label.text()
    assert node.params.number_format.place_holder == "a"  # the first keystroke was valid
    controller.undo_stack.undo()
    controller.undo_stack.undo()
    assert node.params.number_format == NumberFormat() and field.value() == NumberFormat()
