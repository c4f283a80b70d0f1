"""Event sinks: where a run-finished event goes. Each sink's `send(event)` blocks and raises
SinkError when it finally gives up; the EventNotifier calls it (through `deliver`) on the worker thread of
the sink's target — one thread per target, so a slow target only delays its own events.

A target is what a sink sends to, not the sink object: `target_key()` is the webhook URL + secret,
the SQS queue URL (+ endpoint) or the JSON-lines file's resolved path, so two bindings that send to
the same webhook share one queue and keep their events in order.

- WebhookSink: HTTP(S) POST of the JSON body, retried with exponential back-off on connection
  errors, timeouts, 408/429 and 5xx; optional HMAC-SHA256 signature header
  `X-MediaFlow-Signature: sha256=<hex>` over the exact body bytes.
- SqsSink: one SQS message per event via boto3 (AWS-style queues; any SQS-compatible endpoint).
- JsonLinesSink: appends one event per line to a file (O_APPEND + fsync, so concurrent writers and
  a crash leave whole lines).

Re-delivery after a crash (`send_again`): a binding whose process died between sending an event
and recording that it was sent sends it again on the next start. The JSON-lines sink looks for the
TaskId in its file first and skips an event already there (exactly once); a webhook carries the
same `X-MediaFlow-Delivery` id as the first time (derived from the TaskId), so a receiver can drop
the duplicate; SQS messages carry the TaskId as an attribute for the same purpose.

`EventTargets` is the configuration a binding (or the app settings) carries; `make_sinks()` turns
it into sinks. Secrets: a webhook secret may be given inline or, better, as the name of an
environment variable (`secret_env`), which keeps it out of binding files. The same holds for the
service's NotifyKey (`notify_key` / `notify_key_env`): every sink made from a configuration with one
sends the event with its MPS `Sign` (payload.signed); a target named by two configurations (global and
a binding) gets the event once, signed with the key of the configuration that named it first.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable

from .payload import encode

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-MediaFlow-Signature"
USER_AGENT = "MediaFlow-Notifier/1"
SQS_MAX_BYTES = 256 * 1024


class SinkError(RuntimeError):
    """A sink gave up on an event (after its retries)."""


class SinkStopped(SinkError):
    """The notifier is closing: the sink stopped before its retries were used up (not a verdict on the
    target; the event was not delivered)."""


def sign(body: bytes, secret: str) -> str:
    """The value of X-MediaFlow-Signature: `sha256=` + hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """For receivers (and tests): constant-time check of a signature header."""
    return hmac.compare_digest(sign(body, secret), header or "")


# -- configuration ---------------------------------------------------------------------------------

@dataclass
class WebhookTarget:
    url: str
    secret: str = field(default="", repr=False)
    secret_env: str = ""  # name of an environment variable holding the secret
    timeout: float = 10.0
    max_attempts: int = 5
    headers: dict[str, str] = field(default_factory=dict)

    def resolved_secret(self) -> str:
        if self.secret_env:
            return os.environ.get(self.secret_env, "")
        return self.secret


@dataclass
class SqsTarget:
    queue_url: str
    region: str = ""
    endpoint_url: str = ""
    connection: str = ""  # a saved S3 connection whose keys to use; "" = boto3's default credentials


@dataclass
class EventTargets:
    webhooks: list[WebhookTarget] = field(default_factory=list)
    sqs: list[SqsTarget] = field(default_factory=list)
    jsonl: list[str] = field(default_factory=list)  # file paths
    # the service's NotifyKey: events carry Sign = md5(Timestamp + key) (inline, or an env var's name)
    notify_key: str = field(default="", repr=False)
    notify_key_env: str = ""

    def resolved_notify_key(self) -> str:
        if self.notify_key_env:
            return os.environ.get(self.notify_key_env, "")
        return self.notify_key

    def is_empty(self) -> bool:
        return not (self.webhooks or self.sqs or self.jsonl)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "EventTargets":
        data = data or {}

        def pick(kind: type, raw: Any) -> Any:
            if isinstance(raw, str):
                return kind(raw)
            return kind(**{k: v for k, v in dict(raw).items() if k in kind.__dataclass_fields__})

        return cls(webhooks=[pick(WebhookTarget, w) for w in data.get("webhooks", [])],
                   sqs=[pick(SqsTarget, q) for q in data.get("sqs", [])],
                   jsonl=[str(p) for p in data.get("jsonl", [])],
                   notify_key=str(data.get("notify_key") or ""), notify_key_env=str(data.get("notify_key_env") or ""))


