"""The task-query JSON of one run (`mediaflow status --json`, the notifier's events).

DESIGN.md's shape, mirroring the cloud service's DescribeTaskDetail WorkflowTask; what the service
lacks (Progress, Speed, Command, Outputs, FailedStepId, …) are extra fields. Every string is in
display form (model/text.py display_text: an undecodable file-name byte is written `\\xNN`), so
the dict encodes to valid UTF-8 JSON; the record keeps the real paths. Times are ISO 8601 UTC.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ...model.kinds import resolve_task_kind
from ...model.statuses import SubtaskStatus
from ...model.text import display_json
from ..errors import error_number
from ..run_state import RunRecord


def iso_utc(t: float | None) -> str | None:
    if t is None:
        return None
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _output_entry(out: dict[str, Any]) -> dict[str, Any]:
    entry = {"Path": out.get("path"), "Kind": out.get("kind"), "Size": out.get("size", 0)}
    for key, name in (("width", "Width"), ("height", "Height"), ("duration", "Duration")):
        if out.get(key):
            entry[name] = out[key]
    return entry


def task_query_dict(record: RunRecord) -> dict[str, Any]:
    """DESIGN.md's task-query shape for `record`; extras (Progress, Command, Outputs, …) are extra fields."""
    results = []
    for sub in record.subtasks:
        kind = resolve_task_kind(sub.task_kind)
        rtype = kind.result_type if kind else sub.task_kind
        outputs = [_output_entry(o) for o in sub.outputs]
        results.append({
            "Type": rtype,
            f"{rtype}Task": {
                "Status": sub.status.value,
                "ErrCode": error_number(sub.error_code),
                "ErrCodeExt": sub.error_code,
                "Message": sub.message or ("SUCCESS" if sub.status == SubtaskStatus.SUCCESS else ""),
                "Input": {"Name": sub.name, "StepId": sub.step_id, "TaskKind": sub.task_kind, "Path": sub.input},
                "Output": outputs[0] if outputs else None,
                "Outputs": outputs,
                "Progress": round(sub.progress, 1),
                "Speed": sub.speed,
                "Command": list(sub.command),
                "BeginProcessTime": iso_utc(sub.begin_time),
                "FinishTime": iso_utc(sub.finish_time),
            },
        })
    input_type = "URL" if "://" in record.input else "File"
    workflow_task = {
        "TaskId": record.task_id,
        "Status": record.status.value,
        "Result": record.result.value if record.result else None,
        "ErrCode": error_number(record.error_code),
        "ErrCodeExt": record.error_code,
        "Message": record.message or ("SUCCESS" if record.succeeded else ""),
        # the node to blame: the StepId of the first subtask that failed ("" when none did, or the
        # run failed before or after its steps, e.g. InputNotFound, DeliveryFailed)
        "FailedStepId": record.failed_step,
        "WorkflowName": record.workflow_name,
        "InputInfo": {"Type": input_type, ("Url" if input_type == "URL" else "Path"): record.input},
        "OutputDir": record.out_dir,
        "MetaData": record.metadata or None,
        "MediaProcessResultSet": results,
    }
    return display_json({
        "TaskId": record.task_id,
        "TaskType": "WorkflowTask",
        "Status": record.status.value,
        "CreateTime": iso_utc(record.create_time),
        "BeginProcessTime": iso_utc(record.begin_time),
        "FinishTime": iso_utc(record.finish_time),
        "WorkflowTask": workflow_task,
    })
