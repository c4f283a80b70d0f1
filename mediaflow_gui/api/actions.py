"""The action table the server dispatches to, built over a Runtime (engine, task store, storage).

    ProcessMedia        → Engine.submit (local file; an http(s) URL downloaded first) or storage's
                          submit_object (bucket object); TaskId.
                          SessionId de-duplicates for three days (sessions.py).
    DescribeTaskDetail  → task_query_dict of the store's record (engine/store/task_query.py: the SDK's
                          DescribeTaskDetail body); unknown TaskId: InvalidParameterValue.TaskId
    DescribeTasks       → newest first, Status filter (WAITING | PROCESSING | FINISH), StartTime/EndTime
                          (ISO 8601) on the creation time, Limit 1–100 (default 10), ScrollToken paging
                          (the token is the last TaskId of the page; "" when nothing follows)
    ManageTask          → OperationType Abort: Engine.cancel (a run that is not running:
                          InvalidParameterValue.NotProcessingTask)
    ParseNotification   → the event JSON in Content, as the SDK's ParseNotificationResponse fields
plus the workflow actions (workflow_actions.py) and the template actions (template_actions.py) when
the MPS converters (mediaflow_gui/mps/) are installed.

Runs started here are ordinary runs: the same store, the same notifier (their events go to the
global targets, plus the request's TaskNotifyConfig URL), the same queue as the GUI's.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any, Callable

from ..engine.store.schema import connect
from ..engine.store.task_query import task_query_dict
from ..model.kinds import resolve_task_kind
from ..model.workflow import Workflow
from .errors import ApiError
from .sessions import ApiState
from .task_input import (ResolvedInput, download, fallback_workflow, output_prefix, parse_input,
                         parse_output_bucket)

log = logging.getLogger(__name__)

MAX_LIMIT = 100
STATUSES = ("WAITING", "PROCESSING", "FINISH")
API_STATE_FILE = "api.sqlite3"


def _int(params: dict[str, Any], name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if value is None:
        raise ApiError("MissingParameter", f"{name} is required")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError("InvalidParameterValue", f"{name} must be an integer, not {value!r}") from None


def _str(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value in (None, ""):
        raise ApiError("MissingParameter", f"{name} is required")
    return str(value)


def _iso_to_epoch(text: str, name: str) -> float:
    try:
        return _dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ApiError("InvalidParameterValue", f"{name} must be ISO 8601 such as 2026-12-01T10:00:00Z") from None


def _iso(t: float | None) -> str | None:
    return None if t is None else _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subtask_types(record: Any) -> list[str]:
    """The service's names of a run's subtask kinds (Transcode, SnapshotByTimeOffset, …), each once."""
    names = []
    for sub in record.subtasks:
        kind = resolve_task_kind(sub.task_kind)
        name = kind.result_type if kind is not None else sub.task_kind
        if name not in names:
            names.append(name)
    return names


class MpsApi:
    """The actions over one Runtime (`rt.engine`, `rt.store`, `rt.notifier`, `rt.connections`, and
    `rt.storage` for bucket inputs and workflows with triggers)."""

    def __init__(self, runtime: Any, state: ApiState | None = None) -> None:
        self.rt = runtime
        self.state = state if state is not None else ApiState(Path(runtime.data_dir) / API_STATE_FILE)
        self._owns_state = state is None
        self.templates: Any = None
        self.workflows: Any = None
        self._extra: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self._load_mps_actions()

    def close(self) -> None:
        if self._owns_state:
            self.state.close()

    def _load_mps_actions(self) -> None:
        """The template and workflow actions, when mediaflow_gui/mps/ provides what they need."""
        try:
            from .template_actions import TemplateActions
        except ImportError as exc:
            log.info("MPS template actions not available: %s", exc)
        else:
            self.templates = TemplateActions(self.rt)
            self._extra.update(self.templates.actions())
        try:
            from .workflow_actions import WorkflowActions
        except ImportError as exc:
            log.info("MPS workflow actions not available: %s", exc)
        else:
            self.workflows = WorkflowActions(self.rt, self.state, self.templates)
            self._extra.update(self.workflows.actions())

    def actions(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {"ProcessMedia": self.process_media, "DescribeTaskDetail": self.describe_task_detail,
                "DescribeTasks": self.describe_tasks, "ManageTask": self.manage_task,
                "ParseNotification": self.parse_notification, **self._extra}

    # -- ProcessMedia --------------------------------------------------------------------------------
    def _workflow(self, params: dict[str, Any]) -> tuple[Workflow, dict[str, Any]]:
        """The workflow to run and the defaults (OutputStorage, OutputDir) of a referenced one."""
        ref = params.get("ScheduleId", params.get("WorkflowId"))
        if ref not in (None, "", 0):
            if self.workflows is None:
                raise ApiError("UnsupportedOperation", "running a stored workflow needs the MPS workflow converters")
            return self.workflows.runnable(_int(params, "ScheduleId" if "ScheduleId" in params else "WorkflowId"))
        task = params.get("MediaProcessTask")
        if not isinstance(task, dict) or not task:
            raise ApiError("MissingParameter", "give MediaProcessTask, or ScheduleId of a workflow made by CreateWorkflow")
        if self.workflows is not None:
            return self.workflows.from_task(task), {}
        return fallback_workflow(task, "ProcessMedia"), {}

    def _notify_sinks(self, params: dict[str, Any]) -> list[Any]:
        config = params.get("TaskNotifyConfig") or {}
        url = config.get("NotifyUrl") if isinstance(config, dict) else None
        if not url or (config.get("NotifyType") or "URL") != "URL":
            return []
        from ..notify.sinks import EventTargets, WebhookTarget, make_sinks
        return make_sinks(EventTargets(webhooks=[WebhookTarget(str(url))]), self.rt.connections.keys_of)

    def process_media(self, params: dict[str, Any]) -> dict[str, Any]:
        session = str(params.get("SessionId") or "")
        if len(session) > 50:
            raise ApiError("InvalidParameterValue.SessionIdTooLong", "SessionId has at most 50 characters")
        if len(str(params.get("SessionContext") or "")) > 1000:
            raise ApiError("InvalidParameterValue.SessionContextTooLong", "SessionContext has at most 1000 characters")
        if session:
            known = self.state.session_task(session)
            if known is not None:
                return {"TaskId": known}
        names = self.rt.connections.names()
        source = parse_input(params.get("InputInfo"), names)
        workflow, defaults = self._workflow(params)
        storage = params.get("OutputStorage") or defaults.get("OutputStorage")
        out_dir = str(params.get("OutputDir") or defaults.get("OutputDir") or "")
        trigger = {"Type": "API", "Action": "ProcessMedia", "SessionId": session,
                   "SessionContext": str(params.get("SessionContext") or "")}
        sinks = self._notify_sinks(params)
        if source.bucket is not None:
            task_id = self._submit_object(workflow, source, storage, out_dir, trigger, sinks, names)
        else:
            task_id = self._submit_local(workflow, source, storage, out_dir, trigger, sinks)
        if session:
            self.state.remember_session(session, task_id)
        return {"TaskId": task_id}

    def _submit_local(self, workflow: Workflow, source: ResolvedInput, storage: Any, out_dir: str,
                      trigger: dict[str, Any], sinks: list[Any]) -> str:
        if storage:
            raise ApiError("UnsupportedOperation", "a local input's results go to a local folder (OutputDir); "
                           "upload the input to a bucket to get results in a bucket")
        if out_dir and Path(out_dir).is_absolute():
            target = Path(out_dir)
        else:
            from ..paths import default_results_dir
            target = default_results_dir()
        if source.url:
            url = source.url

            async def fetch(folder: Path) -> Path:
                return await asyncio.to_thread(download, url, folder)
            task_id: str = self.rt.engine.submit(workflow, url, target, input_label=url, fetch_input=fetch)
        else:
            task_id = self.rt.engine.submit(workflow, source.local, target)
        if self.rt.notifier is not None:
            self.rt.notifier.route(task_id, sinks, trigger)
        return task_id

    def _submit_object(self, workflow: Workflow, source: ResolvedInput, storage: Any, out_dir: str,
                       trigger: dict[str, Any], sinks: list[Any], names: list[str]) -> str:
        from ..storage.bindings import ObjectJob, submit_object

        assert source.bucket is not None
        ref = source.bucket
        out = parse_output_bucket(storage, names) or (ref.connection, ref.bucket)
        try:
            src = self.rt.connections.resolve(ref.connection)
            dst = src if out[0] == ref.connection else self.rt.connections.resolve(out[0])
        except LookupError as exc:
            raise ApiError("ResourceNotFound", str(exc)) from exc
        key_folder = str(Path(ref.key).parent).replace("\\", "/")
        job = ObjectJob(source=src, bucket=ref.bucket, key=ref.key, target=dst, out_bucket=out[1],
                        out_prefix=output_prefix(out_dir, ref.key),
                        in_prefix="" if key_folder in (".", "") else key_folder + "/",
                        ledger=self.rt.ledger)
        return submit_object(self.rt.engine, workflow, job, notifier=self.rt.notifier, sinks=sinks,
                             trigger=job.trigger("API", **{k: v for k, v in trigger.items() if k != "Type"}))

    # -- task queries --------------------------------------------------------------------------------
    async def describe_task_detail(self, params: dict[str, Any]) -> dict[str, Any]:
        task_id = _str(params, "TaskId")
        # in a worker thread: a run that is no longer in memory is read from SQLite
        record = await asyncio.to_thread(self.rt.store.get, task_id)
        if record is None:
            raise ApiError("InvalidParameterValue.TaskId", f"no task {task_id}")
        return task_query_dict(record)

    async def describe_tasks(self, params: dict[str, Any]) -> dict[str, Any]:
        status = str(params.get("Status") or "")
        if status and status not in STATUSES:
            raise ApiError("InvalidParameterValue", f"Status must be one of {', '.join(STATUSES)}, not {status!r}")
        limit = _int(params, "Limit", 10)
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError("InvalidParameterValue.Limit", f"Limit must be 1–{MAX_LIMIT}, not {limit}")
        start = _iso_to_epoch(params["StartTime"], "StartTime") if params.get("StartTime") else None
        end = _iso_to_epoch(params["EndTime"], "EndTime") if params.get("EndTime") else None
        token = str(params.get("ScrollToken") or "")
        ids, total, more = await asyncio.to_thread(self._page, status, start, end, token, limit)
        records = await asyncio.to_thread(lambda: [self.rt.store.get(t) for t in ids])
        task_set = []
        for record in records:
            if record is None:  # deleted between the page and now
                continue
            task_set.append({"TaskId": record.task_id, "TaskType": "WorkflowTask",
                             "CreateTime": _iso(record.create_time), "BeginProcessTime": _iso(record.begin_time),
                             "FinishTime": _iso(record.finish_time),
                             "SubTaskTypes": _subtask_types(record)})
        return {"TaskSet": task_set, "ScrollToken": ids[-1] if more and ids else "", "TotalCount": total}

    def _page(self, status: str, start: float | None, end: float | None, token: str,
              limit: int) -> tuple[list[str], int, bool]:
        """In a worker thread: one page of TaskIds, newest first, with the filter's total count."""
        self.rt.store.flush()
        conn = connect(self.rt.store.path, check_same_thread=True)
        try:
            where, args = [], []  # type: tuple[list[str], list[Any]]
            if status:
                where.append("status=?")
                args.append(status)
            if start is not None:
                where.append("create_time>=?")
                args.append(start)
            if end is not None:
                where.append("create_time<?")
                args.append(end)
            clause = (" WHERE " + " AND ".join(where)) if where else ""
            total = conn.execute(f"SELECT COUNT(*) FROM runs{clause}", args).fetchone()[0]
            page_where, page_args = list(where), list(args)
            if token:
                row = conn.execute("SELECT create_time, rowid FROM runs WHERE task_id=?", (token,)).fetchone()
                if row is None:
                    raise ApiError("InvalidParameterValue", f"ScrollToken {token!r} is not one this server gave")
                page_where.append("(create_time<? OR (create_time=? AND rowid<?))")
                page_args += [row[0], row[0], row[1]]
            page_clause = (" WHERE " + " AND ".join(page_where)) if page_where else ""
            rows = conn.execute(f"SELECT task_id FROM runs{page_clause} ORDER BY create_time DESC, rowid DESC "
                                "LIMIT ?", (*page_args, limit + 1)).fetchall()
        except sqlite3.Error as exc:
            raise ApiError("InternalError.AccessDBError", f"reading the task store failed: {exc}") from exc
        finally:
            conn.close()
        ids = [r[0] for r in rows]
        return ids[:limit], int(total), len(ids) > limit

    def manage_task(self, params: dict[str, Any]) -> dict[str, Any]:
        operation = _str(params, "OperationType")
        task_id = _str(params, "TaskId")
        if operation != "Abort":
            raise ApiError("InvalidParameterValue.InvalidOperationType", f"OperationType {operation!r}: only Abort")
        if self.rt.engine.cancel(task_id):
            return {}
        if self.rt.store.get(task_id) is None:
            raise ApiError("InvalidParameterValue.TaskId", f"no task {task_id}")
        raise ApiError("InvalidParameterValue.NotProcessingTask", f"task {task_id} is not running here")

    def parse_notification(self, params: dict[str, Any]) -> dict[str, Any]:
        content = _str(params, "Content")
        try:
            event = json.loads(content)
        except ValueError as exc:
            raise ApiError("InvalidParameterValue.InvalidContent", f"Content is not JSON: {exc}") from None
        if not isinstance(event, dict) or "EventType" not in event:
            raise ApiError("InvalidParameterValue.InvalidContent", "Content is not an event (no EventType)")
        keys = ("EventType", "WorkflowTaskEvent", "EditMediaTaskEvent", "SessionId", "SessionContext",
                "ScheduleTaskEvent", "Timestamp", "Sign", "BatchTaskEvent")
        out = {k: event[k] for k in keys if k in event}
        task = event.get("WorkflowTaskEvent") or {}
        trigger = None
        if isinstance(task, dict):
            trigger = (task.get("MediaFlow") or {}).get("Trigger") or task.get("Trigger")
        # MediaFlow's events carry the request's SessionId/SessionContext in the Trigger
        if isinstance(trigger, dict):
            for key in ("SessionId", "SessionContext"):
                if not out.get(key) and trigger.get(key):
                    out[key] = trigger[key]
        return out
