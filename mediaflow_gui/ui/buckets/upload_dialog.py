"""Upload local files into a bucket (the Buckets page's Upload… button), with progress.

Bucket names are listed and files uploaded in a pool thread; boto3's progress callback
(called on that thread) reaches the dialog through a queued Qt signal.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from ...storage.s3 import content_type_for, error_text, make_client, normalize_prefix
from ...storage.service import StorageService
from ..i18n import translate  # explicit context: lupdate misreads the classes of this module
from ..workers import run_in_thread
from .widgets import error_html


class _Progress(QObject):
    # (bytes sent so far over all files, total bytes, name of the current file)
    advanced = Signal(int, int, str)


def upload_files(service: StorageService, connection: str, bucket: str, prefix: str, paths: list[Path],
                 progress: _Progress | None = None) -> list[str]:
    """Blocking: upload each file to `bucket/<prefix><name>`; returns the s3:// URLs."""
    conn = service.connection(connection)
    client = make_client(conn)
    total = sum(p.stat().st_size for p in paths) or 1
    sent = [0]
    urls = []
    for path in paths:
        key = normalize_prefix(prefix) + path.name

        def step(n: int, name: str = path.name) -> None:
            sent[0] += n
            if progress is not None:
                progress.advanced.emit(sent[0], total, name)
        try:
            client.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type_for(path)},
                               Callback=step)
        except Exception as exc:  # one readable line for the dialog (DNS, refused, keys, bucket…)
            raise RuntimeError(f"{path.name}: {error_text(exc, conn, bucket)}") from exc
        urls.append(f"s3://{bucket}/{key}")
    return urls


class UploadDialog(QDialog):
    def __init__(self, service: StorageService, paths: list[str], *, connection: str = "embedded",
                 bucket: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.paths = [Path(p) for p in paths]
        self.urls: list[str] = []
        self.error = ""
        self.setWindowTitle(translate("UploadDialog", "Upload to a bucket"))
        self.setMinimumWidth(520)

        self.connection = QComboBox()
        for name in service.connection_names():
            self.connection.addItem(name)
        self.connection.setCurrentText(connection)
        self.bucket = QComboBox()
        self.bucket.setEditable(True)
        self.bucket.setCurrentText(bucket)
        self._wanted_bucket = bucket
        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText(translate("UploadDialog", "optional, e.g. incoming/"))
        size = sum(p.stat().st_size for p in self.paths if p.exists())
        names = ", ".join(p.name for p in self.paths[:4]) + (" …" if len(self.paths) > 4 else "")
        count = len(self.paths)  # a plain name: pyside6-lupdate skips translate() with a call as its count
        self.files_label = QLabel(translate("UploadDialog", "%n file(s), {0} MB: {1}", "", count)
                                  .format(f"{size / 1e6:.1f}", names))
        self.files_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow(translate("UploadDialog", "Files"), self.files_label)
        form.addRow(translate("UploadDialog", "Connection"), self.connection)
        form.addRow(translate("UploadDialog", "Bucket"), self.bucket)
        form.addRow(translate("UploadDialog", "Prefix"), self.prefix)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.upload_button = QPushButton(translate("UploadDialog", "Upload"))
        self.upload_button.setDefault(True)
        self.buttons.addButton(self.upload_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.upload_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self._relay = _Progress(self)
        self._relay.advanced.connect(self._advanced)
        self.connection.currentTextChanged.connect(lambda *_: self.load_buckets())
        self.load_buckets()

    def load_buckets(self) -> None:
        service, conn = self.service, self.connection.currentText()
        run_in_thread(lambda: service.list_buckets(conn), self._buckets_loaded,
                      lambda exc: self.status.setText(error_html(translate("UploadDialog", "cannot list buckets: {0}").format(error_text(exc)))),
                      context=self)

    def _buckets_loaded(self, names: list[str]) -> None:
        current = self.bucket.currentText() or self._wanted_bucket
        self.bucket.clear()
        self.bucket.addItems(names)
        self.bucket.setCurrentText(current or (names[0] if names else ""))

    def start(self) -> None:
        bucket = self.bucket.currentText().strip()
        if not bucket:
            self.status.setText(error_html(translate("UploadDialog", "choose a bucket")))
            return
        missing = [p.name for p in self.paths if not p.is_file()]
        if missing:
            self.status.setText(error_html(translate("UploadDialog", "not a file: {0}").format(", ".join(missing))))
            return
        self.upload_button.setEnabled(False)
        self.status.setText(translate("UploadDialog", "Uploading…"))
        self.error = ""
        service, conn, prefix, paths, relay = (self.service, self.connection.currentText(), self.prefix.text(),
                                               list(self.paths), self._relay)
        run_in_thread(lambda: upload_files(service, conn, bucket, prefix, paths, relay), self._done,
                      self._failed, context=self)

    def _advanced(self, sent: int, total: int, name: str) -> None:
        self.progress.setValue(int(1000 * min(1.0, sent / max(1, total))))
        self.status.setText(translate("UploadDialog", "Uploading {0}…").format(name))

    def _done(self, urls: list[str]) -> None:
        self.urls = urls
        self.progress.setValue(1000)
        self.upload_button.setEnabled(True)
        shown = "<br>".join(urls[:5]) + ("<br>…" if len(urls) > 5 else "")
        count = len(urls)
        self.status.setText(translate("UploadDialog", "Uploaded %n file(s):", "", count) + f"<br>{shown}")

    def _failed(self, exc: BaseException) -> None:
        self.error = str(exc)
        self.upload_button.setEnabled(True)
        self.status.setText(error_html(translate("UploadDialog", "upload failed: {0}").format(exc)))

