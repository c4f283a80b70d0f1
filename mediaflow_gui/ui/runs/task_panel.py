"""The task list panel: search box, the table with a progress bar column, cancel / retry / details."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QStyledItemDelegate,
                               QStyleOptionViewItem, QTableView, QToolButton, QVBoxLayout, QWidget)

import time
from pathlib import Path
from typing import Callable

from .. import desktop, icons, theme
from ...engine.eta import queue_remaining
from ...engine.run_state import RunRecord
from ...model.workflow import Workflow
from .formatting import format_elapsed
from ..engine_adapter import EngineAdapter
from .task_model import COL_ELAPSED, COL_INPUT, COL_LEFT, COL_OUTPUT, COL_PROGRESS, COL_SPEED, COL_STATUS, \
    COL_TASK, ProgressRole, RunRole, TaskFilterModel, TaskTableModel


class ProgressDelegate(QStyledItemDelegate):
    """A slim rounded bar in the run's status colour, with the percentage on it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, QModelIndex())  # background / selection only
        run: RunRecord | None = index.data(RunRole)
        if run is None:
            return
        percent = float(index.data(ProgressRole) or 0.0)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(6, option.rect.height() / 2 - 7, -6, -(option.rect.height() / 2 - 7))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 22))
        painter.drawRoundedRect(rect, 4, 4)
        fill = QRectF(rect.left(), rect.top(), rect.width() * max(0.0, min(1.0, percent / 100.0)), rect.height())
        color = theme.status_color(run.display_status if run.finished else "PROCESSING")
        if not run.finished and run.status == "WAITING":
            color = theme.status_color("WAITING")
        painter.setBrush(color)
        painter.drawRoundedRect(fill, 4, 4)
        painter.setPen(QColor("white"))
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter),
                         theme.percent_text(percent, running=not run.finished))
        painter.restore()


