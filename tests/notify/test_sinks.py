"""Notify sinks: webhook (retries, back-off, HMAC), JSON-lines log, SQS (moto), payload builder."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from mediaflow_gui.notify.payload import build_event, encode
from mediaflow_gui.notify.sinks import (SIGNATURE_HEADER, EventTargets, JsonLinesSink, SinkError, SqsSink, SqsTarget,
                                        WebhookSink, WebhookTarget, make_sinks, sign, sqs_message,
                                        verify_signature)
from mediaflow_gui.storage.watcher import Delivery


class HookServer:
    """A local HTTP server that records POSTs and answers with the statuses it is given, in order."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.delay = 0.0  # seconds each answer takes (a slowish receiver)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}  # HTTP header names ignore case
                if outer.delay:
                    time.sleep(outer.delay)
                outer.requests.append({"path": self.path, "headers": headers, "body": body})
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        # shutdown() waits for the next poll: a short one keeps each test's teardown short
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[HookServer]:
    server = HookServer()
    yield server
    server.close()


def task_query(result: str = "SUCCESS") -> dict[str, Any]:
    ok = result == "SUCCESS"
    return {
        "TaskId": "mf-20250101-abcdef12", "TaskType": "WorkflowTask", "Status": "FINISH",
        "CreateTime": "2025-01-01T00:00:00Z", "BeginProcessTime": "2025-01-01T00:00:01Z",
        "FinishTime": "2025-01-01T00:00:05Z",
        "WorkflowTask": {  # task_query_dict's shape (engine/store/task_query.py)
            "TaskId": "mf-20250101-abcdef12", "Status": "FINISH", "ErrCode": 0 if ok else 1007,
            "Message": "SUCCESS" if ok else "Snap: FFmpeg failed",
            "InputInfo": {"Type": "AWS-S3", "S3InputInfo": {"S3Bucket": "in", "S3Region": "", "S3Object": "clip.mp4"}},
            "MetaData": None,
            "MediaProcessResultSet": [{"Type": "SnapshotByTimeOffset", "SnapshotByTimeOffsetTask": {
                "Status": "SUCCESS" if ok else "FAIL", "ErrCode": 0 if ok else 1007,
                "ErrCodeExt": "" if ok else "InternalError", "Message": "",
                "Output": {"Definition": 0, "PicInfoSet": [{"TimeOffset": 1000, "Path": "/w/out/a.jpg"}]} if ok else None,
                "MediaFlow": {"Command": ["ffmpeg", "-i", "x"],
                              "Outputs": [{"Path": "/w/out/a.jpg", "Kind": "image", "Size": 10}] if ok else []}}}],
            "MediaFlow": {"Result": result, "ErrorCode": "" if ok else "FFmpegFailed", "WorkflowName": "wf",
                          "Input": "s3://in/clip.mp4"},
        },
    }


def test_payload_adds_urls_times_and_trigger() -> None:
    d = Delivery("mf-20250101-abcdef12", "/w/out/a.jpg", "out", "res/a.jpg", "s3://out/res/a.jpg",
                 "http://127.0.0.1:1/out/res/a.jpg", "image/jpeg")
    query = task_query()
    event = build_event(query, [d], {"Type": "BucketUpload", "Key": "clip.mp4"})
    assert event["EventType"] == "WorkflowTask"
    task = event["WorkflowTaskEvent"]
    assert task["TaskId"] == "mf-20250101-abcdef12" and task["MediaFlow"]["FinishTime"] == "2025-01-01T00:00:05Z"
    assert task["MediaFlow"]["Trigger"]["Type"] == "BucketUpload" and task["MediaFlow"]["Result"] == "SUCCESS"
    assert isinstance(event["Timestamp"], int) and event["Sign"] == ""
    sub = task["MediaProcessResultSet"][0]["SnapshotByTimeOffsetTask"]
    assert sub["MediaFlow"]["Outputs"][0]["Url"] == "s3://out/res/a.jpg" and sub["MediaFlow"]["Outputs"][0]["Key"] == "res/a.jpg"
    assert sub["Output"]["PicInfoSet"][0]["Path"] == "/w/out/a.jpg"  # the service's fields stay as they were
    assert "Url" not in query["WorkflowTask"]["MediaProcessResultSet"][0]["SnapshotByTimeOffsetTask"]["MediaFlow"]["Outputs"][0]


def test_webhook_posts_signed_json(hook: HookServer) -> None:
    event = build_event(task_query())
    WebhookSink(WebhookTarget(hook.url, secret="s3cret")).send(event)
    [req] = hook.requests
    assert json.loads(req["body"]) == json.loads(encode(event))
    headers = req["headers"]
    assert headers["content-type"].startswith("application/json")
    assert headers["x-mediaflow-event"] == "WorkflowTask"
    assert headers[SIGNATURE_HEADER.lower()] == sign(req["body"], "s3cret")
    assert verify_signature(req["body"], "s3cret", headers[SIGNATURE_HEADER.lower()])
    assert not verify_signature(req["body"], "other", headers[SIGNATURE_HEADER.lower()])


