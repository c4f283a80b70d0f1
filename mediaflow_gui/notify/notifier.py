"""The Notifier: subscribes to the engine's EventBus and sends every RunFinished to the sinks.

The bus calls subscribers synchronously on the engine's loop, so the handler only queues the
TaskId; a small thread pool builds the payload (a task-store read) and sends it, so a slow or
dead webhook never stalls a run or the GUI. Sinks come from two places: the global ones given to
the Notifier (app settings), and per-run ones a trigger registers with `route(task_id, …)`
(a binding's event targets), together with a per-run trigger description and an extra source of
output URLs (the storage ledger's uploads).

`flush()` waits until everything queued so far has been sent (the CLI calls it before exiting).

Before an event is built the task store is flushed: whoever hears of a run's end (and the ledger
that records the event as sent, through `on_sent`) can rely on the store holding that end. A
binding's runner passes `on_sent` with each route (called once every sink was tried, whatever the
outcome) and, after a crash, `resend()`s the events of runs that ended but were never recorded as
sent (see storage/watcher.py for the ledger's states).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..engine.events import Event, EventBus, RunFinished
from .payload import build_event, summary
from .sinks import Sink, SinkError

log = logging.getLogger(__name__)

DeliveriesFn = Callable[[str], Iterable[Any]]
OnSent = Callable[[str], None]  # called with the TaskId once every sink was tried


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


class Notifier:
    def __init__(self, store: Any, sinks: Iterable[Sink] = (), *, deliveries: DeliveriesFn | None = None,
                 max_workers: int = 4) -> None:
        self.store = store
        self.sinks = list(sinks)
        self.deliveries = deliveries
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="mediaflow-notify")
        self._pending: set[Future[Any]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        self.outcomes: list[SendOutcome] = []  # the last few hundred, for status displays and tests
        self.listeners: list[Callable[[SendOutcome], None]] = []

    def attach(self, bus: EventBus) -> "Notifier":
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
        if not isinstance(event, RunFinished):
            return
        with self._lock:
            r = self._routes.pop(event.task_id, _Route())
        self._queue(event.task_id, self.sinks + r.sinks, r.trigger, r.on_sent, again=False)

    def resend(self, task_id: str, sinks: Iterable[Sink] = (), trigger: dict[str, Any] | None = None,
               on_sent: OnSent | None = None) -> None:
        """Send the event of a run that ended before a crash and may not have been sent (sinks that
        can tell skip what they already have, see Sink.send_again)."""
        self._queue(task_id, self.sinks + list(sinks), trigger, on_sent, again=True)

    def _queue(self, task_id: str, sinks: list[Sink], trigger: dict[str, Any] | None, on_sent: OnSent | None,
               again: bool) -> None:
        if not sinks and on_sent is None:
            return
        future = self._pool.submit(self._send_all, task_id, sinks, trigger, on_sent, again)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _send_all(self, task_id: str, sinks: list[Sink], trigger: dict[str, Any] | None,
                  on_sent: OnSent | None = None, again: bool = False) -> None:
        try:
            flush = getattr(self.store, "flush", None)
            if flush is not None:
                flush()  # the run's end is committed before anyone hears of it (or it is recorded as sent)
            if sinks:
                self._send_to(task_id, sinks, trigger, again)
        finally:
            if on_sent is not None:
                try:
                    on_sent(task_id)
                except Exception:  # e.g. the ledger was closed by a shutdown that stopped waiting
                    log.exception("recording the event of %s as sent failed", task_id)

    def _send_to(self, task_id: str, sinks: list[Sink], trigger: dict[str, Any] | None, again: bool) -> None:
        try:
            deliveries = list(self.deliveries(task_id)) if self.deliveries else []
            event = build_event(self.store.task_query(task_id), deliveries, trigger)
        except Exception:  # without a payload there is nothing to send; say why in the log
            log.exception("building the event for %s failed", task_id)
            return
        for sink in sinks:
            try:
                sink.send_again(event) if again else sink.send(event)
                outcome = SendOutcome(task_id, sink.name, True)
                log.info("event sent to %s: %s", sink.name, summary(event))
            except SinkError as exc:
                outcome = SendOutcome(task_id, sink.name, False, str(exc))
                log.warning("event for %s not delivered: %s", task_id, exc)
            except Exception as exc:  # a sink bug must not stop the other sinks
                outcome = SendOutcome(task_id, sink.name, False, f"{type(exc).__name__}: {exc}")
                log.exception("sink %s failed", sink.name)
            with self._lock:
                self.outcomes.append(outcome)
                del self.outcomes[:-500]
            for listener in list(self.listeners):
                try:
                    listener(outcome)
                except Exception:  # a listener (e.g. a GUI) must not break sending
                    log.exception("notifier listener failed")

    def flush(self, timeout: float | None = 60.0) -> bool:
        """Wait until every event queued so far is sent (or given up). True if all finished."""
        with self._lock:
            pending = set(self._pending)
        if not pending:
            return True
        done, not_done = wait(pending, timeout=timeout)
        return not not_done

    def close(self, timeout: float | None = 60.0) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.flush(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
