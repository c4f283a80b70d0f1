"""S3 → SQS end to end on moto's mocked AWS: the binding names a queue, the watcher adds the bucket's
notification to it (keeping the bucket's other notifications), an upload reaches the queue and starts a
run by event alone, the message is deleted once handled, and a queue that cannot be used falls back to
polling with a mode that says why."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.storage.changes import WatchSettings
from mediaflow_gui.storage.changes.polling import PollingSource
from mediaflow_gui.storage.changes.sqs import SqsSource
from mediaflow_gui.storage.s3 import S3Connection
from tests.seaweed_fixture import seaweed  # noqa: F401
from tests.storage.test_watch_runs import Harness, binding_for, harness, run_async, small_clip, until  # noqa: F401

moto = pytest.importorskip("moto")
pytestmark = pytest.mark.slow  # a mocked AWS and real FFmpeg runs

AWS = S3Connection("aws-mock", "", region="us-east-1", access_key="testing", secret_key="testing")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with moto.mock_aws():
        import boto3
        yield boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")


def test_uploads_reach_the_watcher_through_the_sqs_queue(harness: Harness, aws: Any, small_clip: bytes) -> None:
    s3, sqs = aws.client("s3"), aws.client("sqs")
    s3.create_bucket(Bucket="ingest")
    s3.create_bucket(Bucket="results")
    url = sqs.create_queue(QueueName="mediaflow-ingest", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    other = sqs.create_queue(QueueName="audit")["QueueUrl"]
    other_arn = sqs.get_queue_attributes(QueueUrl=other, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # a notification the bucket already has must survive the binding's set-up
    s3.put_bucket_notification_configuration(Bucket="ingest", NotificationConfiguration={"QueueConfigurations": [
        {"Id": "audit", "QueueArn": other_arn, "Events": ["s3:ObjectRemoved:*"]}]})
    harness.connections.add(AWS)

    async def scenario() -> None:
        binding = binding_for("ingest", input_connection="aws-mock", input_prefix="up/", output_bucket="results",
                              output_prefix="out/", watch=WatchSettings(sqs_queue="mediaflow-ingest",
                                                                        reconcile_every=3600.0))
        runner = harness.runner(binding)
        await runner.start()
        source = runner.change_source
        assert isinstance(source, SqsSource), runner.status.mode_detail
        assert runner.status.mode == "events (SQS queue mediaflow-ingest)"
        assert "added a notification" in source.setup
        config = s3.get_bucket_notification_configuration(Bucket="ingest")["QueueConfigurations"]
        assert sorted(c["Id"] for c in config) == ["audit", f"mediaflow-{binding.id[:16]}"]
        [ours] = [c for c in config if c["Id"] != "audit"]
        assert ours["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "up/"}]

        s3.put_object(Bucket="ingest", Key="up/day 1/clip.mp4", Body=small_clip)  # a space: "+" in the event
        await until(lambda: runner.status.runs_started == 1, what="a run from the queue's message")
        await runner.wait_idle()
        assert runner.reconciles == 1 and source.events == 1  # by event, not by a listing
        # handled → deleted: the queue is empty (nothing in flight either)
        await until(lambda: _messages(sqs, url) == (0, 0), what="the handled message to be deleted")
        await runner.stop()

    run_async(scenario())
    [created] = harness.created
    assert created.input == "s3://ingest/up/day 1/clip.mp4"
    record = harness.tasks.get(created.task_id)
    assert record.result == RunResult.SUCCESS, record.message
    out = [o["Key"] for o in s3.list_objects_v2(Bucket="results").get("Contents", [])]
    assert out == ["out/day 1/clip_snapshotByTimeOffset_160x120_01.jpg"]


def _messages(sqs: Any, url: str) -> tuple[int, int]:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])


def test_a_queue_that_cannot_be_used_falls_back_to_polling_and_says_why(harness: Harness, aws: Any) -> None:
    aws.client("s3").create_bucket(Bucket="ingest")
    harness.connections.add(AWS)

    async def scenario() -> None:
        runner = harness.runner(binding_for("ingest", input_connection="aws-mock",
                                            watch=WatchSettings(sqs_queue="no-such-queue")))
        await runner.start()
        assert isinstance(runner.change_source, PollingSource)
        assert runner.status.mode == "polling every 0.2–10 s (SQS queue not usable)"
        assert "no-such-queue" in runner.status.mode_detail
        await runner.stop()

    run_async(scenario())


def test_the_binding_file_keeps_its_watch_settings(tmp_path: Path) -> None:
    from mediaflow_gui.storage.bindings import load_binding, save_binding
    binding = binding_for("b", watch=WatchSettings(detection="polling", sqs_queue="q", max_interval=4.0,
                                                   reconcile_every=120.0))
    path = tmp_path / "b.binding.json"
    save_binding(binding, path)
    assert load_binding(path).watch == binding.watch
    bad = binding_for("b", watch=WatchSettings(detection="push", max_interval=0))
    assert any("watch.detection" in p for p in bad.problems()) and any("max_interval" in p for p in bad.problems())
