"""FileField: a path in a line edit with a Browse… button beside it — the one widget for every such
row (output folder and FFmpeg binary in the settings, a binding's workflow, a JSON-lines event log, a
watermark image in the inspector).

The path elides in the middle while it is not being edited (elided.PathLineEdit: its folder's start
and its name stay in view), with the whole path on hover.

`ask_path` is the file dialog behind the button, also used alone where a path is asked for without a
row (the watermark editor's "Add image…").
"""

from __future__ import annotations

from enum import Enum
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget

from .elided import PathLineEdit


class PathKind(Enum):
    OPEN = "open"  # an existing file
    SAVE = "save"  # a file to write (it may not exist yet)
    FOLDER = "folder"  # an existing folder


def ask_path(parent: QWidget, kind: PathKind, caption: str, start: str = "", filter: str = "") -> str:
    """Ask for one path with the platform's file dialog; "" if cancelled."""
    if kind is PathKind.FOLDER:
        return QFileDialog.getExistingDirectory(parent, caption, start)
    ask = QFileDialog.getSaveFileName if kind is PathKind.SAVE else QFileDialog.getOpenFileName
    path, _ = ask(parent, caption, start, filter)
    return path


class FileField(QWidget):
    """A line edit for a path and a Browse… button that fills it from a file dialog.

    The dialog opens at `start()` when given (e.g. the workflow's folder), else at the path typed so
    far, else at `default_start` (a folder or a suggested file name). A path picked with the button is
    set as the text and announced by `picked`; typing is the line edit's own (`edit`'s signals).
    """

    # (path): a path was chosen with Browse… and set as the text
    picked = Signal(str)

    def __init__(self, text: str = "", *, kind: PathKind = PathKind.OPEN, caption: str = "Choose a file",
                 filter: str = "", placeholder: str = "", default_start: str = "",
                 start: Callable[[], str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.caption = caption
        self.filter = filter
        self.default_start = default_start
        self.start = start
        self.edit = PathLineEdit(text)
        if placeholder:
            self.edit.setPlaceholderText(placeholder)
        self.browse = QPushButton(self.tr("Browse…"))
        self.browse.clicked.connect(self.pick)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)

    def pick(self) -> str:
        """Ask for a path (the Browse… button); set it and say so. "" when cancelled."""
        start = self.start() if self.start is not None else (self.edit.text() or self.default_start)
        path = ask_path(self, self.kind, self.caption, start, self.filter)
        if path:
            self.edit.setText(path)
            self.picked.emit(path)
        return path

    # the line edit's API, so that a FileField stands where a QLineEdit stood
    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming, like QLineEdit
        self.edit.setText(text)

    def clear(self) -> None:
        self.edit.clear()

    def setPlaceholderText(self, text: str) -> None:  # noqa: N802
        self.edit.setPlaceholderText(text)