# -- sinks ------------------------------------------------------------------------------------------

class Sink:
    name = "sink"
    notify_key = ""  # the NotifyKey the notifier signs this sink's events with (make_sinks sets it)

    def send(self, event: dict[str, Any]) -> None:
        raise NotImplementedError

    def send_again(self, event: dict[str, Any]) -> None:
        """Re-deliver an event that may have been sent before a crash; sinks that can tell skip it."""
        self.send(event)

    def deliver(self, event: dict[str, Any], *, again: bool = False,
                stop: threading.Event | None = None) -> None:
        """What the notifier calls: `send_again` or `send`. `stop` is set when the notifier closes;
        sinks that wait between retries watch it (see WebhookSink) and raise SinkStopped."""
        self.send_again(event) if again else self.send(event)

    def target_key(self) -> Hashable:
        """What this sink sends to; sinks with equal keys share one delivery queue. A sink that cannot
        tell is a target of its own."""
        return ("sink", id(self))

    def abort(self) -> None:
        """Cut a delivery in progress on another thread (the notifier is closing); it then raises
        SinkStopped. Sinks with nothing to cut do nothing: their delivery ends on its own."""


_DELIVERY_NAMESPACE = uuid.UUID("5b0c3a7e-6d0e-4f39-9f61-6a2f3c1d9e41")


def event_task_id(event: dict[str, Any]) -> str:
    return str((event.get("WorkflowTaskEvent") or {}).get("TaskId") or "")


def delivery_id(event: dict[str, Any]) -> str:
    """The X-MediaFlow-Delivery id: one per run, the same on retries and on a re-delivery after a crash."""
    task_id = event_task_id(event)
    return uuid.uuid5(_DELIVERY_NAMESPACE, task_id).hex if task_id else uuid.uuid4().hex


_RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


class _Tracking:
    """urllib handler mix-in that hands each HTTP connection it opens to `track`, so another thread
    can cut an attempt that hangs (WebhookSink.abort) instead of waiting for its timeout."""

    track: Callable[[http.client.HTTPConnection], None]

    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        track = self.track

        def make(*args: Any, **kw: Any) -> http.client.HTTPConnection:
            conn = http_class(*args, **kw)
            track(conn)
            return conn
        return super().do_open(make, req, **kwargs)  # type: ignore[misc]


class _TrackingHTTP(_Tracking, urllib.request.HTTPHandler):
    pass


class _TrackingHTTPS(_Tracking, urllib.request.HTTPSHandler):
    pass


def _opener(track: Callable[[http.client.HTTPConnection], None]) -> urllib.request.OpenerDirector:
    """urlopen's own handlers (proxies from the environment, redirects, HTTPS with the default
    context), with the HTTP(S) ones tracking their connections."""
    handlers: list[Any] = [_TrackingHTTP(), _TrackingHTTPS()]
    for handler in handlers:
        handler.track = track
    return urllib.request.build_opener(*handlers)


