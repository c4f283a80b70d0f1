"""The settings dialog: output folder and names, concurrency, FFmpeg, notifications, and the event
targets every run sends its run-finished event to (webhook with secret, SQS, JSON lines — the editor
the bindings use, ui/buckets/event_targets.py; saved in `event_targets.json`, which the CLI reads too),
and where steps run (this computer or a Dask cluster: ui/execution_settings.py)."""

from __future__ import annotations

import html
import os

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QFrame, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QScrollArea,
                               QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from ..media.naming import DEFAULT_TEMPLATES
from ..model.kinds import TASK_KINDS
from ..notify.global_targets import EventTargetsFileError
from ..notify.sinks import EventTargets
from .buckets.event_targets import EventTargetsEditor
from .ffmpeg_info import describe_setting
from .i18n import kind_title, translate
from . import icons, theme
from .execution_settings import ExecutionSettings
from .file_field import FileField, PathKind
from ..paths import default_results_dir
from .settings import AppSettings
from .workers import run_in_thread


# the existing-file policies (media.naming.ON_EXISTING) as the settings list them
# (texts: English, marked for pyside6-lupdate; the dialog shows them translated)
ON_EXISTING_CHOICES = (("keep-both", QT_TRANSLATE_NOOP("SettingsDialog", "Keep both (the new file gets “ (1)”)")),
                       ("overwrite", QT_TRANSLATE_NOOP("SettingsDialog", "Overwrite the existing file")),
                       ("skip", QT_TRANSLATE_NOOP("SettingsDialog", "Skip (keep the existing file)")))


def open_folder(folder: str) -> bool:
    """Show `folder` in the file manager (created first, so a fresh results folder opens too)."""
    try:
        Path(folder).expanduser().mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(folder).expanduser())))


# what each output-name placeholder becomes (media/naming.py's module docstring says the same)
PLACEHOLDER_MEANINGS = (
    ("{inputName}", QT_TRANSLATE_NOOP("SettingsDialog", "the input's name without its extension (“holiday clip”)")),
    ("{inputFormat}", QT_TRANSLATE_NOOP("SettingsDialog", "the input's extension (“mov”)")),
    ("{taskName}", QT_TRANSLATE_NOOP("SettingsDialog", "the task node's name")),
    ("{definition}", QT_TRANSLATE_NOOP("SettingsDialog",
                                       "a transcode's definition label (“HD”); for images their size (“320x180”)")),
    ("{number}", QT_TRANSLATE_NOOP("SettingsDialog", "01, 02 … for tasks that write several files")),
    ("{format}", QT_TRANSLATE_NOOP("SettingsDialog", "the image format (“jpg”, “gif”)")),
    ("{ext}", QT_TRANSLATE_NOOP("SettingsDialog", "the output's extension (“mp4”)")),
)


