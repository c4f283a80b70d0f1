"""The workflow actions: CreateWorkflow, DescribeWorkflows, EnableWorkflow, DisableWorkflow,
DeleteWorkflow, ResetWorkflow — over mps/workflow_io.py (import) and the storage service.

- A workflow is stored as its request (sessions.py `workflows`, WorkflowId an int); like the service's,
  it is created Disabled.
- One with a Trigger (CosFileUploadTrigger; every region is the embedded store, workflow_io's rule)
  also becomes a storage binding `mps-workflow-<WorkflowId>`: the drawn workflow is saved to
  `<data dir>/mps-workflows/<WorkflowId>.mfw.json` and the binding in bindings.json (so the app's
  Bindings page lists it). EnableWorkflow saves it enabled and starts its watcher; DisableWorkflow stops
  it; DeleteWorkflow removes both; ResetWorkflow replaces the request (and restarts an enabled one).
- ProcessMedia's `ScheduleId` (and, as an extension, `WorkflowId`) runs a stored workflow once on
  the request's input (`runnable`); its OutputStorage/OutputDir are the defaults.
ValueErrors of the import (an unknown Definition, a task MediaFlow cannot run) are answered
InvalidParameterValue with the entry named.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from pathlib import Path
from typing import Any, Callable

from ..model.serialization import save_workflow
from ..model.workflow import Workflow
from ..mps.templates import TemplateError, TemplateStore
from ..mps.workflow_io import import_workflow
from .errors import ApiError
from .sessions import ApiState, StoredWorkflow

MAX_LIMIT = 100
_REQUEST_KEYS = ("WorkflowName", "Trigger", "OutputStorage", "OutputDir", "MediaProcessTask", "AiContentReviewTask",
                 "AiAnalysisTask", "AiRecognitionTask", "TaskNotifyConfig", "TaskPriority")


def _iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class WorkflowActions:
    def __init__(self, runtime: Any, state: ApiState, templates: Any = None) -> None:
        self.rt = runtime
        self.state = state
        self.templates: TemplateStore = templates.store if templates is not None else \
            TemplateStore(Path(runtime.data_dir) / "mps-templates.json")
        self.folder = Path(runtime.data_dir) / "mps-workflows"

    def actions(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {"CreateWorkflow": self.create, "DescribeWorkflows": self.describe, "EnableWorkflow": self.enable,
                "DisableWorkflow": self.disable, "DeleteWorkflow": self.delete, "ResetWorkflow": self.reset}

    # -- helpers --------------------------------------------------------------------------------------
    def _import(self, request: dict[str, Any]) -> Any:
        try:
            return import_workflow(request, self.templates)
        except TemplateError as exc:
            raise ApiError(exc.code, str(exc)) from exc
        except ValueError as exc:
            # a template that does not resolve keeps the store's code (ResourceNotFound.TemplateNotExist …)
            cause = exc.__cause__
            code = cause.code if isinstance(cause, TemplateError) else "InvalidParameterValue"
            raise ApiError(code, str(exc)) from exc

    def _get(self, params: dict[str, Any]) -> StoredWorkflow:
        if params.get("WorkflowId") in (None, ""):
            raise ApiError("MissingParameter", "WorkflowId is required")
        try:
            workflow_id = int(params["WorkflowId"])
        except (TypeError, ValueError):
            raise ApiError("InvalidParameterValue", f"WorkflowId {params['WorkflowId']!r} is not an integer") from None
        found = self.state.workflow(workflow_id)
        if found is None:
            raise ApiError("ResourceNotFound", f"there is no workflow {workflow_id}")
        return found

    @staticmethod
    def _request_of(params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("WorkflowName") or "").strip()
        if not name:
            raise ApiError("MissingParameter", "WorkflowName is required")
        if len(name) > 128:
            raise ApiError("InvalidParameterValue.Name", "WorkflowName has at most 128 characters")
        return {k: params[k] for k in _REQUEST_KEYS if params.get(k) not in (None, "")}

    def _storage(self) -> Any:
        if self.rt.storage is None:
            raise ApiError("UnsupportedOperation", "a workflow with a Trigger needs the storage service "
                           "(`mediaflow api serve` and the app have it)")
        return self.rt.storage

    def _save_binding(self, workflow_id: int, imported: Any, enabled: bool) -> str:
        """Save the drawn workflow and its binding (disabled unless `enabled`); the binding id, or ""."""
        if imported.binding is None:
            return ""
        storage = self._storage()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{workflow_id}.mfw.json"
        save_workflow(imported.workflow, path)
        binding = imported.binding
        binding.id = f"mps-workflow-{workflow_id}"
        binding.name = f"MPS workflow {workflow_id}: {imported.workflow.name}"
        binding.workflow = str(path)
        binding.enabled = enabled
        try:
            storage.save_binding(binding)
        except ValueError as exc:
            raise ApiError("InvalidParameterValue", f"the workflow's trigger cannot run: {exc}") from exc
        return binding.id

    async def _start(self, stored: StoredWorkflow) -> None:
        if not stored.binding_id:
            return
        storage = self._storage()
        binding = storage.get_binding(stored.binding_id)
        if not binding.enabled:
            binding.enabled = True
            storage.save_binding(binding)
        try:
            await storage.start_binding(stored.binding_id)
        except (ValueError, RuntimeError) as exc:
            binding.enabled = False
            storage.save_binding(binding)
            raise ApiError("FailedOperation", f"the workflow's trigger did not start: {exc}") from exc

    async def _stop(self, stored: StoredWorkflow) -> None:
        if not stored.binding_id or self.rt.storage is None:
            return
        storage = self.rt.storage
        await storage.stop_binding(stored.binding_id)
        try:
            binding = storage.get_binding(stored.binding_id)
        except KeyError:
            return
        binding.enabled = False
        storage.save_binding(binding)

    # -- actions --------------------------------------------------------------------------------------
    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        request = self._request_of(params)
        imported = self._import(request)
        try:
            workflow_id = self.state.add_workflow(request["WorkflowName"], request)
        except sqlite3.IntegrityError:
            raise ApiError("InvalidParameterValue.Name",
                           f"a workflow named {request['WorkflowName']!r} exists already") from None
        try:
            binding_id = self._save_binding(workflow_id, imported, enabled=False)
        except BaseException:
            self.state.delete_workflow(workflow_id)
            raise
        if binding_id:
            self.state.update_workflow(workflow_id, binding_id=binding_id)
        return {"WorkflowId": workflow_id}

    def describe(self, params: dict[str, Any]) -> dict[str, Any]:
        ids = params.get("WorkflowIds") or None
        status = str(params.get("Status") or "")
        if status and status not in ("Enabled", "Disabled"):
            raise ApiError("InvalidParameterValue", f"Status must be Enabled or Disabled, not {status!r}")
        offset, limit = int(params.get("Offset") or 0), int(params.get("Limit") or 10)
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            raise ApiError("InvalidParameterValue.Limit", f"Offset ≥ 0 and Limit 1–{MAX_LIMIT}")
        try:
            found = self.state.workflows([int(i) for i in ids] if ids else None, status or None)
        except (TypeError, ValueError):
            raise ApiError("InvalidParameterValue", "WorkflowIds must be integers") from None
        infos = [{"WorkflowId": w.workflow_id, "WorkflowName": w.name, "Status": w.status,
                  **{k: v for k, v in w.request.items() if k != "WorkflowName"},
                  "CreateTime": _iso(w.created), "UpdateTime": _iso(w.updated)} for w in found]
        return {"TotalCount": len(infos), "WorkflowInfoSet": infos[offset:offset + limit]}

    async def enable(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._get(params)
        await self._start(stored)
        self.state.update_workflow(stored.workflow_id, status="Enabled")
        return {}

    async def disable(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._get(params)
        await self._stop(stored)
        self.state.update_workflow(stored.workflow_id, status="Disabled")
        return {}

    async def delete(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._get(params)
        if stored.binding_id and self.rt.storage is not None:
            await self.rt.storage.delete_binding(stored.binding_id)
        (self.folder / f"{stored.workflow_id}.mfw.json").unlink(missing_ok=True)
        self.state.delete_workflow(stored.workflow_id)
        return {}

    async def reset(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._get(params)
        request = self._request_of(params)
        imported = self._import(request)
        await self._stop(stored)
        if stored.binding_id and self.rt.storage is not None and imported.binding is None:
            await self.rt.storage.delete_binding(stored.binding_id)
        try:
            self.state.update_workflow(stored.workflow_id, name=request["WorkflowName"], request=request)
        except sqlite3.IntegrityError:
            raise ApiError("InvalidParameterValue.Name",
                           f"a workflow named {request['WorkflowName']!r} exists already") from None
        binding_id = self._save_binding(stored.workflow_id, imported, enabled=False)
        self.state.update_workflow(stored.workflow_id, binding_id=binding_id)
        updated = self.state.workflow(stored.workflow_id)
        if updated is not None and updated.status == "Enabled":
            await self._start(updated)
        return {}

    # -- for ProcessMedia and serve ----------------------------------------------------------------------
    def from_task(self, task: dict[str, Any]) -> Workflow:
        """The workflow of a ProcessMedia request's MediaProcessTask."""
        workflow: Workflow = self._import({"WorkflowName": "ProcessMedia", "MediaProcessTask": task}).workflow
        return workflow

    def runnable(self, workflow_id: int) -> tuple[Workflow, dict[str, Any]]:
        stored = self.state.workflow(workflow_id)
        if stored is None:
            raise ApiError("ResourceNotFound", f"there is no workflow {workflow_id}")
        imported = self._import(stored.request)
        return imported.workflow, {k: stored.request[k] for k in ("OutputStorage", "OutputDir") if k in stored.request}

    async def start_enabled(self) -> list[str]:
        """Start the triggers of the Enabled workflows (`mediaflow api serve`); one line per failure."""
        problems = []
        for stored in self.state.workflows(status="Enabled"):
            try:
                await self._start(stored)
            except ApiError as exc:
                problems.append(f"workflow {stored.workflow_id} ({stored.name}): {exc.message}")
        return problems
