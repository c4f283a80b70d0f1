"""Workflows without a trigger (no storage needed): CreateWorkflow → ProcessMedia with its ScheduleId
on a local file; GET-mode ProcessMedia; the request size limit."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mediaflow_gui.api import server as server_module
from tests.api.conftest import ApiEnv
from tests.api.test_api_tasks import call_action, sdk_error, tiny_clip, wait_finished  # noqa: F401


def test_process_media_runs_a_created_workflow(api_env: ApiEnv, tiny_clip: Path, tmp_path: Path) -> None:  # noqa: F811
    client = api_env.client()
    workflow_id = call_action(client, "CreateWorkflow", {
        "WorkflowName": "two-sizes",
        "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}, {"Definition": 100020}],
                             "SnapshotByTimeOffsetTaskSet": [{"Definition": 10, "ExtTimeOffsetSet": ["0.5s"]}]}}
    ).WorkflowId
    info = call_action(client, "DescribeWorkflows", {}).WorkflowInfoSet
    assert [(w.WorkflowId, w.WorkflowName) for w in info] == [(workflow_id, "two-sizes")]
    assert len(info[0].MediaProcessTask.TranscodeTaskSet) == 2
    task_id = call_action(client, "ProcessMedia", {
        "InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": str(tiny_clip)}}, "OutputDir": str(tmp_path / "o"),
        "ScheduleId": workflow_id}).TaskId
    detail = wait_finished(client, task_id)
    assert detail.WorkflowTask.ErrCode == 0, detail.WorkflowTask.Message
    assert sorted(r.Type for r in detail.WorkflowTask.MediaProcessResultSet) == \
        ["SnapshotByTimeOffset", "Transcode", "Transcode"]
    assert len([p for p in (tmp_path / "o").rglob("*.mp4")]) == 2
    assert sdk_error(lambda: call_action(client, "ProcessMedia", {
        "InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": str(tiny_clip)}}, "ScheduleId": 999})).code == \
        "ResourceNotFound"
    # a trigger needs the storage service, which this runtime has not got: refused, nothing stored
    code = sdk_error(lambda: call_action(client, "CreateWorkflow", {
        "WorkflowName": "with-trigger", "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]},
        "Trigger": {"Type": "CosFileUpload", "CosFileUploadTrigger": {"Bucket": "b", "Region": "r", "Dir": "/in/"}}
    })).code
    assert code == "UnsupportedOperation"
    assert call_action(client, "DescribeWorkflows", {}).TotalCount == 1


def test_get_mode_process_media(api_env: ApiEnv, tiny_clip: Path, tmp_path: Path) -> None:  # noqa: F811
    """The SDK's GET mode flattens the request into the query (A.0.B=…, every value text)."""
    client = api_env.client(method="GET")
    task_id = call_action(client, "ProcessMedia", {
        "InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": tiny_clip.as_uri()}}, "OutputDir": str(tmp_path / "g"),
        "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]}}).TaskId
    assert wait_finished(client, task_id).WorkflowTask.ErrCode == 0
    page = call_action(client, "DescribeTasks", {"Limit": 1})
    assert [t.TaskId for t in page.TaskSet] == [task_id] and page.ScrollToken == ""


def test_request_size_limit(api_env: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "MAX_BODY", 1024)
    client = api_env.client()
    assert sdk_error(lambda: call_action(client, "ParseNotification", {"Content": "x" * 2000})).code == \
        "RequestSizeLimitExceeded"
    # malformed HTTP gets a plain 400 (not the JSON envelope) and the connection closed
    host, port = api_env.service.endpoint.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ") and b"chunked" in answer
    assert call_action(client, "DescribeTasks", {}).TotalCount == 0
