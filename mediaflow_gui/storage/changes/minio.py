"""Events from MinIO: its ListenBucketNotification extension, a long GET that streams events.

    GET /BUCKET?events=s3:ObjectCreated:*&prefix=P&suffix=&ping=10   (signed like any S3 request)
    200, Content-Type: text/event-stream; then one JSON line per event ({"Records": [...]}, AWS's
    record format) and a " " every half second to keep the connection open.

Only MinIO answers it so: AWS refuses it (the request is not even sent there), and other stores
answer an error or treat it as a listing (200 with XML) — so a store counts as MinIO when the answer
is 200 with an event-stream content type (`answers_listen`). Nothing is stored server-side: events
sent while the stream was down are gone, so after a reconnect this source yields a Rescan and the
runner lists the prefix once.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, urlencode, urlparse

from ..s3 import S3Connection
from .base import Change, Rescan, put_threadsafe
from .stream import StreamEnded, StreamSource
from .s3_events import changes_from_records

log = logging.getLogger(__name__)

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def is_aws(conn: S3Connection) -> bool:
    host = (urlparse(conn.endpoint_url).hostname or "") if conn.endpoint_url else "s3.amazonaws.com"
    return host.endswith(".amazonaws.com") or host == "amazonaws.com"


def listen_request(conn: S3Connection, bucket: str, prefix: str) -> tuple[str, str, dict[str, str]]:
    """(host URL, path with query, signed headers) of the listen request."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parsed = urlparse(conn.endpoint_url)
    query = urlencode([("events", "s3:ObjectCreated:*"), ("ping", "10"), ("prefix", prefix), ("suffix", "")],
                      quote_via=quote, safe="-_.~")
    if conn.addressing == "virtual":
        base, path = f"{parsed.scheme}://{bucket}.{parsed.netloc}", "/"
    else:
        base, path = f"{parsed.scheme}://{parsed.netloc}", f"/{quote(bucket)}"
    request = AWSRequest(method="GET", url=f"{base}{path}?{query}", headers={"x-amz-content-sha256": EMPTY_SHA256})
    if conn.access_key:
        SigV4Auth(Credentials(conn.access_key, conn.secret_key), "s3", conn.region or "us-east-1").add_auth(request)
    return base, f"{path}?{query}", {k: str(v) for k, v in request.headers.items()}


@dataclass
class _Stream:
    connection: http.client.HTTPConnection
    response: http.client.HTTPResponse

    def close(self) -> None:
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a reader blocked in recv
            except OSError:
                pass
        self.connection.close()


def open_stream(conn: S3Connection, bucket: str, prefix: str, timeout: float = 30.0) -> _Stream:
    """Send the listen request; the answer's status and headers are read, the body is not."""
    base, target, headers = listen_request(conn, bucket, prefix)
    parsed = urlparse(base)
    if parsed.scheme == "https":
        context = ssl.create_default_context() if conn.verify_tls else ssl._create_unverified_context()
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parsed.hostname or "", parsed.port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=timeout)
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
    except BaseException:
        connection.close()
        raise
    return _Stream(connection, response)


def is_listen_answer(response: http.client.HTTPResponse) -> bool:
    return response.status == 200 and (response.getheader("Content-Type") or "").startswith("text/event-stream")


def answers_listen(conn: S3Connection, bucket: str, timeout: float = 3.0) -> bool:
    """Whether the endpoint answers MinIO's listen request for `bucket` (never asked of AWS)."""
    if not conn.endpoint_url or is_aws(conn):
        return False
    try:
        stream = open_stream(conn, bucket, "", timeout)
    except (OSError, http.client.HTTPException):
        return False
    try:
        return is_listen_answer(stream.response)
    finally:
        stream.close()


class MinioListenSource(StreamSource):
    """Object creations under s3://bucket/prefix from MinIO's listen stream."""

    kind = "minio"

    def __init__(self, conn: S3Connection, bucket: str, prefix: str = "", *,
                 describe_error: Callable[[BaseException], str], read_timeout: float = 30.0,
                 retry_delays: tuple[float, ...] = (1, 2, 5, 10)) -> None:
        super().__init__(retry_delays)
        self.conn = conn
        self.bucket = bucket
        self.prefix = prefix
        self.describe_error = describe_error
        self.read_timeout = read_timeout  # MinIO writes a keep-alive every 0.5 s: silence this long is a dead link
        self._stream: _Stream | None = None

    def describe(self) -> str:
        return "events (MinIO listen)"

    def _read(self, stream: _Stream, generation: int, loop: asyncio.AbstractEventLoop,
              queue: asyncio.Queue[Any]) -> None:
        reason = "the stream ended"
        try:
            while True:
                line = stream.response.readline(1 << 22)
                if not line:
                    break
                text = line.strip()
                if not text:
                    continue
                try:
                    data = json.loads(text)
                except ValueError:
                    continue
                for change in changes_from_records(data.get("Records") if isinstance(data, dict) else None,
                                                   self.bucket):
                    put_threadsafe(loop, queue, change)
        except Exception as exc:  # noqa: BLE001 — also http.client's AttributeError when stop() closes the
            # connection under a blocked read: the thread must end quietly and say why
            reason = f"{type(exc).__name__}: {exc}"
        finally:
            stream.close()
            put_threadsafe(loop, queue, StreamEnded(generation, reason))

    async def _connect(self) -> bool:
        try:
            stream = await asyncio.to_thread(open_stream, self.conn, self.bucket, self.prefix, self.read_timeout)
        except Exception as exc:  # refused, timed out, TLS: say why
            self._set_state("unreachable", self.describe_error(exc))
            return False
        if not is_listen_answer(stream.response):
            status = stream.response.status
            stream.close()
            self._set_state("unreachable", f"{self.conn.endpoint_url} answered the listen request with HTTP {status}")
            return False
        self._stream = stream
        self._start_reader(self._read, stream, f"mediaflow-minio-listen-{self.bucket}")
        self._set_state("watching")
        return True

    @property
    def _connected(self) -> bool:
        return self._stream is not None

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    async def _reconnected(self) -> Change | None:
        return Rescan("the MinIO listen stream reconnected")  # events while it was down are not replayed

    async def _ended(self, ended: StreamEnded) -> Change | None:
        self._stream = None
        log.info("MinIO listen stream of s3://%s/%s ended (%s); reconnecting", self.bucket, self.prefix, ended.reason)
        await self._sleep(self.retry_delays[0])
        return None
