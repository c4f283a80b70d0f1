"""The run-finished event payload, in the cloud service's shape.

    {"EventType": "WorkflowTask",
     "WorkflowTaskEvent": {<the task query's WorkflowTask>, plus CreateTime, BeginProcessTime,
                           FinishTime, Trigger, and each output's Url/Bucket/Key/HttpUrl when it
                           was uploaded}}

It is built from the task store's task query (engine/store.py `task_query_dict`), so `mediaflow
status --json` and the event agree field by field. Sent for success and failure alike: FINISH with
ErrCode 0, or FINISH with a non-zero ErrCode, ErrCodeExt and Message. The format is documented for
users in the README ("Event notifications"); keep the two in step.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterable, Protocol

from ..model.text import display_json, display_text

PAYLOAD_VERSION = 1


class _DeliveryLike(Protocol):
    path: str
    bucket: str
    key: str
    url: str
    http_url: str
    content_type: str


def _augment_outputs(task: dict[str, Any], by_path: dict[str, _DeliveryLike]) -> None:
    for result in task.get("MediaProcessResultSet", []):
        for name, sub in result.items():
            if not name.endswith("Task") or not isinstance(sub, dict):
                continue
            outputs = sub.get("Outputs") or []
            for out in outputs:
                d = by_path.get(str(out.get("Path")))
                if d is not None:
                    out.update({"Url": d.url, "Bucket": d.bucket, "Key": d.key, "HttpUrl": d.http_url,
                                "ContentType": d.content_type})
            if outputs:
                sub["Output"] = outputs[0]


def build_event(task_query: dict[str, Any], deliveries: Iterable[_DeliveryLike] = (),
                trigger: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event for one finished run, from its task-query dict (not modified)."""
    query = copy.deepcopy(task_query)
    task = query.get("WorkflowTask") or {}
    # the task query holds paths in display form (a byte that is not UTF-8 as \xNN); match them so
    by_path = {display_text(str(d.path)): d for d in deliveries}
    if by_path:
        _augment_outputs(task, by_path)
    event_task = {
        **task,
        "CreateTime": query.get("CreateTime"),
        "BeginProcessTime": query.get("BeginProcessTime"),
        "FinishTime": query.get("FinishTime"),
        "Trigger": trigger or {"Type": "Manual"},
        "PayloadVersion": PAYLOAD_VERSION,
    }
    return {"EventType": "WorkflowTask", "WorkflowTaskEvent": event_task}


def build_event_from_store(store: Any, task_id: str, deliveries: Iterable[_DeliveryLike] = (),
                           trigger: dict[str, Any] | None = None) -> dict[str, Any]:
    """build_event over TaskStore.task_query(task_id) (KeyError for an unknown TaskId)."""
    return build_event(store.task_query(task_id), deliveries, trigger)


def encode(event: dict[str, Any]) -> bytes:
    """The bytes every sink sends: UTF-8 JSON, keys in a stable order, no NaN.

    The task query is already in display form; a lone surrogate that still got in (a trigger's
    field) is shown the same way (`\\xNN`) rather than failing the event.
    """
    return json.dumps(display_json(event), ensure_ascii=False, sort_keys=False, allow_nan=False,
                      default=str).encode("utf-8")


def summary(event: dict[str, Any]) -> str:
    """One line for logs: TaskId, result, input."""
    task = event.get("WorkflowTaskEvent", {})
    info = task.get("InputInfo") or {}
    return f"{task.get('TaskId')} {task.get('Result') or task.get('Status')} {info.get('Url') or info.get('Path')}"
