"""One queue and one worker per event target: a hanging webhook delays nobody else.

The hanging target is a real socket on 127.0.0.1 (a free port) that accepts connections and never
answers, so the webhook sink runs into its per-attempt timeout, backs off and tries again, exactly as
with a receiver that hangs in production; attempts are shortened to tenths of a second here (but
for the test of close(), which cuts a 30 s attempt).
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from mediaflow_gui.engine.events import EventBus, RunFinished
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.notify.notifier import EventNotifier
from mediaflow_gui.notify.sinks import JsonLinesSink, Sink, WebhookSink, WebhookTarget
from tests.notify.test_notifier import FakeStore
from tests.notify.test_sinks import HookServer, hook  # noqa: F401 (the fixture)


class HangingListener:
    """Accepts every connection and never reads or answers (a receiver stuck in its handler); with a
    TLS context it completes the handshake first (an HTTPS receiver stuck in its handler)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="test-hanging-listener", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                if self.tls is not None:
                    conn.settimeout(5)
                    conn = self.tls.wrap_socket(conn, server_side=True)
            except (socket.timeout, OSError):
                continue
            self.accepted.append(conn)  # held open, never read

    def requested(self) -> bool:
        """Whether a request's bytes have reached an accepted connection (peeked at on the plain
        socket, so nothing is read; with TLS, any record after the handshake is the request)."""
        for conn in list(self.accepted):
            try:
                if socket.socket.recv(conn, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                    return True
            except (BlockingIOError, OSError):
                continue
        return False

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def hanging() -> Iterator[HangingListener]:
    listener = HangingListener()
    yield listener
    listener.close()


def hanging_sink(url: str, attempts: int = 100) -> WebhookSink:
    # each attempt waits 0.3 s for an answer that never comes, then 0.05–0.1 s of back-off
    return WebhookSink(WebhookTarget(url, timeout=0.3, max_attempts=attempts), base_delay=0.05, max_delay=0.1)


def notify_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("mediaflow-notify")}