class TaskPanel(QWidget):
    # (task id): show this run's details
    details_requested = Signal(str)
    # (task id or ""): the selected run changed (the canvas shows its node states)
    current_run_changed = Signal(str)
    # (task id): replay this finished run: its own workflow snapshot with each node's outcome, and its timeline
    replay_requested = Signal(str)

    def __init__(self, adapter: EngineAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.adapter = adapter
        # the workflow drawn now (the main window sets it): "Retry with the current workflow" runs it
        self.current_workflow: Callable[[], Workflow | None] = lambda: None
        self.model = TaskTableModel(adapter, self)
        self.proxy = TaskFilterModel(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search by TaskId or input…"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self.proxy.set_search)
        # older runs than the loaded history: ask the store too (in a pool thread), debounced
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(
            lambda: self.adapter.load_history(limit=100, search=self.search.text().strip())
            if self.search.text().strip() else None)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())

        def button(icon: str, tip: str) -> QToolButton:
            b = QToolButton()
            b.setIcon(icons.icon(icon))
            b.setToolTip(tip)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setText(tip.split(" ")[0])
            return b

        self.cancel_button = button("cancel", self.tr("Cancel the selected runs"))
        self.retry_button = button("retry", self.tr("Retry the selected run"))
        self.details_button = button("details", self.tr("Details of the selected run"))
        self.pause_button = button("pause", self.tr("Pause the queue: start no further run (running ones finish)"))
        self.pause_button.setText(self.tr("Pause queue"))
        self.pause_button.setCheckable(True)
        self.clear_button = button("new", self.tr("Clear finished runs from the list (they stay in the task history)"))
        self.clear_button.setText(self.tr("Clear finished"))
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.details_button.clicked.connect(lambda: self._emit_details())
        self.pause_button.toggled.connect(self.set_queue_paused)
        self.clear_button.clicked.connect(self.clear_finished)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegateForColumn(COL_PROGRESS, ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # cancel several at once
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # every column but Input can be dragged wider or narrower; the window remembers them (column_state)
        for column in (COL_TASK, COL_STATUS, COL_PROGRESS, COL_SPEED, COL_LEFT, COL_ELAPSED, COL_OUTPUT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_INPUT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_TASK, 170), (COL_STATUS, 150), (COL_PROGRESS, 150), (COL_SPEED, 60),
                              (COL_LEFT, 85), (COL_ELAPSED, 70), (COL_OUTPUT, 170)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda idx: self._emit_details(idx))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.retry_button)
        top.addWidget(self.details_button)
        top.addWidget(self.pause_button)
        top.addWidget(self.clear_button)
        # the whole queue at a glance: "2 running · 12 queued · about 4m 10s left"
        self.queue_label = QLabel()
        self.queue_label.setObjectName("queueSummary")
        top.insertWidget(1, self.queue_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.table)

        # a bound method, not a lambda: Qt drops the connection when the panel is deleted (a lambda
        # outlived a closed window and touched its deleted table)
        adapter.signals.run_updated.connect(self._on_run_updated)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.model.tick)
        self._tick.timeout.connect(self.update_queue_summary)
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(50)
        self._summary_timer.timeout.connect(self.update_queue_summary)
        self._tick.start()
        self._update_buttons()

    def selected_task_id(self) -> str:
        index = self.table.currentIndex()
        if not index.isValid():
            return ""
        run: RunRecord | None = self.proxy.data(index, RunRole)
        return run.task_id if run else ""

    def column_state(self) -> bytes:
        """The columns' widths and order, for the settings."""
        return bytes(self.table.horizontalHeader().saveState().data())

    def restore_column_state(self, state: object) -> bool:
        from PySide6.QtCore import QByteArray
        if not state:
            return False
        data = state if isinstance(state, QByteArray) else QByteArray(bytes(state))  # type: ignore[arg-type]
        return bool(self.table.horizontalHeader().restoreState(data))

    def select_task(self, task_id: str) -> None:
        row = self.model.row_of(task_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)

    def _selection_changed(self) -> None:
        self._update_buttons()
        self.current_run_changed.emit(self.selected_task_id())

    def selected_task_ids(self) -> list[str]:
        """Every selected run, top to bottom."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = []
        for row in rows:
            run: RunRecord | None = self.proxy.data(self.proxy.index(row, 0), RunRole)
            if run is not None:
                ids.append(run.task_id)
        current = self.selected_task_id()
        return ids or ([current] if current else [])

    def _on_run_updated(self, _task_id: str) -> None:
        self._update_buttons()
        # soon, not at the next tick ("1 running" after the batch ended read wrong), and once for all the
        # runs one adapter flush updates (each recount walks every row)
        self._summary_timer.start()

    def _update_buttons(self) -> None:
        tid = self.selected_task_id()
        run = self.adapter.run(tid) if tid else None
        self.cancel_button.setEnabled(any(self.adapter.can_cancel(t) for t in self.selected_task_ids()))
        self.retry_button.setEnabled(bool(run) and run.finished and run.workflow is not None
                                     and "://" not in run.input)
        self.details_button.setEnabled(bool(run))

    def queue_summary(self) -> str:
        """What the queue label says: runs going, runs waiting and the time until all have ended."""
        runs = [r for t in self.model.task_ids if (r := self.adapter.run(t)) is not None]
        running = [r for r in runs if not r.finished and r.begin_time is not None]
        queued = [r for r in runs if not r.finished and r.begin_time is None]
        if not running and not queued:
            return ""
        parts = [self.tr("%n running", "", len(running))] if running else []
        if queued:
            parts.append(self.tr("%n queued (paused)", "", len(queued)) if self.adapter.queue_paused
                         else self.tr("%n queued", "", len(queued)))
        left = queue_remaining(running, len(queued), (r for r in runs if r.finished), time.time())
        parts.append(self.tr("about {0} left").format(format_elapsed(left)) if left is not None
                     else self.tr("estimating time left…"))
        return " · ".join(parts)

    def update_queue_summary(self) -> None:
        self.queue_label.setText(self.queue_summary())

    def cancel_selected(self) -> bool:
        """Cancel every selected run that can be (running or queued); True if any was."""
        canceled = [t for t in self.selected_task_ids() if self.adapter.can_cancel(t) and self.adapter.cancel(t)]
        return bool(canceled)

    def set_queue_paused(self, paused: bool) -> None:
        self.adapter.set_queue_paused(paused)
        self.pause_button.setChecked(paused)
        self.pause_button.setText(self.tr("Resume queue") if paused else self.tr("Pause queue"))

    def clear_finished(self) -> int:
        return self.model.remove_finished()

    def move_selected(self, where: str) -> bool:
        """Move the selected waiting runs "up", "down", to the "top" or "bottom" of the queue."""
        ids = self.selected_task_ids()
        # the run nearest the way it moves goes first, so that the selection keeps its own order
        order = list(reversed(ids)) if where in ("top", "down") else ids
        moved = [t for t in order if self.adapter.move_in_queue(t, where)]
        return bool(moved)

    def _context_menu(self, pos) -> None:  # noqa: ANN001
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QMenu
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.table.selectRow(index.row())
        ids = self.selected_task_ids()
        if not ids:
            return
        queued = [t for t in ids if self.adapter.queue_position(t) is not None]
        menu = QMenu(self)
        run = self.adapter.run(ids[0])
        menu.addAction(icons.icon("details"), self.tr("Details"), lambda: self._emit_details())
        replay = menu.addAction(self.tr("Replay on canvas"), self.replay_selected)
        replay.setToolTip(self.tr("The workflow as this run ran it, each node's time and outputs, and a timeline"))
        replay.setEnabled(bool(run and run.finished and run.workflow is not None))
        folder = menu.addAction(icons.icon("folder"), self.tr("Open output folder"), self.open_output_folder)
        folder.setEnabled(bool(run and run.out_dir and Path(run.out_dir).is_dir()))
        reveal = menu.addAction(self.tr("Reveal file"), self.reveal_output)
        reveal.setEnabled(bool(run and any(Path(str(o.get("path", ""))).exists() for o in run.outputs())))
        menu.addSeparator()
        retry = menu.addAction(icons.icon("retry"), self.tr("Retry with its own workflow"), self.retry_selected)
        retry.setToolTip(self.tr("The workflow exactly as this run used it (its snapshot)"))
        retry.setEnabled(self.retry_button.isEnabled())
        again = menu.addAction(self.tr("Retry with the current workflow"), self.retry_with_current)
        again.setToolTip(self.tr("The workflow drawn in the editor now"))
        again.setEnabled(self.retry_button.isEnabled() and self.current_workflow() is not None)
        cancel = menu.addAction(icons.icon("cancel"), self.tr("Cancel {0} runs").format(len(ids)) if len(ids) > 1 else self.tr("Cancel"),
                                self.cancel_selected)
        cancel.setEnabled(self.cancel_button.isEnabled())
        menu.addSeparator()
        for label, where in ((self.tr("Move to top"), "top"), (self.tr("Move up"), "up"),
                             (self.tr("Move down"), "down"), (self.tr("Move to bottom"), "bottom")):
            action = menu.addAction(label, lambda w=where: self.move_selected(w))
            action.setEnabled(bool(queued))
        menu.addSeparator()
        menu.addAction(self.tr("Copy TaskId"), lambda: QGuiApplication.clipboard().setText("\n".join(ids)))
        self.context_menu = menu  # tests read it
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def retry_selected(self) -> str | None:
        """Run the selected run's own workflow snapshot on its input again."""
        tid = self.selected_task_id()
        return self.adapter.retry(tid) if tid else None

    def retry_with_current(self) -> str | None:
        """Run the workflow drawn now on the selected run's input (after an edit that fixes it)."""
        tid = self.selected_task_id()
        workflow = self.current_workflow()
        return self.adapter.retry(tid, workflow) if tid and workflow is not None else None

    def open_output_folder(self) -> bool:
        run = self.adapter.run(self.selected_task_id())
        return bool(run and run.out_dir) and desktop.open_folder(run.out_dir)  # type: ignore[union-attr]

    def reveal_output(self) -> bool:
        """Show the run's first output that still exists selected in the file manager."""
        run = self.adapter.run(self.selected_task_id())
        for out in run.outputs() if run else []:
            path = Path(str(out.get("path", "")))
            if path.exists():
                return desktop.reveal_file(path)
        return False

    def replay_selected(self) -> str:
        """Ask for the replay of the selected run (a finished one); its TaskId, or "" when there is none."""
        tid = self.selected_task_id()
        run = self.adapter.run(tid) if tid else None
        if run is None or not run.finished:
            return ""
        self.replay_requested.emit(tid)
        return tid

    def _emit_details(self, index: QModelIndex | None = None) -> None:
        if index is not None and index.isValid():
            run: RunRecord | None = self.proxy.data(index, RunRole)
            tid = run.task_id if run else ""
        else:
            tid = self.selected_task_id()
        if tid:
            self.details_requested.emit(tid)


__all__ = ["TaskPanel", "ProgressDelegate", "COL_INPUT", "COL_STATUS"]
