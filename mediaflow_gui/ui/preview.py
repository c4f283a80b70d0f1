"""The Preview action: run the drawn workflow on a short excerpt of a file, see the outputs in seconds.

A small dialog asks for the file (the last one dropped or processed, remembered) and the range
(start and length, default the first 5 s); the run itself is engine/preview.py's, started through
EngineAdapter.submit_preview, and its run details dialog opens at once and follows the run live,
so its outputs (thumbnails included) appear there as the steps end. A new preview cancels a
preview still running and replaces its temporary folder; the app removes the last one at quit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from ..media.excerpt import DEFAULT_LENGTH, MAX_LENGTH, ExcerptRange
from ..media.inputs import MEDIA_EXTENSIONS



class PreviewHost(Protocol):
    """What the preview needs of the window it serves (the main window; a protocol, so that this module
    does not import the window that imports it)."""

    adapter: Any  # EngineAdapter
    inspector: Any  # InspectorPanel: shows the sample input's frame
    controller: Any  # EditorController: the drawing's snapshot

    def input_start_folder(self) -> str: ...
    def workflow_can_run(self) -> bool: ...
    def statusBar(self) -> Any: ...  # noqa: N802 - Qt's name
    def show_run(self, task_id: str) -> None: ...


class PreviewRangeDialog(QDialog):
    """The file and the range of a preview; Enter accepts what is shown."""

    def __init__(self, source: str, rng: ExcerptRange, start_folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preview the workflow"))
        self.start_folder = start_folder
        box = QVBoxLayout(self)
        hint = QLabel(self.tr("Runs the workflow on a short excerpt into a temporary folder and shows the outputs."))
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        box.addWidget(hint)
        form = QFormLayout()
        row = QHBoxLayout()
        self.file_edit = QLineEdit(source)
        self.file_edit.setPlaceholderText(self.tr("Choose a media file…"))
        self.file_edit.setMinimumWidth(360)
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("File"), row)
        self.start_spin = QDoubleSpinBox()
        self.start_spin.setRange(0.0, 24 * 3600.0)
        self.start_spin.setDecimals(1)
        self.start_spin.setSuffix(" s")
        self.start_spin.setValue(rng.start)
        self.length_spin = QDoubleSpinBox()
        self.length_spin.setRange(0.5, MAX_LENGTH)
        self.length_spin.setDecimals(1)
        self.length_spin.setSuffix(" s")
        self.length_spin.setValue(rng.length)
        form.addRow(self.tr("Start at"), self.start_spin)
        form.addRow(self.tr("Length"), self.length_spin)
        box.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        box.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Preview"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)

    def _browse(self) -> None:
        suffixes = " ".join(f"*{s}" for s in sorted(MEDIA_EXTENSIONS))
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Preview on which file?"), self.start_folder,
                                              self.tr("Media ({0});;All files (*)").format(suffixes))
        if path:
            self.file_edit.setText(path)

    def values(self) -> tuple[str, ExcerptRange]:
        """The file and range shown; ExcerptRangeError/ValueError when they cannot be used."""
        path = self.file_edit.text().strip()
        if not path:
            raise ValueError(self.tr("Choose the file to preview on."))
        if not Path(path).is_file():
            raise ValueError(self.tr("'{0}' is not a file.").format(path))
        return path, ExcerptRange(self.start_spin.value(), self.length_spin.value())

    def _accept(self) -> None:
        try:
            self.values()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return
        self.accept()


class PreviewController(QObject):
    """The window's preview: remembers the last input and range, starts previews, shows them."""

    # (task_id): a preview run was started
    started = Signal(str)

    def __init__(self, window: PreviewHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]  # the host is a QWidget too
        self.window = window
        self.last_input = ""
        self.range = ExcerptRange(0.0, DEFAULT_LENGTH)
        self.task_id = ""  # the newest preview
        # a hook so tests (and scripts) can answer the dialog without a person: (source, range) or None
        self.ask_range: Callable[[str, ExcerptRange], tuple[str, ExcerptRange] | None] = self._ask

    def remember_input(self, path: str) -> None:
        """The file the next preview (and the watermark preview) uses: the last dropped or processed."""
        if path and "://" not in path:
            self.last_input = path

    def _ask(self, source: str, rng: ExcerptRange) -> tuple[str, ExcerptRange] | None:
        dialog = PreviewRangeDialog(source, rng, self.window.input_start_folder(), self.window)  # type: ignore[arg-type]
        if not dialog.exec():
            return None
        return dialog.values()

    def ask_and_start(self) -> str:
        """The action: refuse an invalid workflow first, then ask, then start; the TaskId or ""."""
        if not self.window.workflow_can_run():
            return ""
        answer = self.ask_range(self.last_input, self.range)
        if answer is None:
            return ""
        source, rng = answer
        return self.start(source, rng)

    def start(self, source: str, rng: ExcerptRange | None = None) -> str:
        """Start a preview of the current workflow on `source`; opens its run details; the TaskId."""
        if not self.window.workflow_can_run():
            return ""
        rng = rng or self.range  # an ExcerptRange is checked when it is made
        adapter = self.window.adapter
        if self.task_id and adapter.can_cancel(self.task_id):
            adapter.cancel(self.task_id)  # its folder is about to be replaced
        self.range = rng
        self.remember_input(source)
        self.window.inspector.set_sample_input(source)
        self.task_id = adapter.submit_preview(self.window.controller.snapshot(), source, rng)
        self.window.statusBar().showMessage(self.tr("Preview {0}: {1}").format(self.task_id, rng.label(Path(source).name)), 8000)
        self.window.show_run(self.task_id)
        self.started.emit(self.task_id)
        return self.task_id
