"""Which change source a binding gets, per connection, and the binding's watch settings.

In this order (the first that applies):
1. `detection: "polling"` in the binding → polling (a person chose it).
2. an SQS queue named in the binding → S3 notifications through that queue; the bucket's
   notification to the queue is made when missing and the keys allow it. If the queue cannot be
   used (no such queue, no rights, the notification cannot be made) → polling, and the mode says
   why and how to set it up.
3. the input connection is the embedded store → its filer's metadata stream.
4. the endpoint answers MinIO's ListenBucketNotification → that stream.
5. otherwise → polling with the adaptive interval.

`choose_source` makes network requests (the MinIO probe, the SQS set-up): call it off the loop.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any, Callable

from botocore.client import BaseClient

from ..embedded.store import EmbeddedStore
from ..s3 import S3Connection
from .base import ChangeSource
from .filer_stream import FilerStreamSource
from .minio import MinioListenSource, answers_listen
from .polling import AdaptiveInterval, PollingSource
from .sqs import NotificationSetupError, SqsSource, ensure_notification, make_sqs_client, queue_arn_of, queue_url_of

log = logging.getLogger(__name__)

DETECTIONS = ("auto", "polling")
DEFAULT_MAX_INTERVAL = 10.0  # seconds: the slowest poll of an idle bucket
DEFAULT_RECONCILE_EVERY = 600.0  # seconds between full listings next to an event source


@dataclass
class WatchSettings:
    """How a binding hears about uploads (the binding file's "watch" object)."""

    detection: str = "auto"  # auto: events where the store offers them, else polling | polling
    sqs_queue: str = ""  # URL, ARN or name of the queue the bucket's S3 notifications go to
    max_interval: float = DEFAULT_MAX_INTERVAL  # polling: the interval grows up to this while idle
    reconcile_every: float = DEFAULT_RECONCILE_EVERY  # events: a full listing this often catches what they missed

    def problems(self) -> list[str]:
        out = []
        if self.detection not in DETECTIONS:
            out.append(f"watch.detection must be one of {', '.join(DETECTIONS)}, not {self.detection!r}")
        if self.max_interval <= 0:
            out.append("watch.max_interval must be positive")  # below poll_interval it is poll_interval
        if self.reconcile_every < 1:
            out.append("watch.reconcile_every must be at least 1 s")
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "WatchSettings":
        data = data if isinstance(data, dict) else {}
        return cls(detection=str(data.get("detection", "auto")), sqs_queue=str(data.get("sqs_queue", "") or ""),
                   max_interval=float(data.get("max_interval", DEFAULT_MAX_INTERVAL)),
                   reconcile_every=float(data.get("reconcile_every", DEFAULT_RECONCILE_EVERY)))


@dataclass(frozen=True)
class SourceRequest:
    """What choose_source needs to know about one binding's input."""

    conn: S3Connection
    bucket: str
    prefix: str
    settings: WatchSettings
    poll_interval: float
    max_backoff: float
    listing_client: BaseClient  # for probes and the SQS set-up (short timeouts)
    describe_error: Callable[[BaseException], str]
    embedded: EmbeddedStore | None = None  # set when the connection is the embedded store
    config_id: str = "mediaflow"  # the Id of a bucket notification this binding adds


def polling(request: SourceRequest, note: str = "", detail: str = "") -> PollingSource:
    interval = AdaptiveInterval(request.poll_interval, max(request.poll_interval, request.settings.max_interval),
                                max_backoff=request.max_backoff)
    source = PollingSource(interval, note)
    source.detail = detail
    return source


def _sqs(request: SourceRequest) -> ChangeSource:
    queue = request.settings.sqs_queue
    try:
        sqs = make_sqs_client(request.conn, queue)
        url = queue_url_of(sqs, queue)
        arn = queue_arn_of(sqs, url)
        setup = ensure_notification(request.listing_client, request.bucket, arn, request.prefix, request.config_id)
    except NotificationSetupError as exc:
        log.warning("s3://%s/%s: polling instead of the SQS queue: %s", request.bucket, request.prefix, exc)
        return polling(request, "SQS notifications not set up", str(exc))
    except Exception as exc:  # no such queue, refused, no rights on the queue
        reason = request.describe_error(exc)
        log.warning("s3://%s/%s: polling instead of the SQS queue %s: %s", request.bucket, request.prefix, queue, reason)
        return polling(request, "SQS queue not usable", f"the queue {queue} cannot be used: {reason}")
    log.info("s3://%s/%s: %s", request.bucket, request.prefix, setup)
    source = SqsSource(make_sqs_client(request.conn, url, read_timeout=35), url, request.bucket,
                       describe_error=request.describe_error)
    source.setup = setup
    source.detail = f"{setup}; messages are received from {url}"
    return source


def choose_source(request: SourceRequest) -> ChangeSource:
    """The change source for one binding's input (see the module docstring for the order)."""
    settings = request.settings
    if settings.detection == "polling":
        return polling(request, detail="polling was chosen for this binding")
    if settings.sqs_queue:
        return _sqs(request)
    if request.embedded is not None:
        source: ChangeSource = FilerStreamSource(
            request.embedded, request.bucket, request.prefix,
            probe=lambda: request.listing_client.list_objects_v2(Bucket=request.bucket, MaxKeys=1),
            describe_error=request.describe_error)
        source.detail = "the embedded store's filer streams every create and overwrite under the prefix"
        return source
    if answers_listen(request.conn, request.bucket):
        source = MinioListenSource(request.conn, request.bucket, request.prefix, describe_error=request.describe_error)
        source.detail = f"{request.conn.endpoint_url} streams its bucket notifications (MinIO ListenBucketNotification)"
        return source
    where = request.conn.endpoint_url or "AWS S3"
    hint = " (name an SQS queue in the binding for events)" if not request.conn.endpoint_url else ""
    return polling(request, detail=f"{where} offers no event stream MediaFlow can use{hint}")
