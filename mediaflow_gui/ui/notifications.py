"""Run-finished desktop notices (DesktopNotifier): the desktop's own notifications (freedesktop, over
D-Bus: notify/freedesktop.py) where a notification daemon answers, else the system tray where one
exists, else an in-window toast. (The run-finished *event* to webhooks, SQS and JSON lines is
notify/notifier.py's EventNotifier.)

A single run gets one notice with its file name and result; a batch (several files handed over at
once: a drop, Process files/folder) gets ONE notice when its last run ends — "20 files: 19 done,
1 failed" — instead of twenty toasts stacking over the canvas. Clicking one asks
(AppSignals.show_run_requested) to show the run's details (a batch: its first failed run, else its
last). A canceled run is not an error: its notice is neutral. The settings can turn notifications
off, or only for success or failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QTabWidget, QToolButton,
                               QVBoxLayout, QWidget)

from . import icons, theme
from ..notify.freedesktop import FreedesktopNotifications, Notice, connect as connect_freedesktop, notice_icon
from ..paths import resources_dir
from .engine_adapter import EngineAdapter
from .settings import AppSettings
from .signals import AppSignals

TOAST_MS = 7000
MAX_TOASTS = 3


# how a notice looks per outcome: (status colour key, icon); a canceled run is neutral, not an error
_LOOKS = {"SUCCESS": ("SUCCESS", "success"), "FAIL": ("FAIL", "fail"), "CANCELED": ("WAITING", "cancel")}
TOAST_WIDTH = 400
TEXT_LINES = 4  # a longer message is shortened (the whole of it on hover and in the run's details)


def _fit_lines(label: QLabel, text: str, width: int, lines: int) -> str:
    """`text` shortened with "…" until it wraps into at most `lines` lines of `width` pixels."""
    limit = lines * label.fontMetrics().lineSpacing()
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words) + " …"
        probe = QLabel(candidate)
        probe.setFont(label.font())
        probe.setWordWrap(True)
        if probe.heightForWidth(width) <= limit:
            return candidate
    return text[:40] + "…"


class Toast(QFrame):
    def __init__(self, parent: QWidget, task_id: str, title: str, text: str, outcome: str,
                 on_click) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.task_id = task_id
        self.outcome = outcome
        self.setObjectName("toast")
        colour_key, icon_name = _LOOKS.get(outcome, _LOOKS["FAIL"])
        accent = theme.STATUS_COLORS[colour_key]
        self.setStyleSheet(f"QFrame#toast {{ background:{theme.PANEL_ALT}; border:1px solid {theme.BORDER};"
                           f" border-left:4px solid {accent}; border-radius:8px; }}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 8, 10)
        icon = QLabel()
        icon.setPixmap(icons.pixmap(icon_name, 22, accent))
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        # a long file name is elided in the middle (its start and its extension stay), the whole title on hover
        self.title_label.setText(self.title_label.fontMetrics().elidedText(title, Qt.TextElideMode.ElideMiddle, 250))
        self.title_label.setToolTip(title)
        self.text_label = QLabel(text)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setWordWrap(True)
        self.text_label.setProperty("role", "hint")
        texts.addWidget(self.title_label)
        texts.addWidget(self.text_label)
        layout.addLayout(texts, 1)
        self.details = QPushButton(self.tr("Details"))
        self.details.clicked.connect(lambda: (on_click(task_id), self.close_toast()))
        # an icon button: a "×" text button inside the theme's padding was squeezed to a dot
        self.close_button = QToolButton()
        self.close_button.setIcon(icons.icon("close"))
        self.close_button.setIconSize(QSize(14, 14))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Close"))
        self.close_button.clicked.connect(self.close_toast)
        layout.addWidget(self.details, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setFixedWidth(TOAST_WIDTH)
        # a wrapped label inside a fixed-width frame reports one line's height: give the text the width
        # the layout leaves it and the height its lines need, so no line is cut (at most TEXT_LINES)
        layout.activate()
        text_width = max(120, self.text_label.width() or (TOAST_WIDTH - 190))
        lines_height = self.text_label.fontMetrics().lineSpacing() * TEXT_LINES
        if self.text_label.heightForWidth(text_width) > lines_height:
            self.text_label.setText(_fit_lines(self.text_label, text, text_width, TEXT_LINES))
            self.text_label.setToolTip(text)
        self.text_label.setMinimumHeight(self.text_label.heightForWidth(text_width))
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


@dataclass
class Batch:
    """Runs handed over together; one notice when the last ends."""

    task_ids: list[str]
    results: dict[str, tuple[str, str]] = field(default_factory=dict)  # task id → (result, message)

    @property
    def done(self) -> bool:
        return len(self.results) == len(self.task_ids)

    def count(self, result: str) -> int:
        return sum(1 for r, _ in self.results.values() if r == result)


class DesktopNotifier(QObject):
    # (notice id) a desktop notice was clicked; emitted on the D-Bus listener's thread, delivered queued
    _desktop_clicked = Signal(int)

    def __init__(self, window: QWidget, adapter: EngineAdapter, settings: AppSettings, signals: AppSignals,
                 use_tray: bool | None = None, *, use_desktop: bool | None = None,
                 bus_address: str | None = None) -> None:
        """`use_tray`/`use_desktop` None: use what this desktop has; the tests pass use_tray=False for
        in-window toasts (and then D-Bus is only used when use_desktop=True says so)."""
        super().__init__(window)
        self.window = window
        self.adapter = adapter
        self.settings = settings
        self.signals = signals
        self.toasts: list[Toast] = []
        self._batch_of: dict[str, Batch] = {}  # task id → the batch it belongs to, until that batch ends
        self.sent: list[tuple[str, str, str]] = []  # (task id, title, text), newest last
        self.tray: QSystemTrayIcon | None = None
        self._tray_task = ""
        self.desktop: FreedesktopNotifications | None = None
        self._desktop_tasks: dict[int, str] = {}  # desktop notice id → the run its Details opens
        self._followed: QWidget | None = None  # the central widget whose page changes move the toasts
        if use_desktop is None:
            use_desktop = use_tray is None
        if use_desktop:
            self._desktop_clicked.connect(self._desktop_notice_clicked)
            self.desktop = connect_freedesktop(lambda nid, _key: self._desktop_clicked.emit(nid), bus_address)
        if self.desktop is not None:
            use_tray = False  # the desktop shows notices itself; a tray icon would only duplicate them
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

    @property
    def uses_desktop(self) -> bool:
        return self.desktop is not None

    def add_batch(self, task_ids: list[str]) -> None:
        """These runs were handed over together: one notice for all of them when the last ends."""
        if len(task_ids) < 2:
            return
        batch = Batch(list(task_ids))
        for task_id in task_ids:
            self._batch_of[task_id] = batch

    def _wanted(self, result: str) -> bool:
        if not self.settings.notify_enabled:
            return False
        return self.settings.notify_success if result == "SUCCESS" else self.settings.notify_failure

    def _name(self, task_id: str) -> str:
        run = self.adapter.run(task_id)
        return Path(run.input).name if run else task_id

    def on_run_finished(self, task_id: str, result: str, message: str) -> None:
        batch = self._batch_of.pop(task_id, None)
        if batch is not None:
            batch.results[task_id] = (result, message)
            if batch.done:
                self._batch_finished(batch)
            return
        if not self._wanted(result):
            return
        name = self._name(task_id)
        if result == "SUCCESS":
            title, text = self.tr("Done: {0}").format(name), self.tr("Every subtask succeeded · {0}").format(task_id)
        elif result == "CANCELED":
            title, text = self.tr("Canceled: {0}").format(name), self.tr("The run was canceled · {0}").format(task_id)
        else:
            title, text = self.tr("Failed: {0}").format(name), (message or self.tr("The run failed")) + f" · {task_id}"
        self.notify(task_id, title, text, result)

    def _batch_finished(self, batch: Batch) -> None:
        done, failed, canceled = batch.count("SUCCESS"), batch.count("FAIL"), batch.count("CANCELED")
        outcome = "FAIL" if failed else ("CANCELED" if canceled and not done else "SUCCESS")
        if not self._wanted("SUCCESS" if outcome == "SUCCESS" else "FAIL"):
            return
        parts = ([self.tr("{0} done").format(done)] + ([self.tr("{0} failed").format(failed)] if failed else [])
                 + ([self.tr("{0} canceled").format(canceled)] if canceled else []))
        title = self.tr("{0} files: {1}").format(len(batch.task_ids), ", ".join(parts))
        first_failed = next((t for t in batch.task_ids if batch.results[t][0] == "FAIL"), "")
        if first_failed:
            message = batch.results[first_failed][1] or self.tr("the run failed")
            more = self.tr(" (and {0} more)").format(failed - 1) if failed > 1 else ""
            text = f"{self._name(first_failed)}{more}: {message}"
        elif canceled:
            text = self.tr("{0} of {1} runs were canceled").format(canceled, len(batch.task_ids))
        else:
            text = self.tr("All {0} runs succeeded").format(len(batch.task_ids))
        self.notify(first_failed or batch.task_ids[-1], title, text, outcome)

    def notify(self, task_id: str, title: str, text: str, outcome: str) -> None:
        """Show a notice; `outcome` is SUCCESS, FAIL or CANCELED (its colour and icon)."""
        self.sent.append((task_id, title, text))
        if self.desktop is not None:
            try:
                icon = notice_icon(str(resources_dir() / "icons" / "app.svg"))  # "mediaflow" once installed
                notice_id = self.desktop.show(Notice(title, text[:300], outcome, icon))
                if notice_id:
                    self._desktop_tasks[notice_id] = task_id
                    while len(self._desktop_tasks) > 100:  # clicks on old notices: forget the oldest
                        self._desktop_tasks.pop(next(iter(self._desktop_tasks)))
                    return
            except Exception:  # noqa: BLE001 - the daemon went away (logout, crash): the window shows it
                self.desktop.close()
                self.desktop = None
        if self.tray is not None:
            self._tray_task = task_id
            icon = QSystemTrayIcon.MessageIcon.Warning if outcome == "FAIL" else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, text, icon, TOAST_MS)
            return
        toast = Toast(self.window, task_id, title, text, outcome, self.signals.show_run_requested.emit)
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
        # bottom-right corner of the central page (the canvas), so the task list stays readable; above
        # a page's bottom row of controls (Buckets: Test and its diagnosis, Bindings: Show last run),
        # which a toast must not cover
        margin = 16
        central = self.window.centralWidget() if hasattr(self.window, "centralWidget") else None
        self._follow_pages(central)
        area = central.geometry() if central is not None else self.window.rect()
        page = central.currentWidget() if isinstance(central, QTabWidget) else None
        clearance = page.toast_clearance() if hasattr(page, "toast_clearance") else 0
        y = area.bottom() - margin - clearance
        for toast in reversed(self.live_toasts()):
            y -= toast.height()
            toast.move(QPoint(area.right() - toast.width() - margin, y))
            y -= 8

    def _desktop_notice_clicked(self, notice_id: int) -> None:
        task_id = self._desktop_tasks.get(notice_id)
        if task_id:
            self.signals.show_run_requested.emit(task_id)
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()

    def _tray_clicked(self) -> None:
        if self._tray_task:
            self.signals.show_run_requested.emit(self._tray_task)

    def _follow_pages(self, central: QWidget | None) -> None:
        """Place the toasts again when the central page changes or resizes (the editor's docks step
        aside on the Buckets and Bindings pages, after the page has changed)."""
        if central is None or central is self._followed:
            return
        self._followed = central
        central.installEventFilter(self)
        if isinstance(central, QTabWidget):
            central.currentChanged.connect(self._page_changed)

    def _page_changed(self, _index: int) -> None:
        QTimer.singleShot(0, self, self._place)  # after the docks have stepped aside; dropped with self

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if (obj is self.window or obj is self._followed) and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def close(self) -> None:
        if self.desktop is not None:
            self.desktop.close()
            self.desktop = None
        if self.tray is not None:
            self.tray.hide()
