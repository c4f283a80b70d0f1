"""One subtask in the run details dialog: a card with name and kind, a status chip, the percentage
while it runs, its message, and its outputs (image outputs as thumbnail slots, the others as lines;
file names elided in the middle, the full path on hover). The FFmpeg command and log are not
repeated here: the dialog's FFmpeg tab (ffmpeg_log.py) shows each process once, fused or not; a
failed or canceled card has a link to it (`ffmpeg_link`, connected by the dialog).

A card is built from a SubtaskRecord once; `show_live` updates the chip and percentage in place, and
`signature` says when the record changed enough for the dialog to build a fresh card instead. The
thumbnail slots are empty labels (`thumb_labels`, by output path): the dialog decodes the images in
pool threads and fills them, so a card never outlives a thumbnail it asked for.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...engine.run_state import SubtaskRecord
from ...model.kinds import TASK_KINDS
from .. import icons, theme
from ..i18n import kind_title as translated_kind
from ..elided import ElidedLabel
from .formatting import output_caption, status_text
from .thumbnails import is_image

THUMB = 150
MAX_THUMBS = 5  # per subtask: one row, so every subtask stays in view; the rest are counted


def set_chip(label: QLabel, status: str) -> None:
    """Show `status` on a chip label; a no-op (no repaint) when it already shows it."""
    if label.property("status") == status:
        return
    label.setProperty("status", status)
    label.setText(status_text(status))
    color = theme.STATUS_COLORS.get(status, theme.TEXT_DIM)
    label.setStyleSheet(f"background:{color}; color:white; border-radius:8px; padding:2px 10px; font-weight:600;")


def make_chip(status: str) -> QLabel:
    label = QLabel()
    label.setObjectName("status_chip")
    set_chip(label, status)
    return label


def set_text(label: QLabel, text: str) -> None:
    """Change a label's text only when it differs (no repaint otherwise)."""
    if label.text() != text:
        label.setText(text)


def card_signature(sub: SubtaskRecord) -> tuple[Any, ...]:
    """What a card is built from, besides the live chip and percentage (a waiting and a running
    subtask's cards are built alike: only a final status changes what the card holds)."""
    return (sub.status.value if sub.status.is_final else "", sub.message, sub.error_code,
            tuple(str(o.get("path", "")) for o in sub.outputs))


class SubtaskCard(QFrame):
    """One subtask: name and kind, status chip, percentage while it runs, message, command, outputs."""

    def __init__(self, sub: SubtaskRecord) -> None:
        super().__init__()
        self.step_id = sub.step_id
        self.signature = card_signature(sub)
        self.thumb_paths: list[str] = []  # output paths with a thumbnail slot, in order
        self.thumb_labels: dict[str, QLabel] = {}  # the slots, by output path (the dialog fills them)
        self.setObjectName("card")
        color = theme.KIND_COLORS.get(sub.task_kind, theme.UNKNOWN_KIND_COLOR)
        self.setStyleSheet(f"QFrame#card {{ background:{theme.PANEL}; border:1px solid {theme.BORDER};"
                           f" border-left:4px solid {color}; border-radius:8px; }}")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(12, 10, 12, 10)
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(icons.pixmap(sub.task_kind, 20, color))
        kind_name = translated_kind(sub.task_kind) if sub.task_kind in TASK_KINDS else sub.task_kind
        name = QLabel(f"<b>{sub.name}</b>  <span style='color:{theme.TEXT_DIM}'>{kind_name}</span>")
        head.addWidget(icon)
        head.addWidget(name)
        head.addStretch(1)
        self.percent = QLabel()
        self.percent.setObjectName("percent")
        head.addWidget(self.percent)
        self.chip = make_chip(sub.status.value)
        head.addWidget(self.chip)
        self.box.addLayout(head)
        self._add_message(sub)
        self.ffmpeg_link: QLabel | None = None
        if sub.command and sub.status.value in ("FAIL", "CANCELED"):
            # the command and FFmpeg's last lines are in the dialog's FFmpeg tab, once per process
            link_text = self.tr("FFmpeg command and log")
            self.ffmpeg_link = QLabel(f"<a href='#ffmpeg' style='color:{theme.ACCENT}'>{link_text}</a>")
            self.ffmpeg_link.setObjectName("ffmpeg_link")
            self.ffmpeg_link.setTextFormat(Qt.TextFormat.RichText)
            self.box.addWidget(self.ffmpeg_link)
        if sub.outputs:
            self.box.addWidget(self._outputs(sub))
        self.show_live(sub.status.value, sub.progress)

    def show_live(self, status: str, progress: float) -> None:
        set_chip(self.chip, status)
        running = status == "PROCESSING"
        if running:
            set_text(self.percent, theme.percent_text(progress))
        if self.percent.isVisibleTo(self) != running:
            self.percent.setVisible(running)

    # -- building ----------------------------------------------------------------------------
    def _add_message(self, sub: SubtaskRecord) -> None:
        if not sub.message:
            return
        msg = QLabel(sub.message)
        msg.setObjectName("subtask_message")
        msg.setWordWrap(True)
        if sub.status.value != "SUCCESS":
            msg.setProperty("role", "error" if sub.status.value == "FAIL" else "hint")
            msg.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        else:
            msg.setProperty("role", "hint")
        self.box.addWidget(msg)

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
            self.thumb_paths.append(path)
            caption = QLabel()
            caption.setProperty("role", "hint")
            caption.setFixedWidth(THUMB)
            caption.setToolTip(output_caption(out))
            caption.setWordWrap(True)
            elided = caption.fontMetrics().elidedText(Path(path).name, Qt.TextElideMode.ElideMiddle, THUMB - 10)
            caption.setText(f"{html.escape(elided)}<br>{output_caption(out, with_name=False)}")
            cell.addWidget(thumb)
            cell.addWidget(caption)
            grid.addLayout(cell, i // columns, i % columns)
        row = (len(images) + columns - 1) // columns
        if hidden:
            more = QLabel(self.tr("+ %n more image(s) in the output folder", "", hidden))
            more.setProperty("role", "hint")
            grid.addWidget(more, row, 0, 1, columns)
            row += 1
        grid.setColumnStretch(columns, 1)
        for j, out in enumerate(others):
            path = str(out.get("path", ""))
            line = QHBoxLayout()
            name = ElidedLabel(Path(path).name)  # a long name elides in the middle: its extension stays
            name.setObjectName("output_name")
            name.setToolTip(path)
            name.setStyleSheet("font-weight:600;")
            name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            facts = QLabel(f"· {output_caption(out, with_name=False)}")
            facts.setProperty("role", "hint")
            line.addWidget(name)
            line.addWidget(facts)
            line.addStretch(1)
            grid.addLayout(line, row + j, 0, 1, columns)
        return host
