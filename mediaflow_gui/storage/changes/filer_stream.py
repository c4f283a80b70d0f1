"""Events from the embedded store: its filer's metadata subscription, through `weed filer.meta.tail`.

The filer (SeaweedFS's namespace server, behind S3) keeps a log of every create, update, rename and
delete and streams it to subscribers (the SubscribeMetadata gRPC call). `weed filer.meta.tail
-pathPrefix=/buckets/NAME/PREFIX -timeAgo=D` subscribes from D before the moment it has started
(so it is asked from further back, and the reader drops the surplus: _STARTUP_ALLOWANCE) and prints
each event as protobuf JSON (pretty-printed over several lines, int64 fields as strings) on stdout:

    {"directory": "/buckets/inbox/up", "eventNotification": {"oldEntry": null, "newEntry":
     {"name": "clip.mp4", "isDirectory": false, "attributes": {"fileSize": "1234", …}, …},
     "newParentPath": "/buckets/inbox/up", …}, "tsNs": "1735000000123456789"}

A create has only a newEntry, an overwrite both (same path), a rename both (the new path in
newParentPath), a delete only an oldEntry (ignored: nothing to run). Folders are ignored. The ETag is
not taken from the event: the runner lists the key, so it is the ETag a listing shows.

Facts this relies on (weed 4.x; storage/embedded/security.py): every inner port needs this start's
client certificate, which the tail finds through `security.toml` in its working directory — so it
runs in the store's root, without WEED_* variables, like weed itself; its glog files go to the
store's logs/ (-logdir), its stderr to logs/meta-tail.out. When the filer goes away (a stop, a
crash, a restart by the supervisor, which also makes new certificates) the tail prints
`tail ADDRESS: <error>` and exits; this source then asks S3 whether the store answers (the reason a
person sees is the S3 one: "refused", "timed out"), waits, and starts a new tail from the last event
time it saw minus a second — the filer replays its log from there, so no event is lost across a
reconnect (a replayed one is dropped by the ledger). A tail that keeps ending while S3 answers
turns this source into a poller (a Rescan after each failure) until a stream lasts again.

Cost while idle: one sleeping Go process (~20–40 MB RSS) and a blocked reader thread; no requests.
"""

from __future__ import annotations

import asyncio
import codecs
import functools
import json
import logging
import os
import signal
import subprocess
import threading
import time
from typing import Any, Callable

from ...engine.spawn import Spawner, pdeathsig_preexec
from ..embedded.binary import find_weed
from ..embedded.ports import HOST
from ..embedded.security import child_environment
from ..embedded.store import EmbeddedStore
from .base import Change, ObjectChange, Rescan, put_threadsafe
from .stream import StreamEnded, StreamSource

log = logging.getLogger(__name__)

_HEALTHY_AFTER = 5.0  # seconds: a stream that lasted this long counts as having worked
# -timeAgo is relative to the moment the tail reads its clock, once it has started: the subscription
# began 0.4–0.97 s later than asked on this 2-core machine under the test suite's load (the filer logs
# where it starts), nearly all of the 1 s overlap; a slower start (CI) left a gap in which an upload was
# never heard of. So the tail is asked from this much further back, and what it replays from before the
# wanted time is dropped by the reader.
_STARTUP_ALLOWANCE = 30.0
_KEEPS_ENDING = 3  # ends in a row while S3 answers: poll until a stream lasts again


class MetaStreamParser:
    """Splits the tail's stdout into JSON objects (dicts) and text lines (str), across reads."""

    def __init__(self) -> None:
        self._buffer = ""
        self._decoder = json.JSONDecoder()

    def feed(self, data: str) -> list[dict[str, Any] | str]:
        self._buffer += data
        out: list[dict[str, Any] | str] = []
        while True:
            text = self._buffer.lstrip()
            if not text:
                self._buffer = ""
                return out
            if text[0] == "{":
                try:
                    value, end = self._decoder.raw_decode(text)
                except ValueError:
                    self._buffer = text  # incomplete: wait for more
                    return out
                self._buffer = text[end:]
                if isinstance(value, dict):
                    out.append(value)
                continue
            line, newline, rest = text.partition("\n")
            if not newline:
                self._buffer = text  # a line still being written
                return out
            self._buffer = rest
            out.append(line.strip())


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def change_from_event(event: dict[str, Any], bucket: str) -> tuple[ObjectChange | None, int]:
    """(the change an event stands for, or None; the event's time in ns)."""
    ts_ns = _int(event.get("tsNs"))
    notification = event.get("eventNotification") or {}
    new = notification.get("newEntry")
    if not isinstance(new, dict) or new.get("isDirectory") or not new.get("name"):
        return None, ts_ns  # a delete, a folder, or an empty marker
    folder = str(notification.get("newParentPath") or event.get("directory") or "")
    root = f"/buckets/{bucket}/"
    path = folder.rstrip("/") + "/" + str(new["name"])
    if not path.startswith(root):
        return None, ts_ns  # another bucket whose name starts like ours
    size = _int((new.get("attributes") or {}).get("fileSize"))
    return ObjectChange(bucket, path[len(root):], None, size, ts_ns / 1e9), ts_ns


