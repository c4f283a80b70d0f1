"""Run-finished desktop notices (DesktopNotifier): the system tray where one exists, else an in-window
toast. (The run-finished *event* to webhooks, SQS and JSON lines is notify/notifier.py's EventNotifier.)

Both carry the file name and the result; clicking one asks (AppSignals.show_run_requested)
to show the run's details. The settings can turn notifications off, or only for success or
failure.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from . import icons, theme
from .engine_adapter import EngineAdapter
from .settings import AppSettings
from .signals import AppSignals

TOAST_MS = 7000
MAX_TOASTS = 3


class Toast(QFrame):
    def __init__(self, parent: QWidget, task_id: str, title: str, text: str, success: bool,
                 on_click) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.task_id = task_id
        self.setObjectName("toast")
        accent = theme.STATUS_COLORS["SUCCESS" if success else "FAIL"]
        self.setStyleSheet(f"QFrame#toast {{ background:{theme.PANEL_ALT}; border:1px solid {theme.BORDER};"
                           f" border-left:4px solid {accent}; border-radius:8px; }}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 10, 10)
        icon = QLabel()
        icon.setPixmap(icons.pixmap("success" if success else "fail", 22, accent))
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        self.title_label = QLabel(f"<b>{title}</b>")
        self.text_label = QLabel(text)
        self.text_label.setWordWrap(True)
        self.text_label.setProperty("role", "hint")
        texts.addWidget(self.title_label)
        texts.addWidget(self.text_label)
        layout.addLayout(texts, 1)
        self.details = QPushButton("Details")
        self.details.clicked.connect(lambda: (on_click(task_id), self.close_toast()))
        close = QPushButton("×")
        close.setFixedWidth(28)
        close.setFlat(True)
        close.clicked.connect(self.close_toast)
        layout.addWidget(self.details, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.setFixedWidth(380)
        self.adjustSize()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.close_toast)
        self._timer.start(TOAST_MS)
        self.closed = False
        self.on_closed = None  # called once when the toast goes

    def close_toast(self) -> None:
        if not self.closed:
            self.closed = True
            self._timer.stop()
            self.hide()
            if self.on_closed is not None:
                self.on_closed(self)
            self.deleteLater()


class DesktopNotifier(QObject):
    def __init__(self, window: QWidget, adapter: EngineAdapter, settings: AppSettings, signals: AppSignals,
                 use_tray: bool | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.adapter = adapter
        self.settings = settings
        self.signals = signals
        self.toasts: list[Toast] = []
        self.sent: list[tuple[str, str, str]] = []  # (task id, title, text), newest last
        self.tray: QSystemTrayIcon | None = None
        self._tray_task = ""
        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable()
        if use_tray:
            self.tray = QSystemTrayIcon(icons.app_icon(), self)
            self.tray.setToolTip("MediaFlow")
            self.tray.messageClicked.connect(self._tray_clicked)
            self.tray.activated.connect(lambda *_: self.window.showNormal() or self.window.activateWindow())
            self.tray.show()
        signals.run_finished.connect(self.on_run_finished)
        window.installEventFilter(self)

    @property
    def uses_tray(self) -> bool:
        return self.tray is not None

    def on_run_finished(self, task_id: str, result: str, message: str) -> None:
        if not self.settings.notify_enabled:
            return
        success = result == "SUCCESS"
        if (success and not self.settings.notify_success) or (not success and not self.settings.notify_failure):
            return
        run = self.adapter.run(task_id)
        name = Path(run.input).name if run else task_id
        if success:
            title, text = f"Done: {name}", f"Every subtask succeeded · {task_id}"
        elif result == "CANCELED":
            title, text = f"Canceled: {name}", f"The run was canceled · {task_id}"
        else:
            title, text = f"Failed: {name}", (message or "The run failed") + f" · {task_id}"
        self.notify(task_id, title, text, success)

    def notify(self, task_id: str, title: str, text: str, success: bool) -> None:
        self.sent.append((task_id, title, text))
        if self.tray is not None:
            self._tray_task = task_id
            icon = QSystemTrayIcon.MessageIcon.Information if success else QSystemTrayIcon.MessageIcon.Warning
            self.tray.showMessage(title, text, icon, TOAST_MS)
            return
        toast = Toast(self.window, task_id, title, text[:300], success, self.signals.show_run_requested.emit)
        toast.on_closed = self._forget
        self.toasts.append(toast)
        while len([t for t in self.toasts if not t.closed]) > MAX_TOASTS:
            next(t for t in self.toasts if not t.closed).close_toast()
        toast.show()
        toast.raise_()
        self._place()

    def _forget(self, toast: Toast) -> None:
        if toast in self.toasts:
            self.toasts.remove(toast)
        self._place()

    def live_toasts(self) -> list[Toast]:
        return [t for t in self.toasts if not t.closed]

    def _place(self) -> None:
        # bottom-right corner of the canvas, so the task list stays readable
        margin = 16
        central = self.window.centralWidget() if hasattr(self.window, "centralWidget") else None
        area = central.geometry() if central is not None else self.window.rect()
        y = area.bottom() - margin
        for toast in reversed(self.live_toasts()):
            y -= toast.height()
            toast.move(QPoint(area.right() - toast.width() - margin, y))
            y -= 8

    def _tray_clicked(self) -> None:
        if self._tray_task:
            self.signals.show_run_requested.emit(self._tray_task)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.window and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
