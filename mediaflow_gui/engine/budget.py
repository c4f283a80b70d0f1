"""The concurrency limit: a shared pool of thread tokens that every running FFmpeg step draws from.

Each step asks for the number of threads it will give FFmpeg (`-threads N`), so the limit is
counted in CPU threads rather than in processes: with 8 tokens, eight 1-thread steps or two
4-thread steps run at once. All runs of one Engine share one budget, so eight dropped files do
not start 8 × 6 FFmpeg processes.

Waiters are served first come, first served (a large request at the head is not overtaken by
small ones, so it cannot starve). A request larger than the whole budget is capped to it.
`threads_for()` is the single place that decides a step's share; refine it there. A fused
process (media/fusion: several steps sharing one decode) asks with a weight, the number of
workers it can keep busy (its encoders plus the decode), and so gets a bigger share.
The share becomes the process's FFmpeg thread counts (decoder `-threads`, `-filter_threads` and
each encoder's `-threads`): one token is one core's worth of work.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from typing import AsyncIterator


class ThreadBudget:
    def __init__(self, total: int) -> None:
        self.total = max(1, int(total))
        self._free = self.total
        self.peak = 0  # the most tokens ever held at once (never above total; tests and benchmarks read it)
        self._waiters: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()

    @property
    def free(self) -> int:
        return self._free

    @property
    def in_use(self) -> int:
        return self.total - self._free

    def resize(self, total: int) -> None:
        """A new limit (the settings changed): held tokens stay held, new grants follow the new total."""
        total = max(1, int(total))
        self._free += total - self.total  # may go below zero until enough is released
        self.total = total
        self._wake()

    def threads_for(self, requested: int, weight: int = 1) -> int:
        """How many tokens a step asking for `requested` threads per worker takes, for `weight` workers.

        At least 1, at most the whole budget. A plain step has weight 1; a fused group of k
        encoders plus a shared decode asks for k + 1 workers.
        """
        return min(max(1, requested) * max(1, weight), self.total)

    async def acquire(self, n: int) -> int:
        n = self.threads_for(n)
        if not self._waiters and self._free >= n:
            self._free -= n
            self.peak = max(self.peak, self.in_use)
            return n
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (n, fut)
        self._waiters.append(entry)
        try:
            await fut
        except asyncio.CancelledError:
            if entry in self._waiters:
                self._waiters.remove(entry)
            elif fut.done() and not fut.cancelled():
                self._free += n  # granted just as we were canceled: give the tokens back
                self._wake()
            raise
        return n

    def release(self, n: int) -> None:
        self._free = min(self.total, self._free + n)
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            n, fut = self._waiters[0]
            if fut.done():
                self._waiters.popleft()
                continue
            if self._free < min(n, self.total):  # a request from before a shrink cannot exceed the new total
                break
            self._waiters.popleft()
            self._free -= min(n, self.total)
            self.peak = max(self.peak, self.in_use)
            fut.set_result(None)

    @contextlib.asynccontextmanager
    async def hold(self, n: int) -> AsyncIterator[int]:
        got = await self.acquire(n)
        try:
            yield got
        finally:
            self.release(got)
