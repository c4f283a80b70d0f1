"""What every change source gives the binding runner, and the small interface they share.

A change source only says "this key may have changed" (an ObjectChange) or "anything may have
changed, look at the whole prefix" (a Rescan). It never decides whether to run: the runner checks
the key against the store (one listing of that key, so the ETag is the one a full listing shows)
and against the ledger (same key + ETag already submitted, done or skipped → nothing). So a
source may repeat a change, or report a change that is not one, without harm; what it must not do
is miss one silently — a source that cannot vouch for a gap (a stream that cannot resume) yields a
Rescan, and the runner's full reconcile every few minutes catches anything else.

States a source reports through `state_changed(state, reason)`: "watching" (connected, or polling
successfully), "unreachable" (the store or the queue does not answer; `reason` says why, in words a
person can act on). The runner shows them on the Bindings page.
"""

from __future__ import annotations

import asyncio
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, ClassVar, TypeVar

from ...observe import Topic

T = TypeVar("T")


@dataclass(frozen=True)
class ObjectChange:
    """The object `key` in `bucket` may be new or replaced. `etag` and `size` are what the source
    knew (None when it does not say); `time` is when it happened (seconds since the epoch)."""

    bucket: str
    key: str
    etag: str | None = None
    size: int | None = None
    time: float = 0.0


@dataclass(frozen=True)
class Rescan:
    """Anything under the watched prefix may have changed: list it all (a poll, a stream that
    reconnected without being able to replay what it missed)."""

    reason: str


Change = ObjectChange | Rescan


class ChangeSource(ABC):
    """One way of hearing about new objects in one bucket/prefix.

    Life: `await start()` (from then on nothing is missed: a push source is subscribed), then
    `async for change in changes()` until `stop()`; `changes()` ends after stop(). The runner
    handles each change before it asks for the next one (an SQS source deletes a message only
    then). `reconciled(ok, found, seconds)` tells the source how a full listing went (a polling
    source adapts its interval to it; push sources ignore it).
    """

    kind: ClassVar[str] = ""  # "filer" | "sqs" | "minio" | "polling"

    def __init__(self) -> None:
        # (state, reason) after each change of either, on the loop's thread
        self.state_changed: Topic[[str, str]] = Topic(f"{type(self).__name__}'s state")
        self.state = "stopped"
        self.reason = ""
        self.connects = 0  # streams opened (tests and the benchmark read it)
        self.detail = ""  # a sentence on why this source and what it needs (a tooltip, `mediaflow watch`)
        self._stopping = asyncio.Event()

    @abstractmethod
    def describe(self) -> str:
        """What the Bindings page shows: "events (filer stream)", "polling every 0.5–10 s" …"""

    @property
    def pushes(self) -> bool:
        """True for a source that is told about changes (the runner then also reconciles on a timer)."""
        return True

    async def start(self) -> None:
        """Begin listening. The default has nothing to open."""

    @abstractmethod
    def changes(self) -> AsyncIterator[Change]:
        """The changes, until stop()."""

    def stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def reconciled(self, ok: bool, found: int, seconds: float = 0.0) -> None:
        """A full listing ended: `ok` whether it could be made, `found` how many runs it started,
        `seconds` how long it took."""

    # -- helpers for the sources ----------------------------------------------------------------------
    def _set_state(self, state: str, reason: str = "") -> None:
        if (state, reason) != (self.state, self.reason):
            self.state, self.reason = state, reason
            self.state_changed.emit(state, reason)

    async def _until_stop(self, future: "asyncio.Future[T]") -> tuple[bool, T | None]:
        """(True, result) when `future` ends first, (False, None) when stop() comes first (the
        future's later outcome is then dropped). The future's exception propagates."""
        future.add_done_callback(lambda f: f.cancelled() or f.exception())  # never "exception not retrieved"
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            done, _ = await asyncio.wait({future, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if future in done:
            return True, future.result()
        return False, None

    async def _sleep(self, seconds: float) -> bool:
        """Wait `seconds` or until stop(); True when stopped."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=max(0.0, seconds))
        except asyncio.TimeoutError:
            return False
        return True


def in_daemon_thread(fn: Callable[[], T], name: str) -> "asyncio.Future[T]":
    """Run a blocking call (a 20 s SQS long poll, a read of a stream) on its own daemon thread.

    Not `asyncio.to_thread`: the loop's default executor is joined when the loop closes, so a long
    poll there would hold `mediaflow watch` open after Ctrl-C for as long as the poll lasts."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def work() -> None:
        try:
            result = fn()
        except BaseException as exc:  # handed to the awaiting coroutine, which raises it
            _hand_over(loop, settle, None, exc)
            return
        _hand_over(loop, settle, result, None)

    threading.Thread(target=work, name=name, daemon=True).start()
    return future


def _hand_over(loop: asyncio.AbstractEventLoop, settle: Callable[..., None], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(settle, *args)
    except RuntimeError:  # the loop closed meanwhile: nobody waits for the answer any more
        pass


def put_threadsafe(loop: asyncio.AbstractEventLoop, queue: "asyncio.Queue[Any]", item: Any) -> None:
    """Hand `item` from a reader thread to a queue of the loop (dropped if the loop has closed)."""
    _hand_over(loop, queue.put_nowait, item)
