"""The task list's model: one row per run (live or from history), in the order the runs were created
(a batch reads top to bottom as it was given; new runs come in at the bottom, like a queue).

Rows hold TaskIds; the data comes from the adapter's RunRecords (engine/run_state.py: progress,
display status and elapsed time are the record's display rules), so a `run_updated` signal only
needs a dataChanged for that row.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from .. import theme
from ...engine.eta import run_remaining, run_speed
from ...engine.run_state import RunRecord
from ..engine_adapter import EngineAdapter
from .formatting import format_elapsed, status_text, format_speed, input_display, output_folder_display

# column headers: English, marked for pyside6-lupdate; headerData shows them translated
COLUMNS = ("TaskId", QT_TRANSLATE_NOOP("TaskTableModel", "Input"), QT_TRANSLATE_NOOP("TaskTableModel", "Status"),
           QT_TRANSLATE_NOOP("TaskTableModel", "Progress"), QT_TRANSLATE_NOOP("TaskTableModel", "Speed"),
           QT_TRANSLATE_NOOP("TaskTableModel", "Time left"), QT_TRANSLATE_NOOP("TaskTableModel", "Elapsed"),
           QT_TRANSLATE_NOOP("TaskTableModel", "Output folder"))
COL_TASK, COL_INPUT, COL_STATUS, COL_PROGRESS, COL_SPEED, COL_LEFT, COL_ELAPSED, COL_OUTPUT = range(8)
ProgressRole = Qt.ItemDataRole.UserRole + 1
RunRole = Qt.ItemDataRole.UserRole + 2


class TaskTableModel(QAbstractTableModel):
    def __init__(self, adapter: EngineAdapter, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.adapter = adapter
        self.task_ids: list[str] = []
        self._row: dict[str, int] = {}
        signals = adapter.signals
        signals.run_created.connect(self.add_run)
        signals.run_updated.connect(self.refresh_run)
        signals.history_loaded.connect(self._on_history)

    # -- rows ----------------------------------------------------------------------------------
    def _reindex(self) -> None:
        self._row = {tid: i for i, tid in enumerate(self.task_ids)}

    def add_run(self, task_id: str) -> None:
        if task_id in self._row:
            self.refresh_run(task_id)
            return
        # in the order runs were given, like a queue: a batch reads top to bottom as it was dropped
        row = len(self.task_ids)
        self.beginInsertRows(QModelIndex(), row, row)
        self.task_ids.append(task_id)
        self._row[task_id] = row
        self.endInsertRows()

    def _on_history(self, records: list) -> None:  # noqa: ANN001 - list[RunRecord]
        new = [r.task_id for r in records if r.task_id not in self._row]
        if not new:
            for r in records:
                self.refresh_run(r.task_id)
            return
        # history is older than anything live: it goes above, all in the order the runs were created
        # (a stable sort: a batch created within one clock tick keeps its given order)
        self.beginResetModel()
        self.task_ids = new + self.task_ids
        self.task_ids.sort(key=lambda t: self._create_time(t))
        self._reindex()
        self.endResetModel()

    def _create_time(self, task_id: str) -> float:
        run = self.adapter.run(task_id)
        return run.create_time if run else 0.0

    def refresh_run(self, task_id: str) -> None:
        row = self._row.get(task_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def status_text(self, run: RunRecord) -> str:
        """A run waiting for CPU reads "Queued (2 ahead)" (or "next", or "paused"), not "Running 0 %"."""
        if not run.finished and run.display_status == "WAITING":
            ahead = self.adapter.queue_position(run.task_id)
            if ahead is not None:
                if self.adapter.queue_paused:
                    return self.tr("Queued (paused)")
                return self.tr("Queued (next)") if ahead == 0 else self.tr("Queued ({0} ahead)").format(ahead)
        return status_text(run.display_status)

    def tick(self) -> None:
        """Refresh the speed, time-left and elapsed columns of running rows and the place of queued ones
        (once a second)."""
        for tid, row in self._row.items():
            run = self.adapter.run(tid)
            if run is not None and not run.finished:
                first, last = (COL_SPEED, COL_ELAPSED) if run.begin_time is not None else (COL_STATUS, COL_STATUS)
                self.dataChanged.emit(self.index(row, first), self.index(row, last))

    def remove_finished(self) -> int:
        """Take finished runs off the list (they stay in the task store: `mediaflow status`, search)."""
        keep = [t for t in self.task_ids if not ((run := self.adapter.run(t)) is not None and run.finished)]
        removed = len(self.task_ids) - len(keep)
        if removed:
            self.beginResetModel()
            self.task_ids = keep
            self._reindex()
            self.endResetModel()
        return removed

    def run_at(self, row: int) -> RunRecord | None:
        if 0 <= row < len(self.task_ids):
            return self.adapter.run(self.task_ids[row])
        return None

    def row_of(self, task_id: str) -> int:
        return self._row.get(task_id, -1)

    # -- QAbstractTableModel ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.task_ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        run = self.run_at(index.row()) if index.isValid() else None
        if run is None:
            return None
        col = index.column()
        if role == RunRole:
            return run
        if role == ProgressRole:
            return run.progress
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_TASK:
                return run.task_id
            if col == COL_INPUT:
                return input_display(run.input)
            if col == COL_STATUS:
                return self.status_text(run)
            if col == COL_PROGRESS:
                return theme.percent_text(run.progress, running=not run.finished)
            if col == COL_SPEED:
                return format_speed(run_speed(run)) if not run.finished else ""
            if col == COL_LEFT:  # blank until it starts and once it ended; "…" while too early to tell
                if run.finished or run.begin_time is None:
                    return ""
                left = run_remaining(run, time.time())
                return "…" if left is None else format_elapsed(left)
            if col == COL_ELAPSED:
                return format_elapsed(run.elapsed(time.time()))
            if col == COL_OUTPUT:
                return output_folder_display(run.out_dir)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_INPUT:
                return run.input
            if col == COL_OUTPUT:
                return run.out_dir or self.tr("Delivered by the bucket binding (no local folder)")
            if col == COL_LEFT and not run.finished:
                return self.tr("Estimated from FFmpeg's speed and the input's duration (or the run's pace so far)")
            if col == COL_STATUS and run.message:
                return run.message
            return f"{run.task_id} · {run.workflow_name}"
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS:
            return theme.status_color(run.display_status)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_ELAPSED, COL_LEFT, COL_SPEED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TaskFilterModel(QSortFilterProxyModel):
    """Search by TaskId (prefix) or input name (substring), case-insensitive."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.text = ""

    def set_search(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+: invalidateFilter() is deprecated
            self.beginFilterChange()
            self.text = text.strip().lower()
            self.endFilterChange()
        else:
            self.text = text.strip().lower()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if not self.text:
            return True
        model: TaskTableModel = self.sourceModel()  # type: ignore[assignment]
        run = model.run_at(source_row)
        if run is None:
            return False
        return run.task_id.lower().startswith(self.text) or self.text in run.task_id.lower() \
            or self.text in run.input.lower()
