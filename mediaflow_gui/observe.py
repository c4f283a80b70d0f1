"""Topic: the one observer type of MediaFlow (no Qt, no imports from the rest of the package).

Whoever announces something owns a Topic and calls `emit(...)`; whoever wants to hear it calls
`subscribe(callback)` and keeps the returned callable to stop hearing it. The model's change events
(model/workflow.py), the engine's event bus (engine/events.py), the notifier's send outcomes
(notify/notifier.py), a binding's status (storage/bindings.py, storage/service.py) and the embedded
store's supervision states (storage/embedded/supervisor.py) are all Topics. Qt signals stay in ui/:
they cross threads, a Topic does not.

What a subscriber can rely on:
- Order: callbacks run in the order they subscribed, on the thread that emits, one after the other.
  The same callback subscribed twice runs twice.
- Isolation: a callback that raises is logged (with the topic's name) and the others still run; the
  emitter never sees the exception. Only an Exception is caught: KeyboardInterrupt, SystemExit and
  asyncio's CancelledError go through, as they should.
- Changes during an emit: subscribing or unsubscribing inside a callback (or from another thread)
  takes effect from the next emit; the emit in progress goes on with the callbacks it started with.
- Strong references: a Topic holds its callbacks (a bound method keeps its object alive) until they
  are unsubscribed — no weak references, so a lambda does not vanish behind the caller's back; an
  owner that goes away before the Topic does unsubscribes (ui/buckets/controller.py does, on close).
- Typing: `Topic[[Node]]` carries one Node, `Topic[[]]` nothing; emit's arguments are those of the
  callbacks (a ParamSpec).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Generic, ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class _Subscription:
    """One subscribe() call (identity matters: the same callback may be subscribed twice)."""

    __slots__ = ("callback",)

    def __init__(self, callback: Callable[..., object]) -> None:
        self.callback = callback


class Topic(Generic[P]):
    """Callbacks called in subscription order with each emitted value (see the module docstring)."""

    def __init__(self, name: str = "") -> None:
        self.name = name  # said in the log line of a failing subscriber
        self._lock = threading.Lock()
        # replaced, never changed in place: an emit iterates the tuple it read, without the lock
        self._subscriptions: tuple[_Subscription, ...] = ()

    def subscribe(self, callback: Callable[P, object]) -> Callable[[], None]:
        """Call `callback` on every emit from now on; returns the callable that stops it (idempotent)."""
        subscription = _Subscription(callback)
        with self._lock:
            self._subscriptions = (*self._subscriptions, subscription)

        def unsubscribe() -> None:
            with self._lock:
                self._subscriptions = tuple(s for s in self._subscriptions if s is not subscription)
        return unsubscribe

    def unsubscribe(self, callback: Callable[P, object]) -> bool:
        """Stop the earliest subscription of `callback` (compared with ==, so a bound method made again
        matches); False if it was not subscribed."""
        with self._lock:
            for i, s in enumerate(self._subscriptions):
                if s.callback == callback:
                    self._subscriptions = self._subscriptions[:i] + self._subscriptions[i + 1:]
                    return True
        return False

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every subscriber in order; one that raises is logged and the next one still runs."""
        for s in self._subscriptions:
            try:
                s.callback(*args, **kwargs)
            except Exception:  # a broken view or sink must not break the one who announces
                log.exception("a subscriber of %s failed: %r", self.name or "a topic", s.callback)

    def __contains__(self, callback: object) -> bool:
        return any(s.callback == callback for s in self._subscriptions)

    def __len__(self) -> int:
        return len(self._subscriptions)

    def __repr__(self) -> str:
        return f"<Topic {self.name or '?'}: {len(self)} subscriber(s)>"
