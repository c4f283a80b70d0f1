"""The problems list: every validation problem of the workflow, live; a click selects the node."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...model.validation import Problem
from .. import icons, theme


class ProblemsPanel(QWidget):
    # (node id): the user picked a problem that names a node
    node_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addWidget(self.summary)
        layout.addWidget(self.list)
        self.list.itemClicked.connect(self._activated)
        self.list.itemActivated.connect(self._activated)
        self.set_problems([])

    def set_problems(self, problems: list[Problem]) -> None:
        self.list.clear()
        for problem in problems:
            item = QListWidgetItem(icons.icon("warning", theme.ERROR), problem.message)
            item.setData(Qt.ItemDataRole.UserRole, problem.node_id or "")
            item.setToolTip(problem.message)
            self.list.addItem(item)
        if problems:
            self.summary.setText(self.tr("%n problem(s): the workflow cannot run until they are fixed.", "", len(problems)))
            self.summary.setProperty("role", "error")
        else:
            self.summary.setText(self.tr("No problems: the workflow is ready to run."))
            self.summary.setProperty("role", "hint")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)

    def count(self) -> int:
        return self.list.count()

    def _activated(self, item: QListWidgetItem) -> None:
        nid = item.data(Qt.ItemDataRole.UserRole)
        if nid:
            self.node_activated.emit(nid)