def test_webhook_secret_from_environment(hook: HookServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MF_HOOK_SECRET", "from-env")
    WebhookSink(WebhookTarget(hook.url, secret_env="MF_HOOK_SECRET")).send(build_event(task_query()))
    req = hook.requests[0]
    assert req["headers"][SIGNATURE_HEADER.lower()] == sign(req["body"], "from-env")


def test_webhook_without_secret_has_no_signature(hook: HookServer) -> None:
    WebhookSink(WebhookTarget(hook.url)).send(build_event(task_query()))
    assert SIGNATURE_HEADER.lower() not in hook.requests[0]["headers"]


def test_webhook_retries_with_exponential_backoff(hook: HookServer) -> None:
    hook.statuses = [503, 500, 429]
    delays: list[float] = []
    WebhookSink(WebhookTarget(hook.url, max_attempts=5), base_delay=0.5, sleep=delays.append).send(
        build_event(task_query()))
    assert len(hook.requests) == 4
    assert delays == [0.5, 1.0, 2.0]
    ids = {r["headers"]["x-mediaflow-delivery"] for r in hook.requests}
    assert len(ids) == 1  # one delivery id across retries: receivers can de-duplicate


def test_webhook_client_error_is_not_retried(hook: HookServer) -> None:
    hook.statuses = [400]
    with pytest.raises(SinkError, match="HTTP 400"):
        WebhookSink(WebhookTarget(hook.url), sleep=lambda d: None).send(build_event(task_query()))
    assert len(hook.requests) == 1


def test_webhook_gives_up_on_a_dead_endpoint() -> None:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    delays: list[float] = []
    with pytest.raises(SinkError, match="after 3 attempts"):
        WebhookSink(WebhookTarget(f"http://127.0.0.1:{port}/x", max_attempts=3), sleep=delays.append).send(
            build_event(task_query()))
    assert delays == [0.5, 1.0]


def test_json_lines_log_appends_whole_lines_from_many_threads(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "events.jsonl"
    sink = JsonLinesSink(path)
    events = [build_event(task_query("SUCCESS" if i % 2 else "FAIL")) for i in range(40)]
    threads = [threading.Thread(target=sink.send, args=(e,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    JsonLinesSink(path).send(events[0])  # a second sink on the same file appends too
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 41
    results = [json.loads(line)["WorkflowTaskEvent"]["MediaFlow"]["Result"] for line in lines]
    assert results.count("FAIL") == 21


def test_sqs_message_body_and_attributes() -> None:
    event = build_event(task_query("FAIL"))
    msg = sqs_message(event)
    assert json.loads(msg["MessageBody"]) == json.loads(encode(event))
    assert msg["MessageAttributes"]["Result"]["StringValue"] == "FAIL"
    big = build_event(task_query())
    big["WorkflowTaskEvent"]["MediaProcessResultSet"][0]["SnapshotByTimeOffsetTask"]["MediaFlow"]["Command"] = ["x" * 300_000]
    trimmed = json.loads(sqs_message(big)["MessageBody"])
    assert trimmed["WorkflowTaskEvent"]["MediaFlow"]["Truncated"] is True
    assert len(sqs_message(big)["MessageBody"].encode()) < 256 * 1024


@pytest.mark.slow  # a mocked AWS (moto) server
def test_sqs_sink_sends_to_a_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    moto = pytest.importorskip("moto")
    import boto3
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    with moto.mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        url = sqs.create_queue(QueueName="mediaflow-events")["QueueUrl"]
        event = build_event(task_query())
        SqsSink(SqsTarget(url, region="eu-west-1")).send(event)
        [msg] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
        assert json.loads(msg["Body"])["WorkflowTaskEvent"]["TaskId"] == "mf-20250101-abcdef12"
        assert msg["MessageAttributes"]["EventType"]["StringValue"] == "WorkflowTask"
        with pytest.raises(SinkError):
            SqsSink(SqsTarget(url.replace("mediaflow-events", "no-such-queue"), region="eu-west-1")).send(event)


def test_targets_from_dict_and_make_sinks(tmp_path: Path) -> None:
    targets = EventTargets.from_dict({"webhooks": ["http://127.0.0.1:1/a", {"url": "http://127.0.0.1:1/b",
                                                                           "secret": "hush-hush"}],
                                      "sqs": [{"queue_url": "https://sqs.eu-west-1.amazonaws.com/1/q"}],
                                      "jsonl": [str(tmp_path / "e.jsonl")]})
    sinks = make_sinks(targets)
    assert [type(s).__name__ for s in sinks] == ["WebhookSink", "WebhookSink", "SqsSink", "JsonLinesSink"]
    assert "hush-hush" not in repr(targets.webhooks[1])
    assert EventTargets.from_dict(targets.to_dict()) == targets
