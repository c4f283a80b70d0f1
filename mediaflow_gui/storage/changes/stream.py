"""What the two push sources that read a stream on a thread share (the filer's `weed filer.meta.tail`,
MinIO's listen request): connect, let a reader thread hand changes to a queue, and when the stream
ends (the reader puts one StreamEnded) decide what that means, wait, and connect again.

A subclass says how to connect (`_connect`: open the stream, start its reader with `_start_reader`;
False when it cannot, after reporting why), whether it is connected (`_connected`), how to close it
(`_close`) and what an end means (`_ended`: a Change to yield — a Rescan when events may have been
missed — or None). Each connection has a generation: an end reported by a reader of an older
connection (one that stop() or a reconnect replaced) is ignored.
"""

from __future__ import annotations

import asyncio
import threading
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable

from .base import Change, ChangeSource

_STOP = object()  # put by stop(): changes() ends


@dataclass(frozen=True)
class StreamEnded:
    """A reader thread's last word: its stream (of `generation`) ended, and why."""

    generation: int
    reason: str


class StreamSource(ChangeSource):
    """A ChangeSource fed by a reader thread (see the module docstring)."""

    def __init__(self, retry_delays: tuple[float, ...]) -> None:
        super().__init__()
        self.retry_delays = tuple(retry_delays) or (1.0,)
        self.events = 0  # changes yielded
        self._queue: asyncio.Queue[Any] | None = None
        self._generation = 0

    # -- what a subclass provides --------------------------------------------------------------------
    @property
    @abstractmethod
    def _connected(self) -> bool:
        """A stream is open (its reader may still be reading)."""

    @abstractmethod
    async def _connect(self) -> bool:
        """Open a stream and start its reader (`_start_reader`); report the state; True when open."""

    @abstractmethod
    def _close(self) -> None:
        """Close the open stream, if any (its reader then ends)."""

    @abstractmethod
    async def _ended(self, ended: StreamEnded) -> Change | None:
        """The current stream ended: forget it, say why, wait; a Change to yield, or None."""

    async def _reconnected(self) -> Change | None:
        """After a successful reconnect (not the first connect): a Change to yield, or None."""
        return None

    # -- shared --------------------------------------------------------------------------------------
    def _start_reader(self, read: Callable[..., None], handle: Any, name: str) -> None:
        """Start `read(handle, generation, loop, queue)` on a daemon thread for a new connection."""
        assert self._queue is not None
        self._generation += 1
        self.connects += 1
        threading.Thread(target=read, args=(handle, self._generation, asyncio.get_running_loop(), self._queue),
                         name=name, daemon=True).start()

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        await self._connect()

    def stop(self) -> None:
        super().stop()
        if self._queue is not None:
            self._queue.put_nowait(_STOP)
        self._close()

    async def changes(self) -> AsyncIterator[Change]:
        if self._queue is None:
            await self.start()
        assert self._queue is not None
        failures = 0  # connects that failed in a row: the wait before the next grows
        try:
            while not self.stopping:
                if not self._connected:
                    if not await self._connect():
                        await self._sleep(self.retry_delays[min(failures, len(self.retry_delays) - 1)])
                        failures += 1
                        continue
                    failures = 0
                    if self.connects > 1:
                        change = await self._reconnected()
                        if change is not None:
                            yield change
                item = await self._queue.get()
                if item is _STOP:
                    return
                if isinstance(item, StreamEnded):
                    if item.generation == self._generation and not self.stopping:
                        change = await self._ended(item)
                        if change is not None:
                            yield change
                    continue
                self.events += 1
                yield item
        finally:
            self._close()
