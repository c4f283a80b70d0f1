"""The run details dialog: the run, every subtask, outputs with thumbnails, errors and FFmpeg commands.

A run that ran in this window is shown from the adapter's RunRecord, which the engine's events
keep up to date (engine/run_state.py) — outputs arrive with SubtaskFinished, so the store is never
read for it. Any other run (history from before the window opened, a run of another process) is
read from the task store in a pool thread. Thumbnails are decoded in pool threads and set as they
arrive.

While the dialog is open for a run in progress it follows the run live. It listens to the
adapter's `run_updated` signal (already throttled to ~10 a second per run) and coalesces those
into at most one refresh per REFRESH_MS, which only touches what changed: the header chip and
elapsed time, each subtask's chip and percentage, and — when a subtask's status, message or
outputs changed — that subtask's card, rebuilt alone, so a finished subtask shows its outputs and
thumbnails, or its error, at once and the thumbnails already shown are not decoded again.

Closing the dialog disconnects it from the adapter before Qt deletes it: a late signal or pool
thread result must never reach a deleted dialog.

Two tabs: "Subtasks" (the cards) and "FFmpeg" (ffmpeg_log.py: each FFmpeg process once, a fused
group's command too, with its stderr tail and a Copy button). The input's name and the paths elide in
the middle (elided.py), the whole text on hover.

The cards are subtask_card.py's, the words and numbers formatting.py's; this module holds the dialog:
what to read, when to refresh, which card to rebuild, the thumbnails' loading.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QTabWidget, QVBoxLayout, QWidget)

from ...engine.run_state import RunRecord, SubtaskRecord
from ...model.values import format_time
from .. import icons
from ..engine_adapter import EngineAdapter
from ..elided import ElidedLabel
from ..workers import run_in_thread
from .ffmpeg_log import FFmpegLogView, ffmpeg_processes
from .formatting import format_elapsed
from .subtask_card import THUMB, SubtaskCard, card_signature, make_chip, set_chip, set_text
from .thumbnails import load_thumbnail

REFRESH_MS = 250  # at most 4 live refreshes a second per dialog, however many runs are busy


# the header's fact names: English (the logic keys on them), marked for pyside6-lupdate, shown translated
FACT_NAMES = (QT_TRANSLATE_NOOP("RunDetailsDialog", "Workflow"), QT_TRANSLATE_NOOP("RunDetailsDialog", "Input"),
              QT_TRANSLATE_NOOP("RunDetailsDialog", "Created"), QT_TRANSLATE_NOOP("RunDetailsDialog", "Elapsed"),
              QT_TRANSLATE_NOOP("RunDetailsDialog", "Output folder"))


def _open_folder(path: str) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


class RunDetailsDialog(QDialog):
    # (task id): show this finished run replayed on its own canvas (the main window opens runs/replay.py)
    replay_requested = Signal(str)

    def __init__(self, adapter: EngineAdapter, task_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.adapter = adapter
        self.task_id = task_id
        self.record: RunRecord | None = None
        self.cards: dict[str, SubtaskCard] = {}
        self.thumb_labels: dict[str, QLabel] = {}
        self.thumbs_loaded = 0
        self.refreshes = 0  # live refreshes applied (tests check the coalescing)
        self.status_chip: QLabel | None = None
        self.elapsed_label: QLabel | None = None
        self.title_label: ElidedLabel | None = None
        self._header_signature: tuple | None = None
        self._closed = False
        self._fetching = False
        self._fetch_again = False
        self._full_rebuild = False
        self.setWindowTitle(self.tr("Run {0}").format(task_id))
        self.resize(920, 720)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.header = QWidget()
        layout.addWidget(self.header)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 8, 0, 0)
        self.body_layout.setSpacing(10)
        scroll.setWidget(self.body)
        # the subtasks (cards) and the FFmpeg processes (command once per process, its stderr tail)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(scroll, self.tr("Subtasks"))
        self.ffmpeg_view = FFmpegLogView()
        self.tabs.addTab(self.ffmpeg_view, icons.icon("process"), "FFmpeg")
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setIcon(icons.icon("close"))
        self.open_button = QPushButton(icons.icon("folder"), self.tr("Open output folder"))
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_output_folder)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.replay_button = QPushButton(icons.icon("layout"), self.tr("Replay on canvas"))
        self.replay_button.setToolTip(self.tr("The workflow as this run ran it, each node's time and outputs, and a timeline"))
        self.replay_button.setEnabled(False)
        self.replay_button.clicked.connect(lambda: self.replay_requested.emit(self.task_id))
        buttons.addButton(self.replay_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.loading = QLabel(self.tr("Loading…"))
        self.loading.setProperty("role", "hint")
        self.body_layout.addWidget(self.loading)
        # one single-shot timer coalesces every update that arrives while it runs into one refresh
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self._connected = True
        adapter.signals.run_updated.connect(self._on_run_updated)
        self.reload()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def refresh_pending(self) -> bool:
        """An update arrived and its coalesced refresh has not run yet."""
        return self._refresh_timer.isActive()

    # -- reading the record ------------------------------------------------------------------
    def reload(self) -> None:
        """Rebuild everything: from the adapter's record for a run of this window, else read from the store."""
        if self.adapter.ran_here(self.task_id):
            self.show_record(self.adapter.run(self.task_id))
            return
        self._full_rebuild = True
        self._fetch()

    def _fetch(self) -> None:
        if self._closed:
            return
        if self._fetching:  # one read at a time; read once more when it is back
            self._fetch_again = True
            return
        self._fetching = True
        self.adapter.fetch_record(self.task_id, self._on_fetched, context=self, on_error=self._on_fetch_failed)

    def _on_fetched(self, record: RunRecord | None) -> None:
        self._fetching = False
        if self._closed:
            return
        full, self._full_rebuild = self._full_rebuild, False
        if full or self.record is None or record is None:
            self.show_record(record)
        else:
            self._apply_record(record)
        if self._fetch_again:
            self._fetch_again = False
            self._fetch()

    def _on_fetch_failed(self, exc: BaseException) -> None:
        self._fetching = False
        if self._closed:
            return
        self.adapter.signals.status_message.emit(self.tr("Could not read run {0}: {1}").format(self.task_id, exc))
        if self.record is None:
            self._clear_body()
            self.body_layout.addWidget(QLabel(self.tr("Could not read run {0}: {1}").format(self.task_id, exc)))

    # -- live updates ------------------------------------------------------------------------
    def _on_run_updated(self, task_id: str) -> None:
        if self._closed or task_id != self.task_id:
            return
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh(self) -> None:
        """Show the live state of the run (called by the coalescing timer)."""
        if self._closed or self.record is None:
            return
        run = self.adapter.run(self.task_id)
        if run is None:
            return
        self.refreshes += 1
        if self.adapter.ran_here(self.task_id):
            self._apply_record(run)  # outputs, errors and the run's end are in the record: no store read
        else:
            self._show_live(run)

    def _show_live(self, run: RunRecord) -> None:
        if self.status_chip is not None:
            set_chip(self.status_chip, run.display_status)
        if self.elapsed_label is not None:
            set_text(self.elapsed_label, format_elapsed(run.elapsed()))
        for sub in run.subtasks:
            card = self.cards.get(sub.step_id)
            if card is not None:
                card.show_live(sub.status.value, sub.progress)

    def _apply_record(self, record: RunRecord) -> None:
        """Rebuild the header and only the cards whose record changed; keep the others as they are."""
        self.record = record
        changed = self._header_key(record) != self._header_signature
        if changed:
            self._build_header(record)
        for sub in record.subtasks:
            card = self.cards.get(sub.step_id)
            if card is None or card.signature == card_signature(sub):
                continue
            changed = True
            fresh = self._subtask_card(sub)
            self.body_layout.replaceWidget(card, fresh)
            self._drop_card(card)
            self.cards[sub.step_id] = fresh
        if changed:  # the output folder may exist now (a stat: not on every refresh)
            self._update_open_button()
        self._show_ffmpeg(record)
        self._show_live(record)

    # -- building ----------------------------------------------------------------------------
    def _clear_body(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # out of sight now, not only once the loop deletes it
                item.widget().deleteLater()
        self.cards.clear()
        self.thumb_labels.clear()

    def _drop_card(self, card: SubtaskCard) -> None:
        for path in card.thumb_paths:
            label = self.thumb_labels.get(path)
            if label is not None and card.isAncestorOf(label):  # not when the new card took the path over
                del self.thumb_labels[path]
        card.hide()
        card.deleteLater()

    def show_record(self, record: RunRecord | None) -> None:
        """Build everything from `record`, then show the live state over it."""
        self.record = record
        self._clear_body()
        if record is None:
            self.body_layout.addWidget(QLabel(self.tr("No run with TaskId {0} in the task store.").format(self.task_id)))
            return
        self._build_header(record)
        for sub in record.subtasks:
            card = self._subtask_card(sub)
            self.cards[sub.step_id] = card
            self.body_layout.addWidget(card)
        self.body_layout.addStretch(1)
        self._update_open_button()
        self._show_ffmpeg(record)
        self._show_live(record)

    def _show_ffmpeg(self, record: RunRecord) -> None:
        """The FFmpeg tab (rebuilt only when a command, a log or a final status changed)."""
        if self.ffmpeg_view.show_record(record):
            count = len(ffmpeg_processes(record))
            self.tabs.setTabText(self.tabs.indexOf(self.ffmpeg_view), f"FFmpeg ({count})" if count else "FFmpeg")

    def _update_open_button(self) -> None:
        folder = self.output_folder()
        self.open_button.setEnabled(bool(folder) and os.path.isdir(folder))
        self.open_button.setToolTip(folder)
        record = self.record
        self.replay_button.setEnabled(record is not None and record.finished and record.workflow is not None)

    @staticmethod
    def _header_key(record: RunRecord) -> tuple:
        return (record.status.value, record.result.value if record.result else "", record.error_code,
                record.message, record.begin_time, record.finish_time)

    def _build_header(self, record: RunRecord) -> None:
        self._header_signature = self._header_key(record)
        old = self.header.layout()
        if old is not None:
            QWidget().setLayout(old)  # reparent the old layout away so a fresh one can be set
        grid = QGridLayout(self.header)
        grid.setContentsMargins(0, 0, 0, 0)
        status = record.result.value if record.result else record.status.value
        # a long file name elides in the middle (its start and its extension stay), full name on hover
        self.title_label = title = ElidedLabel(Path(record.input).name)
        title.setObjectName("run_title")
        title.setProperty("role", "title")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(title)
        self.status_chip = make_chip(status)
        top.addWidget(self.status_chip)
        top.addStretch(1)
        grid.addLayout(top, 0, 0, 1, 4)
        elapsed = (record.finish_time - record.begin_time) if record.finish_time and record.begin_time else None
        facts = [("TaskId", record.task_id), ("Workflow", record.workflow_name), ("Input", record.input),
                 ("Created", format_time(record.create_time)), ("Elapsed", format_elapsed(elapsed)),
                 ("Output folder", record.out_dir or "–")]
        for i, (key, value) in enumerate(facts):
            k = QLabel(self.tr(key))  # the English key stays for the logic below (marked above)
            k.setProperty("role", "hint")
            if key in ("Input", "Output folder"):  # paths: elided in the middle, the whole path on hover
                v: QLabel = ElidedLabel(value)
                v.setObjectName("path_" + key.lower().replace(" ", "_"))
            else:
                v = QLabel(value)
                v.setWordWrap(True)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(k, 1 + i // 2, (i % 2) * 2)
            grid.addWidget(v, 1 + i // 2, (i % 2) * 2 + 1)
            if key == "Elapsed":
                self.elapsed_label = v
        if record.message and status != "SUCCESS":
            msg = QLabel(f"{record.error_code}: {record.message}" if record.error_code else record.message)
            msg.setWordWrap(True)
            msg.setProperty("role", "error")
            msg.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(msg, 5, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def _subtask_card(self, sub: SubtaskRecord) -> SubtaskCard:
        """A card for `sub`; its image outputs' thumbnails are decoded in pool threads and set as they come."""
        card = SubtaskCard(sub)
        if card.ffmpeg_link is not None:
            card.ffmpeg_link.linkActivated.connect(lambda _link: self.tabs.setCurrentWidget(self.ffmpeg_view))
        for path, thumb in card.thumb_labels.items():
            self.thumb_labels[path] = thumb
            run_in_thread(lambda p=path: load_thumbnail(p, THUMB),
                          lambda img, p=path, t=thumb: self._set_thumb(p, img, t),
                          lambda exc: None, context=self)
        return card

    def _set_thumb(self, path: str, image: QImage | None, label: QLabel | None = None) -> None:
        if self._closed:
            return
        current = self.thumb_labels.get(path)
        if current is None or (label is not None and current is not label):
            return  # its card was rebuilt or removed since the thumbnail was asked for
        if image is None or image.isNull():
            return
        pix = QPixmap.fromImage(image).scaled(current.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
        current.setPixmap(pix)
        self.thumbs_loaded += 1

    # -- closing ----------------------------------------------------------------------------------
    def _disconnect(self) -> None:
        """Stop every callback into this dialog (idempotent)."""
        self._closed = True
        self._refresh_timer.stop()
        if self._connected:
            self._connected = False
            try:
                self.adapter.signals.run_updated.disconnect(self._on_run_updated)
            except (RuntimeError, TypeError):  # already gone with the adapter's signals
                pass

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._disconnect()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._disconnect()
        super().done(result)
        # nobody keeps a closed dialog (the window forgets it on `finished`): free it and its pixmaps
        self.deleteLater()

    # -- actions --------------------------------------------------------------------------------
    def output_folder(self) -> str:
        if self.record is None:
            return ""
        if self.record.out_dir:
            return self.record.out_dir
        outputs = self.record.outputs()
        return str(Path(outputs[0]["path"]).parent) if outputs else ""

    def open_output_folder(self) -> bool:
        folder = self.output_folder()
        return bool(folder) and _open_folder(folder)
