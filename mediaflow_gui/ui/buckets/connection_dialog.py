"""Add or edit one S3-compatible connection, with a Test button that says exactly what failed.

The test runs in a pool thread (`StorageService.test_connection` never raises; it returns a
Diagnosis: DNS, REFUSED, TIMEOUT, TLS, BAD_KEY, BAD_SECRET, NO_SUCH_BUCKET, ACCESS_DENIED, …).
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from ...storage.s3 import ADDRESSING_STYLES, Diagnosis, S3Connection
from ...storage.service import StorageService
from ..workers import run_in_thread
from .widgets import SecretField, diagnosis_html


class ConnectionDialog(QDialog):
    def __init__(self, service: StorageService, connection: S3Connection | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.editing = connection is not None
        self.setWindowTitle(self.tr("Edit connection") if self.editing else self.tr("Add S3 connection"))
        self.setMinimumWidth(520)
        conn = connection or S3Connection(name="")

        self.name = QLineEdit(conn.name)
        self.name.setPlaceholderText(self.tr("e.g. my-minio"))
        self.endpoint = QLineEdit(conn.endpoint_url)
        self.endpoint.setPlaceholderText(self.tr("https://s3.example.com:9000  (empty = AWS S3)"))
        self.region = QLineEdit(conn.region)
        self.access_key = QLineEdit(conn.access_key)
        self.secret = SecretField(conn.secret_key, copy_button=False)
        self.addressing = QComboBox()
        self.addressing.addItem(self.tr("Path style (https://host/bucket/key)"), "path")
        self.addressing.addItem(self.tr("Virtual host (https://bucket.host/key)"), "virtual")
        self.addressing.setCurrentIndex(max(0, list(ADDRESSING_STYLES).index(conn.addressing)
                                            if conn.addressing in ADDRESSING_STYLES else 0))
        self.verify_tls = QCheckBox(self.tr("Verify TLS certificates"))
        self.verify_tls.setChecked(conn.verify_tls)
        self.test_bucket = QLineEdit()
        self.test_bucket.setPlaceholderText(self.tr("optional: also check this bucket"))

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Endpoint URL"), self.endpoint)
        form.addRow(self.tr("Region"), self.region)
        form.addRow(self.tr("Access key"), self.access_key)
        form.addRow(self.tr("Secret key"), self.secret)
        form.addRow(self.tr("Addressing"), self.addressing)
        form.addRow("", self.verify_tls)

        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.clicked.connect(self.test)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_bucket, 1)
        test_row.addWidget(self.test_button)
        form.addRow(self.tr("Test"), test_row)

        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setObjectName("diagnosis")
        self.diagnosis: Diagnosis | None = None

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        if self.editing:
            self.name.setReadOnly(True)  # the name is how bindings refer to it

    def connection(self) -> S3Connection:
        return S3Connection(name=self.name.text().strip(), endpoint_url=self.endpoint.text().strip(),
                            region=self.region.text().strip() or "us-east-1",
                            access_key=self.access_key.text().strip(), secret_key=self.secret.text().strip(),
                            addressing=str(self.addressing.currentData()), verify_tls=self.verify_tls.isChecked())

    def test(self) -> None:
        conn = self.connection()
        if not conn.name:
            conn.name = "unsaved"
        bucket = self.test_bucket.text().strip() or None
        self.test_button.setEnabled(False)
        self.diagnosis = None
        self.result.setText(self.tr("Testing…"))
        service = self.service
        run_in_thread(lambda: service.test_connection(conn, bucket), self._tested, self._test_failed, context=self)

    def _tested(self, diagnosis: Diagnosis) -> None:
        self.test_button.setEnabled(True)
        self.diagnosis = diagnosis
        self.result.setText(diagnosis_html(diagnosis))

    def _test_failed(self, exc: BaseException) -> None:  # test_connection should not raise; say so if it does
        self._tested(Diagnosis(False, "ERROR", f"{type(exc).__name__}: {exc}"))

    def accept(self) -> None:
        conn = self.connection()
        problems = conn.problems()
        if conn.name == "embedded":
            problems.append("the name 'embedded' is reserved for the embedded store")
        if not self.editing and conn.name in self.service.connection_names():
            problems.append(f"a connection named {conn.name!r} exists already")
        if problems:
            self.result.setText(diagnosis_html(Diagnosis(False, "INVALID", "; ".join(problems))))
            return
        try:
            self.service.add_connection(conn)
        except (ValueError, OSError) as exc:
            self.result.setText(diagnosis_html(Diagnosis(False, "ERROR", str(exc))))
            return
        super().accept()
