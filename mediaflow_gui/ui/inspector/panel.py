"""The inspector panel: the selected node's name and parameters, validated as the user types.

An edit is turned into a candidate copy of the parameters; if the candidate has problems
about that field, the field is marked (red frame, the reason as tooltip and below the form)
and nothing is written. Otherwise a SetParamsCommand goes on the undo stack (successive
edits of one field merge into one undo step). Undo/redo refresh the widgets from the model.
"""

from __future__ import annotations

import copy
import dataclasses
import typing

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QScrollArea,
                               QVBoxLayout, QWidget)

from ...model.kinds import NodeKind, TASK_KINDS
from ...model.params import TRANSCODE_PRESETS, TranscodeParams, transcode_preset
from ...model.workflow import Node
from .. import icons, theme
from ..editor.controller import EditorController
from ..editor.palette import DESCRIPTIONS
from .fields import FieldWidget, FileField, make_field
from .specs import SPECS, WATERMARK_ONLY, field_problems

CUSTOM = "Custom"


class InspectorPanel(QWidget):
    def __init__(self, controller: EditorController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.node_id = ""
        self.fields: dict[str, FieldWidget] = {}
        self._writing = False
        self.preset_combo: QComboBox | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        self.body = QWidget()
        scroll.setWidget(self.body)
        self.box = QVBoxLayout(self.body)
        self.box.setContentsMargins(12, 10, 12, 12)
        self.box.setSpacing(8)

        header = QHBoxLayout()
        self.icon_label = QLabel()
        self.title = QLabel()
        self.title.setProperty("role", "title")
        header.addWidget(self.icon_label)
        header.addWidget(self.title, 1)
        self.box.addLayout(header)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setProperty("role", "hint")
        self.box.addWidget(self.description)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Node name")
        self.name_edit.textEdited.connect(self._rename)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 6, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.box.addWidget(self.form_host)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setProperty("role", "error")
        self.box.addWidget(self.error_label)
        self.box.addStretch(1)

        controller.current_node_changed.connect(self.show_node)
        controller.workflow_replaced.connect(self._on_workflow_replaced)
        controller.undo_stack.indexChanged.connect(lambda _i: self._on_model_changed())
        self.show_node("")

    # -- showing a node --------------------------------------------------------------------
    def _on_workflow_replaced(self) -> None:
        self.show_node(self.controller.current_node().id if self.controller.current_node() else "")

    def _on_model_changed(self) -> None:
        if self._writing:
            return
        node = self.controller.workflow.nodes.get(self.node_id)
        if node is None:
            self.show_node("")
        else:
            self._load_values(node)

    def show_node(self, node_id: str) -> None:
        self.node_id = node_id
        self._clear_form()
        node = self.controller.workflow.nodes.get(node_id)
        if node is None:
            self.icon_label.setPixmap(icons.pixmap("details", 22, theme.TEXT_DIM))
            wf = self.controller.workflow
            self.title.setText(wf.name or "Workflow")
            self.description.setText(
                (wf.description + "\n\n" if wf.description else "")
                + f"{len(wf.nodes)} nodes, {len(wf.edges)} connections.\n"
                  "Select a node to edit its name and parameters.")
            return
        key = theme.kind_key(node.kind, node.task_kind)
        self.icon_label.setPixmap(icons.pixmap(key, 22, theme.KIND_COLORS.get(key)))
        kind = TASK_KINDS.get(node.task_kind or "")
        self.title.setText(kind.title if kind else node.kind.value.capitalize())
        spec_key = f"task:{node.task_kind}" if node.kind == NodeKind.TASK else node.kind.value
        self.description.setText(DESCRIPTIONS.get(spec_key, ""))
        self.name_edit.setText(node.name)
        self.form.addRow("Name", self.name_edit)
        self.name_edit.show()
        if node.kind == NodeKind.TASK and node.params is not None and node.task_kind in SPECS:
            if isinstance(node.params, TranscodeParams):
                self.preset_combo = QComboBox()
                self.preset_combo.addItem(CUSTOM)
                self.preset_combo.addItems(list(TRANSCODE_PRESETS))
                self.preset_combo.activated.connect(self._apply_preset)
                self.form.addRow("Preset", self.preset_combo)
            hints = typing.get_type_hints(type(node.params))
            for spec in SPECS[node.task_kind]:
                widget = make_field(spec, hints.get(spec.name, str))
                if isinstance(widget, FileField):
                    widget.base_dir = self.controller.workflow.base_dir or ""
                widget.edited.connect(lambda value, name=spec.name: self._edited(name, value))
                self.fields[spec.name] = widget
                self.form.addRow(spec.label, widget)
            if isinstance(node.params, TranscodeParams) and node.params.watermarks:
                note = QLabel(f"{len(node.params.watermarks)} watermark(s) stored in this transcode.")
                note.setProperty("role", "hint")
                self.form.addRow("", note)
        self._load_values(node)

    def _clear_form(self) -> None:
        self.fields.clear()
        self.preset_combo = None
        self.error_label.clear()
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for part in (row.labelItem, row.fieldItem):
                if part is not None and part.widget() is not None and part.widget() is not self.name_edit:
                    part.widget().deleteLater()
        self.name_edit.hide()

    def _load_values(self, node: Node) -> None:
        if self.name_edit.text() != node.name:
            self.name_edit.setText(node.name)
        params = node.params
        if params is None:
            return
        for name, widget in self.fields.items():
            widget.set_value(getattr(params, name))
            widget.set_problems(field_problems(params, name))
        self._update_enabled(params)
        self._update_preset(params)
        self._show_errors()

    def _update_enabled(self, params: object) -> None:
        kind = getattr(params, "type", None)
        for name, needed in WATERMARK_ONLY.items():
            if name in self.fields and kind is not None:
                self.fields[name].setEnabled(kind == needed)

    def _update_preset(self, params: object) -> None:
        if self.preset_combo is None or not isinstance(params, TranscodeParams):
            return
        name = CUSTOM
        for preset in TRANSCODE_PRESETS:
            candidate = transcode_preset(preset)
            candidate.watermarks, candidate.output_name = params.watermarks, params.output_name
            if candidate == params:
                name = preset
        self.preset_combo.setCurrentText(name)

    def _show_errors(self) -> None:
        lines = [p for w in self.fields.values() for p in w.problems]
        self.error_label.setText("\n".join(f"• {p}" for p in lines))

    # -- edits --------------------------------------------------------------------------------
    def _edited(self, name: str, value: object) -> bool:
        node = self.controller.workflow.nodes.get(self.node_id)
        if node is None or node.params is None:
            return False
        try:
            candidate = dataclasses.replace(copy.deepcopy(node.params), **{name: value})
        except (TypeError, ValueError) as exc:
            self.fields[name].set_problems([f"{name}: {exc}"])
            self._show_errors()
            return False
        problems = field_problems(candidate, name)
        self.fields[name].set_problems(problems)
        self._show_errors()
        if problems:
            return False  # rejected: shown on the field, never written to the model
        if getattr(node.params, name) == value:
            return False
        self._writing = True
        try:
            self.controller.set_params(self.node_id, candidate, name)
        finally:
            self._writing = False
        # other fields' problems may have changed (e.g. codec vs container)
        for other, widget in self.fields.items():
            if other != name:
                widget.set_problems(field_problems(candidate, other))
        self._update_enabled(candidate)
        self._update_preset(candidate)
        self._show_errors()
        return True

    def _rename(self, text: str) -> None:
        if self.node_id in self.controller.workflow.nodes:
            self._writing = True
            try:
                self.controller.rename(self.node_id, text.strip())
            finally:
                self._writing = False

    def _apply_preset(self, index: int) -> None:
        name = self.preset_combo.itemText(index) if self.preset_combo else CUSTOM
        node = self.controller.workflow.nodes.get(self.node_id)
        if name == CUSTOM or node is None or not isinstance(node.params, TranscodeParams):
            return
        params = transcode_preset(name)
        params.watermarks = copy.deepcopy(node.params.watermarks)
        params.output_name = node.params.output_name
        self.controller.set_params(self.node_id, params, "preset")

    def edit_field(self, name: str, value: object) -> bool:
        """Set a field as if the user typed it; True if it was written (tests use it)."""
        self.fields[name].set_value(value)
        return self._edited(name, value)
