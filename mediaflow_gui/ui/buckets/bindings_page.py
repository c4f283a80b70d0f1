"""The Bindings page: every watched bucket tied to a workflow, its state and last activity, with
New / Edit / Start / Stop / Delete. Runs a binding starts appear in the task list below (the
StorageService submits them through the app's engine) with the object's s3:// URL as input.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...storage.bindings import Binding, BindingStatus
from .. import theme
from ..i18n import translate
from .binding_dialog import BindingDialog
from .controller import StorageController, default_workflow_path
from .widgets import error_html

# English, marked for pyside6-lupdate; the table shows them translated
COLUMNS = [QT_TRANSLATE_NOOP("BindingsPage", "Name"), QT_TRANSLATE_NOOP("BindingsPage", "Workflow"),
           QT_TRANSLATE_NOOP("BindingsPage", "Watches"), QT_TRANSLATE_NOOP("BindingsPage", "Results to"),
           QT_TRANSLATE_NOOP("BindingsPage", "State"), QT_TRANSLATE_NOOP("BindingsPage", "Detection"),
           QT_TRANSLATE_NOOP("BindingsPage", "Last activity")]
COL_STATE, COL_MODE, COL_LAST = 4, 5, 6

_STATE_LABELS = {"watching": QT_TRANSLATE_NOOP("BindingsPage", "● watching"),
                 "starting": QT_TRANSLATE_NOOP("BindingsPage", "◌ starting…"),
                 "stopped": QT_TRANSLATE_NOOP("BindingsPage", "○ stopped"),
                 "unreachable": QT_TRANSLATE_NOOP("BindingsPage", "▲ unreachable"),
                 "error": QT_TRANSLATE_NOOP("BindingsPage", "✖ error")}
_STATE_COLORS = {"watching": theme.STATUS_COLORS["SUCCESS"], "starting": theme.STATUS_COLORS["PROCESSING"],
                 "stopped": theme.TEXT_DIM, "unreachable": theme.WARNING, "error": theme.ERROR}


def _where(connection: object, bucket: str, prefix: str) -> str:
    conn = connection if isinstance(connection, str) else "inline"
    return f"{conn}: {bucket}/{prefix}" if conn != "embedded" else f"{bucket}/{prefix}"


def describe_input(b: Binding) -> str:
    suffixes = " ".join(b.suffixes) if b.suffixes else translate("BindingsPage", "any file")
    return f"{_where(b.input_connection, b.input_bucket, b.in_prefix)}  ({suffixes})"


def describe_output(b: Binding) -> str:
    return _where(b.out_connection, b.out_bucket, b.out_prefix)


def describe_activity(status: BindingStatus) -> str:
    last = status.last_activity
    if not last:
        return ""
    when = time.strftime("%H:%M:%S", time.localtime(last.get("time") or time.time()))
    result = last.get("result") or "running"
    return f"{when}  {last.get('key', '')} → {result}"


class BindingsPage(QWidget):
    # (task id): show that run's details (the main window opens them)
    show_run_requested = Signal(str)

    def __init__(self, controller: StorageController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = controller.service
        self.bindings: list[Binding] = []
        self.dialog: BindingDialog | None = None
        self.default_workflow = ""  # the main window sets the open workflow file here

        intro = QLabel(self.tr("A binding runs a workflow on every new or replaced object in a watched bucket and "
                               "uploads the results; its runs appear in the task list below."))
        intro.setWordWrap(True)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_LAST, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.edit_binding())

        self.new_button = QPushButton(self.tr("New…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.start_button = QPushButton(self.tr("Start"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.run_button = QPushButton(self.tr("Show last run"))
        self.new_button.clicked.connect(lambda: self.new_binding())
        self.edit_button.clicked.connect(lambda: self.edit_binding())
        self.start_button.clicked.connect(self.start_selected)
        self.stop_button.clicked.connect(self.stop_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.run_button.clicked.connect(self._show_last_run)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addSpacing(16)
        for b in (self.start_button, self.stop_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        controller.bindings_changed.connect(self.refresh)
        controller.binding_status_changed.connect(self._on_status)
        controller.binding_error.connect(self._on_error)
        # "last activity" says "running" until the run ends; the status callback covers that, the
        # timer only keeps relative things fresh if a callback was missed
        self._tick = QTimer(self)
        self._tick.setInterval(5000)
        self._tick.timeout.connect(self._refresh_states)
        self._tick.start()
        self.refresh()

    # -- table -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the saved bindings (a small JSON file) and fill the table."""
        try:
            self.bindings = self.service.list_bindings()
        except (ValueError, OSError) as exc:
            self.show_error(self.tr("cannot read the bindings: {0}").format(exc))
            self.bindings = []
        selected = self.selected_id()
        self.table.setRowCount(len(self.bindings))
        for row, b in enumerate(self.bindings):
            cells = [b.name, Path(b.workflow).name, describe_input(b), describe_output(b), "", "", ""]
            tips = [b.name, b.workflow, describe_input(b), describe_output(b), "", "", ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, b.id)
                item.setToolTip(tips[col])
                self.table.setItem(row, col, item)
            self._fill_state(row, self.controller.status_of(b.id))
        if selected:
            self.select_binding(selected)
        elif self.bindings and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        self._update_buttons()

    def _fill_state(self, row: int, status: BindingStatus) -> None:
        state_item = self.table.item(row, COL_STATE)
        mode_item = self.table.item(row, COL_MODE)
        last_item = self.table.item(row, COL_LAST)
        if state_item is None or mode_item is None or last_item is None:
            return
        # how uploads are heard while it watches ("events (filer stream)", "polling every 0.5–10 s")
        watching = status.state in ("watching", "unreachable", "starting")
        mode_item.setText(status.mode if watching else "")
        mode_item.setToolTip(status.mode_detail if watching else "")
        state_item.setText(self.tr(_STATE_LABELS[status.state]) if status.state in _STATE_LABELS else status.state)
        state_item.setForeground(QColor(_STATE_COLORS.get(status.state, theme.TEXT_DIM)))
        state_item.setToolTip(status.message or status.state)
        last_item.setText(describe_activity(status) + (f"   — {status.message}" if status.message else ""))
        last = status.last_activity or {}
        last_item.setToolTip(html.escape(f"{last.get('key', '')}\nTaskId {last.get('task_id', '')}\n"
                                         f"{last.get('message', '') or ''}").replace("\n", "<br>"))
        if last.get("result") and last.get("result") != "SUCCESS":
            last_item.setForeground(theme.status_color("FAIL"))
        else:
            last_item.setForeground(QColor(theme.TEXT))

    def _row_of(self, binding_id: str) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == binding_id:
                return row
        return -1

    def _on_status(self, status: BindingStatus) -> None:
        row = self._row_of(status.binding_id)
        if row >= 0:
            self._fill_state(row, status)
        if status.binding_id == self.selected_id():
            self._update_buttons()
            if status.state == "error" and status.message:
                self.show_error(f"{status.name}: {status.message}")
            elif status.state == "watching":
                self.error_label.hide()

    def _refresh_states(self) -> None:
        for b in self.bindings:
            row = self._row_of(b.id)
            if row >= 0:
                self._fill_state(row, self.controller.status_of(b.id))

    def selected_id(self) -> str:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def select_binding(self, binding_id: str) -> None:
        row = self._row_of(binding_id)
        if row >= 0:
            self.table.selectRow(row)

    def toast_clearance(self) -> int:
        """Pixels at this page's bottom that hold its buttons: an in-window notice stays above them."""
        return max(0, self.height() - self.run_button.mapTo(self, QPoint(0, 0)).y())

    def _update_buttons(self) -> None:
        bid = self.selected_id()
        state = self.controller.status_of(bid).state if bid else ""
        active = state in ("watching", "starting", "unreachable")
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(bool(bid))
        self.start_button.setEnabled(bool(bid) and not active)
        self.stop_button.setEnabled(bool(bid) and active)
        last = self.controller.status_of(bid).last_activity if bid else None
        self.run_button.setEnabled(bool(last and last.get("task_id")))

    # -- errors ------------------------------------------------------------------------------------------
    def show_error(self, text: str) -> None:
        self.error_label.setText(error_html(text))
        self.error_label.show()

    def _on_error(self, binding_id: str, text: str) -> None:
        name = next((b.name for b in self.bindings if b.id == binding_id), "binding")
        self.show_error(f"{name}: {text}")
        self._refresh_states()
        self._update_buttons()

    # -- actions ---------------------------------------------------------------------------------------------
    def new_binding(self, modal: bool = True) -> BindingDialog:
        default = self.default_workflow or str(default_workflow_path())
        dialog = BindingDialog(self.controller, default_workflow=default, parent=self)
        return self._open(dialog, modal)

    def edit_binding(self, modal: bool = True) -> BindingDialog | None:
        bid = self.selected_id()
        binding = next((b for b in self.bindings if b.id == bid), None)
        if binding is None:
            return None
        return self._open(BindingDialog(self.controller, binding, parent=self), modal)

    def _open(self, dialog: BindingDialog, modal: bool) -> BindingDialog:
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._saved(dialog))
        if modal:
            dialog.exec()
        else:
            dialog.show()
        return dialog

    def _saved(self, dialog: BindingDialog) -> None:
        self.error_label.hide()
        if dialog.saved is not None:
            self.select_binding(dialog.saved.id)

    def start_selected(self) -> None:
        bid = self.selected_id()
        if bid:
            self.error_label.hide()
            self.controller.start_binding(bid)

    def stop_selected(self) -> None:
        bid = self.selected_id()
        if bid:
            self.controller.stop_binding(bid)

    def delete_selected(self) -> None:
        bid = self.selected_id()
        binding = next((b for b in self.bindings if b.id == bid), None)
        if binding is None:
            return
        if self.confirm(self.tr("Delete binding"),
                        self.tr("Delete the binding {0}? It stops watching; objects and results in the buckets stay "
                                "where they are.").format(repr(binding.name))):
            self.controller.delete_binding(bid)

    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _show_last_run(self) -> None:
        bid = self.selected_id()
        last = self.controller.status_of(bid).last_activity if bid else None
        if last and last.get("task_id"):
            self.show_run_requested.emit(str(last["task_id"]))
