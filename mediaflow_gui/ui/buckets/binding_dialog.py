"""Create or edit a binding: a workflow file tied to a watched bucket (connection, bucket, prefix,
suffix filter), where its results go (connection, bucket, prefix) and its event targets.

Bucket names are listed per connection in a pool thread; the binding's own checks
(`Binding.problems()`, e.g. a shared bucket without an output prefix) are shown in the dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from ...model.serialization import load_workflow
from ...storage.bindings import DEFAULT_SUFFIXES, Binding
from ...storage.embedded import EMBEDDED_CONNECTION_NAME
from ...storage.s3 import error_text
from ...storage.watcher import parse_suffixes
from ..file_field import FileField
from ..workers import run_in_thread
from .controller import StorageController
from .event_targets import EventTargetsEditor
from .widgets import error_html

SAME = ""  # the output connection / bucket "same as the input"


class BucketPicker(QWidget):
    """A connection combo and an editable bucket combo whose names are listed in a pool thread."""

    def __init__(self, controller: StorageController, connection: str | dict[str, Any], bucket: str, *,
                 allow_same: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = controller.service
        self.connection = QComboBox()
        if allow_same:
            self.connection.addItem(self.tr("(same as input)"), SAME)
        for name in self.service.connection_names():
            self.connection.addItem(name, name)
        index = self.connection.findData(connection) if isinstance(connection, str) else -1
        if index < 0:  # an inline connection from a hand-written binding file: kept as it is
            label = connection.get("endpoint_url", "inline") if isinstance(connection, dict) else connection
            self.connection.addItem(self.tr("{0} (from the binding file)").format(label), connection)
            index = self.connection.count() - 1
        self.connection.setCurrentIndex(index)
        self.bucket = QComboBox()
        self.bucket.setEditable(True)
        self.bucket.setMinimumWidth(200)
        if allow_same:
            self.bucket.lineEdit().setPlaceholderText(self.tr("(same as input)"))
        self.bucket.setCurrentText(bucket)
        self.refresh_button = QPushButton("↻")
        self.refresh_button.setToolTip(self.tr("List the buckets of this connection"))
        self.refresh_button.setFixedWidth(32)
        self.refresh_button.clicked.connect(self.load_buckets)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.connection)
        row.addWidget(self.bucket, 1)
        row.addWidget(self.refresh_button)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.addLayout(row)
        v.addWidget(self.note)
        self.note.hide()
        self.connection.currentIndexChanged.connect(lambda *_: self.load_buckets())
        self.load_buckets()

    def connection_value(self) -> str | dict[str, Any]:
        data = self.connection.currentData()
        return data if isinstance(data, (str, dict)) else self.connection.currentText()

    def load_buckets(self) -> None:
        conn = self.connection_value()
        if conn == SAME:
            return
        service = self.service
        run_in_thread(lambda: service.list_buckets(conn), self._loaded, self._failed, context=self)

    def _loaded(self, names: list[str]) -> None:
        current = self.bucket.currentText()
        self.bucket.clear()
        self.bucket.addItems(names)
        self.bucket.setCurrentText(current)
        self.note.hide()

    def _failed(self, exc: BaseException) -> None:
        self.note.setText(error_html(self.tr("cannot list buckets: {0}").format(error_text(exc))))
        self.note.show()


class BindingDialog(QDialog):
    def __init__(self, controller: StorageController, binding: Binding | None = None, *,
                 default_workflow: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.editing = binding is not None
        b = binding or Binding(name="", workflow=default_workflow, input_bucket="",
                               input_connection=EMBEDDED_CONNECTION_NAME)
        self.original = b
        self.saved: Binding | None = None
        self.setWindowTitle(self.tr("Edit binding") if self.editing else self.tr("New binding"))
        self.setMinimumWidth(640)

        self.name = QLineEdit(b.name)
        self.name.setPlaceholderText(self.tr("e.g. Clips to web formats"))
        self.workflow = FileField(b.workflow, caption=self.tr("Workflow to run"), default_start=str(Path.home()),
                                  filter=self.tr("MediaFlow workflows (*.mfw.json);;JSON (*.json);;All files (*)"),
                                  placeholder=self.tr("a *.mfw.json workflow file"))
        top = QFormLayout()
        top.addRow(self.tr("Name"), self.name)
        top.addRow(self.tr("Workflow"), self.workflow)

        self.input = BucketPicker(controller, b.input_connection, b.input_bucket)
        self.input_prefix = QLineEdit(b.input_prefix)
        self.input_prefix.setPlaceholderText(self.tr("optional, e.g. incoming/"))
        self.suffixes = QLineEdit(", ".join(b.suffixes))
        self.suffixes.setPlaceholderText(", ".join(DEFAULT_SUFFIXES) + self.tr("  (empty: every object)"))
        in_box = QGroupBox(self.tr("Watch (input)"))
        in_form = QFormLayout(in_box)
        in_form.addRow(self.tr("Connection / bucket"), self.input)
        in_form.addRow(self.tr("Prefix"), self.input_prefix)
        in_form.addRow(self.tr("Suffixes"), self.suffixes)

        self.output = BucketPicker(controller, b.output_connection, b.output_bucket, allow_same=True)
        self.output_prefix = QLineEdit(b.output_prefix)
        self.output_prefix.setPlaceholderText(self.tr("e.g. results/  (needed when the bucket is the input bucket)"))
        out_box = QGroupBox(self.tr("Results (output)"))
        out_form = QFormLayout(out_box)
        out_form.addRow(self.tr("Connection / bucket"), self.output)
        out_form.addRow(self.tr("Prefix"), self.output_prefix)

        self.events = EventTargetsEditor(b.events)
        ev_box = QGroupBox(self.tr("Events when a run ends (success or failure)"))
        QVBoxLayout(ev_box).addWidget(self.events)

        self.enabled = QCheckBox(self.tr("Watch whenever MediaFlow runs"))
        self.enabled.setChecked(b.enabled)
        self.process_existing = QCheckBox(self.tr("Also process objects already in the bucket"))
        self.process_existing.setChecked(b.process_existing)
        self.poll = QDoubleSpinBox()
        self.poll.setRange(0.2, 3600.0)
        self.poll.setDecimals(1)
        self.poll.setSuffix(" s")
        self.poll.setValue(b.poll_interval)
        opt_row = QHBoxLayout()
        opt_row.addWidget(self.enabled)
        opt_row.addWidget(self.process_existing)
        opt_row.addStretch(1)
        # stores with events (the embedded one, SQS, MinIO) are not polled; the others from this interval
        opt_row.addWidget(QLabel(self.tr("Poll (stores without events) every")))
        opt_row.addWidget(self.poll)

        self.problems_label = QLabel("")
        self.problems_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(in_box)
        layout.addWidget(out_box)
        layout.addWidget(ev_box)
        layout.addLayout(opt_row)
        layout.addWidget(self.problems_label)
        layout.addWidget(buttons)

    def binding(self) -> Binding:
        """The binding as edited (same id when editing)."""
        o = self.original
        return Binding(
            id=o.id, name=self.name.text().strip(), workflow=self.workflow.text().strip(),
            input_connection=self.input.connection_value() or EMBEDDED_CONNECTION_NAME,
            input_bucket=self.input.bucket.currentText().strip(), input_prefix=self.input_prefix.text().strip(),
            suffixes=list(parse_suffixes(self.suffixes.text())),
            output_connection=self.output.connection_value(), output_bucket=self.output.bucket.currentText().strip(),
            output_prefix=self.output_prefix.text().strip(), events=self.events.targets(),
            enabled=self.enabled.isChecked(), process_existing=self.process_existing.isChecked(),
            poll_interval=float(self.poll.value()), watch=o.watch, remove_local_outputs=o.remove_local_outputs)

    def problems(self, binding: Binding) -> list[str]:
        out = binding.problems() + self.events.problems()
        if binding.workflow:
            try:
                load_workflow(binding.workflow_path())
            except Exception as exc:  # any unreadable workflow: say why, in the dialog
                out.append(f"the workflow cannot be read: {exc}")
        return out

    def accept(self) -> None:
        binding = self.binding()
        problems = self.problems(binding)
        if problems:
            self.problems_label.setText("<br>".join(error_html(p) for p in problems))
            return
        try:
            self.saved = self.controller.save_binding(binding)
        except (ValueError, OSError) as exc:
            self.problems_label.setText(error_html(str(exc)))
            return
        super().accept()

