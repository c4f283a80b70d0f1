"""The run details dialog: the run, every subtask, outputs with thumbnails, errors and FFmpeg commands.

The record is read from the task store in a pool thread; thumbnails are decoded in pool threads
and set as they arrive.
"""

from __future__ import annotations

import datetime as _dt
import os
import shlex
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ...engine.store import RunRecord, SubtaskRecord
from ...model.kinds import TASK_KINDS
from .. import icons, theme
from ..engine_adapter import EngineAdapter
from ..workers import run_in_thread
from .task_model import STATUS_TEXT, format_elapsed
from .thumbnails import is_image, load_thumbnail

THUMB = 150
MAX_THUMBS = 5  # per subtask: one row, so every subtask stays in view; the rest are counted


def _time(t: float | None) -> str:
    if t is None:
        return "–"
    return _dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _size(n: int | None) -> str:
    n = int(n or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def _chip(status: str) -> QLabel:
    label = QLabel(STATUS_TEXT.get(status, status.capitalize()))
    color = theme.STATUS_COLORS.get(status, theme.TEXT_DIM)
    label.setStyleSheet(f"background:{color}; color:white; border-radius:8px; padding:2px 10px; font-weight:600;")
    label.setSizePolicy(label.sizePolicy().horizontalPolicy(), label.sizePolicy().verticalPolicy())
    return label


def _open_folder(path: str) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


class RunDetailsDialog(QDialog):
    def __init__(self, adapter: EngineAdapter, task_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.adapter = adapter
        self.task_id = task_id
        self.record: RunRecord | None = None
        self.thumb_labels: dict[str, QLabel] = {}
        self.thumbs_loaded = 0
        self.setWindowTitle(f"Run {task_id}")
        self.resize(920, 720)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.header = QWidget()
        layout.addWidget(self.header)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 8, 0, 0)
        self.body_layout.setSpacing(10)
        scroll.setWidget(self.body)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton(icons.icon("folder"), "Open output folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_output_folder)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.loading = QLabel("Loading…")
        self.loading.setProperty("role", "hint")
        self.body_layout.addWidget(self.loading)
        adapter.signals.run_updated.connect(self._on_run_updated)
        self.reload()

    def reload(self) -> None:
        self.adapter.fetch_record(self.task_id, self.show_record, context=self)

    def _on_run_updated(self, task_id: str) -> None:
        run = self.adapter.run(task_id)
        if task_id == self.task_id and run is not None and run.finished and \
                (self.record is None or self.record.finish_time is None):
            self.reload()

    # -- building ----------------------------------------------------------------------------
    def show_record(self, record: RunRecord | None) -> None:
        self.record = record
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.thumb_labels.clear()
        if record is None:
            self.body_layout.addWidget(QLabel(f"No run with TaskId {self.task_id} in the task store."))
            return
        self._build_header(record)
        for sub in record.subtasks:
            self.body_layout.addWidget(self._subtask_card(sub))
        self.body_layout.addStretch(1)
        folder = self.output_folder()
        self.open_button.setEnabled(bool(folder) and os.path.isdir(folder))
        self.open_button.setToolTip(folder)

    def _build_header(self, record: RunRecord) -> None:
        old = self.header.layout()
        if old is not None:
            QWidget().setLayout(old)  # reparent the old layout away so a fresh one can be set
        grid = QGridLayout(self.header)
        grid.setContentsMargins(0, 0, 0, 0)
        status = record.result.value if record.result else record.status.value
        title = QLabel(f"{Path(record.input).name}")
        title.setProperty("role", "title")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(_chip(status))
        top.addStretch(1)
        grid.addLayout(top, 0, 0, 1, 4)
        elapsed = (record.finish_time - record.begin_time) if record.finish_time and record.begin_time else None
        facts = [("TaskId", record.task_id), ("Workflow", record.workflow_name), ("Input", record.input),
                 ("Created", _time(record.create_time)), ("Elapsed", format_elapsed(elapsed)),
                 ("Output folder", record.out_dir or "–")]
        for i, (key, value) in enumerate(facts):
            k = QLabel(key)
            k.setProperty("role", "hint")
            v = QLabel(value)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            v.setWordWrap(True)
            grid.addWidget(k, 1 + i // 2, (i % 2) * 2)
            grid.addWidget(v, 1 + i // 2, (i % 2) * 2 + 1)
        if record.message and status != "SUCCESS":
            msg = QLabel(f"{record.error_code}: {record.message}" if record.error_code else record.message)
            msg.setWordWrap(True)
            msg.setProperty("role", "error")
            msg.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(msg, 5, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def _subtask_card(self, sub: SubtaskRecord) -> QWidget:
        card = QFrame()
        card.setObjectName("card")
        color = theme.KIND_COLORS.get(sub.task_kind, theme.UNKNOWN_KIND_COLOR)
        card.setStyleSheet(f"QFrame#card {{ background:{theme.PANEL}; border:1px solid {theme.BORDER};"
                           f" border-left:4px solid {color}; border-radius:8px; }}")
        box = QVBoxLayout(card)
        box.setContentsMargins(12, 10, 12, 10)
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(icons.pixmap(sub.task_kind, 20, color))
        name = QLabel(f"<b>{sub.name}</b>  <span style='color:{theme.TEXT_DIM}'>"
                      f"{TASK_KINDS[sub.task_kind].title if sub.task_kind in TASK_KINDS else sub.task_kind}</span>")
        head.addWidget(icon)
        head.addWidget(name)
        head.addStretch(1)
        if sub.status.value == "PROCESSING":
            head.addWidget(QLabel(theme.percent_text(sub.progress)))
        head.addWidget(_chip(sub.status.value))
        box.addLayout(head)
        if sub.message and sub.status.value != "SUCCESS":
            msg = QLabel(sub.message)
            msg.setWordWrap(True)
            msg.setProperty("role", "error" if sub.status.value == "FAIL" else "hint")
            msg.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.addWidget(msg)
        elif sub.message:
            note = QLabel(sub.message)
            note.setProperty("role", "hint")
            note.setWordWrap(True)
            box.addWidget(note)
        if sub.command and sub.status.value in ("FAIL", "CANCELED"):
            cmd = QPlainTextEdit(shlex.join(sub.command))
            cmd.setReadOnly(True)
            cmd.setMaximumHeight(90)
            cmd.setObjectName("ffmpeg_command")
            label = QLabel("FFmpeg command")
            label.setProperty("role", "hint")
            box.addWidget(label)
            box.addWidget(cmd)
        if sub.outputs:
            box.addWidget(self._outputs(sub))
        return card

    def _outputs(self, sub: SubtaskRecord) -> QWidget:
        host = QWidget()
        grid = QGridLayout(host)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(10)
        images = [o for o in sub.outputs if is_image(str(o.get("path", "")))]
        others = [o for o in sub.outputs if not is_image(str(o.get("path", "")))]
        columns = MAX_THUMBS
        hidden = max(0, len(images) - MAX_THUMBS)
        images = images[:MAX_THUMBS]
        for i, out in enumerate(images):
            path = str(out.get("path", ""))
            cell = QVBoxLayout()
            thumb = QLabel()
            thumb.setFixedSize(THUMB, int(THUMB * 0.62))
            thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
            thumb.setStyleSheet(f"background:{theme.WINDOW}; border-radius:6px;")
            thumb.setToolTip(path)
            self.thumb_labels[path] = thumb
            name = Path(path).name
            caption = QLabel()
            caption.setProperty("role", "hint")
            caption.setFixedWidth(THUMB)
            caption.setToolTip(self._caption(out))
            caption.setWordWrap(True)
            elided = caption.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, THUMB - 10)
            caption.setText(f"{elided}<br>{self._caption(out, with_name=False)}")
            cell.addWidget(thumb)
            cell.addWidget(caption)
            grid.addLayout(cell, i // columns, i % columns)
            run_in_thread(lambda p=path: load_thumbnail(p, THUMB), lambda img, p=path: self._set_thumb(p, img),
                          lambda exc: None, context=self)
        row = (len(images) + columns - 1) // columns
        if hidden:
            more = QLabel(f"+ {hidden} more image(s) in the output folder")
            more.setProperty("role", "hint")
            grid.addWidget(more, row, 0, 1, columns)
            row += 1
        grid.setColumnStretch(columns, 1)
        for j, out in enumerate(others):
            line = QLabel(f"<b>{Path(str(out.get('path', ''))).name}</b> · {self._caption(out, with_name=False)}")
            line.setToolTip(str(out.get("path", "")))
            line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(line, row + j, 0, 1, columns)
        return host

    @staticmethod
    def _caption(out: dict, with_name: bool = True) -> str:
        parts = [Path(str(out.get("path", ""))).name] if with_name else []
        if out.get("width") and out.get("height"):
            parts.append(f"{out['width']}×{out['height']}")
        if out.get("duration"):
            parts.append(f"{float(out['duration']):.1f}s")
        parts.append(_size(out.get("size")))
        return " · ".join(parts)

    def _set_thumb(self, path: str, image) -> None:  # noqa: ANN001 - QImage
        label = self.thumb_labels.get(path)
        if label is None or image is None or image.isNull():
            return
        pix = QPixmap.fromImage(image).scaled(label.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
        label.setPixmap(pix)
        self.thumbs_loaded += 1

    # -- actions --------------------------------------------------------------------------------
    def output_folder(self) -> str:
        if self.record is None:
            return ""
        if self.record.out_dir:
            return self.record.out_dir
        outputs = self.record.outputs()
        return str(Path(outputs[0]["path"]).parent) if outputs else ""

    def open_output_folder(self) -> bool:
        folder = self.output_folder()
        return bool(folder) and _open_folder(folder)
