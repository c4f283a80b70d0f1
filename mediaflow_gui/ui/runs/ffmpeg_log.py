"""The run details' FFmpeg tab: one entry per FFmpeg process of a run — the steps it served, its
command (once, however many steps a fused process served), the last lines it wrote to stderr, and a
Copy button for the command.

- `ffmpeg_processes(record)`: the processes, from the subtasks' records. Fused steps share one
  process and therefore one argv (engine/executor.py gives every member the same command and the
  same stderr tail), so subtasks are grouped by their command; a step that ran several jobs shows
  its first command (the one SubtaskStarted carries) and the tail of all of them.
- `FFmpegLogView`: the widget; `show_record(record)` rebuilds it when what it shows changed.

The stderr tail is kept by the engine (engine/ffmpeg_runner.py, LOG_TAIL_LINES) and stored with each
subtask (SubtaskRecord.log_tail), so finished runs read from the task store show it too.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from ...engine.run_state import RunRecord, SubtaskRecord
from .. import icons, theme
from .subtask_card import make_chip

NO_OUTPUT = QT_TRANSLATE_NOOP("ProcessEntry", "FFmpeg wrote no warnings or errors (it logs at level \"warning\").")  # shown translated


@dataclass(frozen=True)
class FFmpegProcess:
    """One FFmpeg process of a run: its command, the subtasks it served, its stderr tail."""

    command: tuple[str, ...]
    subtasks: tuple[SubtaskRecord, ...]
    log_tail: str

    @property
    def fused(self) -> bool:
        return len(self.subtasks) > 1

    @property
    def names(self) -> list[str]:
        return [sub.name for sub in self.subtasks]

    @property
    def command_text(self) -> str:
        """The command as a shell would take it (copied by the Copy button)."""
        return shlex.join(self.command)

    @property
    def status(self) -> str:
        """FAIL if one of its steps failed, else the least advanced status of its steps."""
        statuses = [sub.status.value for sub in self.subtasks]
        for status in ("FAIL", "PROCESSING", "CANCELED", "WAITING", "SKIPPED"):
            if status in statuses:
                return status
        return statuses[0]


def ffmpeg_processes(record: RunRecord) -> list[FFmpegProcess]:
    """The processes of `record` in the order their first step appears; subtasks that ran no FFmpeg
    (skipped, folded watermarks, still waiting) have none."""
    groups: dict[tuple[str, ...], list[SubtaskRecord]] = {}
    for sub in record.subtasks:
        if sub.command:
            groups.setdefault(tuple(sub.command), []).append(sub)
    return [FFmpegProcess(command, tuple(subs), next((s.log_tail for s in subs if s.log_tail), ""))
            for command, subs in groups.items()]


def view_signature(record: RunRecord | None) -> tuple:
    """What the view is built from: it is rebuilt only when this changes (not on progress)."""
    if record is None:
        return ()
    return tuple((sub.step_id, tuple(sub.command), sub.log_tail, sub.status.value if sub.status.is_final else "")
                 for sub in record.subtasks)


def _mono(text: str, name: str, max_lines: int) -> QPlainTextEdit:
    view = QPlainTextEdit(text)
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    # about as many lines as the text wraps to in the dialog (~70 characters a line), within max_lines
    lines = max(1, min(max_lines, sum(1 + len(line) // 70 for line in text.split("\n"))))
    view.setFixedHeight(view.fontMetrics().lineSpacing() * lines + 14)
    return view


class ProcessEntry(QFrame):
    """One process: its steps and status, its command with a Copy button, its stderr tail."""

    def __init__(self, number: int, process: FFmpegProcess) -> None:
        super().__init__()
        self.process = process
        self.setObjectName("card")
        self.setStyleSheet(f"QFrame#card {{ background:{theme.PANEL}; border:1px solid {theme.BORDER};"
                           " border-radius:8px; }")
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 10)
        head = QHBoxLayout()
        names = ", ".join(f"'{n}'" for n in process.names)
        kind = (self.tr("one process for {0} steps (fused)").format(len(process.subtasks)) if process.fused
                else self.tr("one step"))
        title = QLabel("<b>{0}</b> · {1}: {2}".format(self.tr("Process {0}").format(number), kind, names))
        title.setObjectName("process_title")
        title.setWordWrap(True)
        head.addWidget(title, 1)
        head.addWidget(make_chip(process.status))
        box.addLayout(head)
        row = QHBoxLayout()
        caption = QLabel(self.tr("Command"))
        caption.setProperty("role", "hint")
        row.addWidget(caption)
        row.addStretch(1)
        self.copy_button = QPushButton(icons.icon("copy"), self.tr("Copy"))
        self.copy_button.setObjectName("copy_command")
        self.copy_button.setToolTip(self.tr("Copy the command to the clipboard"))
        self.copy_button.clicked.connect(self.copy_command)
        row.addWidget(self.copy_button)
        box.addLayout(row)
        self.command = _mono(process.command_text, "ffmpeg_command", 6)
        box.addWidget(self.command)
        log_caption = QLabel(self.tr("Last lines FFmpeg wrote (stderr)"))
        log_caption.setProperty("role", "hint")
        box.addWidget(log_caption)
        if process.log_tail:
            self.log = _mono(process.log_tail, "ffmpeg_log", 16)
            box.addWidget(self.log)
            if process.status == "FAIL":  # the reason is at the end
                self.log.verticalScrollBar().setValue(self.log.verticalScrollBar().maximum())
        else:
            self.log = None
            empty = QLabel(self.tr(NO_OUTPUT) if process.status in ("SUCCESS", "FAIL", "CANCELED")
                           else self.tr("FFmpeg is running; its log shows when it ends."))
            empty.setObjectName("ffmpeg_log_empty")
            empty.setProperty("role", "hint")
            box.addWidget(empty)

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.process.command_text)


class FFmpegLogView(QScrollArea):
    """Every FFmpeg process of a run, one ProcessEntry each (a scroll area for the dialog's tab)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.entries: list[ProcessEntry] = []
        self._signature: tuple | None = None
        self._host: QWidget | None = None

    def show_record(self, record: RunRecord | None) -> bool:
        """Show the processes of `record`; False (and nothing rebuilt) when nothing they show changed."""
        signature = view_signature(record)
        if signature == self._signature:
            return False
        self._signature = signature
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(10)
        processes = ffmpeg_processes(record) if record is not None else []
        self.entries = [ProcessEntry(i, p) for i, p in enumerate(processes, 1)]
        for entry in self.entries:
            layout.addWidget(entry)
        if not self.entries:
            none = QLabel(self.tr("No FFmpeg process has started for this run."))
            none.setProperty("role", "hint")
            layout.addWidget(none)
        layout.addStretch(1)
        old = self.takeWidget()
        self.setWidget(host)
        if old is not None:
            old.deleteLater()
        self._host = host
        return True
