"""The watermarks stored inside a transcode: a list to add to / remove from, and a form for the
selected one built from the watermark node's own field specs (FieldGroup + WATERMARK specs).

The editor never touches the model. Every checked change becomes a new list of watermarks
handed to `write(marks, field_key, text)`; the panel turns that into a SetParamsCommand. An
edit whose value has problems stays in the widget, marked, and is not handed on.
"""

from __future__ import annotations

import copy
import os
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from ...model.params import WatermarkParams
from .. import theme
from ..i18n import translate
from .field_group import FieldGroup
from .fields import pick_image
from .specs import WATERMARK_IN_TRANSCODE

# (new list, field key for merging successive edits or "" for none, undo text or "" for the default)
Writer = Callable[[list[WatermarkParams], str, str], bool]
NEW_TEXT = "Watermark"


def describe(mark: WatermarkParams) -> str:
    """One line for the list: what is drawn, where, how wide."""
    if mark.type == "text":
        what = (translate("WatermarkList", "Text “{0}”").format(mark.text) if mark.text
                else translate("WatermarkList", "Text (empty)"))
    else:
        what = (translate("WatermarkList", "Image {0}").format(os.path.basename(mark.image_path)) if mark.image_path
                else translate("WatermarkList", "Image (none chosen)"))
    return f"{what} · {mark.origin} · {mark.width}"


class WatermarkListEditor(QWidget):
    # (): what problems() returns may have changed (the panel refreshes its message list)
    problems_changed = Signal()

    def __init__(self, write: Writer, base_dir: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.write = write
        self.base_dir = base_dir
        self.marks: list[WatermarkParams] = []
        # a hook so tests (and scripts) can answer the file dialog without a person
        self.ask_image_path: Callable[[], str] = lambda: pick_image(self, self.base_dir)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.currentRowChanged.connect(lambda _row: self._show_current())
        box.addWidget(self.list)
        buttons = QHBoxLayout()
        self.add_text_button = QPushButton(self.tr("Add text"))
        self.add_image_button = QPushButton(self.tr("Add image…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.add_text_button.clicked.connect(lambda: self.add_watermark("text"))
        self.add_image_button.clicked.connect(lambda: self.add_watermark("image"))
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.add_text_button, self.add_image_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)

        self.group_box = QGroupBox()
        form = QFormLayout(self.group_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.group = FieldGroup(WATERMARK_IN_TRANSCODE, WatermarkParams, base_dir, self, kind="watermark")
        self.group.add_rows(form)
        self.group.edited.connect(self._on_field_edited)
        box.addWidget(self.group_box)
        self._show_current()

    @property
    def fields(self) -> dict:
        return self.group.fields

    # -- showing --------------------------------------------------------------------------------
    def load(self, marks: list[WatermarkParams], row: int | None = None) -> None:
        """Show these watermarks; keep the selected row (or select `row`) where it still exists."""
        self.marks = copy.deepcopy(marks)
        if row is None:
            row = self.list.currentRow()
        row = min(max(row, 0 if self.marks else -1), len(self.marks) - 1)
        self.list.blockSignals(True)
        self.list.clear()
        for mark in self.marks:
            item = QListWidgetItem(describe(mark))
            problems = mark.problems()
            item.setForeground(QColor(theme.ERROR if problems else theme.TEXT))
            item.setToolTip("\n".join(problems))
            self.list.addItem(item)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._show_current()

    def current_row(self) -> int:
        row = self.list.currentRow()
        return row if 0 <= row < len(self.marks) else -1

    def _show_current(self) -> None:
        row = self.current_row()
        self.remove_button.setEnabled(row >= 0)
        self.group_box.setVisible(row >= 0)
        if row >= 0:
            self.group_box.setTitle(self.tr("Watermark {0}").format(row + 1))
            self.group.load(self.marks[row])
        self.problems_changed.emit()

    def problems(self) -> list[str]:
        """What is wrong, per watermark: the selected one as its widgets show it (including a
        rejected value still being typed), the others as stored."""
        row = self.current_row()
        out = []
        for i, mark in enumerate(self.marks):
            for text in (self.group.problems() if i == row else mark.problems()):
                out.append(self.tr("Watermark {0}: {1}").format(i + 1, text))
        return out

    # -- edits ----------------------------------------------------------------------------------
    def add_watermark(self, kind: str = "text", image_path: str | None = None) -> bool:
        """Append a text watermark, or an image one once a file is chosen (nothing is added if
        the dialog is cancelled: an image watermark without an image would only be a problem)."""
        if kind == "image":
            path = self.ask_image_path() if image_path is None else image_path
            if not path:
                return False
            mark = WatermarkParams(type="image", image_path=path)
        else:
            mark = WatermarkParams(type="text", text=NEW_TEXT)
        marks = copy.deepcopy(self.marks) + [mark]
        if not self.write(marks, "", self.tr("Add image watermark") if kind == "image" else self.tr("Add text watermark")):
            return False
        self.load(marks, len(marks) - 1)
        return True

    def remove_selected(self) -> bool:
        row = self.current_row()
        if row < 0:
            return False
        marks = copy.deepcopy(self.marks)
        del marks[row]
        if not self.write(marks, "", self.tr("Remove watermark {0}").format(row + 1)):
            return False
        self.load(marks, min(row, len(marks) - 1))
        return True

    def _on_field_edited(self, name: str, value: Any) -> bool:
        try:
            return self._field_edited(name, value)
        finally:
            self.problems_changed.emit()

    def _field_edited(self, name: str, value: Any) -> bool:
        row = self.current_row()
        if row < 0:
            return False
        mark = self.marks[row]
        candidate = self.group.candidate(mark, name, value)
        if candidate is None:
            return False  # rejected: shown on the field, never written
        if getattr(mark, name) == value:
            return False
        marks = copy.deepcopy(self.marks)
        marks[row] = candidate
        if not self.write(marks, f"watermarks[{row}].{name}", ""):
            return False
        self.load(marks, row)
        return True

    def edit_field(self, name: str, value: Any) -> bool:
        """Set a field of the selected watermark as if the user typed it; True if written."""
        self.group.set_value(name, value)
        return self._on_field_edited(name, value)
