"""File → "Import MPS workflow…" and "Export as MPS workflow…": the GUI side of mps/workflow_io.

Import asks for a request JSON (CreateWorkflow, a DescribeWorkflows entry or CreateSchedule), draws
it and opens it as a new unsaved document. When the request has a Trigger, it offers to keep it as a
binding: the person picks where the workflow file goes (a binding runs a file), the workflow is saved
there and opened, and the binding is added to the app's bindings **disabled** (its bucket may not
exist yet: the Bindings page enables it) — or, without the app's storage, written next to the
workflow as `<name>.binding.json`. Export writes the request JSON for the open workflow (with the
trigger of the first app binding that runs this file, if any) and says when it became a
CreateSchedule. Both list the warnings. Every dialog is a hook attribute so tests answer it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..model.serialization import save_workflow
from ..mps.templates import TemplateError, TemplateStore
from ..mps.workflow_io import export_workflow, import_workflow
from ..storage.bindings import Binding, save_binding

# English, marked for pyside6-lupdate; the dialogs show them translated
JSON_FILTER = QT_TRANSLATE_NOOP("MpsMenu", "MPS request (*.json);;All files (*)")
WORKFLOW_FILTER = QT_TRANSLATE_NOOP("MpsMenu", "MediaFlow workflow (*.mfw.json)")


class MpsMenu(QObject):
    def __init__(self, window: QWidget, documents: Any, storage: Any | None,
                 templates: Callable[[], TemplateStore] = TemplateStore) -> None:
        super().__init__(window)
        self.window = window
        self.documents = documents
        self.storage = storage  # ui.buckets.controller.StorageController, or None
        self.templates = templates
        # hooks: tests (and scripts) answer the dialogs
        self.ask_import_path: Callable[[], str] = lambda: QFileDialog.getOpenFileName(
            window, self.tr("Import MPS workflow"), self.documents.workflow_folder(), self.tr(JSON_FILTER))[0]
        self.ask_export_path: Callable[[str], str] = lambda name: QFileDialog.getSaveFileName(
            window, self.tr("Export as MPS workflow"), os.path.join(self.documents.workflow_folder(), f"{name}.mps.json"),
            self.tr(JSON_FILTER))[0]
        self.ask_binding_workflow_path: Callable[[str], str] = self._ask_binding_workflow_path
        self.show_message: Callable[[str, str], None] = lambda title, text: QMessageBox.information(
            window, title, text)
        self.show_error: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(window, title, text)

    # -- import -----------------------------------------------------------------------------------
    def import_request(self, path: str | None = None) -> bool:
        path = path or self.ask_import_path()
        if not path or not self.documents.maybe_save():
            return False
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            imported = import_workflow(data, self.templates())
        except (OSError, ValueError, TemplateError) as exc:
            self.show_error(self.tr("Cannot import the MPS workflow"), f"{path}:\n{exc}")
            return False
        lines = [self.tr("Imported {0} “{1}” from {2}.").format(imported.kind, imported.workflow.name, Path(path).name)]
        opened = False
        if imported.binding is not None:
            target = self.ask_binding_workflow_path(imported.workflow.name)
            if target:
                opened = self._keep_binding(imported.workflow, imported.binding, target, lines)
            else:
                lines.append(self.tr("Its trigger was not kept as a binding."))
        if not opened:
            with tempfile.TemporaryDirectory() as tmp:  # opened as a new unsaved document, as a template is
                scratch = Path(tmp) / "imported.mfw.json"
                save_workflow(imported.workflow, scratch)
                opened = self.documents.open_template(scratch)
        if imported.warnings:
            lines += ["", self.tr("Warnings:")] + [f"• {w}" for w in imported.warnings]
        self.show_message(self.tr("MPS workflow imported"), "\n".join(lines))
        return opened

    def _keep_binding(self, workflow: Any, binding: Binding, target: str, lines: list[str]) -> bool:
        save_workflow(workflow, target)
        binding.workflow = str(Path(target).resolve())
        binding.enabled = False  # its bucket may not exist yet: the person enables it
        if self.storage is not None:
            self.storage.save_binding(binding)
            lines.append(self.tr("Its trigger is the binding “{0}” (bucket {1} on the embedded store), saved "
                                 "disabled: enable it in the Bindings page.").format(binding.name, binding.input_bucket))
        else:
            bpath = Path(target).with_name(Path(target).name.removesuffix(".mfw.json") + ".binding.json")
            binding.workflow = os.path.relpath(binding.workflow, bpath.parent)
            save_binding(binding, bpath)
            lines.append(self.tr("Its trigger is saved as the binding file {0} (run it with `mediaflow watch`).").format(bpath))
        return self.documents.open(target)

    def _ask_binding_workflow_path(self, name: str) -> str:
        answer = QMessageBox.question(
            self.window, self.tr("Keep the trigger?"),
            self.tr("This MPS workflow starts on uploads to a bucket. Keep that as a binding? The workflow is then "
                    "saved to a file the binding runs."))
        if answer != QMessageBox.StandardButton.Yes:
            return ""
        return QFileDialog.getSaveFileName(self.window, self.tr("Save the imported workflow"),
                                           os.path.join(self.documents.workflow_folder(), f"{name}.mfw.json"),
                                           self.tr(WORKFLOW_FILTER))[0]

    # -- export -----------------------------------------------------------------------------------
    def binding_for_document(self) -> Binding | None:
        """The first app binding that runs the open workflow's file (None for an unsaved one)."""
        if self.storage is None or not self.documents.path:
            return None
        here = os.path.realpath(self.documents.path)
        for binding in self.storage.service.list_bindings():
            if os.path.realpath(binding.workflow_path()) == here:
                return binding
        return None

    def export_request(self, path: str | None = None) -> bool:
        workflow = self.documents.controller.workflow
        binding = self.binding_for_document()
        try:
            exported = export_workflow(workflow, binding, self.templates())
        except (ValueError, TemplateError) as exc:
            self.show_error(self.tr("Cannot export as an MPS workflow"), str(exc))
            return False
        path = path or self.ask_export_path(workflow.name)
        if not path:
            return False
        Path(path).write_text(json.dumps(exported.request, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        action = "CreateSchedule" if exported.kind == "Schedule" else "CreateWorkflow"
        lines = [self.tr("Saved the {0} request to {1}.").format(action, path)]
        if exported.kind == "Schedule":
            lines.append(self.tr("A task reads another task's output, which an MPS workflow cannot do: it became "
                                 "an MPS schedule (Activities)."))
        if binding is not None:
            lines.append(self.tr("Trigger and output from the binding “{0}”.").format(binding.name))
        for kind, definition in exported.created_templates:
            lines.append(self.tr("Created the {0} template {1} in the local template store.").format(kind, definition))
        if exported.warnings:
            lines += ["", self.tr("Warnings:")] + [f"• {w}" for w in exported.warnings]
        self.show_message(self.tr("Exported as MPS workflow"), "\n".join(lines))
        return True
