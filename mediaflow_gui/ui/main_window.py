"""The main window: canvas in the middle, palette left, inspector right, tasks and problems below.

Menus and tool bars only call the controller, the documents helper and the adapter; the
canvas shows the node states of the run selected in the task list (or the newest one), read from
its RunRecord; selecting or opening a failed run selects and centres the node to blame (the
record's failed_step).
"""

from __future__ import annotations

import asyncio

from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QDialog, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget,
                               QToolBar, QWidget)

from ..media.inputs import MEDIA_EXTENSIONS, collect_inputs
from ..paths import sample_workflow_path
from . import icons
from .context import AppContext
from .documents import Documents
from .mps_menu import MpsMenu
from .editor.context_menu import CanvasContextMenu
from .editor.controller import EditorController
from .editor.palette import Palette
from .editor.problems import ProblemsPanel
from .editor.view import WorkflowView
from ..engine.run_state import RunRecord
from .execution import ClusterStatusLabel
from .ffmpeg_info import FFmpegStatusLabel
from .inspector.panel import InspectorPanel
from .notifications import DesktopNotifier
from .preview import PreviewController
from .editor.run_states import canvas_states
from .runs.run_details import RunDetailsDialog
from .runs.task_panel import TaskPanel
from .results_target import ResultsTarget
from .settings_dialog import SettingsDialog


