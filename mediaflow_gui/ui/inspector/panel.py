"""The inspector panel: the selected node's name and parameters, validated as the user types;
with no node selected, the workflow's own name and description.

An edit is turned into a candidate copy of the parameters; if the candidate has problems
about that field, the field is marked (red frame, the reason as tooltip and below the form)
and nothing is written. Otherwise a SetParamsCommand goes on the undo stack (successive
edits of one field merge into one undo step). Undo/redo refresh the widgets from the model.
The widgets of one parameters dataclass come from a FieldGroup (field_group.py), so a
watermark node and a watermark inside a transcode (watermarks.py) are edited by the same code.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QScrollArea, QVBoxLayout, QWidget)

from ...model.kinds import NodeKind, TASK_KINDS
from ...model.params import TRANSCODE_PRESETS, TranscodeParams, WatermarkParams, transcode_preset
from ...model.workflow import Node
from .. import icons, theme
from ..editor.commands import SetParamsCommand, SetWorkflowInfoCommand
from ..editor.controller import EditorController
from ..editor.palette import describe
from ..i18n import kind_title
from .field_group import FieldGroup
from .fields import FieldWidget, mark_invalid
from .specs import SPECS, choice_text
from .watermark_preview import WatermarkPreview
from .watermarks import WatermarkListEditor

CUSTOM = "Custom"  # the preset combo's first item (shown translated; index 0)
# English, marked for pyside6-lupdate; shown through translate("InspectorPanel", …)
EMPTY_NAME = QT_TRANSLATE_NOOP("InspectorPanel", "The workflow needs a name: it names the file, the window and every run.")
NAME_HINT = QT_TRANSLATE_NOOP("InspectorPanel", "The workflow's name, shown in the title bar and in every run")


class InspectorPanel(QWidget):
    def __init__(self, controller: EditorController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.node_id = ""
        self.group: FieldGroup | None = None  # the selected task's parameter widgets
        self.watermarks: WatermarkListEditor | None = None  # a transcode's watermarks
        self.wm_preview: WatermarkPreview | None = None  # where the watermarks land, on a real frame
        self.sample_input = ""  # the file whose frame the watermark preview shows (the last dropped)
        self._writing = False
        self._loading = False  # the description box's textChanged fires for program changes too
        self.preset_combo: QComboBox | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        self.scroll = scroll  # the screenshots tool scrolls the watermark placement into view
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

        # widgets that live as long as the panel and move in and out of the form
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("Node name"))
        self.name_edit.textEdited.connect(self._rename)
        self.workflow_name_edit = QLineEdit()
        self.workflow_name_edit.setPlaceholderText(self.tr("Workflow name"))
        self.workflow_name_edit.setToolTip(self.tr(NAME_HINT))
        self.workflow_name_edit.textEdited.connect(self._edit_workflow_name)
        self.workflow_description_edit = QPlainTextEdit()
        self.workflow_description_edit.setPlaceholderText(self.tr("What this workflow is for (optional)"))
        self.workflow_description_edit.setTabChangesFocus(True)
        self.workflow_description_edit.setMaximumHeight(120)
        self.workflow_description_edit.textChanged.connect(self._edit_workflow_description)
        self._kept = (self.name_edit, self.workflow_name_edit, self.workflow_description_edit)
        for widget in self._kept:
            widget.hide()
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

    @property
    def fields(self) -> dict[str, FieldWidget]:
        """The selected task's field widgets by parameter name (empty for other nodes)."""
        return self.group.fields if self.group is not None else {}

    # -- showing a node --------------------------------------------------------------------
    def _on_workflow_replaced(self) -> None:
        self.show_node(self.controller.current_node().id if self.controller.current_node() else "")

    def _on_model_changed(self) -> None:
        if self._writing:
            return
        if not self.node_id:
            self._load_workflow_info()
            return
        node = self.controller.workflow.nodes.get(self.node_id)
        if node is None:
            self.show_node("")
        else:
            self._load_values(node)

    def show_node(self, node_id: str) -> None:
        self.node_id = node_id if node_id in self.controller.workflow.nodes else ""
        self._clear_form()
        node = self.controller.workflow.nodes.get(self.node_id)
        if node is None:
            self._show_workflow()
            return
        key = theme.kind_key(node.kind, node.task_kind)
        self.icon_label.setPixmap(icons.pixmap(key, 22, theme.KIND_COLORS.get(key)))
        kind = TASK_KINDS.get(node.task_kind or "")
        self.title.setText(kind_title(node.task_kind) if kind else kind_title(None, node.kind.value.capitalize()))
        spec_key = f"task:{node.task_kind}" if node.kind == NodeKind.TASK else node.kind.value
        self.description.setText(describe(spec_key))
        self.name_edit.setText(node.name)
        self.form.addRow(self.tr("Name"), self.name_edit)
        self.name_edit.show()
        if node.kind == NodeKind.TASK and node.params is not None and node.task_kind in SPECS:
            base_dir = self.controller.workflow.base_dir or ""
            if isinstance(node.params, TranscodeParams):
                self.preset_combo = QComboBox()
                self.preset_combo.addItem(self.tr("Custom"), CUSTOM)
                for preset in TRANSCODE_PRESETS:
                    self.preset_combo.addItem(choice_text(preset), preset)
                self.preset_combo.activated.connect(self._apply_preset)
                self.form.addRow(self.tr("Preset"), self.preset_combo)
            self.group = FieldGroup(SPECS[node.task_kind], type(node.params), base_dir, self, kind=node.task_kind)
            self.group.edited.connect(self._edited)
            self.group.add_rows(self.form)
            if isinstance(node.params, TranscodeParams):
                heading = QLabel(self.tr("Watermarks"))
                heading.setProperty("role", "title")
                self.form.addRow(heading)
                self.watermarks = WatermarkListEditor(self._write_watermarks, base_dir)
                self.watermarks.problems_changed.connect(self._show_errors)
                self.form.addRow(self.watermarks)
            if isinstance(node.params, (TranscodeParams, WatermarkParams)):
                self.wm_preview = WatermarkPreview()
                self.form.addRow(self.wm_preview)
                self.wm_preview.set_source(self.sample_input)
        self._load_values(node)

    def _clear_form(self) -> None:
        if self.group is not None:
            self.group.deleteLater()  # its widgets go with the form rows below
        self.group = None
        self.watermarks = None
        self.wm_preview = None  # deleted with the form rows below
        self.preset_combo = None
        self.error_label.clear()
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for part in (row.labelItem, row.fieldItem):
                if part is not None and part.widget() is not None and part.widget() not in self._kept:
                    part.widget().deleteLater()
        for widget in self._kept:
            widget.hide()

    def _load_values(self, node: Node) -> None:
        if self.name_edit.text() != node.name:
            self.name_edit.setText(node.name)
        params = node.params
        if params is None or self.group is None:
            return
        self.group.load(params)
        if self.watermarks is not None and isinstance(params, TranscodeParams):
            self.watermarks.load(params.watermarks)
        self._update_preset(params)
        self._show_errors()
        self._update_wm_preview()

    def _update_preset(self, params: object) -> None:
        if self.preset_combo is None or not isinstance(params, TranscodeParams):
            return
        name = CUSTOM
        for preset in TRANSCODE_PRESETS:
            candidate = transcode_preset(preset)
            candidate.watermarks, candidate.output_name = params.watermarks, params.output_name
            if candidate == params:
                name = preset
        if name == CUSTOM:
            self.preset_combo.setCurrentIndex(0)
        else:
            self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(name)))

    def _show_errors(self) -> None:
        lines = list(self.group.problems()) if self.group is not None else []
        if self.watermarks is not None:
            lines += self.watermarks.problems()
        if not self.node_id and self.workflow_name_edit.property("invalid"):
            lines.append(self.tr(EMPTY_NAME))
        self.error_label.setText("\n".join(f"• {p}" for p in lines))

    # -- the workflow itself (no node selected) -------------------------------------------------
    def _show_workflow(self) -> None:
        self.icon_label.setPixmap(icons.pixmap("details", 22, theme.TEXT_DIM))
        self.form.addRow(self.tr("Name"), self.workflow_name_edit)
        self.form.addRow(self.tr("Description"), self.workflow_description_edit)
        self.workflow_name_edit.show()
        self.workflow_description_edit.show()
        self.workflow_name_edit.setText(self.controller.workflow.name)
        mark_invalid(self.workflow_name_edit, [], self.tr(NAME_HINT))
        self._load_workflow_info()

    def _load_workflow_info(self) -> None:
        """Show the model's name, description and size (after undo/redo or any other change)."""
        wf = self.controller.workflow
        self.title.setText(wf.name or self.tr("Workflow"))
        self.description.setText(self.tr("%n node(s)", "", len(wf.nodes)) + self.tr(", ")
                                 + self.tr("%n connection(s).", "", len(wf.edges)) + "\n"
                                 + self.tr("Select a node to edit its name and parameters."))
        if self.workflow_name_edit.text().strip() != wf.name:
            self.workflow_name_edit.setText(wf.name)
            mark_invalid(self.workflow_name_edit, [], self.tr(NAME_HINT))
        if self.workflow_description_edit.toPlainText() != wf.description:
            self._loading = True
            try:
                self.workflow_description_edit.setPlainText(wf.description)
            finally:
                self._loading = False
        self._show_errors()

    def _push_workflow_info(self, name: str | None = None, description: str | None = None) -> bool:
        wf = self.controller.workflow
        self._writing = True
        try:
            return self.controller.push(SetWorkflowInfoCommand(wf, self.controller.guard, name, description))
        finally:
            self._writing = False

    def _edit_workflow_name(self, text: str) -> bool:
        """The name as typed: an empty one is marked and not written."""
        name = text.strip()
        problems = [] if name else [self.tr(EMPTY_NAME)]
        mark_invalid(self.workflow_name_edit, problems, self.tr(NAME_HINT))
        self._show_errors()
        if problems or name == self.controller.workflow.name:
            return False
        written = self._push_workflow_info(name=name)
        self.title.setText(self.controller.workflow.name)
        return written

    def _edit_workflow_description(self) -> bool:
        text = self.workflow_description_edit.toPlainText()
        # not while the box is being filled from the model, nor while a node is shown instead
        if self._loading or self.node_id or text == self.controller.workflow.description:
            return False
        return self._push_workflow_info(description=text)

    # -- edits --------------------------------------------------------------------------------
    def _edited(self, name: str, value: object) -> bool:
        node = self.controller.workflow.nodes.get(self.node_id)
        if node is None or node.params is None or self.group is None:
            return False
        candidate = self.group.candidate(node.params, name, value)
        self._show_errors()
        if candidate is None:
            return False  # rejected: shown on the field, never written to the model
        if getattr(node.params, name) == value:
            return False
        self._writing = True
        try:
            self.controller.set_params(self.node_id, candidate, name)
        finally:
            self._writing = False
        # other fields' problems may have changed (e.g. codec vs container)
        self.group.mark(candidate, skip=name)
        self._update_preset(candidate)
        self._show_errors()
        self._update_wm_preview()
        return True

    def _write_watermarks(self, marks: list[WatermarkParams], field_key: str, text: str) -> bool:
        """Write a transcode's new watermark list (checked by the watermark editor) as one
        undoable step; edits of one field of one watermark merge, adds and removes do not."""
        node = self.controller.workflow.nodes.get(self.node_id)
        if node is None or not isinstance(node.params, TranscodeParams):
            return False
        params = copy.deepcopy(node.params)
        params.watermarks = copy.deepcopy(marks)
        command = SetParamsCommand(self.controller.workflow, self.controller.guard, self.node_id, params, field_key)
        if text:
            command.setText(f"{text} in {node.label}")
        self._writing = True
        try:
            return self.controller.push(command)
        finally:
            self._writing = False
            self._update_wm_preview()

    # -- the watermark preview ------------------------------------------------------------------
    def set_sample_input(self, path: str) -> None:
        """The file whose frame the watermark preview draws on (the window's last dropped file)."""
        self.sample_input = path or ""
        if self.wm_preview is not None:
            self.wm_preview.set_source(self.sample_input)

    def _update_wm_preview(self) -> None:
        """Redraw the watermarks as the model has them now (after every accepted edit, undo, redo)."""
        node = self.controller.workflow.nodes.get(self.node_id)
        if self.wm_preview is None or node is None:
            return
        base_dir = self.controller.workflow.base_dir or ""
        if isinstance(node.params, WatermarkParams):
            # a watermark whose successors are all transcodes runs inside them (model/plan.py folds
            # it), drawn at their output size: the preview shows it at the first one's
            wf = self.controller.workflow
            after = [wf.nodes[s] for s in wf.successors(node.id) if s in wf.nodes]
            inside = after[0].params if after and all(n.task_kind == "transcode" for n in after) else None
            self.wm_preview.show_marks([node.params], inside if isinstance(inside, TranscodeParams) else None,
                                       base_dir)
        elif isinstance(node.params, TranscodeParams):
            self.wm_preview.setVisible(bool(node.params.watermarks))
            self.wm_preview.show_marks(node.params.watermarks, node.params, base_dir)

    def _rename(self, text: str) -> None:
        if self.node_id in self.controller.workflow.nodes:
            self._writing = True
            try:
                self.controller.rename(self.node_id, text.strip())
            finally:
                self._writing = False

    def _apply_preset(self, index: int) -> None:
        name = self.preset_combo.itemData(index) if self.preset_combo and index > 0 else CUSTOM
        node = self.controller.workflow.nodes.get(self.node_id)
        if name == CUSTOM or node is None or not isinstance(node.params, TranscodeParams):
            return
        params = transcode_preset(name)
        params.watermarks = copy.deepcopy(node.params.watermarks)
        params.output_name = node.params.output_name
        self.controller.set_params(self.node_id, params, "preset")

    def edit_field(self, name: str, value: object) -> bool:
        """Set a field as if the user typed it; True if it was written (tests use it)."""
        if self.group is None:
            raise KeyError(name)
        self.group.set_value(name, value)
        return self._edited(name, value)
