"""Events from AWS S3 (and stores that speak its notifications): S3 → an SQS queue the user names.

The binding names the queue (`"watch": {"sqs_queue": URL, name or ARN}`), one queue per binding: the
watcher deletes every message it has handled, also those of other buckets, so two bindings on one
queue would take each other's events. At start the bucket's notification configuration is read;
when no configuration sends object creations to the queue, one is added (`s3:ObjectCreated:*`, with
the binding's prefix as a filter) next to the existing ones. When the keys may not do that, the
binding watches by polling and its mode says why, with what to set up (setup_instructions()).

Receiving: long polls of up to 20 s (10 messages each) on a daemon thread, so an idle binding costs
~4,300 requests a day and no CPU; a message is deleted once its changes were handled (the runner
asks for the next change only then), so a crash in between gets it again and the ledger drops the
repeat. While the queue does not answer, the source waits 1, 2, 5, 10 s between tries.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, AsyncIterator, Callable
from urllib.parse import urlparse

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..s3 import S3Connection
from .base import Change, ChangeSource, in_daemon_thread
from .s3_events import changes_from_message

log = logging.getLogger(__name__)

CREATED = "s3:ObjectCreated:*"


class NotificationSetupError(RuntimeError):
    """The bucket's notification to the queue is missing and could not be made; the message says how."""


def make_sqs_client(conn: S3Connection, queue: str, *, read_timeout: float = 30.0) -> BaseClient:
    """An SQS client with the connection's keys, for the queue's region (from its URL or ARN when it
    names one, else the connection's) and, for a queue URL outside AWS, that URL's endpoint."""
    region = conn.region or "us-east-1"
    endpoint = None
    if queue.startswith(("http://", "https://")):
        host = urlparse(queue).hostname or ""
        parts = host.split(".")
        if host.endswith(".amazonaws.com") and len(parts) >= 4 and parts[0] == "sqs":
            region = parts[1]
        else:
            parsed = urlparse(queue)
            endpoint = f"{parsed.scheme}://{parsed.netloc}"
    elif queue.startswith("arn:"):
        region = queue.split(":")[3] or region
    config = Config(region_name=region, connect_timeout=3, read_timeout=read_timeout,
                    retries={"max_attempts": 2, "mode": "standard"})
    kwargs: dict[str, Any] = {"config": config, "verify": conn.verify_tls}
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    if conn.access_key:
        kwargs["aws_access_key_id"] = conn.access_key
        kwargs["aws_secret_access_key"] = conn.secret_key
    return boto3.session.Session().client("sqs", **kwargs)


def queue_url_of(sqs: BaseClient, queue: str) -> str:
    """A queue URL from a URL, an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or a name."""
    if queue.startswith(("http://", "https://")):
        return queue
    if queue.startswith("arn:"):
        parts = queue.split(":")
        return str(sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"])
    return str(sqs.get_queue_url(QueueName=queue)["QueueUrl"])


def queue_arn_of(sqs: BaseClient, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def notification_entry(arn: str, prefix: str, config_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": config_id, "QueueArn": arn, "Events": [CREATED]}
    if prefix:
        entry["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}
    return entry


def setup_instructions(bucket: str, arn: str, prefix: str, config_id: str) -> str:
    """What a person (or an administrator with more rights) does so that the bucket sends its uploads."""
    config = json.dumps({"QueueConfigurations": [notification_entry(arn, prefix, config_id)]}, separators=(",", ":"))
    return (f"let the bucket {bucket} send object creations to {arn}: "
            f"aws s3api put-bucket-notification-configuration --bucket {bucket} "
            f"--notification-configuration '{config}' (this replaces the bucket's other notifications: merge "
            f"them in), and allow s3.amazonaws.com to sqs:SendMessage in the queue's access policy")


def ensure_notification(s3: BaseClient, bucket: str, arn: str, prefix: str, config_id: str) -> str:
    """Make the bucket send object creations under `prefix` to the queue `arn`, keeping its other
    notifications. Returns what was found or done; NotificationSetupError says how when it cannot."""
    try:
        current = s3.get_bucket_notification_configuration(Bucket=bucket)
    except (ClientError, BotoCoreError) as exc:
        raise NotificationSetupError(f"cannot read the notifications of {bucket} ({exc}); "
                                     + setup_instructions(bucket, arn, prefix, config_id)) from exc
    current = {k: v for k, v in current.items() if k != "ResponseMetadata"}
    queues = list(current.get("QueueConfigurations", []))
    for entry in queues:
        events = entry.get("Events", [])
        rules = (entry.get("Filter") or {}).get("Key", {}).get("FilterRules", [])
        wanted = {r.get("Name", "").lower(): r.get("Value", "") for r in rules}
        if (entry.get("QueueArn") == arn and any(e == CREATED or e.startswith("s3:ObjectCreated:") for e in events)
                and prefix.startswith(wanted.get("prefix", "")) and not wanted.get("suffix")):
            return f"the bucket already sends its uploads to {arn}"
    current["QueueConfigurations"] = [*queues, notification_entry(arn, prefix, config_id)]
    try:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=current)
    except (ClientError, BotoCoreError) as exc:
        raise NotificationSetupError(f"cannot add the notification to {bucket} ({exc}); "
                                     + setup_instructions(bucket, arn, prefix, config_id)) from exc
    return f"added a notification: uploads to {bucket}/{prefix} go to {arn}"


class SqsSource(ChangeSource):
    """Object creations in `bucket`, from the S3 notifications in one SQS queue."""

    kind = "sqs"

    def __init__(self, sqs: BaseClient, queue_url: str, bucket: str, *, describe_error: Callable[[BaseException], str],
                 wait_seconds: int = 20, retry_delays: tuple[float, ...] = (1, 2, 5, 10)) -> None:
        super().__init__()
        self.sqs = sqs
        self.queue_url = queue_url
        self.bucket = bucket
        self.describe_error = describe_error
        self.wait_seconds = max(0, min(20, int(wait_seconds)))
        self.retry_delays = tuple(retry_delays) or (1.0,)
        self.events = 0
        self.setup = ""  # what ensure_notification found or did (the log says it once)

    def describe(self) -> str:
        return f"events (SQS queue {self.queue_url.rstrip('/').rsplit('/', 1)[-1]})"

    def _receive(self) -> dict[str, Any]:
        return self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                        WaitTimeSeconds=self.wait_seconds)

    async def changes(self) -> AsyncIterator[Change]:
        failures = 0
        self.connects += 1
        while not self.stopping:
            try:
                finished, answer = await self._until_stop(in_daemon_thread(self._receive, "mediaflow-sqs-receive"))
            except Exception as exc:  # the queue does not answer or refuses: say why, wait, try again
                self._set_state("unreachable", self.describe_error(exc))
                await self._sleep(self.retry_delays[min(failures, len(self.retry_delays) - 1)])
                failures += 1
                continue
            if not finished:
                return
            failures = 0
            self._set_state("watching")
            for message in (answer or {}).get("Messages", []):
                for change in changes_from_message(str(message.get("Body", "")), self.bucket):
                    self.events += 1
                    yield change
                try:
                    await asyncio.to_thread(self.sqs.delete_message, QueueUrl=self.queue_url,
                                            ReceiptHandle=message["ReceiptHandle"])
                except Exception as exc:  # it comes back after the visibility timeout; the ledger drops it
                    log.warning("could not delete a message from %s: %s", self.queue_url, exc)
