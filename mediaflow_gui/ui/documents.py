"""File handling for the main window: new / open / save / save as / recent, the unsaved-changes
prompt, and the window title with the file name and a modified marker.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..model.params import WatermarkParams
from ..model.serialization import FILE_SUFFIX, WorkflowFormatError, load_workflow, save_workflow
from ..model.files import rebased
from ..model.workflow import Workflow
from .editor.commands import SetParamsCommand
from .editor.controller import EditorController
from .settings import AppSettings

FILTER = f"MediaFlow workflows (*{FILE_SUFFIX});;JSON (*.json);;All files (*)"
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class Documents(QObject):
    # (): the file name or the modified state changed (update the title)
    title_changed = Signal()
    # (): the recent files list changed
    recent_changed = Signal()

    def __init__(self, window: QWidget, controller: EditorController, settings: AppSettings) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.settings = settings
        self.path: str | None = None
        # hooks so tests (and scripts) can answer dialogs without a person
        self.ask_unsaved: Callable[[], str] = self._ask_unsaved
        self.ask_open_path: Callable[[], str] = self._ask_open_path
        self.ask_save_path: Callable[[], str] = self._ask_save_path
        self.show_error: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(window, title, text)
        controller.undo_stack.cleanChanged.connect(lambda _clean: self.title_changed.emit())
        # an unsaved document's title shows the workflow name, which an undoable step can change
        controller.undo_stack.indexChanged.connect(lambda _index: self.title_changed.emit())

    # -- state ---------------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.controller.undo_stack.isClean()

    def title(self) -> str:
        name = Path(self.path).name if self.path else self.tr("{0} (unsaved)").format(self.controller.workflow.name)
        return f"{name}{' •' if self.modified else ''} — MediaFlow"

    # -- actions ----------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current workflow (saved, discarded or unchanged)."""
        if not self.modified:
            return True
        answer = self.ask_unsaved()
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        wf = Workflow("Untitled workflow")
        for spec, pos in (("start", (0.0, 0.0)), ("end", (480.0, 0.0))):
            node = self.controller.make_node(spec, pos, within=wf)
            wf.add_node(node)
        self._set(wf, None)
        return True

    def open(self, path: str | None = None) -> bool:
        if not self.maybe_save():
            return False
        path = path or self.ask_open_path()
        if not path:
            return False
        try:
            wf = load_workflow(path)
        except WorkflowFormatError as exc:
            self.show_error(self.tr("Cannot open the workflow"), "\n".join([exc.source, *exc.problems]))
            if not os.path.exists(path):
                self.settings.remove_recent_file(str(Path(path).resolve()))
                self.recent_changed.emit()
            return False
        self._set(wf, str(Path(path).resolve()))
        self.settings.add_recent_file(path)
        self.recent_changed.emit()
        return True

    def reopen_last(self) -> bool:
        """At start: open the most recent workflow file, quietly (no dialog when it is gone or broken:
        the caller opens the sample instead). False when there is none or the setting is off."""
        if not self.settings.reopen_last_workflow:
            return False
        for path in self.settings.recent_files[:1]:
            try:
                wf = load_workflow(path)
            except (WorkflowFormatError, OSError):
                return False
            self._set(wf, str(Path(path).resolve()))
            return True
        return False

    def open_template(self, path: str | Path) -> bool:
        """Open a bundled workflow as a new unsaved document (Save asks where to put it)."""
        try:
            wf = load_workflow(path)
        except WorkflowFormatError as exc:
            self.show_error(self.tr("Cannot open the workflow"), "\n".join([exc.source, *exc.problems]))
            return False
        self._set(wf, None)
        return True

    def save(self) -> bool:
        if not self.path:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        if not path:
            return False
        if not path.endswith(".json"):
            path += FILE_SUFFIX
        if not self._write(path):
            return False
        self.path = str(Path(path).resolve())
        self.settings.add_recent_file(self.path)
        self.recent_changed.emit()
        self.title_changed.emit()
        return True

    def _write(self, path: str) -> bool:
        self._rebase_images(str(Path(path).resolve().parent))
        try:
            save_workflow(self.controller.workflow, path)
        except OSError as exc:
            self.show_error(self.tr("Cannot save the workflow"), f"{path}: {exc}")
            return False
        self.controller.undo_stack.setClean()
        self.title_changed.emit()
        return True

    def _rebase_images(self, new_dir: str) -> None:
        """Keep relative watermark images pointing at the same file when the folder changes."""
        wf = self.controller.workflow
        old_dir = wf.base_dir
        if not old_dir or os.path.normpath(old_dir) == os.path.normpath(new_dir):
            return
        for node in list(wf.nodes.values()):
            params = copy.deepcopy(node.params)
            marks = [params] if isinstance(params, WatermarkParams) else getattr(params, "watermarks", None) or []
            changed = False
            for mark in marks:
                if mark.type == "image" and mark.image_path:
                    moved = rebased(mark.image_path, old_dir, new_dir)
                    changed = changed or moved != mark.image_path
                    mark.image_path = moved
            if changed:
                self.controller.push(SetParamsCommand(wf, self.controller.guard, node.id, params, "image_path"))

    def _set(self, wf: Workflow, path: str | None) -> None:
        self.controller.set_workflow(wf)
        self.path = path
        self.title_changed.emit()

    # -- dialogs ------------------------------------------------------------------------------------
    def _ask_unsaved(self) -> str:
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Unsaved changes"))
        box.setText(self.tr("Save the changes to “{0}”?").format(Path(self.path).name if self.path else self.controller.workflow.name))
        box.setInformativeText(self.tr("Your changes will be lost if you don't save them."))
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: SAVE, QMessageBox.StandardButton.Discard: DISCARD}.get(
            QMessageBox.StandardButton(answer), CANCEL)

    def workflow_folder(self) -> str:
        """Where the workflow dialogs open: the current file's folder, else the last file's, else home."""
        for path in ([self.path] if self.path else []) + self.settings.recent_files[:1]:
            folder = os.path.dirname(path)
            if folder and os.path.isdir(folder):
                return folder
        return str(Path.home())

    def _ask_open_path(self) -> str:
        start = self.workflow_folder()
        path, _ = QFileDialog.getOpenFileName(self.window, "Open workflow", start, FILTER)
        return path

    def _ask_save_path(self) -> str:
        start = self.path or str(Path(self.workflow_folder()) / (self.controller.workflow.name + FILE_SUFFIX))
        path, _ = QFileDialog.getSaveFileName(self.window, "Save workflow", start, FILTER)
        return path
