"""Bucket inputs and workflows with triggers, on the real SeaweedFS (tests/seaweed_fixture.py) as
the embedded store: ProcessMedia of a COS object, and CreateWorkflow → EnableWorkflow → an upload
runs it → Disable/Reset/Delete, all through MpsClient."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests import media_factory
from tests.api.conftest import ApiEnv
from tests.api.test_api_tasks import call_action, sdk_error, wait_finished


def keys_under(client: Any, bucket: str, prefix: str) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]


def wait_keys(client: Any, bucket: str, prefix: str, timeout: float = 60.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        found = keys_under(client, bucket, prefix)
        if found:
            return found
        assert time.monotonic() < deadline, f"nothing under s3://{bucket}/{prefix}"
        time.sleep(0.3)


def test_process_media_of_a_cos_object(api_env_storage: ApiEnv, seaweed_client: Any, fresh_bucket: str,
                                       tmp_path: Path) -> None:
    clip = media_factory.make_video(tmp_path / "c.mp4", width=160, height=120, seconds=1.0)
    seaweed_client.upload_file(str(clip), fresh_bucket, "src/c.mp4")
    client = api_env_storage.client()
    task_id = call_action(client, "ProcessMedia", {
        "InputInfo": {"Type": "COS", "CosInputInfo": {"Bucket": fresh_bucket, "Region": "ap-guangzhou",
                                                      "Object": "/src/c.mp4"}},
        "OutputDir": "/done/", "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]}}).TaskId
    detail = wait_finished(client, task_id)
    assert detail.WorkflowTask.ErrCode == 0, detail.WorkflowTask.Message
    assert detail.WorkflowTask.InputInfo.Type in ("COS", "URL", "AWS-S3")
    assert [k for k in keys_under(seaweed_client, fresh_bucket, "done/") if k.endswith(".mp4")]


def test_workflow_with_a_trigger_runs_on_upload(api_env_storage: ApiEnv, seaweed_client: Any, fresh_bucket: str,
                                                tmp_path: Path) -> None:
    client = api_env_storage.client()
    request = {
        "WorkflowName": "api-trigger-test",
        "Trigger": {"Type": "CosFileUpload", "CosFileUploadTrigger": {
            "Bucket": fresh_bucket, "Region": "ap-guangzhou", "Dir": "/in/", "Formats": ["mp4"]}},
        "OutputStorage": {"Type": "COS", "CosOutputStorage": {"Bucket": fresh_bucket, "Region": "ap-guangzhou"}},
        "OutputDir": "/out/",
        "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]}}
    workflow_id = call_action(client, "CreateWorkflow", request).WorkflowId
    assert isinstance(workflow_id, int)
    info = call_action(client, "DescribeWorkflows", {"WorkflowIds": [workflow_id]}).WorkflowInfoSet[0]
    assert (info.WorkflowName, info.Status, info.Trigger.CosFileUploadTrigger.Bucket) == \
        ("api-trigger-test", "Disabled", fresh_bucket)
    assert sdk_error(lambda: call_action(client, "CreateWorkflow", request)).code == "InvalidParameterValue.Name"

    call_action(client, "EnableWorkflow", {"WorkflowId": workflow_id})
    assert call_action(client, "DescribeWorkflows", {"Status": "Enabled"}).TotalCount == 1
    clip = media_factory.make_video(tmp_path / "up.mp4", width=160, height=120, seconds=1.0)
    seaweed_client.upload_file(str(clip), fresh_bucket, "in/up.mp4")
    results = wait_keys(seaweed_client, fresh_bucket, "out/")
    assert any(k.endswith(".mp4") for k in results)
    # the run uploads its outputs before it ends (and its end reaches the task store after that): the
    # one run is found whatever its status, then waited for
    tasks = call_action(client, "DescribeTasks", {}).TaskSet
    assert len(tasks) == 1 and wait_finished(client, tasks[0].TaskId).WorkflowTask.ErrCode == 0
    # the triggered run's event (the data dir's JSON-lines target), parsed back by the API
    task_id = tasks[0].TaskId
    events = api_env_storage.data_dir / "events.jsonl"
    deadline = time.monotonic() + 20
    lines: list[str] = []
    while not lines:
        assert time.monotonic() < deadline, "no event written for the triggered run"
        lines = [ln for ln in (events.read_text().splitlines() if events.exists() else []) if task_id in ln]
        time.sleep(0.1)
    parsed = call_action(client, "ParseNotification", {"Content": lines[0]})
    assert parsed.EventType == "WorkflowTask" and parsed.WorkflowTaskEvent.TaskId == task_id
    assert parsed.WorkflowTaskEvent.InputInfo.Type in ("COS", "AWS-S3")
    assert [r.Type for r in parsed.WorkflowTaskEvent.MediaProcessResultSet] == ["Transcode"]
    assert parsed.WorkflowTaskEvent.MediaProcessResultSet[0].TranscodeTask.Output.Path

    call_action(client, "DisableWorkflow", {"WorkflowId": workflow_id})
    storage = api_env_storage.runtime.storage
    binding_id = f"mps-workflow-{workflow_id}"
    assert storage.get_binding(binding_id).enabled is False
    assert not storage.runner(binding_id).running
    call_action(client, "ResetWorkflow", {**request, "WorkflowId": workflow_id, "WorkflowName": "renamed"})
    info = call_action(client, "DescribeWorkflows", {"WorkflowIds": [workflow_id]}).WorkflowInfoSet[0]
    assert (info.WorkflowName, info.Status) == ("renamed", "Disabled")
    call_action(client, "DeleteWorkflow", {"WorkflowId": workflow_id})
    assert call_action(client, "DescribeWorkflows", {"WorkflowIds": [workflow_id]}).TotalCount == 0
    assert binding_id not in [b.id for b in storage.list_bindings()]
    assert sdk_error(lambda: call_action(client, "EnableWorkflow", {"WorkflowId": workflow_id})).code == \
        "ResourceNotFound"
