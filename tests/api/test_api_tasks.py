"""The task actions through the official SDK's MpsClient against the server on a free port:
ProcessMedia → DescribeTaskDetail, SessionId, DescribeTasks paging, ManageTask Abort,
ParseNotification, and the refusals (signatures, unknown action, bad JSON, content type)."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests import media_factory
from tests.api.conftest import ApiEnv


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media_factory.make_video(tmp_path_factory.mktemp("api-media") / "tiny.mp4", width=160, height=120,
                                    seconds=1.0)


def sdk_error(call: Any) -> Any:
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    with pytest.raises(TencentCloudSDKException) as info:
        call()
    return info.value


def call_action(client: Any, action: str, params: dict[str, Any]) -> Any:
    """Through the SDK's typed method and models: `client.<action>(models.<action>Request())`."""
    from tencentcloud.mps.v20190612 import models
    req = getattr(models, f"{action}Request")()
    req.from_json_string(json.dumps(params))
    return getattr(client, action)(req)


def process_media(client: Any, clip: Path, out_dir: Path, **extra: Any) -> str:
    from tencentcloud.mps.v20190612 import models
    req = models.ProcessMediaRequest()
    req.from_json_string(json.dumps({
        "InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": clip.as_uri()}},
        "OutputDir": str(out_dir),
        "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]}, **extra}))
    resp = client.ProcessMedia(req)
    assert resp.RequestId
    return resp.TaskId


def task_detail(client: Any, task_id: str) -> Any:
    from tencentcloud.mps.v20190612 import models
    req = models.DescribeTaskDetailRequest()
    req.TaskId = task_id
    return client.DescribeTaskDetail(req)


def wait_finished(client: Any, task_id: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        detail = task_detail(client, task_id)
        if detail.Status == "FINISH":
            return detail
        assert time.monotonic() < deadline, f"{task_id} still {detail.Status}"
        time.sleep(0.2)


def test_process_media_then_describe_task_detail(api_env: ApiEnv, tiny_clip: Path, tmp_path: Path) -> None:
    client = api_env.client()
    task_id = process_media(client, tiny_clip, tmp_path / "out")
    detail = wait_finished(client, task_id)
    assert detail.TaskType == "WorkflowTask"
    assert detail.WorkflowTask.TaskId == task_id and detail.WorkflowTask.Status == "FINISH"
    assert detail.WorkflowTask.ErrCode == 0, detail.WorkflowTask.Message
    results = detail.WorkflowTask.MediaProcessResultSet
    assert [r.Type for r in results] == ["Transcode"]
    assert results[0].TranscodeTask.Status == "SUCCESS"
    outputs = list((tmp_path / "out").iterdir())
    assert len(outputs) == 1 and outputs[0].suffix == ".mp4" and outputs[0].stat().st_size > 0
    # GET mode: the parameters flattened into the signed query
    got = api_env.client(method="GET")
    assert task_detail(got, task_id).WorkflowTask.TaskId == task_id


def test_unknown_task_and_bad_parameters(api_env: ApiEnv, tmp_path: Path) -> None:
    client = api_env.client()
    assert sdk_error(lambda: task_detail(client, "mf-20000101-00000000")).code == "InvalidParameterValue.TaskId"
    from tencentcloud.mps.v20190612 import models
    req = models.ProcessMediaRequest()
    req.from_json_string(json.dumps({"InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": "ftp://example.com/a.mp4"}},
                                     "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]}}))
    assert sdk_error(lambda: client.ProcessMedia(req)).code == "InvalidParameterValue.InputInfo"
    req.from_json_string(json.dumps({"InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": "/x.mp4"}},
                                     "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 4242}]}}))
    assert sdk_error(lambda: client.ProcessMedia(req)).code == "ResourceNotFound.TemplateNotExist"


def test_session_id_gives_the_same_task(api_env: ApiEnv, tiny_clip: Path, tmp_path: Path) -> None:
    client = api_env.client()
    first = process_media(client, tiny_clip, tmp_path / "a", SessionId="job-42", SessionContext="ctx")
    again = process_media(client, tiny_clip, tmp_path / "b", SessionId="job-42")
    other = process_media(client, tiny_clip, tmp_path / "c", SessionId="job-43")
    assert again == first and other != first
    for task_id in (first, other):
        wait_finished(client, task_id)
    assert not (tmp_path / "b").exists()  # the repeated request started nothing
    # kept across a restart: a second state object on the same file knows it
    from mediaflow_gui.api.sessions import ApiState
    state = ApiState(api_env.data_dir / "api.sqlite3")
    try:
        assert state.session_task("job-42") == first
        assert state.session_task("job-42", now=time.time() + 3 * 24 * 3600 + 1) is None  # after three days
    finally:
        state.close()


def test_describe_tasks_pages_with_scroll_token(api_env: ApiEnv, tiny_clip: Path, tmp_path: Path) -> None:
    from tencentcloud.mps.v20190612 import models
    client = api_env.client()
    ids = [process_media(client, tiny_clip, tmp_path / f"o{i}") for i in range(3)]
    for task_id in ids:
        wait_finished(client, task_id)
    seen: list[str] = []
    token = ""
    for _ in range(5):
        req = models.DescribeTasksRequest()
        req.Status, req.Limit = "FINISH", 2
        if token:
            req.ScrollToken = token
        page = client.DescribeTasks(req)
        assert page.TotalCount == 3 and len(page.TaskSet) <= 2
        seen += [t.TaskId for t in page.TaskSet]
        assert all(t.TaskType == "WorkflowTask" and t.FinishTime and t.SubTaskTypes == ["Transcode"]
                   for t in page.TaskSet)
        token = page.ScrollToken
        if not token:
            break
    assert seen == list(reversed(ids))  # newest first, each once
    req = models.DescribeTasksRequest()
    req.Status = "PROCESSING"
    assert client.DescribeTasks(req).TotalCount == 0
    req.Status = "DONE"
    assert sdk_error(lambda: client.DescribeTasks(req)).code == "InvalidParameterValue"


def test_manage_task_abort(api_env: ApiEnv, tmp_path: Path) -> None:
    from tencentcloud.mps.v20190612 import models
    clip = media_factory.make_video(tmp_path / "long.mp4", width=320, height=240, seconds=20.0, audio=False)
    client = api_env.client()
    task_id = process_media(client, clip, tmp_path / "out")
    deadline = time.monotonic() + 30
    while task_detail(client, task_id).Status != "PROCESSING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    req = models.ManageTaskRequest()
    req.OperationType, req.TaskId = "Abort", task_id
    assert client.ManageTask(req).RequestId
    detail = wait_finished(client, task_id)
    assert detail.WorkflowTask.ErrCode != 0
    assert api_env.runtime.store.get(task_id).result.value == "CANCELED"
    # a finished task cannot be aborted; an unknown one is unknown
    assert sdk_error(lambda: client.ManageTask(req)).code == "InvalidParameterValue.NotProcessingTask"
    req.TaskId = "mf-20000101-00000000"
    assert sdk_error(lambda: client.ManageTask(req)).code == "InvalidParameterValue.TaskId"


def test_parse_notification_of_an_event(api_env: ApiEnv, tiny_clip: Path, tmp_path: Path) -> None:
    """The event the run's notifier wrote (a JSON-lines target), parsed by the API."""
    from tencentcloud.mps.v20190612 import models
    client = api_env.client()
    task_id = process_media(client, tiny_clip, tmp_path / "out", SessionId="s-1", SessionContext="my context")
    wait_finished(client, task_id)
    events = api_env.data_dir / "events.jsonl"
    deadline = time.monotonic() + 20
    line = ""
    while not line:
        assert time.monotonic() < deadline, "no event written"
        lines = [ln for ln in (events.read_text().splitlines() if events.exists() else []) if task_id in ln]
        line = lines[0] if lines else ""
        time.sleep(0.1)
    req = models.ParseNotificationRequest()
    req.Content = line
    parsed = client.ParseNotification(req)
    assert parsed.EventType == "WorkflowTask"
    assert parsed.WorkflowTaskEvent.TaskId == task_id and parsed.WorkflowTaskEvent.Status == "FINISH"
    assert [r.Type for r in parsed.WorkflowTaskEvent.MediaProcessResultSet] == ["Transcode"]
    assert (parsed.SessionId, parsed.SessionContext) == ("s-1", "my context")
    req.Content = "not json"
    assert sdk_error(lambda: client.ParseNotification(req)).code == "InvalidParameterValue.InvalidContent"


def test_signatures_and_ids_are_checked(api_env: ApiEnv) -> None:
    bad_key = api_env.client(secret_key="not-the-key")
    assert sdk_error(lambda: task_detail(bad_key, "x")).code == "AuthFailure.SignatureFailure"
    bad_id = api_env.client(secret_id="AKIDnotours")
    assert sdk_error(lambda: task_detail(bad_id, "x")).code == "AuthFailure.SecretIdNotFound"


def test_unknown_action_bad_json_and_content_type(api_env: ApiEnv) -> None:
    client = api_env.client()
    assert sdk_error(lambda: client.call("DescribeNothing", {})).code == "InvalidAction"
    # a raw request, signed like the SDK signs, whose body is not JSON
    from mediaflow_gui.api import tc3
    body = b"{not json"
    stamp = str(int(time.time()))
    date = time.strftime("%Y-%m-%d", time.gmtime(int(stamp)))
    headers = {"content-type": "application/json", "host": api_env.service.endpoint, "x-tc-timestamp": stamp}
    canonical = tc3.canonical_request(tc3.SignedRequest("POST", "", headers, body), ["content-type", "host"])
    sig = tc3.signature(api_env.keys.secret_key, date, tc3.string_to_sign(stamp, date, canonical))
    request = urllib.request.Request(f"http://{api_env.service.endpoint}/", data=body, method="POST", headers={
        "Content-Type": "application/json", "X-TC-Action": "DescribeTasks", "X-TC-Version": "2019-06-12",
        "X-TC-Timestamp": stamp, "Authorization": f"TC3-HMAC-SHA256 Credential={api_env.keys.secret_id}/{date}/mps/"
                                                  f"tc3_request, SignedHeaders=content-type;host, Signature={sig}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/json"  # exactly: the SDK checks errors only then
        answer = json.loads(resp.read())["Response"]
    assert answer["Error"]["Code"] == "InvalidParameter" and answer["RequestId"]


def test_process_media_of_an_http_url(api_env: ApiEnv, tiny_clip: Path, tmp_path: Path) -> None:
    """An http URL is downloaded into the run's work dir, then run; its outputs are named after it."""
    import functools
    import http.server
    import threading
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tiny_clip.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        client = api_env.client()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/{tiny_clip.name}"
        task_id = call_action(client, "ProcessMedia", {
            "InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": url}}, "OutputDir": str(tmp_path / "web"),
            "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]}}).TaskId
        detail = wait_finished(client, task_id)
        assert detail.WorkflowTask.ErrCode == 0, detail.WorkflowTask.Message
        assert detail.WorkflowTask.InputInfo.UrlInputInfo.Url == url
        outputs = list((tmp_path / "web").iterdir())
        assert len(outputs) == 1 and outputs[0].name.startswith(tiny_clip.stem)
        missing = call_action(client, "ProcessMedia", {
            "InputInfo": {"Type": "URL", "UrlInputInfo": {"Url": url + ".gone"}}, "OutputDir": str(tmp_path / "x"),
            "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}]}}).TaskId
        failed = wait_finished(client, missing)
        assert api_env.runtime.store.get(missing).error_code == "FetchFailed"
        assert failed.WorkflowTask.Status == "FINISH"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
