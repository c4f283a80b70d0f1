"""The task-query JSON of one run (`mediaflow status --json`, the notifier's events, the local API's
DescribeTaskDetail): the cloud service's DescribeTaskDetail response body (without RequestId), in the
exact shape of the official SDK's models (tencentcloud-sdk-python-mps `DescribeTaskDetailResponse`),
so `DescribeTaskDetailResponse()._deserialize(task_query_dict(record))` loads every result.

    {"TaskId", "TaskType": "WorkflowTask", "Status": WAITING|PROCESSING|FINISH, "CreateTime",
     "BeginProcessTime", "FinishTime",
     "WorkflowTask": {"TaskId", "Status", "ErrCode", "Message", "InputInfo", "MetaData",
                      "MediaProcessResultSet": [...],            (mps_results.py)
                      "MediaFlow": {"Result", "ErrorCode", "FailedStepId", "WorkflowName", "Input",
                                    "OutputDir", "FoldedWatermarks"}}}

What the service lacks sits under ONE key, `MediaFlow`, at each level that has extras (the SDK warns
once, "MediaFlow fileds are useless", and loads the rest); the top-level `TaskId` is ignored silently
by the Response class. The run's ErrCode is non-zero whenever the run failed (MediaFlow's numbers,
README); `MediaFlow.ErrorCode` is the code's name. Every string is in display form (model/text.py
display_text: an undecodable file-name byte is written `\\xNN`), so the dict encodes to valid UTF-8
JSON; the record keeps the real paths. Times are ISO 8601 UTC.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ...model.text import display_json
from ..errors import error_number
from ..run_state import RunRecord
from .mps_input import input_info, meta_data
from .mps_results import folded_watermarks, result_of


def iso_utc(t: float | None) -> str | None:
    if t is None:
        return None
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def task_query_dict(record: RunRecord) -> dict[str, Any]:
    """The DescribeTaskDetail body for `record` (module docstring); MediaFlow's extras under `MediaFlow`."""
    results = [r for r in (result_of(record, sub, iso_utc) for sub in record.subtasks) if r is not None]
    workflow_task = {
        "TaskId": record.task_id,
        "Status": record.status.value,
        "ErrCode": error_number(record.error_code),
        "Message": record.message or ("SUCCESS" if record.succeeded else ""),
        "InputInfo": input_info(record.input),
        "MetaData": meta_data(record.metadata, record.input),
        "MediaProcessResultSet": results,
        "MediaFlow": {
            "Result": record.result.value if record.result else None,
            "ErrorCode": record.error_code,
            # the node to blame: the StepId of the first subtask that failed ("" when none did, or the
            # run failed before or after its steps, e.g. InputNotFound, DeliveryFailed)
            "FailedStepId": record.failed_step,
            "WorkflowName": record.workflow_name,
            "Input": record.input,
            "OutputDir": record.out_dir,
            "FoldedWatermarks": folded_watermarks(record),
        },
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