def until(condition: Callable[[], Any], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return bool(condition())


def jsonl_ids(path: Path) -> list[str]:
    import json
    if not path.exists():
        return []
    return [json.loads(line)["WorkflowTaskEvent"]["TaskId"] for line in path.read_text().splitlines()]


def hook_ids(server: HookServer) -> list[str]:
    import json
    return [json.loads(r["body"])["WorkflowTaskEvent"]["TaskId"] for r in list(server.requests)]


@pytest.mark.slow  # waits out a hanging target
def test_healthy_targets_get_the_event_at_once_and_on_sent_waits_for_the_hanging_one(
        tmp_path: Path, hook: HookServer, hanging: HangingListener) -> None:  # noqa: F811
    before = notify_threads()
    log_path = tmp_path / "events.jsonl"
    stuck = hanging_sink(hanging.url, attempts=3)  # gives up after ~3 × 0.3 s + 0.15 s
    bus = EventBus()
    notifier = EventNotifier(FakeStore()).attach(bus)
    timeline: list[tuple[str, bool, float]] = []
    notifier.tried.subscribe(lambda o: timeline.append((o.sink, o.ok, time.monotonic())))
    sent = threading.Event()

    def on_sent(task_id: str) -> None:
        timeline.append(("on_sent " + task_id, True, time.monotonic()))
        sent.set()

    notifier.route("mf-1", [stuck, JsonLinesSink(log_path), WebhookSink(WebhookTarget(hook.url))], on_sent=on_sent)
    start = time.monotonic()
    bus.emit(RunFinished("mf-1", RunResult.SUCCESS))
    assert until(lambda: hook_ids(hook) == ["mf-1"] and jsonl_ids(log_path) == ["mf-1"], 1.0)
    healthy_after = time.monotonic() - start
    assert healthy_after < 1.0
    assert until(lambda: hanging.accepted, 1.0)  # the hanging target is being tried meanwhile
    assert not sent.is_set()  # … and has not given up: on_sent waits for it
    assert stuck.name not in [name for name, _, _ in timeline]

    assert sent.wait(10)
    names = [name for name, _, _ in timeline]
    assert names[-1] == "on_sent mf-1"  # the last thing, after every target was tried
    assert sorted(names[:-1]) == sorted([stuck.name, f"log {log_path}", f"webhook {hook.url}"])
    failed = [o for o in notifier.outcomes if not o.ok]
    assert [o.sink for o in failed] == [stuck.name] and "after 3 attempts" in failed[0].error
    assert len(hanging.accepted) == 3  # each attempt a new connection, each timed out
    assert timeline[-1][2] - start >= 0.9  # it waited for three 0.3 s attempts
    assert notifier.close(5)
    assert notify_threads() <= before


def test_order_per_target_is_kept_across_twenty_events_beside_a_hanging_target(
        tmp_path: Path, hook: HookServer, hanging: HangingListener) -> None:  # noqa: F811
    before = notify_threads()
    hook.delay = 0.005  # an answer takes a moment: parallel senders would overtake each other
    log_path = tmp_path / "events.jsonl"
    bus = EventBus()
    notifier = EventNotifier(FakeStore(), [hanging_sink(hanging.url)]).attach(bus)  # a global target that hangs
    peak = [0]
    ids = [f"mf-{i:02d}" for i in range(20)]
    start = time.monotonic()
    for task_id in ids:
        # each run brings its own sink objects (as two bindings would): the same targets all the same
        notifier.route(task_id, [WebhookSink(WebhookTarget(hook.url)), JsonLinesSink(log_path)])
        bus.emit(RunFinished(task_id, RunResult.SUCCESS))
        peak[0] = max(peak[0], len(notify_threads() - before))
    assert until(lambda: len(hook.requests) == 20 and len(jsonl_ids(log_path)) == 20, 5.0)
    delivered_after = time.monotonic() - start
    assert hook_ids(hook) == ids
    assert jsonl_ids(log_path) == ids
    assert delivered_after < 2.0  # not held up by the hanging target's 20 events
    peak[0] = max(peak[0], len(notify_threads() - before))
    assert peak[0] <= 4  # the build lane + three targets; never a thread per event
    lanes = notifier.targets()
    assert sorted(lanes) == sorted([f"mediaflow-notify webhook {hanging.url}",
                                    f"mediaflow-notify webhook {hook.url}", f"mediaflow-notify log {log_path}"])
    assert lanes[f"mediaflow-notify webhook {hanging.url}"] >= 18  # its backlog, in its own lane
    assert lanes[f"mediaflow-notify webhook {hook.url}"] == lanes[f"mediaflow-notify log {log_path}"] == 0

    started = time.monotonic()
    abandoned = notifier.close(0)
    assert time.monotonic() - started < 1.5  # an attempt in progress ends within its 0.3 s timeout
    assert list(abandoned.undelivered) == [f"webhook {hanging.url}"]
    assert abandoned.undelivered[f"webhook {hanging.url}"] == ids  # all 20, in order, named
    assert notify_threads() <= before  # the workers are gone


@pytest.mark.slow  # waits out its bound
def test_flush_returns_within_its_bound_and_names_what_is_left(
        tmp_path: Path, hanging: HangingListener, caplog: pytest.LogCaptureFixture) -> None:
    before = notify_threads()
    log_path = tmp_path / "events.jsonl"
    stuck = hanging_sink(hanging.url)
    notifier = EventNotifier(FakeStore(), [stuck, JsonLinesSink(log_path)])
    recorded: list[str] = []
    for task_id in ("mf-a", "mf-b", "mf-c"):
        notifier.route(task_id, on_sent=recorded.append)
        notifier.handle_event(RunFinished(task_id, RunResult.SUCCESS))
    caplog.set_level(logging.WARNING, logger="mediaflow_gui.notify.notifier")
    started = time.monotonic()
    report = notifier.flush(1.0)
    waited = time.monotonic() - started
    assert 0.95 <= waited < 1.5
    assert not report
    assert report.undelivered == {stuck.name: ["mf-a", "mf-b", "mf-c"]}  # the healthy log is not named
    assert report.events == 3
    assert jsonl_ids(log_path) == ["mf-a", "mf-b", "mf-c"]
    assert "events still on their way after 1.0 s" in caplog.text and "mf-a, mf-b, mf-c" in caplog.text
    assert recorded == []  # no event was tried on every target

    started = time.monotonic()
    abandoned = notifier.close(0.3)
    assert time.monotonic() - started < 0.3 + 0.3 + 1.0  # flush bound + one attempt + slack
    assert abandoned.undelivered == {stuck.name: ["mf-a", "mf-b", "mf-c"]}
    assert "closing: events not delivered" in caplog.text and "sends them again" in caplog.text
    assert recorded == []  # abandoned, not recorded as sent: a binding's next start re-sends them
    assert notify_threads() <= before
    notifier.resend("mf-d", [JsonLinesSink(log_path)])  # after close: refused with a log line, no thread
    assert "notifier is closed" in caplog.text and notify_threads() <= before


@pytest.fixture
def hanging_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingListener]:
    from mediaflow_gui.storage.embedded.security import _make_certificates
    ca, cert, key = _make_certificates()  # a CA and a leaf for 127.0.0.1
    (tmp_path / "ca.pem").write_bytes(ca)
    (tmp_path / "leaf.pem").write_bytes(cert + key)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the sink's default context trusts it
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "leaf.pem")
    listener = HangingListener(server)
    listener.url = listener.url.replace("http:", "https:")
    yield listener
    listener.close()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_close_cuts_an_attempt_that_waits_for_an_answer(request: pytest.FixtureRequest, scheme: str) -> None:
    hanging: HangingListener = request.getfixturevalue("hanging" if scheme == "http" else "hanging_tls")
    before = notify_threads()
    stuck = WebhookSink(WebhookTarget(hanging.url, timeout=30.0))  # a production-length attempt
    notifier = EventNotifier(FakeStore(), [stuck])
    recorded: list[str] = []
    notifier.route("mf-1", on_sent=recorded.append)
    notifier.handle_event(RunFinished("mf-1", RunResult.SUCCESS))
    # the request itself has arrived: the sink's connection is set up and it waits for an answer.
    # (Accepted alone is not enough: the sink may not have its socket in hand yet — or, with TLS, be
    # inside the handshake — and abort() cannot cut that phase, so the attempt would run for 30 s.)
    assert until(hanging.requested, 10.0)
    started = time.monotonic()
    abandoned = notifier.close(0)
    assert time.monotonic() - started < 1.0  # not the attempt's 30 s: its connection was shut
    assert abandoned.undelivered == {stuck.name: ["mf-1"]}
    assert notify_threads() <= before
    assert recorded == [] and notifier.outcomes == []  # stopped, not failed: a restart sends it again