class WebhookSink(Sink):
    def __init__(self, target: WebhookTarget, *, base_delay: float = 0.5, max_delay: float = 30.0,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.target = target
        self.name = f"webhook {target.url}"
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep  # None: time.sleep, or the notifier's stop event when it gives one
        self._live: list[list[http.client.HTTPConnection]] = []  # connections of attempts in progress
        self._live_lock = threading.Lock()

    def target_key(self) -> Hashable:
        # the secret is part of what the receiver sees (the signature); the key never reaches a log
        return ("webhook", self.target.url, self.target.secret, self.target.secret_env)

    def request(self, body: bytes, delivery_id: str) -> urllib.request.Request:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                   "X-MediaFlow-Event": "WorkflowTask", "X-MediaFlow-Delivery": delivery_id,
                   **self.target.headers}
        secret = self.target.resolved_secret()
        if secret:
            headers[SIGNATURE_HEADER] = sign(body, secret)
        return urllib.request.Request(self.target.url, data=body, headers=headers, method="POST")

    def send(self, event: dict[str, Any]) -> None:
        self._post(event, None)

    def deliver(self, event: dict[str, Any], *, again: bool = False,
                stop: threading.Event | None = None) -> None:
        self._post(event, stop)  # a re-delivery is the same POST with the same delivery id

    def abort(self) -> None:
        """Shut the connections of the attempts in progress: a read waiting for an answer fails at
        once. Not reachable: a TLS handshake in progress (ssl has detached the plain socket and not
        yet returned its own); that attempt ends at its timeout."""
        with self._live_lock:
            conns = [conn for attempt in self._live for conn in attempt]
        for conn in conns:
            sock = getattr(conn, "sock", None)
            if sock is not None:
                try:  # socket.socket's shutdown, also for an SSLSocket (whose own would drop its TLS state)
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed

    def _attempt(self, body: bytes, delivery: str) -> None:
        conns: list[http.client.HTTPConnection] = []
        with self._live_lock:
            self._live.append(conns)
        try:
            with _opener(conns.append).open(self.request(body, delivery), timeout=self.target.timeout) as resp:
                resp.read(65536)
        finally:
            with self._live_lock:
                self._live.remove(conns)

    def _pause(self, delay: float, stop: threading.Event | None) -> None:
        if self._sleep is not None:
            self._sleep(delay)
        elif stop is not None:
            stop.wait(delay)  # a closing notifier ends the back-off at once
        else:
            time.sleep(delay)

    def _post(self, event: dict[str, Any], stop: threading.Event | None) -> None:
        body = encode(event)
        delivery = delivery_id(event)  # the same on every retry and re-delivery: receivers can de-duplicate
        attempts = max(1, self.target.max_attempts)
        last = ""
        for attempt in range(1, attempts + 1):
            try:
                if stop is not None and stop.is_set():
                    raise SinkStopped(f"{self.name}: stopped before attempt {attempt} of {attempts}")
                self._attempt(body, delivery)
                return
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code} {exc.reason}"
                if exc.code not in _RETRY_STATUSES:
                    raise SinkError(f"{self.name} refused the event: {last}") from exc
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{type(exc).__name__}: {reason}"
            if stop is not None and stop.is_set():  # cut by abort(), or the notifier closed meanwhile
                raise SinkStopped(f"{self.name}: stopped during attempt {attempt} of {attempts} ({last})")
            if attempt < attempts:
                delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
                log.info("%s: attempt %d failed (%s); retrying in %.1f s", self.name, attempt, last, delay)
                self._pause(delay, stop)
        raise SinkError(f"{self.name} failed after {attempts} attempts: {last}")


def sqs_message(event: dict[str, Any]) -> dict[str, Any]:
    """The SendMessage arguments (without QueueUrl) for one event; trimmed below SQS's 256 KiB."""
    body = encode(event)
    if len(body) > SQS_MAX_BYTES:
        # the FFmpeg command lines are the bulky part and the least needed by a consumer
        trimmed = json.loads(body)
        for result in trimmed.get("WorkflowTaskEvent", {}).get("MediaProcessResultSet", []):
            for sub in result.values():
                if isinstance(sub, dict):
                    (sub.get("MediaFlow") or {}).pop("Command", None)
        trimmed["WorkflowTaskEvent"].setdefault("MediaFlow", {})["Truncated"] = True
        body = encode(trimmed)
    task = event.get("WorkflowTaskEvent", {})
    attributes = {"EventType": {"DataType": "String", "StringValue": "WorkflowTask"}}
    if task.get("TaskId"):
        attributes["TaskId"] = {"DataType": "String", "StringValue": str(task["TaskId"])}
    result = (task.get("MediaFlow") or {}).get("Result")
    if result:
        attributes["Result"] = {"DataType": "String", "StringValue": str(result)}
    return {"MessageBody": body.decode("utf-8"), "MessageAttributes": attributes}


