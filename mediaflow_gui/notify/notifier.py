"""The EventNotifier: subscribes to the engine's EventBus and sends every RunFinished to its targets.

The event is built from the run's record, which the EventNotifier keeps itself by applying every event
it hears (engine/run_state.apply, the rules the store and the GUI apply too): what it sends never
depends on another subscriber having seen the event first. Only a run it did not see from its
start (attached late, or `resend()` after a crash) is read from the task store.

Sinks come from two places: the global ones given to the EventNotifier (app settings), and per-run ones
a trigger registers with `route(task_id, …)` (a binding's event targets), together with a per-run
trigger description, an `on_sent` callback and an extra source of output URLs (the storage ledger's
uploads). After a crash, a binding `resend()`s the events of runs that ended but were never recorded
as sent (see storage/watcher.py for the ledger's states).

How an event travels (threads are lanes, notify/lanes.py: one FIFO queue + one thread each):

    bus (engine loop) ──record──▶ build lane ──event──▶ one lane per target ──▶ sink.deliver
                                  (store has the end,    (webhook URL+secret, SQS queue,
                                   payload)               JSON-lines path: Sink.target_key)

- The bus handler only queues, so a run or the GUI never waits on a target.
- The build lane waits until the task store has committed the run's end (`wait_recorded`: the store
  may hear of the end after the EventNotifier) and builds the payload once per event: whoever hears of a
  run's end (and the ledger that records the event as sent, through `on_sent`) can rely on the store
  holding that end. It never waits on a target: handing an event to a lane does not block.
- Each target has its own lane, so a webhook that hangs (each attempt up to its timeout, then
  back-off, see sinks.py) delays only its own later events; every other target gets the event at
  once. Events routed to the same target by different runs or bindings share its lane, in order.
  A target configured twice for one event gets it once.
- A lane holds at most `queue_limit` waiting events; when it is full the oldest waiting one is
  dropped with a warning naming the target and the TaskId, and counts as given up for that target.
- `on_sent(task_id)` is called once every target of the event was tried — delivered, failed after
  its retries, refused, or dropped from a full lane — and never before; with no targets, right after
  the store flush. It runs on the thread of the last target tried.
- `flush(timeout)` waits for the events queued so far, at most `timeout` seconds, and returns a
  FlushReport: truthy when all went out, else naming each target and the TaskIds it still lacks
  (logged as a warning too). Those keep going in the background.
- `close(timeout)` unsubscribes, flushes (at most `timeout`), then stops every lane: waiting events
  are abandoned — logged with their targets; `on_sent` is not called for them, so a bucket binding's
  ledger keeps them `finished` and the next start sends them again (duplicates are dropped, see
  Sink.send_again); an explicit CLI run's event is then only in the log and `mediaflow status`. A
  delivery in progress is cut: a webhook's back-off ends on the stop event and an attempt waiting
  for an answer has its connection shut (Sink.abort); close() waits `stop_grace` seconds for the
  threads to end. One that cannot be cut (an SQS call inside boto3) is left to finish alone — a
  daemon thread, it cannot keep the process alive. Total bound: timeout + stop_grace.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable

from ..engine.events import Event, EventBus, RunFinished
from ..engine.run_state import RunRecord, apply
from ..engine.store import task_query_dict
from ..observe import Topic
from .lanes import Lane
from .payload import build_event, signed, summary
from .sinks import Sink, SinkError, SinkStopped

log = logging.getLogger(__name__)

DeliveriesFn = Callable[[str], Iterable[Any]]
OnSent = Callable[[str], None]  # called with the TaskId once every target was tried

QUEUE_LIMIT = 200  # waiting events per target (payloads are a few KB to a few hundred KB)
IDLE_EXIT = 60.0  # seconds an idle lane keeps its thread
STOP_GRACE = 2.0  # seconds close() waits for deliveries in progress after the lanes were stopped


@dataclass
class _Route:
    sinks: list[Sink] = field(default_factory=list)
    trigger: dict[str, Any] | None = None
    on_sent: OnSent | None = None


@dataclass
class SendOutcome:
    task_id: str
    sink: str
    ok: bool
    error: str = ""


@dataclass(eq=False)  # identity: deliveries are keys of EventNotifier._open
class _Delivery:
    """One event on its way to its targets."""
    task_id: str
    targets: dict[Hashable, Sink]  # target key → the sink that sends to it (one per target)
    trigger: dict[str, Any] | None
    on_sent: OnSent | None
    again: bool
    untried: dict[Hashable, str] = field(default_factory=dict)  # target key → its name, not yet tried
    record: RunRecord | None = None  # the run as it ended (None: read from the store)
    event: dict[str, Any] | None = None
    settling: bool = False  # the last target was tried; on_sent is running
    done: bool = False


@dataclass
class FlushReport:
    """What flush()/close() left behind: target name → TaskIds it has not been sent yet. Truthy when
    nothing was left."""
    undelivered: dict[str, list[str]] = field(default_factory=dict)
    events: int = 0  # events not finished (including those whose on_sent was still running)

    def __bool__(self) -> bool:
        return self.events == 0

    def __str__(self) -> str:
        if not self.events:
            return "nothing left"
        parts = [f"{name}: {len(ids)} event(s) ({', '.join(ids[:5])}{', …' if len(ids) > 5 else ''})"
                 for name, ids in self.undelivered.items()]
        return "; ".join(parts) or f"{self.events} event(s) being recorded as sent"


def _report(deliveries: Iterable[_Delivery]) -> FlushReport:
    report = FlushReport()
    for d in deliveries:
        report.events += 1
        for name in d.untried.values():
            report.undelivered.setdefault(name, []).append(d.task_id)
    return report


def _key(sink: Sink) -> Hashable:
    key = getattr(sink, "target_key", None)
    return key() if key is not None else ("sink", id(sink))


class EventNotifier:
    """Sends every run's run-finished event to its targets (see the module docstring); the desktop
    notice a person sees is ui/notifications.py's DesktopNotifier."""

    def __init__(self, store: Any, sinks: Iterable[Sink] = (), *, deliveries: DeliveriesFn | None = None,
                 queue_limit: int = QUEUE_LIMIT, idle_exit: float = IDLE_EXIT,
                 stop_grace: float = STOP_GRACE) -> None:
        self.store = store
        self.sinks = list(sinks)
        self.deliveries = deliveries
        self.queue_limit = queue_limit
        self.idle_exit = idle_exit
        self.stop_grace = stop_grace
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()  # guards routes, lanes, deliveries; the lanes' conditions use it
        self._changed = threading.Condition(self._lock)  # a delivery finished
        self._builder: Lane[_Delivery] | None = None
        self._lanes: dict[Hashable, Lane[tuple[_Delivery, Hashable, Sink]]] = {}
        self._open: dict[_Delivery, None] = {}  # events not finished, in the order they were queued
        self._closing = False  # no new events; lanes stopped
        self._closed = False  # close() returned: on_sent is no longer called (the ledger may be closed)
        self._unsubscribe: list[Callable[[], None]] = []
        self._records: dict[str, RunRecord] = {}  # runs heard of since their RunCreated, until their end
        self.outcomes: list[SendOutcome] = []  # the last few hundred, for status displays and tests
        # each SendOutcome as a target is tried, on that target's lane thread (a failing subscriber is
        # logged: it never breaks sending)
        self.tried: Topic[[SendOutcome]] = Topic("the notifier's send outcomes")

    def attach(self, bus: EventBus) -> "EventNotifier":
        self._unsubscribe.append(bus.subscribe(self.handle_event))
        return self

    def route(self, task_id: str, sinks: Iterable[Sink] = (), trigger: dict[str, Any] | None = None,
              on_sent: OnSent | None = None) -> None:
        """Extra sinks, a trigger description and an on-sent callback for one run (call right after submit)."""
        with self._lock:
            r = self._routes.setdefault(task_id, _Route())
            r.sinks.extend(sinks)
            if trigger is not None:
                r.trigger = trigger
            if on_sent is not None:
                r.on_sent = on_sent

    def handle_event(self, event: Event) -> None:
        """Keep the run's record (on the bus's thread); at its end, queue its event."""
        record = apply(self._records.get(event.task_id), event)
        if not isinstance(event, RunFinished):
            if record is not None:
                self._records[event.task_id] = record
            return
        self._records.pop(event.task_id, None)
        with self._lock:
            r = self._routes.pop(event.task_id, _Route())
        self._queue(event.task_id, self.sinks + r.sinks, r.trigger, r.on_sent, again=False, record=record)

    def resend(self, task_id: str, sinks: Iterable[Sink] = (), trigger: dict[str, Any] | None = None,
               on_sent: OnSent | None = None) -> None:
        """Send the event of a run that ended before a crash and may not have been sent (sinks that
        can tell skip what they already have, see Sink.send_again)."""
        self._queue(task_id, self.sinks + list(sinks), trigger, on_sent, again=True)

    def targets(self) -> dict[str, int]:
        """Each target with a live lane → events waiting in it (for status displays and tests)."""
        with self._lock:
            return {lane.name: lane.waiting() for lane in self._lanes.values() if not lane.ended}

    # -- queueing --------------------------------------------------------------------------------------
    def _queue(self, task_id: str, sinks: list[Sink], trigger: dict[str, Any] | None, on_sent: OnSent | None,
               again: bool, record: RunRecord | None = None) -> None:
        targets: dict[Hashable, Sink] = {}
        for sink in sinks:
            targets.setdefault(_key(sink), sink)  # the same target twice (global + binding): once
        if not targets and on_sent is None:
            return
        d = _Delivery(task_id, targets, trigger, on_sent, again, {k: s.name for k, s in targets.items()},
                      record=record)
        with self._lock:
            if self._closing:
                log.warning("the notifier is closed: the event of %s is not sent", task_id)
                return
            self._open[d] = None
            if self._builder is None or self._builder.ended:
                self._builder = Lane("mediaflow-notify build", self._build, self._lock, idle_exit=self.idle_exit)
            self._builder.put(d)

    def _lane(self, key: Hashable, sink: Sink) -> Lane[tuple[_Delivery, Hashable, Sink]]:
        """The lane of a target (under the lock), made when there is none or it went idle."""
        lane = self._lanes.get(key)
        if lane is None or lane.ended:
            def retired(old: Lane[Any], key: Hashable = key) -> None:  # under the lock
                if self._lanes.get(key) is old:
                    del self._lanes[key]
            lane = Lane(f"mediaflow-notify {sink.name}", self._send, self._lock, limit=self.queue_limit,
                        idle_exit=self.idle_exit, retired=retired)
            self._lanes[key] = lane
        return lane

    # -- the build lane --------------------------------------------------------------------------------
    def _build(self, d: _Delivery, stop: threading.Event) -> None:
        try:
            # the run's end is committed before anyone hears of it (or it is recorded as sent)
            recorded = getattr(self.store, "wait_recorded", None)
            if recorded is not None:
                recorded(d.task_id)
            elif (flush := getattr(self.store, "flush", None)) is not None:
                flush()
            if d.targets:
                deliveries = list(self.deliveries(d.task_id)) if self.deliveries else []
                query = task_query_dict(d.record) if d.record is not None else self.store.task_query(d.task_id)
                d.event = build_event(query, deliveries, d.trigger)
        except Exception:  # without a payload there is nothing to send; say why in the log
            log.exception("building the event for %s failed", d.task_id)
            self._tried(d, list(d.untried))  # nothing to try: the event is finished
            return
        dropped: list[tuple[_Delivery, Hashable, Sink]] = []
        with self._lock:
            if self._closing:
                return  # close() reports it as abandoned
            for key, sink in d.targets.items():
                old = self._lane(key, sink).put((d, key, sink))
                if old is not None:
                    dropped.append(old)
        if not d.targets:
            self._tried(d, [])
        for old_d, key, sink in dropped:
            message = (f"dropped: the queue of {sink.name} was full ({self.queue_limit} events waiting; "
                       f"the target is slow or down)")
            log.warning("event for %s not delivered to %s: its queue was full (%d waiting); the oldest "
                        "waiting event was dropped to make room", old_d.task_id, sink.name, self.queue_limit)
            self._record(SendOutcome(old_d.task_id, sink.name, False, message))
            self._tried(old_d, [key])

    # -- the target lanes ------------------------------------------------------------------------------
    def _send(self, item: tuple[_Delivery, Hashable, Sink], stop: threading.Event) -> None:
        d, key, sink = item
        assert d.event is not None
        event = signed(d.event, getattr(sink, "notify_key", ""))  # the MPS Sign of this target's NotifyKey
        try:
            deliver = getattr(sink, "deliver", None)
            if deliver is not None:
                deliver(event, again=d.again, stop=stop)
            else:
                sink.send_again(event) if d.again else sink.send(event)
            outcome = SendOutcome(d.task_id, sink.name, True)
            log.info("event sent to %s: %s", sink.name, summary(d.event))
        except SinkStopped as exc:  # close(): not tried to the end; reported as abandoned
            log.info("event for %s: %s", d.task_id, exc)
            return
        except SinkError as exc:
            outcome = SendOutcome(d.task_id, sink.name, False, str(exc))
            log.warning("event for %s not delivered: %s", d.task_id, exc)
        except Exception as exc:  # a sink bug must not stop the lane
            outcome = SendOutcome(d.task_id, sink.name, False, f"{type(exc).__name__}: {exc}")
            log.exception("sink %s failed", sink.name)
        self._record(outcome)
        self._tried(d, [key])

    def _record(self, outcome: SendOutcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)
            del self.outcomes[:-500]
        self.tried.emit(outcome)

    def _tried(self, d: _Delivery, keys: list[Hashable]) -> None:
        """These targets of `d` were tried; the last one calls on_sent, then the event is finished."""
        with self._lock:
            for key in keys:
                d.untried.pop(key, None)
            if d.untried or d.settling or d.done:
                return
            d.settling = True
            call = d.on_sent if not self._closed else None
        if call is not None:
            try:
                call(d.task_id)
            except Exception:  # e.g. the ledger was closed by a shutdown that stopped waiting
                log.exception("recording the event of %s as sent failed", d.task_id)
        elif d.on_sent is not None:
            log.info("the event of %s was sent after close(): not recorded as sent", d.task_id)
        with self._lock:  # finished only now, so flush() returns after on_sent did
            d.done = True
            self._open.pop(d, None)
            self._changed.notify_all()

    # -- waiting and closing ---------------------------------------------------------------------------
    def flush(self, timeout: float | None = 60.0) -> FlushReport:
        """Wait until every event queued so far was tried on every target, at most `timeout` seconds.
        The report is truthy if all finished; otherwise it names what is left (those keep going)."""
        report = self._wait(timeout)
        if not report:
            log.warning("events still on their way after %.1f s: %s", timeout, report)
        return report

    def _wait(self, timeout: float | None) -> FlushReport:
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        with self._lock:
            watched = list(self._open)
            while True:
                left = [d for d in watched if not d.done]
                if not left:
                    return FlushReport()
                if deadline is None:
                    self._changed.wait()
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return _report(left)

    def close(self, timeout: float | None = 60.0) -> FlushReport:
        """Unsubscribe, flush (at most `timeout`), stop every lane (at most `stop_grace` more). Returns
        what was abandoned (see the module docstring for what becomes of it)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._wait(timeout)  # what is still left is logged once, below
        with self._lock:
            self._closing = True
            targets = list(self._lanes.values())
            in_hand = [lane.in_hand[2] for lane in targets if lane.in_hand is not None]
            lanes: list[Lane[Any]] = targets + ([self._builder] if self._builder is not None else [])
            for lane in lanes:
                lane.stop()
            self._lanes.clear()
            self._builder = None
        for sink in in_hand:  # a webhook attempt waiting for an answer is cut now, not at its timeout
            abort = getattr(sink, "abort", None)
            if abort is not None:
                try:
                    abort()
                except Exception:
                    log.exception("cutting the delivery in progress to %s failed", sink.name)
        deadline = time.monotonic() + self.stop_grace
        for lane in lanes:  # a cut delivery ends now; one in back-off woke on the stop event
            lane.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._closed = True
            abandoned = _report(self._open)
        busy = [lane.name for lane in lanes if lane.alive()]
        if busy:
            log.warning("still inside a delivery after %.1f s, left to end with its attempt: %s",
                        self.stop_grace, ", ".join(busy))
        if abandoned:  # truthy: nothing was left
            return abandoned
        log.warning("closing: events not delivered: %s. A bucket binding's ledger keeps them unsent and its "
                    "next start sends them again; other runs' events are lost to those targets (the run "
                    "itself is in `mediaflow status`)", abandoned)
        return abandoned