class FilerStreamSource(StreamSource):
    """Changes under s3://bucket/prefix of the embedded store, from its filer's metadata stream."""

    kind = "filer"

    def __init__(self, store: EmbeddedStore, bucket: str, prefix: str = "", *, probe: Callable[[], None],
                 describe_error: Callable[[BaseException], str], retry_delays: tuple[float, ...] = (0.5, 1, 2, 4, 8),
                 overlap: float = 1.0) -> None:
        super().__init__(retry_delays)
        self.store = store
        self.bucket = bucket
        self.prefix = prefix
        self.probe = probe  # raises when the store's S3 does not answer
        self.describe_error = describe_error
        self.overlap_ns = int(overlap * 1e9)
        self.startup_allowance_ns = int(_STARTUP_ALLOWANCE * 1e9)
        self.last_event_ns = 0  # the time of the last event the filer sent (any key under the prefix)
        self._resume_ns = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._connected_at = 0.0
        self._failures = 0  # stream ends in a row since one last lasted
        self._lock = threading.Lock()

    def describe(self) -> str:
        return "events (filer stream)"

    # -- the tail process ---------------------------------------------------------------------------
    def command(self, since_ns: int) -> list[str]:
        ports = self.store.ports
        filer = f"{HOST}:{ports['filer']}" + (f".{ports['filer_grpc']}" if ports.get("filer_grpc") else "")
        argv = [str(find_weed(self.store.binary_override)), f"-logdir={self.store.logs_dir}", "filer.meta.tail",
                f"-filer={filer}", f"-pathPrefix=/buckets/{self.bucket}/{self.prefix}"]
        ago = max(0, time.time_ns() - since_ns) + self.startup_allowance_ns
        argv.append(f"-timeAgo={ago}ns")
        return argv

    def _spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        preexec = pdeathsig_preexec(signal.SIGTERM)
        err_path = self.store.logs_dir / "meta-tail.out"

        def spawn() -> subprocess.Popen[bytes]:
            err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err_fd,
                                        cwd=self.store.root, env=child_environment(), preexec_fn=preexec,
                                        start_new_session=True, **({"umask": 0o077} if os.name == "posix" else {}))
            finally:
                os.close(err_fd)

        return Spawner.get().submit(spawn).result()

    def _read(self, proc: subprocess.Popen[bytes], generation: int, loop: asyncio.AbstractEventLoop,
              queue: asyncio.Queue[Any], since_ns: int = 0) -> None:
        """The reader thread of one tail: parse, keep the resume time, hand changes from `since_ns` on
        to the loop (what the startup allowance replays from before is dropped)."""
        parser = MetaStreamParser()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span two reads
        last_text = ""
        assert proc.stdout is not None
        stream = proc.stdout
        while True:
            try:
                data = stream.read1(65536)
            except (OSError, ValueError):
                break
            if not data:
                break
            for item in parser.feed(decoder.decode(data)):
                if isinstance(item, str):
                    if item:
                        last_text = item
                    continue
                change, ts_ns = change_from_event(item, self.bucket)
                with self._lock:
                    self.last_event_ns = max(self.last_event_ns, ts_ns)
                if change is not None and ts_ns >= since_ns:
                    put_threadsafe(loop, queue, change)
        code = proc.wait()
        put_threadsafe(loop, queue, StreamEnded(generation, last_text or f"weed filer.meta.tail exited with code {code}"))

    async def _connect(self) -> bool:
        """Start a tail if S3 answers; report the state. True when a tail runs."""
        try:
            await asyncio.to_thread(self.probe)
            if not self.store.ports.get("filer"):
                raise RuntimeError("the embedded store has no filer port recorded (is it running?)")
            with self._lock:
                since = max(self._resume_ns, self.last_event_ns - self.overlap_ns)
            argv = self.command(since)
            proc = await asyncio.to_thread(self._spawn, argv)
        except Exception as exc:  # unreachable, or weed missing: say why, retry later
            self._set_state("unreachable", self.describe_error(exc))
            return False
        self._proc = proc
        self._connected_at = time.monotonic()
        self._start_reader(functools.partial(self._read, since_ns=since), proc, f"mediaflow-filer-tail-{self.bucket}")
        log.debug("filer stream for s3://%s/%s: %s", self.bucket, self.prefix, " ".join(argv))
        self._set_state("watching")
        return True

    async def start(self) -> None:
        # from a second before now: an upload racing with this start is replayed, not missed
        self._resume_ns = time.time_ns() - self.overlap_ns
        await super().start()

    @property
    def _connected(self) -> bool:
        return self._proc is not None

    def _close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)  # its reader thread reaps it
            except OSError:
                pass

    async def _ended(self, ended: StreamEnded) -> Change | None:
        """The tail exited: say why, wait; a Rescan while it keeps ending (poll until a stream lasts)."""
        self._proc = None
        lasted = time.monotonic() - self._connected_at
        self._failures = 1 if lasted >= _HEALTHY_AFTER else self._failures + 1
        why = ended.reason
        try:
            await asyncio.to_thread(self.probe)
        except Exception as exc:  # the store is away: that is the reason a person needs
            self._set_state("unreachable", self.describe_error(exc))
            degraded = False
        else:
            degraded = self._failures >= _KEEPS_ENDING
            if degraded:
                self._set_state("unreachable", f"the filer stream keeps ending ({why}); polling until it lasts")
            log.info("filer stream for s3://%s/%s ended (%s); reconnecting", self.bucket, self.prefix, why)
        delay = self.retry_delays[min(self._failures, len(self.retry_delays)) - 1]
        await self._sleep(delay)
        return Rescan("the filer stream keeps ending") if degraded else None