class SqsSink(Sink):
    def __init__(self, target: SqsTarget, client: Any = None,
                 credentials: tuple[str, str] | None = None) -> None:
        self.target = target
        self.name = f"sqs {target.queue_url}"
        self._client = client
        self._credentials = credentials
        self._lock = threading.Lock()

    def target_key(self) -> Hashable:
        return ("sqs", self.target.queue_url, self.target.endpoint_url)

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config
                kwargs: dict[str, Any] = {"config": Config(connect_timeout=5, read_timeout=15,
                                                           retries={"max_attempts": 5, "mode": "standard"})}
                if self.target.region:
                    kwargs["region_name"] = self.target.region
                if self.target.endpoint_url:
                    kwargs["endpoint_url"] = self.target.endpoint_url
                if self._credentials:
                    kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = self._credentials
                self._client = boto3.session.Session().client("sqs", **kwargs)
            return self._client

    def send(self, event: dict[str, Any]) -> None:
        try:
            self.client().send_message(QueueUrl=self.target.queue_url, **sqs_message(event))
        except Exception as exc:  # boto3 raises many kinds; the notifier needs one
            raise SinkError(f"{self.name}: {type(exc).__name__}: {exc}") from exc


class JsonLinesSink(Sink):
    """One JSON object per line, appended; safe against concurrent writers and crashes."""

    _locks: dict[str, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self.name = f"log {self.path}"
        self._resolved = str(self.path.resolve())
        with self._locks_guard:
            self._lock = self._locks.setdefault(self._resolved, threading.Lock())

    def target_key(self) -> Hashable:
        return ("jsonl", self._resolved)

    def send(self, event: dict[str, Any]) -> None:
        line = encode(event) + b"\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    written = os.write(fd, line)  # one write: O_APPEND keeps lines whole
                    while written < len(line):
                        written += os.write(fd, line[written:])
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise SinkError(f"{self.name}: {exc}") from exc

    def send_again(self, event: dict[str, Any]) -> None:
        task_id = event_task_id(event)
        with self._lock:  # no other thread of ours appends this TaskId meanwhile
            if task_id and self.contains(task_id):
                log.info("%s already holds the event of %s: not written again", self.name, task_id)
                return
        self.send(event)

    def contains(self, task_id: str) -> bool:
        """Whether a line of the file carries this TaskId (read in chunks; only re-deliveries ask)."""
        needle = json.dumps(task_id).encode("utf-8")  # with its quotes: never a prefix of another id
        try:
            with open(self.path, "rb") as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if needle in tail + chunk:
                        return True
                    tail = chunk[-len(needle):]
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise SinkError(f"{self.name}: {exc}") from exc
        return False


def make_sinks(targets: EventTargets,
               connection_keys: Callable[[str], tuple[str, str] | None] | None = None) -> list[Sink]:
    """Sinks for a configuration. `connection_keys(name)` gives the keys of a saved connection."""
    sinks: list[Sink] = [WebhookSink(w) for w in targets.webhooks]
    for q in targets.sqs:
        creds = connection_keys(q.connection) if (q.connection and connection_keys) else None
        sinks.append(SqsSink(q, credentials=creds))
    sinks += [JsonLinesSink(p) for p in targets.jsonl]
    key = targets.resolved_notify_key()
    for sink in sinks:
        sink.notify_key = key
    return sinks
