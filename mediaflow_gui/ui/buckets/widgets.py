"""Small widgets the Buckets and Bindings pages share: a secret field with show/copy, a read-only
field with a copy button, and the HTML of a connection diagnosis."""

from __future__ import annotations

import html

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget

from ...storage.s3 import Diagnosis
from .. import theme


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


class CopyField(QWidget):
    """A read-only value with a Copy button."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(text)
        self.edit.setReadOnly(True)
        self.copy_button = QToolButton()
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.clicked.connect(lambda: copy_text(self.edit.text()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.copy_button)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming, like QLineEdit
        self.edit.setText(text)
        self.edit.setCursorPosition(0)

    def text(self) -> str:
        return self.edit.text()


class SecretField(QWidget):
    """A secret shown as dots until Show is pressed; Copy copies the real value."""

    def __init__(self, text: str = "", *, read_only: bool = False, copy_button: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(text)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setReadOnly(read_only)
        self.show_button = QToolButton()
        self.show_button.setText(self.tr("Show"))
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._toggle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.show_button)
        self.copy_button: QToolButton | None = None
        if copy_button:
            self.copy_button = QToolButton()
            self.copy_button.setText(self.tr("Copy"))
            self.copy_button.clicked.connect(lambda: copy_text(self.edit.text()))
            layout.addWidget(self.copy_button)

    def _toggle(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText(self.tr("Hide") if shown else self.tr("Show"))

    @property
    def revealed(self) -> bool:
        return self.edit.echoMode() == QLineEdit.EchoMode.Normal

    def setText(self, text: str) -> None:  # noqa: N802
        self.edit.setText(text)

    def text(self) -> str:
        return self.edit.text()


def diagnosis_html(diagnosis: Diagnosis) -> str:
    """✔/✖, the code and the sentence, coloured like run statuses."""
    if diagnosis.ok:
        color, mark = theme.STATUS_COLORS["SUCCESS"], "✔"
    else:
        color, mark = theme.ERROR, "✖"
    return (f'<span style="color:{color}"><b>{mark} {html.escape(diagnosis.code)}</b></span> '
            f'{html.escape(diagnosis.message)}')


def error_html(text: str) -> str:
    return f'<span style="color:{theme.ERROR}"><b>✖</b></span> {html.escape(text)}'
