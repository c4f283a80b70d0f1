"""The Buckets page: the embedded store (status, endpoint, keys, example commands, Upload…) and
the saved S3-compatible connections (add / edit / remove / Test with the exact diagnosis).

Nothing here blocks the UI thread: the store starts and stops through the StorageController's
pool threads, connection tests and uploads run in pool threads too.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPlainTextEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget)

from ...storage.embedded import EMBEDDED_CONNECTION_NAME
from ...storage.s3 import Diagnosis, S3Connection
from .. import theme
from ..workers import run_in_thread
from .connection_dialog import ConnectionDialog
from .controller import DEFAULT_INPUT_BUCKET, DEFAULT_OUTPUT_BUCKET, EmbeddedState, StorageController
from .upload_dialog import UploadDialog
from .widgets import CopyField, SecretField, copy_text, diagnosis_html, error_html

_STATE_COLORS = {"running": theme.STATUS_COLORS["SUCCESS"], "starting": theme.STATUS_COLORS["PROCESSING"],
                 "stopping": theme.STATUS_COLORS["PROCESSING"], "error": theme.ERROR}


def example_command(kind: str, state: EmbeddedState, reveal: bool) -> str:
    """A ready-to-copy upload example for an S3 client; the secret masked unless `reveal`."""
    endpoint = state.endpoint_url or "http://127.0.0.1:8333"
    secret = state.secret_key if reveal else "•" * 12
    if kind == "boto3":
        return (f'import boto3\n\n'
                f's3 = boto3.client("s3", endpoint_url="{endpoint}", region_name="{state.region}",\n'
                f'                  aws_access_key_id="{state.access_key}",\n'
                f'                  aws_secret_access_key="{secret}")\n'
                f's3.upload_file("clip.mp4", "{DEFAULT_INPUT_BUCKET}", "clip.mp4")\n'
                f'for obj in s3.list_objects_v2(Bucket="{DEFAULT_OUTPUT_BUCKET}").get("Contents", []):\n'
                f'    print(obj["Key"])\n')
    return (f"export AWS_ACCESS_KEY_ID={state.access_key}\n"
            f"export AWS_SECRET_ACCESS_KEY={secret}\n"
            f"export AWS_DEFAULT_REGION={state.region}\n"
            f"aws --endpoint-url {endpoint} s3 cp clip.mp4 s3://{DEFAULT_INPUT_BUCKET}/\n"
            f"aws --endpoint-url {endpoint} s3 ls s3://{DEFAULT_OUTPUT_BUCKET}/ --recursive\n")


class BucketsPage(QWidget):
    def __init__(self, controller: StorageController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = controller.service
        self.connections: list[S3Connection] = []
        self.diagnoses: dict[str, Diagnosis] = {}
        self.upload_dialog: UploadDialog | None = None

        layout = QHBoxLayout(self)
        layout.addWidget(self._make_embedded_box(), 5)
        layout.addWidget(self._make_connections_box(), 4)

        controller.embedded_changed.connect(self.show_embedded)
        self.show_embedded()
        if not controller.embedded.access_key:
            controller.load_credentials()  # keys are shown even while the store is off
        self.refresh_connections()

    # -- embedded store -----------------------------------------------------------------------------
    def _make_embedded_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Embedded bucket store (SeaweedFS on this computer)"))
        self.status_label = QLabel("")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(self._start_or_stop)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.start_button)

        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(f"QLabel {{ border: 1px solid {theme.ERROR}; border-radius: 4px; "
                                       f"padding: 6px; }}")
        self.error_label.hide()

        self.endpoint = CopyField()
        self.region = CopyField()
        self.access_key = CopyField()
        self.secret = SecretField(read_only=True)
        self.secret.show_button.toggled.connect(lambda *_: self._show_example())
        form = QFormLayout()
        form.addRow(self.tr("Endpoint"), self.endpoint)
        form.addRow(self.tr("Region"), self.region)
        form.addRow(self.tr("Access key"), self.access_key)
        form.addRow(self.tr("Secret key"), self.secret)

        self.example_kind = QComboBox()
        self.example_kind.addItem("AWS CLI", "aws")
        self.example_kind.addItem("Python (boto3)", "boto3")
        self.example_kind.currentIndexChanged.connect(lambda *_: self._show_example())
        self.copy_example = QToolButton()
        self.copy_example.setText(self.tr("Copy"))
        self.copy_example.setToolTip(self.tr("Copy the example, with the real secret key"))
        self.copy_example.clicked.connect(lambda: copy_text(self.example_text(reveal=True)))
        example_row = QHBoxLayout()
        example_row.addWidget(QLabel(self.tr("Upload from any S3 client:")))
        example_row.addWidget(self.example_kind)
        example_row.addStretch(1)
        example_row.addWidget(self.copy_example)
        self.example = QPlainTextEdit()
        self.example.setReadOnly(True)
        self.example.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.example.setFont(mono)
        self.example.setMinimumHeight(120)
        self.example.setMaximumHeight(170)

        self.upload_button = QPushButton(self.tr("Upload…"))
        self.upload_button.setToolTip(self.tr("Upload files into a bucket (a watched bucket starts runs)"))
        self.upload_button.clicked.connect(self.ask_upload)
        self.autostart = QCheckBox(self.tr("Start the embedded store when MediaFlow starts"))
        self.autostart.setChecked(self.controller.autostart)
        self.autostart.toggled.connect(self._set_autostart)
        bottom = QHBoxLayout()
        bottom.addWidget(self.upload_button)
        bottom.addStretch(1)
        bottom.addWidget(self.autostart)

        v = QVBoxLayout(box)
        v.addLayout(status_row)
        v.addWidget(self.error_label)
        v.addLayout(form)
        v.addLayout(example_row)
        v.addWidget(self.example)
        v.addStretch(1)
        v.addLayout(bottom)
        return box

    def show_embedded(self) -> None:
        state = self.controller.embedded
        color = _STATE_COLORS.get(state.state, theme.TEXT_DIM)
        status_word = html.escape(self.tr("Status:"))
        self.status_label.setText(f'<span style="color:{color}">●</span> <b>{status_word}</b> {html.escape(state.text)}')
        self.start_button.setText(self.tr("Stop") if state.state == "running" else self.tr("Start"))
        self.start_button.setEnabled(state.state not in ("starting", "stopping"))
        if state.state == "error" and state.message:
            self.error_label.setText(error_html(state.message).replace("\n", "<br>"))
            self.error_label.show()
        else:
            self.error_label.hide()
        self.endpoint.setText(state.endpoint_url if state.state == "running" else
                              (self.tr("{0} (not running)").format(state.endpoint_url) if state.endpoint_url else ""))
        self.region.setText(state.region)
        self.access_key.setText(state.access_key)
        self.secret.setText(state.secret_key)
        self.upload_button.setEnabled(state.state == "running" or len(self.connections) > 1)
        self._show_example()
        self._fill_connections()

    def example_text(self, reveal: bool | None = None) -> str:
        shown = self.secret.revealed if reveal is None else reveal
        return example_command(str(self.example_kind.currentData()), self.controller.embedded, shown)

    def _show_example(self) -> None:
        self.example.setPlainText(self.example_text())

    def _start_or_stop(self) -> None:
        if self.controller.embedded.state == "running":
            self.controller.stop_embedded()
        else:
            self.controller.start_embedded()

    def _set_autostart(self, on: bool) -> None:
        self.controller.autostart = on

    # -- upload -----------------------------------------------------------------------------------------
    def ask_upload(self) -> UploadDialog | None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Upload files to a bucket")
        return self.upload(paths) if paths else None

    def upload(self, paths: list[str], connection: str = EMBEDDED_CONNECTION_NAME,
               bucket: str = DEFAULT_INPUT_BUCKET) -> UploadDialog:
        dialog = UploadDialog(self.service, paths, connection=connection, bucket=bucket, parent=self)
        self.upload_dialog = dialog
        dialog.show()
        return dialog

    # -- connections ---------------------------------------------------------------------------------------
    def _make_connections_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("S3-compatible connections"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Endpoint"), self.tr("Addressing"),
                                              self.tr("Last test")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.edit_connection())

        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.test_button = QPushButton(self.tr("Test"))
        self.add_button.clicked.connect(lambda: self.add_connection())
        self.edit_button.clicked.connect(lambda: self.edit_connection())
        self.remove_button.clicked.connect(self.remove_connection)
        self.test_button.clicked.connect(lambda: self.test_connection())
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)

        self.diagnosis_label = QLabel(self.tr("AWS S3, Tencent COS, MinIO, SeaweedFS elsewhere… Select a connection and "
                                              "press Test to check the endpoint, the keys and the access."))
        self.diagnosis_label.setWordWrap(True)
        self.diagnosis_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        v = QVBoxLayout(box)
        v.addWidget(self.table, 1)
        v.addLayout(buttons)
        v.addWidget(self.diagnosis_label)
        return box

    def refresh_connections(self) -> None:
        """Read the saved connections (a small file, plus the embedded store's key file) off the UI thread."""
        run_in_thread(self.service.list_connections, self._connections_loaded,
                      lambda exc: self.diagnosis_label.setText(error_html(self.tr("cannot read the connections: {0}").format(exc))),
                      context=self)

    def _connections_loaded(self, connections: list[S3Connection]) -> None:
        self.connections = connections
        self._fill_connections()

    def _fill_connections(self) -> None:
        selected = self.selected_name()
        self.table.setRowCount(len(self.connections))
        for row, conn in enumerate(self.connections):
            embedded = conn.name == EMBEDDED_CONNECTION_NAME
            endpoint = self.controller.embedded.endpoint_url if embedded else conn.endpoint_url
            diag = self.diagnoses.get(conn.name)
            cells = [conn.name + (self.tr(" (built in)") if embedded else ""), endpoint or "AWS S3", conn.addressing,
                     ("✔ OK" if diag.ok else f"✖ {diag.code}") if diag else ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, conn.name)
                if col == 3 and diag is not None:
                    item.setForeground(theme.status_color("SUCCESS" if diag.ok else "FAIL"))
                    item.setToolTip(diag.message)
                self.table.setItem(row, col, item)
        if selected:
            self.select_connection(selected)
        self._update_buttons()

    def selected_name(self) -> str:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def select_connection(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
                return

    def toast_clearance(self) -> int:
        """Pixels at this page's bottom that hold the connections' buttons and the Test diagnosis: an
        in-window notice stays above them."""
        return max(0, self.height() - self.test_button.mapTo(self, QPoint(0, 0)).y())

    def _update_buttons(self) -> None:
        name = self.selected_name()
        self.edit_button.setEnabled(bool(name) and name != EMBEDDED_CONNECTION_NAME)
        self.remove_button.setEnabled(bool(name) and name != EMBEDDED_CONNECTION_NAME)
        self.test_button.setEnabled(bool(name))

    def add_connection(self, modal: bool = True) -> ConnectionDialog:
        dialog = ConnectionDialog(self.service, parent=self)
        dialog.accepted.connect(lambda: (self.refresh_connections(), self.diagnoses.pop(dialog.name.text(), None)))
        if modal:
            dialog.exec()
        return dialog

    def edit_connection(self, modal: bool = True) -> ConnectionDialog | None:
        name = self.selected_name()
        conn = next((c for c in self.connections if c.name == name), None)
        if conn is None or name == EMBEDDED_CONNECTION_NAME:
            return None
        dialog = ConnectionDialog(self.service, conn, parent=self)
        dialog.accepted.connect(lambda: (self.diagnoses.pop(name, None), self.refresh_connections()))
        if modal:
            dialog.exec()
        return dialog

    def remove_connection(self) -> None:
        name = self.selected_name()
        if not name or name == EMBEDDED_CONNECTION_NAME:
            return
        users = [b.name for b in self.service.list_bindings()
                 if name in (b.input_connection, b.output_connection)]
        text = self.tr("Remove the connection {0}?").format(repr(name))
        if users:
            text += "\n\n" + self.tr("These bindings use it and will not start without it:") + "\n" + "\n".join(users)
        if self.confirm(self.tr("Remove connection"), text):
            self.service.remove_connection(name)
            self.diagnoses.pop(name, None)
            self.refresh_connections()

    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def test_connection(self, name: str | None = None) -> None:
        name = name or self.selected_name()
        if not name:
            return
        self.test_button.setEnabled(False)
        self.diagnosis_label.setText(self.tr("Testing {0}…").format(html.escape(name)))
        service = self.service

        def done(diag: Diagnosis) -> None:
            self.diagnoses[name] = diag
            self.diagnosis_label.setText(f"<b>{html.escape(name)}</b>: {diagnosis_html(diag)}")
            self._fill_connections()

        def failed(exc: BaseException) -> None:  # e.g. a connection removed meanwhile
            done(Diagnosis(False, "ERROR", str(exc)))

        run_in_thread(lambda: service.test_connection(name), done, failed, context=self)