class MainWindow(QMainWindow):
    # (): the window accepted its close (the app may shut the engine down and quit)
    closed = Signal()
    _quitting = False  # quit_without_asking: closing asks nothing

    def __init__(self, context: AppContext, workflow_path: str | None = None, *, use_tray: bool | None = None,
                 load_history: bool = True) -> None:
        super().__init__()
        self.context = context
        self.adapter = context.adapter
        self.signals = context.signals
        self.settings = context.settings
        self.canvas_task_id = ""
        self.details_dialogs: dict[str, RunDetailsDialog] = {}
        self.replay_dialogs: dict[str, QDialog] = {}  # runs/replay.py's ReplayDialog, by TaskId
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        self.controller = EditorController(self)
        self.controller.scene.snap_to_grid = self.settings.snap_to_grid
        self.view = WorkflowView(self.controller.scene)
        self.pages = QTabWidget()  # Workflow (the canvas), Buckets, Bindings
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.view, icons.icon("layout"), self.tr("Workflow"))
        self._add_storage_pages()
        self.setCentralWidget(self.pages)
        self.documents = Documents(self, self.controller, self.settings)
        self.mps = MpsMenu(self, self.documents, self.context.storage)  # File → MPS import/export

        self.palette = Palette()
        self.inspector = InspectorPanel(self.controller)
        self.problems = ProblemsPanel()
        self.tasks = TaskPanel(self.adapter)
        self.tasks.current_workflow = self._current_workflow_if_valid
        self.palette_dock = self._dock(self.tr("Nodes"), self.palette, Qt.DockWidgetArea.LeftDockWidgetArea, "palette")
        self.inspector_dock = self._dock(self.tr("Inspector"), self.inspector, Qt.DockWidgetArea.RightDockWidgetArea,
                                         "inspector")
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.tasks, icons.icon("process"), self.tr("Tasks"))
        self.bottom_tabs.addTab(self.problems, icons.icon("warning"), self.tr("Problems"))
        self.bottom_dock = self._dock(self.tr("Run list"), self.bottom_tabs, Qt.DockWidgetArea.BottomDockWidgetArea, "runs")
        self.resizeDocks([self.palette_dock, self.inspector_dock], [210, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [240], Qt.Orientation.Vertical)

        # "Zoom 69%", not a bare "69%" that read like a run's progress next to "2 runs in progress"
        self.zoom_label = QLabel(self.tr("Zoom {0}%").format(100))
        self.zoom_label.setToolTip(self.tr("Canvas zoom (mouse wheel; Fit to View)"))
        self.running_label = QLabel("")
        self.statusBar().addPermanentWidget(self.running_label)
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.ffmpeg_label = FFmpegStatusLabel()  # which FFmpeg runs use, said once at start (and after Settings)
        self.statusBar().addPermanentWidget(self.ffmpeg_label)
        self.cluster_label = ClusterStatusLabel()  # where runs go: hidden for this computer, else the Dask cluster
        self.statusBar().addPermanentWidget(self.cluster_label)
        self.cluster_label.show_state(context.execution)
        self._cluster_timer = QTimer(self)  # workers join and leave: the label follows what the runtime saw
        self._cluster_timer.setInterval(5000)
        self._cluster_timer.timeout.connect(context.refresh_execution)
        self._cluster_timer.start()
        self.notifier = DesktopNotifier(self, self.adapter, self.settings, self.signals, use_tray=use_tray)

        self.preview = PreviewController(self)  # dry-run previews on an excerpt (ui/preview.py)
        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._connect()
        self.canvas_menu = CanvasContextMenu(self.controller, self.view, {
            "copy": self.act_copy, "duplicate": self.act_duplicate, "delete": self.act_delete,
            "select_all": self.act_select_all, "fit": self.act_fit, "layout": self.act_layout})

        if workflow_path:
            self.documents.open(workflow_path)
        elif not self.documents.reopen_last():  # the workflow of the last session, else the sample
            self.documents.open_template(sample_workflow_path())
        self._update_title()
        self.resize(1500, 940)
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)  # the docks: the task list's height, the side panels' widths
        self.tasks.restore_column_state(self.settings.task_columns())
        QTimer.singleShot(0, self.view.fit)
        if load_history:
            self.adapter.load_history()
        self.check_ffmpeg()

    # -- construction ------------------------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, icon: str | None = None, tip: str = "") -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if icon:
            action.setIcon(icons.icon(icon))
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
        if tip:
            action.setToolTip(tip)
        action.triggered.connect(lambda *_: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        c, d = self.controller, self.documents
        K = QKeySequence.StandardKey
        self.act_new = self._action(self.tr("&New"), d.new, K.New, "new")
        self.act_open = self._action(self.tr("&Open…"), d.open, K.Open, "open")
        self.act_save = self._action(self.tr("&Save"), d.save, K.Save, "save")
        self.act_save_as = self._action(self.tr("Save &As…"), d.save_as, K.SaveAs)
        self.act_import_mps = self._action(self.tr("&Import MPS workflow…"), self.mps.import_request, None, None,
                                           self.tr("Open an MPS CreateWorkflow request (or DescribeWorkflows entry) "
                                                   "as a drawn workflow"))
        self.act_export_mps = self._action(self.tr("&Export as MPS workflow…"), self.mps.export_request, None, None,
                                           self.tr("Write this workflow as an MPS CreateWorkflow (or CreateSchedule) "
                                                   "request"))
        self.act_process = self._action(self.tr("&Process files…"), self.ask_process_files, "Ctrl+R", "process",
                                        self.tr("Run the workflow on files (or drop files or folders on the window)"))
        self.act_process_folder = self._action(self.tr("Process &folder…"), self.ask_process_folder, "Ctrl+Shift+R", None,
                                               self.tr("Run the workflow on every media file in a folder and its subfolders"))
        self.act_preview = self._action(self.tr("Pre&view…"), self.preview.ask_and_start, "Ctrl+Shift+P", "preview",
                                        self.tr("Run the workflow on the first seconds of a file into a temporary "
                                                "folder and show the outputs"))
        self.act_settings = self._action(self.tr("Se&ttings…"), self.show_settings, K.Preferences, "settings")
        self.act_quit = self._action(self.tr("&Quit"), self.close, K.Quit)
        self.act_undo = c.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.act_undo.setShortcuts([QKeySequence(K.Undo)])
        self.act_undo.setIcon(icons.icon("undo"))
        self.act_redo = c.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setIcon(icons.icon("redo"))
        # short, stable labels in the tool bar; the tooltip says what would be undone
        c.undo_stack.undoTextChanged.connect(lambda t: (self.act_undo.setText(self.tr("&Undo")),
                                                        self.act_undo.setToolTip(self.tr("Undo {0}").format(t) if t else self.tr("Undo"))))
        c.undo_stack.redoTextChanged.connect(lambda t: (self.act_redo.setText(self.tr("&Redo")),
                                                        self.act_redo.setToolTip(self.tr("Redo {0}").format(t) if t else self.tr("Redo"))))
        self.act_copy = self._action(self.tr("&Copy"), c.copy_selection, K.Copy)
        self.act_paste = self._action(self.tr("&Paste"), c.paste, K.Paste)
        self.act_duplicate = self._action(self.tr("&Duplicate"), c.duplicate, "Ctrl+D")
        self.act_delete = self._action(self.tr("De&lete"), c.delete, [QKeySequence(K.Delete), QKeySequence("Backspace")])
        self.act_select_all = self._action(self.tr("Select &All"), c.select_all, K.SelectAll)
        self.act_zoom_in = self._action(self.tr("Zoom &In"), self.view.zoom_in, [QKeySequence("Ctrl+="),
                                                                       QKeySequence("Ctrl++")])
        self.act_zoom_out = self._action(self.tr("Zoom &Out"), self.view.zoom_out, "Ctrl+-")
        self.act_zoom_reset = self._action(self.tr("Actual Size"), self.view.reset_zoom, "Ctrl+0")
        self.act_fit = self._action(self.tr("&Fit to View"), self.view.fit, "F", "fit")
        self.act_layout = self._action(self.tr("Auto-&Layout"), c.auto_layout, "Ctrl+L", "layout",
                                       self.tr("Arrange nodes left to right by their order"))
        self.act_snap = self._action(self.tr("&Snap to Grid"), self._toggle_snap)
        self.act_snap.setCheckable(True)
        self.act_snap.setChecked(self.settings.snap_to_grid)
        self.act_cancel = self._action(self.tr("&Cancel Run"), self.tasks.cancel_selected, icon="cancel")
        self.act_retry = self._action(self.tr("&Retry Run"), self.tasks.retry_selected, icon="retry")
        self.act_details = self._action(self.tr("Run &Details…"), lambda: self.show_run(self.tasks.selected_task_id()),
                                        icon="details")

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for a in (self.act_new, self.act_open):
            file_menu.addAction(a)
        self.recent_menu = file_menu.addMenu(self.tr("Open &Recent"))
        file_menu.addSeparator()
        for a in (self.act_save, self.act_save_as):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.act_import_mps)
        file_menu.addAction(self.act_export_mps)
        file_menu.addSeparator()
        file_menu.addAction(self.act_process)
        file_menu.addAction(self.act_process_folder)
        file_menu.addAction(self.act_settings)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu(self.tr("&Edit"))
        for a in (self.act_undo, self.act_redo, None, self.act_copy, self.act_paste, self.act_duplicate,
                  self.act_delete, None, self.act_select_all):
            edit.addSeparator() if a is None else edit.addAction(a)
        view = bar.addMenu(self.tr("&View"))
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset, self.act_fit, None, self.act_layout,
                  self.act_snap, None):
            view.addSeparator() if a is None else view.addAction(a)
        for dock in (self.palette_dock, self.inspector_dock, self.bottom_dock):
            view.addAction(dock.toggleViewAction())
        runs = bar.addMenu(self.tr("&Runs"))
        for a in (self.act_process, self.act_preview, None, self.act_cancel, self.act_retry, self.act_details):
            runs.addSeparator() if a is None else runs.addAction(a)
        self._fill_recent()

    def _make_toolbar(self) -> None:
        tb = QToolBar(self.tr("Main"))
        tb.setObjectName("main_toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_new, self.act_open, self.act_save, None, self.act_undo, self.act_redo, None,
                  self.act_fit, self.act_layout, None, self.act_process, self.act_preview, None,
                  self.act_settings):
            tb.addSeparator() if a is None else tb.addAction(a)
            if a is self.act_process:  # where the next batch's results go, chosen where batches start
                self.results_target = ResultsTarget(self.settings, tb)
                tb.addWidget(self.results_target)
        self.addToolBar(tb)

    def _connect(self) -> None:
        c = self.controller
        c.problems_changed.connect(self._on_problems)
        c.refused.connect(self.refuse)
        c.workflow_replaced.connect(self._on_workflow_replaced)
        self.documents.title_changed.connect(self._update_title)
        self.documents.recent_changed.connect(self._fill_recent)
        self.palette.add_requested.connect(self._add_at_centre)
        self.view.node_drop_requested.connect(lambda spec, pos: c.add_node(spec, pos))
        self.view.files_dropped.connect(self.process_files)
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(self.tr("Zoom {0}%").format(round(z * 100))))
        self.problems.node_activated.connect(self._focus_node)
        self.tasks.details_requested.connect(self.show_run)
        self.tasks.replay_requested.connect(self.show_replay)
        self.tasks.current_run_changed.connect(self._on_current_run)
        self.signals.run_created.connect(self._on_run_created)
        self.signals.run_updated.connect(self._on_run_updated)
        self.signals.show_run_requested.connect(self.show_run)
        self.signals.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.signals.settings_changed.connect(self.check_ffmpeg)
        self.signals.execution_changed.connect(self.cluster_label.show_state)
        self.signals.settings_changed.connect(self.results_target.refresh)

    def _add_storage_pages(self) -> None:
        self.buckets_page = self.bindings_page = None
        if self.context.storage is None:
            return
        from .buckets.bindings_page import BindingsPage
        from .buckets.buckets_page import BucketsPage
        self.buckets_page = BucketsPage(self.context.storage)
        self.bindings_page = BindingsPage(self.context.storage)
        self.bindings_page.show_run_requested.connect(self.show_run)
        self.pages.addTab(self.buckets_page, icons.icon("folder"), self.tr("Buckets"))
        self.pages.addTab(self.bindings_page, icons.icon("process"), self.tr("Bindings"))
        self._editor_docks_shown: dict[QDockWidget, bool] = {}
        self.pages.currentChanged.connect(self._on_page_changed)

    def _on_page_changed(self, index: int) -> None:
        """The palette and inspector serve the canvas: out of the way on the Buckets/Bindings pages."""
        docks = (self.palette_dock, self.inspector_dock)
        if index == 0:
            for dock, shown in self._editor_docks_shown.items():
                dock.setVisible(shown)
            self._editor_docks_shown = {}
        elif not self._editor_docks_shown:
            self._editor_docks_shown = {d: d.isVisible() for d in docks}
            for dock in docks:
                dock.hide()

    # -- editor glue ---------------------------------------------------------------------------------
    def _toggle_snap(self) -> None:
        on = self.act_snap.isChecked()
        self.controller.scene.snap_to_grid = on
        self.settings.snap_to_grid = on

    def _add_at_centre(self, spec: str) -> None:
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        self.controller.add_node(spec, QPointF(centre))

    def _focus_node(self, node_id: str) -> None:
        item = self.controller.scene.node_items.get(node_id)
        if item is not None:
            self.controller.select([node_id])
            self.view.centerOn(item)

    def _on_problems(self, problems: list) -> None:  # noqa: ANN001
        self.problems.set_problems(problems)
        label = self.tr("Problems (%n)", "", len(problems)) if problems else self.tr("Problems")
        self.bottom_tabs.setTabText(1, label)

    def _on_workflow_replaced(self) -> None:
        self.canvas_task_id = ""
        self._update_title()
        QTimer.singleShot(0, self.view.fit)

    def refuse(self, text: str) -> None:
        self.statusBar().showMessage(f"⚠ {text}", 8000)

    def _update_title(self) -> None:
        self.setWindowTitle(self.documents.title())

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda *_, p=path: self.documents.open(p))
        self.recent_menu.setEnabled(bool(recent))

    # -- runs ------------------------------------------------------------------------------------------
    def ask_process_files(self) -> list[str]:
        if not self.workflow_can_run():  # refused before a file dialog, not after it
            return []
        paths = self.ask_input_files()
        return self.process_files(paths) if paths else []

    def ask_process_folder(self) -> list[str]:
        if not self.workflow_can_run():
            return []
        folder = self.ask_input_folder()
        return self.process_files([folder]) if folder else []

    def ask_input_files(self) -> list[str]:  # a dialog (tests replace it)
        suffixes = " ".join(f"*{s}" for s in sorted(MEDIA_EXTENSIONS))
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Process files with this workflow"), self.input_start_folder(),
                                                self.tr("Media ({0});;All files (*)").format(suffixes))
        if paths:
            self.settings.last_input_folder = str(Path(paths[0]).parent)
        return paths

    def ask_input_folder(self) -> str:  # a dialog (tests replace it)
        folder = QFileDialog.getExistingDirectory(self, "Process every media file in a folder",
                                                  self.input_start_folder())
        if folder:
            self.settings.last_input_folder = str(Path(folder).parent)
        return folder

    def input_start_folder(self) -> str:
        """Where the input dialogs open: the folder used last, while it exists; else home."""
        last = self.settings.last_input_folder
        return last if last and Path(last).is_dir() else str(Path.home())

    def take_hand_over(self, message: dict) -> None:
        """A second start of the app handed its arguments over (ui/single_instance.py): open its
        workflow, run its files, and come to the front."""
        workflow = message.get("workflow")
        if isinstance(workflow, str) and workflow:
            self.documents.open(workflow)
        files = [str(p) for p in message.get("process") or [] if isinstance(p, str)]
        if files:
            self.process_files(files)
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def workflow_can_run(self) -> bool:
        """True when the drawn workflow has no problems; otherwise shows them and says so."""
        self.controller.revalidate()  # the live check may still be waiting for its timer
        if self.controller.problems:
            self.bottom_tabs.setCurrentWidget(self.problems)
            self.refuse(self.tr("The workflow has %n problem(s); fix them before running.", "",
                                len(self.controller.problems)))
            return False
        return True

    def _current_workflow_if_valid(self):  # noqa: ANN202 - Workflow | None
        """The drawn workflow when it has no problems (what "Retry with the current workflow" runs)."""
        self.controller.revalidate()
        return None if self.controller.problems else self.controller.snapshot()

    def process_files(self, paths: list[str]) -> list[str]:
        """Start a run of the current workflow for each media file among `paths` (folders expanded,
        non-media skipped with one summary line); the TaskIds (empty when refused)."""
        paths = [p for p in paths if p]
        if not paths or not self.workflow_can_run():
            return []
        collected = collect_inputs(paths)
        if not collected.files:
            self.refuse(self.tr("Nothing to run: {0}.").format(collected.summary() or self.tr("no media files found")))
            return []
        task_ids = self.adapter.submit(self.controller.snapshot(), collected.files,
                                       results_folder=self.results_target.folder())
        self.notifier.add_batch(task_ids)  # one notice when the last of them ends, not one per file
        self.remember_input(collected.files[0])
        skipped = collected.summary()
        # the TaskIds of one or two runs; a batch's are in the run list just below (twenty of them
        # ran under the status bar's right-hand labels)
        ids = f": {', '.join(task_ids)}" if len(task_ids) <= 2 else ""
        self.statusBar().showMessage(self.tr("Started %n run(s)", "", len(task_ids)) + (f"; {skipped}" if skipped else "")
                                     + f"{ids} ({self.results_target.describe()})", 10000)
        self.bottom_tabs.setCurrentWidget(self.tasks)
        return task_ids

    def remember_input(self, path: str) -> None:
        """The file the next Preview and the inspector's watermark preview use (the last dropped)."""
        self.preview.remember_input(path)
        self.inspector.set_sample_input(self.preview.last_input)

    def _on_run_created(self, task_id: str) -> None:
        self.tasks.select_task(task_id)  # the canvas follows the newest run
        self._update_running()

    def _on_current_run(self, task_id: str) -> None:
        self.canvas_task_id = task_id
        self._show_canvas_run()
        self.signals.canvas_run_changed.emit(task_id)
        self.focus_failed_step(task_id)

    def focus_failed_step(self, task_id: str) -> bool:
        """Select and centre the node a failed run blames (its first failed step), if the canvas shows
        it; True if it did."""
        run = self.adapter.run(task_id) if task_id else None
        if run is None or not run.failed_step or run.failed_step not in self.controller.scene.node_items:
            return False
        self._focus_node(run.failed_step)
        return True

    def _on_run_updated(self, task_id: str) -> None:
        if task_id == self.canvas_task_id:
            self._show_canvas_run()
        self._update_running()

    def _show_canvas_run(self) -> None:
        run = self.adapter.run(self.canvas_task_id) if self.canvas_task_id else None
        wf = self.controller.workflow
        if run is None or not (set(run.steps) & set(wf.nodes)):
            self.controller.set_run_states({})
            return
        self.controller.set_run_states(canvas_states(run, wf))

    def check_ffmpeg(self) -> None:
        """Show in the status bar which FFmpeg new runs will use (chosen on a pool thread)."""
        self.ffmpeg_label.check(self.adapter)

    def _update_running(self) -> None:
        n = len(self.adapter.running())
        self.running_label.setText(self.tr("%n run(s) in progress", "", n) if n else "")

    def show_run(self, task_id: str) -> RunDetailsDialog | None:
        if not task_id:
            return None
        self.focus_failed_step(task_id)
        dialog = self.details_dialogs.get(task_id)
        if dialog is None:
            dialog = RunDetailsDialog(self.adapter, task_id, self)
            dialog.replay_requested.connect(self.show_replay)
            dialog.finished.connect(lambda *_: self.details_dialogs.pop(task_id, None))
            self.details_dialogs[task_id] = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    def show_replay(self, task_id: str) -> QDialog | None:
        """Open the replay of a finished run: its own workflow snapshot, read-only, with each node's
        outcome, and its timeline (runs/replay.py). A run of this window opens at once (the dialog is
        returned); one from the history is read from the store in a pool thread first (None)."""
        if not task_id:
            return None
        if self.adapter.ran_here(task_id):
            return self._open_replay(self.adapter.run(task_id))
        self.adapter.fetch_record(task_id, self._open_replay, context=self)
        return None

    def _open_replay(self, record: RunRecord | None) -> QDialog | None:
        from .runs.replay import ReplayDialog  # imported when first needed: most sessions never replay
        if record is None:
            return None
        task_id = record.task_id
        dialog = self.replay_dialogs.get(task_id)
        if dialog is None:
            dialog = ReplayDialog(record, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda *_: self.replay_dialogs.pop(task_id, None))
            self.replay_dialogs[task_id] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.adapter.apply_settings()
            self.signals.settings_changed.emit()
            asyncio.ensure_future(self.context.apply_api_settings())  # the MPS API switch and port
            asyncio.ensure_future(self.context.apply_cluster_settings())  # this computer or the Dask cluster

    # -- window ----------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.process_files(paths)
            event.acceptProposedAction()

    def quit_without_asking(self) -> None:
        """Close as File ▸ Quit does, with no question about unsaved edits or running runs (a quit
        signal or the session's logout: ui/session.py quit_cleanly); the runs are canceled."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._quitting and not self.documents.maybe_save():
            event.ignore()
            return
        running = self.adapter.running()
        if running and not self._quitting and self.ask_stop_runs(len(running)) is False and not self._quitting:
            event.ignore()  # (a quit signal while the question was open: _quitting, so we close after all)
            return
        self.pages.setCurrentIndex(0)  # the editor docks come back before their state is saved
        self.settings.save_window(self.saveGeometry(), self.saveState())  # the docks' sizes: the task list's height
        self.settings.save_task_columns(self.tasks.column_state())
        self.notifier.close()
        for dialog in list(self.details_dialogs.values()):
            dialog.close()
        for dialog in list(self.replay_dialogs.values()):
            dialog.close()
        self.controller.dispose()
        event.accept()
        self.closed.emit()

    def ask_stop_runs(self, count: int) -> bool:
        answer = QMessageBox.question(self, self.tr("Runs in progress"),
                                      self.tr("%n run(s) are still in progress. Cancel them and quit?", "", count))
        return answer == QMessageBox.StandardButton.Yes
