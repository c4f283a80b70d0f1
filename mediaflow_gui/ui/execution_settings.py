"""Settings → Execution: run steps on this computer (the default) or on a Dask cluster (issue 16).

The group the settings dialog shows: the choice, the scheduler's address with a Test button (which asks
the scheduler for its workers — cluster/info.py describe_cluster — on a pool thread, so a scheduler that
does not answer never freezes the dialog), the S3 store and bucket inputs and outputs travel through,
and what a worker needs. It reads and writes AppSettings' cluster_* keys; applying them to the Runtime
is AppContext.apply_cluster_settings()'s job, after the dialog is accepted.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QVBoxLayout, QWidget)

from ..cluster.settings import DEFAULT_PORT, DEFAULT_STAGING_BUCKET, ClusterSettings
from .execution import cluster_report_html
from .settings import AppSettings
from .workers import run_in_thread

log = logging.getLogger(__name__)

EMBEDDED = ""  # the staging combo's data for the embedded store (ClusterSettings.staging_connection "")


def saved_connection_names() -> list[str]:
    """The user's S3 connections (connections.json in the data dir), without the embedded one."""
    from ..storage.connections import ConnectionRegistry
    from ..storage.embedded import EMBEDDED_CONNECTION_NAME
    try:
        return [n for n in ConnectionRegistry().names() if n != EMBEDDED_CONNECTION_NAME]
    except (OSError, ValueError) as exc:  # a broken file: the buckets page says so; here, the embedded store only
        log.warning("cannot list the S3 connections: %s", exc)
        return []


