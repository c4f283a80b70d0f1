"""Change sources without a real store: the filer stream's parser and resume point, the adaptive
polling interval, the page-by-page reconcile (indexed, memory flat at 100,000 keys), S3 event
records, MinIO's listen stream against a server that speaks its wire format, and which source a
binding gets. The S3 → SQS path runs end to end on moto in test_sqs_changes.py; the filer stream
on the real store in test_push_detection.py."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from mediaflow_gui.storage.changes import ObjectChange, ReconcilePass, Rescan, SourceRequest, WatchSettings, choose_source
from mediaflow_gui.storage.changes.filer_stream import FilerStreamSource, MetaStreamParser, change_from_event
from mediaflow_gui.storage.changes.minio import MinioListenSource, answers_listen
from mediaflow_gui.storage.changes.polling import AdaptiveInterval, PollingSource
from mediaflow_gui.storage.changes.s3_events import changes_from_message
from mediaflow_gui.storage.embedded import EmbeddedStore
from mediaflow_gui.storage.s3 import S3Connection
from mediaflow_gui.storage.watcher import Ledger, ObjectInfo

# -- the filer stream: what `weed filer.meta.tail` prints -------------------------------------------------


def _event(directory: str, new: dict[str, Any] | None, old: dict[str, Any] | None = None, ts: int = 1,
           new_parent: str = "") -> dict[str, Any]:
    return {"directory": directory, "eventNotification": {"oldEntry": old, "newEntry": new,
                                                          "newParentPath": new_parent or directory,
                                                          "deleteChunks": False, "signatures": [123]},
            "tsNs": str(ts)}


def _entry(name: str, size: int = 5, folder: bool = False) -> dict[str, Any]:
    return {"name": name, "isDirectory": folder, "chunks": [],
            "attributes": {"fileSize": str(size), "mtime": "1735000000", "fileMode": 432}}


def test_the_tails_output_is_split_into_events_and_text_across_any_read_boundary() -> None:
    events = [_event("/buckets/in/up", _entry("ü clip.mp4", 1234), ts=1_700_000_000_000_000_001),
              _event("/buckets/in", _entry("b.mp4"), old=_entry("b.mp4"), ts=1_700_000_000_000_000_002)]
    # pretty-printed over several lines, as protojson with Indent does, then weed's exit line
    text = "".join(json.dumps(e, indent=2, ensure_ascii=False) + "\n" for e in events)
    text += "tail 127.0.0.1:8888: subscribing filer meta change: rpc error: code = Unavailable\n"
    for step in (1, 7, 64, len(text)):
        parser = MetaStreamParser()
        items: list[Any] = []
        for start in range(0, len(text), step):
            items += parser.feed(text[start:start + step])
        assert items[:2] == events, step
        assert items[2:] == ["tail 127.0.0.1:8888: subscribing filer meta change: rpc error: code = Unavailable"]


def test_events_become_changes_of_keys_of_this_bucket_only() -> None:
    create = _event("/buckets/in/up/2024", _entry("ü clip.mp4", 1234), ts=1_700_000_000_500_000_000)
    change, ts = change_from_event(create, "in")
    assert change == ObjectChange("in", "up/2024/ü clip.mp4", None, 1234, 1_700_000_000.5)
    assert ts == 1_700_000_000_500_000_000
    overwrite = _event("/buckets/in", _entry("a.mp4", 9), old=_entry("a.mp4", 5), ts=2)
    assert change_from_event(overwrite, "in")[0] == ObjectChange("in", "a.mp4", None, 9, 2e-9)
    rename = _event("/buckets/in/tmp", _entry("final.mp4"), old=_entry("part"), new_parent="/buckets/in/done")
    assert change_from_event(rename, "in")[0].key == "done/final.mp4"  # type: ignore[union-attr]
    delete = _event("/buckets/in", None, old=_entry("a.mp4"), ts=3)
    assert change_from_event(delete, "in") == (None, 3)  # nothing to run, but the time counts
    assert change_from_event(_event("/buckets/in", _entry("up", folder=True)), "in")[0] is None
    # a bucket whose name starts like ours (the filer's path prefix is a plain string prefix)
    assert change_from_event(_event("/buckets/inbox", _entry("x.mp4")), "in")[0] is None
    assert change_from_event({"eventNotification": {}, "tsNs": "4"}, "in") == (None, 4)


def _store_with_ports(root: Path) -> EmbeddedStore:
    store = EmbeddedStore(root, prefer_default_ports=False)
    root.mkdir(parents=True, exist_ok=True)
    store.state_path.write_text(json.dumps({"ports": {"filer": 18888, "filer_grpc": 28888, "s3": 18333}}))
    return store


def test_the_tail_is_asked_from_the_last_event_time_minus_the_overlap(tmp_path: Path) -> None:
    store = _store_with_ports(tmp_path / "seaweedfs")
    source = FilerStreamSource(store, "in", "up/", probe=lambda: None, describe_error=str, overlap=1.0)
    now = time.time_ns()
    argv = source.command(now - 30 * 10**9)
    assert argv[1:5] == [f"-logdir={store.logs_dir}", "filer.meta.tail", "-filer=127.0.0.1:18888.28888",
                         "-pathPrefix=/buckets/in/up/"]
    ago = int(argv[5].removeprefix("-timeAgo=").removesuffix("ns"))
    # the flag is relative to the moment the tail reads its clock, after it has started: it asks from
    # further back by the startup allowance (the reader drops what comes from before the wanted time)
    allowance = source.startup_allowance_ns
    assert allowance >= 10 * 10**9
    assert 30 * 10**9 + allowance <= ago < 31 * 10**9 + allowance
    assert source.describe() == "events (filer stream)"
    from_now = int(source.command(time.time_ns() + 10**9)[5].removeprefix("-timeAgo=").removesuffix("ns"))
    assert from_now == allowance  # nothing to replay: from now, less the allowance


# -- polling: the adaptive interval --------------------------------------------------------------------------

def test_the_poll_interval_grows_when_idle_shrinks_after_activity_and_stays_bounded() -> None:
    interval = AdaptiveInterval(fastest=0.5, slowest=10.0, growth=1.5, max_backoff=8.0)
    idle = [interval.after(True, 0) for _ in range(12)]
    assert idle[0] == 0.75 and all(b >= a for a, b in zip(idle, idle[1:]))
    assert idle[-1] == 10.0 and max(idle) == 10.0  # bounded by the setting
    assert interval.after(True, 3) == 0.5  # activity: fast again
    failing = [interval.after(False, 0) for _ in range(6)]
    assert failing[0] == 1.0 and failing[-1] == 8.0  # an unreachable store: doubled up to the back-off
    assert interval.after(True, 0) == 8.0 * 1.5 if 8.0 * 1.5 <= 10 else 10.0
    assert AdaptiveInterval(2.0, 1.0).slowest == 2.0  # a max below the poll interval is the poll interval
    big = AdaptiveInterval(fastest=0.5, slowest=10.0)
    assert big.after(True, 0, seconds=6.0) == 24.0  # a 6 s listing (a big bucket) earns a 24 s pause …
    assert big.current == 0.75 and big.after(True, 1, seconds=0.1) == 0.5  # … without changing the interval


def test_a_polling_source_rescans_at_the_adaptive_interval() -> None:
    source = PollingSource(AdaptiveInterval(fastest=0.05, slowest=0.4, growth=2.0))  # 0.05 s is the floor
    assert source.describe() == "polling every 0.05–0.4 s" and not source.pushes
    # the pauses the source asks for are checked, not the wall-clock gaps alone: a loaded machine wakes
    # a sleeper late by any amount (an upper bound on the gaps failed there), never early
    pauses: list[float] = []
    sleep = source._sleep

    async def recording_sleep(seconds: float) -> bool:
        pauses.append(seconds)
        return await sleep(seconds)

    source._sleep = recording_sleep  # type: ignore[method-assign]

    async def scenario() -> list[float]:
        stamps: list[float] = []
        async for change in source.changes():
            assert isinstance(change, Rescan)
            stamps.append(time.monotonic())
            source.reconciled(True, 1 if len(stamps) == 5 else 0)  # activity at the 5th poll
            if len(stamps) == 8:
                source.stop()
        return stamps

    stamps = asyncio.run(scenario())
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert len(stamps) == 8 and source.polls == 8
    # 0.1, 0.2, 0.4: growing while idle, bounded by the slowest; the fastest after the activity (5th poll)
    assert pauses[:7] == pytest.approx([0.1, 0.2, 0.4, 0.4, 0.05, 0.1, 0.2])
    assert all(gap >= pause - 0.01 for gap, pause in zip(gaps, pauses))  # it really waited each pause


# -- the reconcile: page by page, indexed, memory flat ---------------------------------------------------------

class FakeListing:
    """A client whose bucket holds `count` keys, listed 1,000 per page like S3 (keys made on the fly)."""

    def __init__(self, count: int, etag: str = "e1") -> None:
        self.count = count
        self.etag = etag
        self.calls = 0

    def list_objects_v2(self, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        start = int(kw.get("ContinuationToken", 0))
        stop = min(self.count, start + kw.get("MaxKeys", 1000))
        contents = [{"Key": f"up/{i // 1000:03d}/clip-{i:06d}.mp4", "ETag": f'"{self.etag}"', "Size": 1}
                    for i in range(start, stop)]
        answer: dict[str, Any] = {"Contents": contents, "IsTruncated": stop < self.count}
        if stop < self.count:
            answer["NextContinuationToken"] = str(stop)
        return answer


def _drain(listing: ReconcilePass) -> list[ObjectInfo]:
    new: list[ObjectInfo] = []
    while (page := listing.next_page()) is not None:
        new += page
    return new


def test_a_reconcile_of_100000_keys_streams_pages_and_stays_flat_in_memory(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "storage.sqlite3")
    try:
        client = FakeListing(100_000)
        baseline = ReconcilePass(client, ledger, "b1", "in", "up/", (".mp4",), baseline=True, signature="sig")
        assert _drain(baseline) == [] and baseline.listed == 100_000 and baseline.pages == 100
        assert ledger.has_baseline("b1", "sig")
        # ten objects replaced, the rest known: a pass finds exactly the ten, holding one page at a time
        ledger._exec("DELETE FROM processed WHERE key IN ('up/007/clip-007000.mp4', 'up/099/clip-099999.mp4')")
        tracemalloc.start()
        try:
            again = ReconcilePass(client, ledger, "b1", "in", "up/", (".mp4",))
            found = _drain(again)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert sorted(o.key for o in found) == ["up/007/clip-007000.mp4", "up/099/clip-099999.mp4"]
        assert again.listed == 100_000
        # 100,000 ObjectInfos alone would be ~20 MB; a page and its ledger answer are a few hundred KB
        assert peak < 4 * 2**20, f"peak {peak / 2**20:.1f} MiB"
        # replaced objects (new ETag) are new; another binding's rows do not count
        assert len(_drain(ReconcilePass(FakeListing(3000, "e2"), ledger, "b1", "in", "up/"))) == 3000
        assert len(_drain(ReconcilePass(FakeListing(1500), ledger, "b2", "in", "up/"))) == 1500
    finally:
        ledger.close()


def test_the_ledger_answers_a_page_through_its_primary_key_index(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "storage.sqlite3")
    try:
        plan = ledger._exec("EXPLAIN QUERY PLAN SELECT key, etag FROM processed WHERE binding_id=? AND bucket=? "
                            "AND key IN (?,?,?)", ("b", "in", "a", "b", "c"))
        detail = " ".join(str(r["detail"]) for r in plan)
        assert "USING" in detail and "INDEX" in detail and "SCAN" not in detail, detail
        ledger.mark_skipped("b", [ObjectInfo("in", "a", "e", 1, 0), ObjectInfo("in", "c", "e", 1, 0)])
        keys = [f"k{i}" for i in range(1200)] + ["a", "c"]  # more keys than one statement takes
        assert ledger.known_among("b", "in", keys) == {("a", "e"), ("c", "e")}
    finally:
        ledger.close()


# -- S3 event records (SQS and MinIO deliver them) ------------------------------------------------------------

def test_s3_event_records_become_changes() -> None:
    record = {"eventName": "ObjectCreated:Put", "eventTime": "2025-01-02T03:04:05.500Z",
              "s3": {"bucket": {"name": "in"}, "object": {"key": "up/my+clip%C3%BC.mp4", "size": 12, "eTag": "abc"}}}
    others = [{**record, "eventName": "ObjectRemoved:Delete"},
              {**record, "s3": {**record["s3"], "bucket": {"name": "elsewhere"}}}]
    body = json.dumps({"Records": [record, *others]})
    [change] = changes_from_message(body, "in")
    assert change == ObjectChange("in", "up/my clipü.mp4", "abc", 12, 1735787045.5)
    via_sns = json.dumps({"Type": "Notification", "Message": body})
    assert changes_from_message(via_sns, "in") == [change]
    minio = {**record, "eventName": "s3:ObjectCreated:CompleteMultipartUpload"}
    assert [c.key for c in changes_from_message(json.dumps({"Records": [minio]}), "in")] == ["up/my clipü.mp4"]
    assert changes_from_message(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}), "in") == []
    assert changes_from_message("not json", "in") == []


# -- MinIO's listen stream -------------------------------------------------------------------------------------

class FakeMinio:
    """An HTTP server speaking MinIO's ListenBucketNotification (per MinIO's handler: 200,
    text/event-stream, a " " keep-alive every half second, one JSON line per event), or — with
    `minio=False` — answering the same request like a store without it (a listing in XML)."""

    def __init__(self, minio: bool = True) -> None:
        self.requests: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.close_after_events = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                outer.requests.append({"path": url.path, "query": parse_qs(url.query, keep_blank_values=True),
                                       "auth": self.headers.get("Authorization", "")})
                if not minio:
                    body = b'<?xml version="1.0"?><ListBucketResult></ListBucketResult>'
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                sent = len(outer.events)  # like MinIO: a stream carries the events after it was opened
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for _ in range(200):
                        pending = outer.events[sent:]
                        for event in pending:
                            self._chunk(json.dumps({"Records": [event]}).encode() + b"\n")
                        sent += len(pending)
                        if pending and outer.close_after_events:
                            outer.close_after_events = False
                            break
                        self._chunk(b" ")
                        time.sleep(0.05)
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_minio() -> Iterator[FakeMinio]:
    server = FakeMinio()
    yield server
    server.close()


def _record(key: str) -> dict[str, Any]:
    return {"eventName": "s3:ObjectCreated:Put", "eventTime": "2025-01-02T03:04:05.000Z",
            "s3": {"bucket": {"name": "in"}, "object": {"key": key, "size": 3, "eTag": "e"}}}


def test_minio_listen_is_detected_signed_and_streamed_with_a_rescan_after_a_reconnect(fake_minio: FakeMinio) -> None:
    conn = S3Connection("minio", fake_minio.url, access_key="AKMINIO", secret_key="secret")
    assert answers_listen(conn, "in")
    request = fake_minio.requests[-1]
    assert request["path"] == "/in" and request["query"]["events"] == ["s3:ObjectCreated:*"]
    assert request["auth"].startswith("AWS4-HMAC-SHA256 Credential=AKMINIO/")
    assert not answers_listen(S3Connection("aws", "", access_key="a", secret_key="b"), "in")  # never asked of AWS
    plain = FakeMinio(minio=False)
    try:
        assert not answers_listen(S3Connection("other", plain.url, access_key="a", secret_key="b"), "in")
    finally:
        plain.close()

    source = MinioListenSource(conn, "in", "up/", describe_error=str, retry_delays=(0.05,))
    assert source.describe() == "events (MinIO listen)"

    async def scenario() -> list[Any]:
        await source.start()
        assert fake_minio.requests[-1]["query"]["prefix"] == ["up/"]
        seen: list[Any] = []
        fake_minio.events.append(_record("up/a+b.mp4"))
        fake_minio.close_after_events = True  # the server drops the stream after this event
        async for change in source.changes():
            seen.append(change)
            if len(seen) == 2:
                fake_minio.events.append(_record("up/c.mp4"))
            if len(seen) == 3:
                source.stop()
        return seen

    seen = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert seen[0] == ObjectChange("in", "up/a b.mp4", "e", 3, seen[0].time)
    assert isinstance(seen[1], Rescan)  # reconnected: what happened in between is listed, not lost
    assert isinstance(seen[2], ObjectChange) and seen[2].key == "up/c.mp4"
    assert source.connects == 2


# -- which source a binding gets ---------------------------------------------------------------------------------

class Refusing:
    def list_objects_v2(self, **kw: Any) -> dict[str, Any]:
        raise AssertionError("choose_source must not list")


def _request(conn: S3Connection, settings: WatchSettings | None = None, embedded: EmbeddedStore | None = None
             ) -> SourceRequest:
    return SourceRequest(conn=conn, bucket="in", prefix="up/", settings=settings or WatchSettings(), poll_interval=0.5,
                         max_backoff=10.0, listing_client=Refusing(), describe_error=str, embedded=embedded)


def test_each_connection_gets_its_source(tmp_path: Path, fake_minio: FakeMinio) -> None:
    store = _store_with_ports(tmp_path / "seaweedfs")
    conn = S3Connection("embedded", "http://127.0.0.1:18333", access_key="a", secret_key="b")
    assert isinstance(choose_source(_request(conn, embedded=store)), FilerStreamSource)
    forced = choose_source(_request(conn, WatchSettings(detection="polling", max_interval=4), embedded=store))
    assert isinstance(forced, PollingSource) and forced.describe() == "polling every 0.5–4 s"
    minio = choose_source(_request(S3Connection("m", fake_minio.url, access_key="a", secret_key="b")))
    assert isinstance(minio, MinioListenSource)
    plain = FakeMinio(minio=False)
    try:
        other = choose_source(_request(S3Connection("o", plain.url, access_key="a", secret_key="b")))
    finally:
        plain.close()
    assert isinstance(other, PollingSource) and other.describe() == "polling every 0.5–10 s"
    assert "no event stream" in other.detail
    aws = choose_source(_request(S3Connection("aws", "", access_key="a", secret_key="b")))
    assert isinstance(aws, PollingSource) and "SQS queue" in aws.detail  # says how to get events
    assert WatchSettings(detection="push").problems() and not WatchSettings().problems()
