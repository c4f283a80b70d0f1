"""The run-finished event payload, in the cloud service's exact shape (the official SDK's
`ParseNotificationResponse`; a URL callback of the service carries the same body):

    {"EventType": "WorkflowTask",
     "WorkflowTaskEvent": {<the task query's WorkflowTask>, its "MediaFlow" extras plus CreateTime,
                           BeginProcessTime, FinishTime, Trigger, PayloadVersion, and each output's
                           Url/Bucket/Key/HttpUrl/ContentType in MediaFlow.Outputs when it was uploaded},
     "SessionId": "", "SessionContext": "",
     "Timestamp": <int seconds when the event was built>,
     "Sign": md5(str(Timestamp) + NotifyKey) hex, or "" when no notify key is set}

It is built from the task store's task query (engine/store `task_query_dict`), so `mediaflow status
--json` and the event agree field by field. Sent for success and failure alike: FINISH with ErrCode 0,
or FINISH with a non-zero ErrCode and Message (each subtask's ErrCodeExt says what failed). The Sign
depends on the target set's notify key (notify/sinks.py EventTargets.notify_key), so the notifier
signs each target's copy with `signed(event, key)`. The format is documented for users in the README
("Event notifications"); keep the two in step.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from typing import Any, Iterable, Protocol

from ..model.text import display_json, display_text

PAYLOAD_VERSION = 2  # 2: the SDK-exact shape, MediaFlow's extras under "MediaFlow"


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
            for out in (sub.get("MediaFlow") or {}).get("Outputs") or []:
                d = by_path.get(str(out.get("Path")))
                if d is not None:
                    out.update({"Url": d.url, "Bucket": d.bucket, "Key": d.key, "HttpUrl": d.http_url,
                                "ContentType": d.content_type})


def mediaflow(task: dict[str, Any]) -> dict[str, Any]:
    """The `MediaFlow` extras of an event's WorkflowTaskEvent (or a task query's WorkflowTask); {} if none."""
    return task.get("MediaFlow") or {}


def build_event(task_query: dict[str, Any], deliveries: Iterable[_DeliveryLike] = (),
                trigger: dict[str, Any] | None = None, *, timestamp: int | None = None,
                session_id: str = "", session_context: str = "") -> dict[str, Any]:
    """The event for one finished run, from its task-query dict (not modified); unsigned (Sign "")."""
    query = copy.deepcopy(task_query)
    task = query.get("WorkflowTask") or {}
    # the task query holds paths in display form (a byte that is not UTF-8 as \xNN); match them so
    by_path = {display_text(str(d.path)): d for d in deliveries}
    if by_path:
        _augment_outputs(task, by_path)
    task["MediaFlow"] = {
        **mediaflow(task),
        "CreateTime": query.get("CreateTime"),
        "BeginProcessTime": query.get("BeginProcessTime"),
        "FinishTime": query.get("FinishTime"),
        "Trigger": trigger or {"Type": "Manual"},
        "PayloadVersion": PAYLOAD_VERSION,
    }
    return {"EventType": "WorkflowTask", "WorkflowTaskEvent": task, "SessionId": session_id,
            "SessionContext": session_context,
            "Timestamp": int(time.time()) if timestamp is None else int(timestamp), "Sign": ""}


def event_sign(timestamp: int, notify_key: str) -> str:
    """The service's event Sign: hex MD5 of the decimal Timestamp followed by the NotifyKey."""
    return hashlib.md5(f"{int(timestamp)}{notify_key}".encode("utf-8")).hexdigest()


def signed(event: dict[str, Any], notify_key: str) -> dict[str, Any]:
    """`event` with its Sign for `notify_key` (a shallow copy; the same event when no key is set)."""
    if not notify_key:
        return event
    return {**event, "Sign": event_sign(event.get("Timestamp") or 0, notify_key)}


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
    extras = mediaflow(task)
    return f"{task.get('TaskId')} {extras.get('Result') or task.get('Status')} {extras.get('Input')}"