def placeholder_help() -> QLabel:
    """The output names' help: one placeholder a line, in the text colour (with its underscores and
    braces as typed), what it becomes beside it in the dim colour; it wraps with the dialog."""
    rows = "".join(f"<tr><td style='color:{theme.TEXT}; padding-right:12px; white-space:pre'>{html.escape(name)}</td>"
                   f"<td>{html.escape(translate('SettingsDialog', meaning))}</td></tr>" for name, meaning in PLACEHOLDER_MEANINGS)
    intro = translate("SettingsDialog", "An empty field uses the default shown in it. Placeholders:")
    label = QLabel(f"<p style='margin:0 0 4px 0'>{html.escape(intro)}</p>"
                   f"<table cellspacing='0' cellpadding='1'>{rows}</table>")
    label.setObjectName("placeholder_help")
    label.setTextFormat(Qt.TextFormat.RichText)  # said, not guessed: never Markdown (it would eat "_")
    label.setWordWrap(True)
    label.setProperty("role", "hint")
    return label


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None, *,
                 connection_names: list[str] | None = None) -> None:
        """`connection_names`: the S3 connections the Execution group offers for staging (None: read them)."""
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings"))
        self.resize(900, 640)  # every row's natural width fits beside the page list: no horizontal scroll
        outer = QVBoxLayout(self)
        # one page per group, chosen from a list on the left (the groups in one scrolling column put
        # Execution, the newest, below five screens of other settings); each page scrolls on its own:
        # on a small screen every row keeps its natural height instead of being squeezed until the
        # underscores of "{inputName}_{definition}" are cut off
        self.pages = QListWidget(self)
        self.pages.setObjectName("settings_pages")
        self.pages.setFixedWidth(170)
        self.pages.setSpacing(3)  # rows a finger apart, like a preferences list
        self.stack = QStackedWidget(self)
        self.page_icons: list[str] = []  # each page's icon in the list (resources/icons/NAME.svg)
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)
        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)

        out = QGroupBox(self.tr("Results"))
        form = QFormLayout(out)
        self.output_dir = FileField(settings.output_dir, kind=PathKind.FOLDER, caption=self.tr("Output folder"),
                                    placeholder=str(default_results_dir()))
        self.open_output = QPushButton(self.tr("Open"))
        self.open_output.setToolTip(self.tr("Show the output folder in the file manager"))
        self.open_output.clicked.connect(self.open_output_folder)
        self.output_dir.layout().addWidget(self.open_output)
        form.addRow(self.tr("Output folder"), self.output_dir)
        self.beside_input = QCheckBox(self.tr("Write results next to each input instead (the tool bar's “Results to”)"))
        self.beside_input.setChecked(settings.output_beside_input)
        form.addRow("", self.beside_input)
        self.subfolder = QCheckBox(self.tr("A folder per input when a run writes several files (<results>/<inputName>/)"))
        self.subfolder.setChecked(settings.subfolder_per_input)
        form.addRow("", self.subfolder)
        self.on_existing = QComboBox()
        for value, text in ON_EXISTING_CHOICES:
            self.on_existing.addItem(self.tr(text), value)
        self.on_existing.setCurrentIndex(max(0, self.on_existing.findData(settings.on_existing)))
        self.on_existing.setToolTip(self.tr("When a result's name is taken in the output folder. Input files are "
                                            "never overwritten."))
        form.addRow(self.tr("When a file exists"), self.on_existing)
        self.templates: dict[str, QLineEdit] = {}
        current = settings.output_templates
        for kind, template in DEFAULT_TEMPLATES.items():
            edit = QLineEdit(current.get(kind, ""))
            edit.setPlaceholderText(template)
            # never shorter than it asks to be: a QLineEdit clips its text to one line's height, and
            # squeezed by 3 px the "_" of {inputName}_{definition} (the lowest ink) is the first to go
            edit.setMinimumHeight(edit.sizeHint().height())
            self.templates[kind] = edit
            title = kind_title(kind) if kind in TASK_KINDS else self.tr("Sprite index (VTT)")
            form.addRow(title, edit)
        form.addRow("", placeholder_help())
        self.add_page(out, "folder")

        run = QGroupBox(self.tr("Processing"))
        form2 = QFormLayout(run)
        self.max_threads = QSpinBox()
        self.max_threads.setRange(1, max(64, (os.cpu_count() or 2) * 4))
        self.max_threads.setValue(settings.max_threads)
        self.max_threads.setSuffix(self.tr(" threads"))
        form2.addRow(self.tr("Concurrency limit"), self.max_threads)
        limit_hint = QLabel(self.tr("CPU threads shared by every FFmpeg process of every run; applies to new tasks."))
        limit_hint.setProperty("role", "hint")
        limit_hint.setWordWrap(True)
        form2.addRow("", limit_hint)
        self.fusion = QCheckBox(self.tr("Decode once for sibling tasks (one FFmpeg process per input)"))
        self.fusion.setChecked(settings.fusion)
        form2.addRow(self.tr("Fusion"), self.fusion)
        self.store_retries = QSpinBox()
        self.store_retries.setRange(0, 10)
        self.store_retries.setValue(settings.store_retries)
        self.store_retries.setSpecialValueText(self.tr("never"))
        self.store_retries.setSuffix(self.tr(" times"))
        self.store_retries.setToolTip(self.tr("A bucket run that failed because a store did not answer (download or "
                                              "upload) runs again after 2 s, 10 s, 30 s, 1 min … FFmpeg failures on "
                                              "bad media are never retried."))
        form2.addRow(self.tr("Retry on store errors"), self.store_retries)
        self.ffmpeg_path = FileField(settings.ffmpeg_path, caption=self.tr("FFmpeg binary"),
                                     placeholder=self.tr("Automatic (PATH's if it can do the job, else the bundled one)"))
        form2.addRow("FFmpeg", self.ffmpeg_path)
        self.ffmpeg_info = QLabel(self.tr("Looking for FFmpeg…"))
        self.ffmpeg_info.setWordWrap(True)
        self.ffmpeg_info.setProperty("role", "hint")
        form2.addRow(self.tr("In use"), self.ffmpeg_info)
        self.ffmpeg_path.edit.editingFinished.connect(self.refresh_ffmpeg)
        self.ffmpeg_path.picked.connect(lambda _path: self.refresh_ffmpeg())
        self.add_page(run, "transcode")

        language = QGroupBox(self.tr("Language"))
        lang_form = QFormLayout(language)
        self.language = QComboBox()
        self.language.setObjectName("language")
        # each language in its own words (a person who cannot read the current one still finds theirs)
        for value, text in (("system", self.tr("System")), ("en", "English"), ("zh_CN", "简体中文")):
            self.language.addItem(text, value)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        lang_form.addRow(self.tr("Language"), self.language)
        lang_hint = QLabel(self.tr("Applies at the next start of MediaFlow."))
        lang_hint.setProperty("role", "hint")
        lang_form.addRow("", lang_hint)
        self.add_page(language, "language")

        notes = QGroupBox(self.tr("Notifications"))
        box = QVBoxLayout(notes)
        self.notify_enabled = QCheckBox(self.tr("Notify me when a run ends"))
        self.notify_success = QCheckBox(self.tr("… when it succeeded"))
        self.notify_failure = QCheckBox(self.tr("… when it failed or was canceled"))
        self.notify_enabled.setChecked(settings.notify_enabled)
        self.notify_success.setChecked(settings.notify_success)
        self.notify_failure.setChecked(settings.notify_failure)
        self.notify_enabled.toggled.connect(lambda on: (self.notify_success.setEnabled(on),
                                                        self.notify_failure.setEnabled(on)))
        self.notify_success.setEnabled(settings.notify_enabled)
        self.notify_failure.setEnabled(settings.notify_enabled)
        for w in (self.notify_enabled, self.notify_success, self.notify_failure):
            box.addWidget(w)
        self.add_page(notes, "bell")

        events = QGroupBox(self.tr("Events"))
        box2 = QVBoxLayout(events)
        events_hint = QLabel(self.tr("Every run — a dropped file, a command-line run, a bucket run — sends its "
                                     "run-finished event here, success and failure alike, besides a binding's own "
                                     "targets. Saved in {0} (mediaflow run and watch use it too).")
                             .format(settings.event_targets_path))
        events_hint.setWordWrap(True)
        events_hint.setProperty("role", "hint")
        box2.addWidget(events_hint)
        self.event_targets = EventTargetsEditor()
        box2.addWidget(self.event_targets)
        self.events_error = QLabel("")
        self.events_error.setWordWrap(True)
        self.events_error.setProperty("role", "error")
        self.events_error.hide()
        box2.addWidget(self.events_error)
        self._saved_targets: EventTargets | None = None  # None: the file could not be read; left alone
        try:
            self._saved_targets = settings.event_targets()
            self.event_targets.set_targets(self._saved_targets)
        except EventTargetsFileError as exc:  # never overwrite a file the user wrote and we cannot read
            self.event_targets.setEnabled(False)
            self._show_events_error(self.tr("{0}. Fix or remove the file to edit the targets here.").format(exc))
        self.add_page(events, "send")

        self.add_page(self._api_group(settings), "api")
        # where steps run: this computer or a Dask cluster
        self.execution = ExecutionSettings(settings, connection_names=connection_names)
        self.add_page(self.execution, "cluster")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.pages.setCurrentRow(0)
        if not self.events_error.isHidden():  # the targets file could not be read: say so in the page list
            self.mark_page_of(self.events_error, self.events_error.text())
        self.refresh_ffmpeg()

    def _api_group(self, settings: AppSettings) -> QGroupBox:
        """The local MPS API: the switch, the port, and the keys MpsClient signs with (copyable)."""
        group = QGroupBox(self.tr("MPS API"))
        form = QFormLayout(group)
        self.api_enabled = QCheckBox(self.tr("Serve the MPS API on 127.0.0.1:"))
        self.api_enabled.setChecked(settings.api_enabled)
        self.api_port = QSpinBox()
        self.api_port.setRange(1, 65535)
        self.api_port.setValue(settings.api_port)
        row = QHBoxLayout()
        row.addWidget(self.api_enabled)
        row.addWidget(self.api_port)
        row.addStretch(1)
        form.addRow(self.tr("Local API"), row)
        hint = QLabel(self.tr("Code written for the cloud service's SDK runs here: {0}. Only this computer can connect.")
                      .format('MpsClient(Credential(SecretId, SecretKey), region, ClientProfile(httpProfile='
                              'HttpProfile(protocol="http", endpoint="127.0.0.1:PORT")))'))
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        form.addRow("", hint)
        from ..api.keys import load_or_make_keys
        try:
            keys = load_or_make_keys()
            pairs = (("SecretId", keys.secret_id), ("SecretKey", keys.secret_key))
        except (OSError, ValueError) as exc:
            pairs = ((self.tr("Keys"), self.tr("unavailable: {0}").format(exc)),)
        self.api_keys: dict[str, QLineEdit] = {}
        for name, value in pairs:
            edit = QLineEdit(value)
            edit.setReadOnly(True)
            edit.setObjectName(f"api_{name}")
            copy = QPushButton(self.tr("Copy"))
            copy.setToolTip(self.tr("Copy the {0} to the clipboard").format(name))
            copy.clicked.connect(lambda _=False, text=value: QGuiApplication.clipboard().setText(text))
            line = QHBoxLayout()
            line.addWidget(edit, 1)
            line.addWidget(copy)
            form.addRow(name, line)
            self.api_keys[name] = edit
        return group

    def refresh_ffmpeg(self) -> None:
        override = self.ffmpeg_path.text().strip()
        self.ffmpeg_info.setText(self.tr("Looking for FFmpeg…"))
        run_in_thread(lambda: describe_setting(override), self.ffmpeg_info.setText, context=self)

    def _show_events_error(self, text: str) -> None:
        self.events_error.setText(text)
        self.events_error.show()
        self.show_page_of(self.events_error)  # a refused OK: the reason is on screen, not on a page behind

    def _save_event_targets(self) -> bool:
        """Save the event targets if they changed; False (and the reason shown) if they make no sense."""
        if self._saved_targets is None:
            return True
        problems = self.event_targets.problems()
        if problems:
            self._show_events_error("; ".join(problems))
            return False
        targets = self.event_targets.targets()
        if targets.to_dict() == self._saved_targets.to_dict():
            return True
        try:
            self.settings.set_event_targets(targets)
        except (OSError, ValueError) as exc:
            self._show_events_error(self.tr("Could not save the event targets: {0}").format(exc))
            return False
        self._saved_targets = targets
        return True

    def open_output_folder(self) -> bool:
        """The Open button: the folder typed (or the default one) in the file manager."""
        return open_folder(self.output_dir.text().strip() or str(default_results_dir()))

    def add_page(self, group: QGroupBox, icon: str = "") -> None:
        """`group` as a page of its own (in a scroll area), listed under its title and icon."""
        scroll = QScrollArea(self.stack)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget(scroll)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(group)
        column.addStretch(1)
        scroll.setWidget(page)
        self.stack.addWidget(scroll)
        self.pages.addItem(QListWidgetItem(icons.icon(icon), group.title()) if icon else QListWidgetItem(group.title()))
        self.page_icons.append(icon)

    def show_page_of(self, widget: QWidget) -> None:
        """Turn to the page that holds `widget`."""
        for row in range(self.stack.count()):
            if self.stack.widget(row).isAncestorOf(widget):
                self.pages.setCurrentRow(row)
                return

    def mark_page_of(self, widget: QWidget, problem: str) -> None:
        """A ⚠ after the title of the page that holds `widget`, with `problem` as its tooltip: a
        problem found when the dialog opened is seen from the first page."""
        for row in range(self.stack.count()):
            if self.stack.widget(row).isAncestorOf(widget):
                item = self.pages.item(row)
                item.setText(f"{item.text()} ⚠")
                item.setToolTip(problem)
                return

    def page_titles(self) -> list[str]:
        return [self.pages.item(row).text() for row in range(self.pages.count())]

    def show_execution(self) -> None:
        """Turn to the Execution page (a refused OK shows why; the screenshots tool shows it)."""
        self.show_page_of(self.execution)

    def accept(self) -> None:
        if not self.execution.check():  # a cluster without a usable address: the dialog stays open, says why
            self.show_execution()
            self.execution.address.setFocus()
            return
        if not self._save_event_targets():  # the dialog stays open with the reason; nothing else is saved
            return
        s = self.settings
        s.output_dir = self.output_dir.text().strip()
        s.output_beside_input = self.beside_input.isChecked()
        s.subfolder_per_input = self.subfolder.isChecked()
        s.on_existing = self.on_existing.currentData()
        s.output_templates = {k: e.text() for k, e in self.templates.items()}
        s.max_threads = self.max_threads.value()
        s.fusion = self.fusion.isChecked()
        s.store_retries = self.store_retries.value()
        s.ffmpeg_path = self.ffmpeg_path.text().strip()
        s.notify_enabled = self.notify_enabled.isChecked()
        s.notify_success = self.notify_success.isChecked()
        s.notify_failure = self.notify_failure.isChecked()
        s.api_enabled = self.api_enabled.isChecked()
        s.api_port = self.api_port.value()
        s.language = self.language.currentData()  # read at the next start (ui/i18n.py)
        self.execution.save(s)  # applied by AppContext.apply_cluster_settings (main window, after OK)
        s.sync()
        super().accept()