class ExecutionSettings(QGroupBox):
    """The Execution group. `connection_names`: the S3 connections to offer for staging (None: read them)."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None, *,
                 connection_names: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Execution"))
        self.setObjectName("execution_settings")
        self.test_timeout = 5.0  # seconds the Test button waits for the scheduler (tests shorten it)
        self.tests_asked = 0  # Test presses; only the newest one's answer is shown
        form = QFormLayout(self)

        self.on_local = QRadioButton(self.tr("This computer"))
        self.on_cluster = QRadioButton(self.tr("Dask cluster at"))
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.on_local)
        self.choice.addButton(self.on_cluster)
        self.address = QLineEdit(settings.cluster_address)
        self.address.setObjectName("cluster_address")
        self.address.setPlaceholderText(f"tcp://host:{DEFAULT_PORT}")
        self.address.setMinimumWidth(260)
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.setToolTip(self.tr("Ask the scheduler for its workers, their threads, memory and FFmpeg"))
        self.test_button.clicked.connect(self.test)
        choice = QVBoxLayout()
        choice.addWidget(self.on_local)
        cluster_row = QHBoxLayout()
        cluster_row.addWidget(self.on_cluster)
        cluster_row.addWidget(self.address, 1)
        cluster_row.addWidget(self.test_button)
        choice.addLayout(cluster_row)
        form.addRow(self.tr("Run steps on"), choice)

        self.test_result = QLabel("")  # the workers the Test found
        self.test_result.setObjectName("cluster_test_result")
        self.test_result.setTextFormat(Qt.TextFormat.RichText)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_result.setProperty("role", "hint")
        self.test_result.setWordWrap(True)
        self.test_result.hide()
        form.addRow("", self.test_result)
        self.test_error = QLabel("")  # why the Test, or saving, failed (in red)
        self.test_error.setObjectName("cluster_test_error")
        self.test_error.setTextFormat(Qt.TextFormat.PlainText)  # a reason may hold "<…>": never markup
        self.test_error.setProperty("role", "error")
        self.test_error.setWordWrap(True)
        self.test_error.hide()
        form.addRow("", self.test_error)

        self.staging = QComboBox()
        self.staging.setObjectName("cluster_staging")
        self.staging.addItem(self.tr("Embedded store (this computer only)"), EMBEDDED)
        names = saved_connection_names() if connection_names is None else list(connection_names)
        for name in names:
            self.staging.addItem(name, name)
        saved = settings.cluster_staging_connection
        if saved and self.staging.findData(saved) < 0:  # a connection removed since: kept, not silently dropped
            self.staging.addItem(self.tr("{0} (missing)").format(saved), saved)
        self.staging.setCurrentIndex(max(0, self.staging.findData(saved)))
        form.addRow(self.tr("Staging store"), self.staging)
        self.staging_bucket = QLineEdit(settings.cluster_staging_bucket)
        self.staging_bucket.setObjectName("cluster_staging_bucket")
        form.addRow(self.tr("Staging bucket"), self.staging_bucket)
        # the command that starts a worker for this scheduler, ready to copy (a field: it never wraps)
        self.worker_command = QLineEdit()
        self.worker_command.setObjectName("cluster_worker_command")
        self.worker_command.setReadOnly(True)
        copy = QPushButton(self.tr("Copy"))
        copy.setToolTip(self.tr("Copy the command to the clipboard"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.worker_command.text()))
        command_row = QHBoxLayout()
        command_row.addWidget(self.worker_command, 1)
        command_row.addWidget(copy)
        form.addRow(self.tr("Start a worker"), command_row)
        self.address.textChanged.connect(self._show_worker_command)
        self._show_worker_command()
        hint = QLabel(self.tr("Each worker needs MediaFlow and FFmpeg installed; start it with this command on its "
                              "machine. Inputs and results travel through the staging store (a bucket run's input is "
                              "read from its own bucket). The embedded store is only reachable by workers on this "
                              "computer."))
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        form.addRow("", hint)

        (self.on_cluster if settings.cluster_enabled else self.on_local).setChecked(True)
        self.on_cluster.toggled.connect(self._enable)
        self._enable(settings.cluster_enabled)

    def _show_worker_command(self) -> None:
        typed = ClusterSettings(address=self.address.text().strip())
        address = typed.normalized_address() if typed.enabled and not typed.problems() else f"tcp://host:{DEFAULT_PORT}"
        self.worker_command.setText(f"mediaflow worker --scheduler {address}")

    def _enable(self, cluster: bool) -> None:
        for w in (self.address, self.test_button, self.staging, self.staging_bucket):
            w.setEnabled(cluster)
        if not cluster:
            self.test_error.hide()

    # -- what the page holds ------------------------------------------------------------------------
    def cluster_settings(self) -> ClusterSettings:
        """The settings as the page shows them (address "" when "This computer" is chosen)."""
        return ClusterSettings(address=self.address.text().strip() if self.on_cluster.isChecked() else "",
                               staging_connection=self.staging.currentData() or EMBEDDED,
                               staging_bucket=self.staging_bucket.text().strip() or DEFAULT_STAGING_BUCKET)

    def problems(self) -> list[str]:
        """Why the page cannot be saved as it is (a cluster chosen without an address, a bad address)."""
        if self.on_cluster.isChecked() and not self.address.text().strip():
            return [self._no_address()]
        return self.cluster_settings().problems()

    def _no_address(self) -> str:
        return self.tr("Type the scheduler's address, such as {0}").format(f"tcp://host:{DEFAULT_PORT}")

    def check(self) -> bool:
        """True when the page can be saved; else its problems are shown in red."""
        problems = self.problems()
        if problems:
            self.show_error("; ".join(problems))
        return not problems

    def save(self, settings: AppSettings) -> None:
        settings.cluster_enabled = self.on_cluster.isChecked()
        settings.cluster_address = self.address.text().strip()
        settings.cluster_staging_connection = self.staging.currentData() or EMBEDDED
        settings.cluster_staging_bucket = self.staging_bucket.text().strip() or DEFAULT_STAGING_BUCKET

    # -- the Test button --------------------------------------------------------------------------
    def test(self) -> None:
        """Ask the typed scheduler for its workers on a pool thread; the answer (or why there is none)
        is shown under the address. A scheduler that does not answer costs `test_timeout` seconds of
        waiting, never a frozen dialog."""
        self.tests_asked += 1
        asked = self.tests_asked
        self.test_error.hide()
        if not self.address.text().strip():
            self.show_error(self._no_address())
            return
        settings = ClusterSettings(address=self.address.text().strip())
        problems = settings.problems()
        if problems:
            self.show_error("; ".join(problems))
            return
        address = settings.normalized_address()
        self.test_result.setText(html.escape(self.tr("Asking {0} for its workers…").format(address)))
        self.test_result.show()
        self.test_button.setEnabled(False)
        timeout = self.test_timeout

        def describe():  # noqa: ANN202 - ClusterInfo; on the pool thread
            from ..cluster.info import describe_cluster
            return describe_cluster(address, timeout=timeout)

        def done(info) -> None:  # noqa: ANN001 - ClusterInfo
            if asked == self.tests_asked:
                self.test_button.setEnabled(self.on_cluster.isChecked())
                self.test_result.setText(cluster_report_html(info))
                self.test_result.show()

        def failed(exc: BaseException) -> None:
            if asked == self.tests_asked:
                self.test_button.setEnabled(self.on_cluster.isChecked())
                self.show_error(str(exc))

        run_in_thread(describe, done, failed, context=self)

    def show_error(self, text: str) -> None:
        self.test_result.hide()
        self.test_error.setText(text)
        self.test_error.show()