class Gated(Sink):
    """Holds each delivery until the gate opens; says when it holds one."""

    def __init__(self) -> None:
        self.name = "gated"
        self.gate = threading.Event()
        self.holding = threading.Event()
        self.events: list[str] = []

    def send(self, event: dict[str, Any]) -> None:
        self.holding.set()
        assert self.gate.wait(10)
        self.events.append(event["WorkflowTaskEvent"]["TaskId"])


def test_a_full_queue_drops_its_oldest_waiting_event_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="mediaflow_gui.notify.notifier")
    gated = Gated()
    notifier = EventNotifier(FakeStore(), [gated], queue_limit=3)
    recorded: list[str] = []
    notifier.route("mf-1", on_sent=recorded.append)
    notifier.handle_event(RunFinished("mf-1", RunResult.SUCCESS))
    assert gated.holding.wait(5)  # mf-1 is in hand; the queue behind it is empty
    for n in range(2, 7):
        notifier.route(f"mf-{n}", on_sent=recorded.append)
        notifier.handle_event(RunFinished(f"mf-{n}", RunResult.SUCCESS))
    # mf-2..4 filled the queue; mf-5 and mf-6 each pushed out the oldest waiting one
    assert until(lambda: recorded == ["mf-2", "mf-3"], 5)  # a dropped event counts as given up
    dropped = [o for o in notifier.outcomes if not o.ok]
    assert [o.task_id for o in dropped] == ["mf-2", "mf-3"] and "queue of gated was full" in dropped[0].error
    assert "event for mf-2 not delivered to gated: its queue was full (3 waiting)" in caplog.text
    gated.gate.set()
    assert notifier.flush(5)
    assert gated.events == ["mf-1", "mf-4", "mf-5", "mf-6"]
    assert sorted(recorded) == [f"mf-{n}" for n in range(1, 7)]
    notifier.close(1)


def test_idle_lanes_end_their_threads_and_come_back(tmp_path: Path) -> None:
    before = notify_threads()
    log_path = tmp_path / "events.jsonl"
    notifier = EventNotifier(FakeStore(), [JsonLinesSink(log_path)], idle_exit=0.2)
    notifier.handle_event(RunFinished("mf-1", RunResult.SUCCESS))
    assert notifier.flush(5)
    assert until(lambda: notify_threads() <= before, 3)  # idle: build and target threads ended
    assert notifier.targets() == {}
    notifier.handle_event(RunFinished("mf-2", RunResult.SUCCESS))
    assert notifier.flush(5)
    assert jsonl_ids(log_path) == ["mf-1", "mf-2"]
    notifier.close(1)
    assert notify_threads() <= before


def test_a_target_named_twice_for_one_event_gets_it_once(tmp_path: Path) -> None:
    log_path = tmp_path / "events.jsonl"
    notifier = EventNotifier(FakeStore(), [JsonLinesSink(log_path)])  # global …
    notifier.route("mf-1", [JsonLinesSink(tmp_path / "." / "events.jsonl")])  # … and the binding's, same file
    notifier.handle_event(RunFinished("mf-1", RunResult.SUCCESS))
    assert notifier.flush(5)
    assert jsonl_ids(log_path) == ["mf-1"]
    notifier.close(1)
