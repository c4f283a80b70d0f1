"""The concurrency limit: a shared pool of thread tokens that every running FFmpeg step draws from.

Each step asks for the number of threads it will give FFmpeg (`-threads N`), so the limit is
counted in CPU threads rather than in processes: with 8 tokens, eight 1-thread steps or two
4-thread steps run at once. All runs of one Engine share one budget, so eight dropped files do
not start 8 × 6 FFmpeg processes.

Waiters are served in queue order: by their run's place in the queue (`enqueue`, `move`), then
first come, first served within a run (a large request at the head is not overtaken by small
ones, so it cannot starve). A run counts as started at its first grant (`on_start` callbacks:
the engine emits RunStarted then, so a run waiting for CPU is "queued", not "running 0 %").
While the queue is paused no run starts; runs already started go on to their end. A request larger than the whole budget is capped to it.
Started runs keep their lead: tokens a started run gives back are held for its next step for a
moment (its grace: until it asks again, says it has nothing ready, ends, or GRACE_MAX passes) —
served at once, a queued run would take them while the run publishes its outputs and builds its
next step, and with one token a batch of chains went step by step side by side, every result
coming at the very end, instead of one run after the other.
`threads_for()` is the single place that decides a step's share; refine it there. A fused
process (media/fusion: several steps sharing one decode) asks with a weight, the number of
workers it can keep busy (its encoders plus the decode), and so gets a bigger share.
The share becomes the process's FFmpeg thread counts (decoder `-threads`, `-filter_threads` and
each encoder's `-threads`): one token is one core's worth of work.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass
from typing import AsyncIterator, Callable


GRACE_MAX = 1.0  # seconds a started run's released tokens wait for its next step at most


@dataclass
class _Waiter:
    n: int
    future: asyncio.Future[None]
    owner: str
    seq: int


class ThreadBudget:
    def __init__(self, total: int) -> None:
        self.total = max(1, int(total))
        self._free = self.total
        self.peak = 0  # the most tokens ever held at once (never above total; tests and benchmarks read it)
        self._waiters: list[_Waiter] = []
        self._seq = itertools.count()
        self._rank: dict[str, float] = {}  # a run's place in the queue (lower first)
        self._started: set[str] = set()  # runs that got their first grant
        # queued runs that are prepared (their first request comes next): a run ranked after one of them
        # does not start before it has asked — the thread hop of its first build let a later run overtake
        self._ready: set[str] = set()
        self._on_start: dict[str, Callable[[], None]] = {}
        self.paused = False
        self._graces: dict[str, asyncio.TimerHandle] = {}  # started runs between two steps (release())

    # -- the queue of runs ----------------------------------------------------------------------
    def enqueue(self, owner: str) -> None:
        """A new run joins the end of the queue."""
        if owner not in self._rank:
            self._rank[owner] = float(next(self._seq))

    def when_started(self, owner: str, callback: Callable[[], None]) -> None:
        """Call `callback` once, at `owner`'s first grant (now, if it has had one)."""
        if owner in self._started:
            callback()
        else:
            self._on_start[owner] = callback

    def ready(self, owner: str) -> None:
        """`owner` is prepared and about to ask: runs queued after it wait until it has (see _ready)."""
        if owner in self._rank and owner not in self._started:
            self._ready.add(owner)

    def forget(self, owner: str) -> None:
        """The run ended: it leaves the queue."""
        self._rank.pop(owner, None)
        self._started.discard(owner)
        self._on_start.pop(owner, None)
        was_ready = owner in self._ready
        self._ready.discard(owner)
        self.end_grace(owner)
        if was_ready:  # it ended without asking: the runs queued after it may go
            self._wake()

    def queued(self) -> list[str]:
        """Runs that have not started yet, in the order they will."""
        return sorted((o for o in self._rank if o not in self._started), key=self._rank.__getitem__)

    def started(self, owner: str) -> bool:
        return owner in self._started

    def move(self, owner: str, where: str) -> bool:
        """Move a queued run "up", "down", to the "top" or the "bottom" of the queue; False if it
        is not queued (started runs keep their place) or cannot move that way."""
        queue = self.queued()
        if owner not in queue or where not in ("up", "down", "top", "bottom"):
            return False
        i = queue.index(owner)
        target = {"up": i - 1, "down": i + 1, "top": 0, "bottom": len(queue) - 1}[where]
        if target == i or not 0 <= target < len(queue):
            return False
        queue.insert(target, queue.pop(i))
        ranks = sorted(self._rank[o] for o in queue)  # the same places, handed out in the new order
        for o, rank in zip(queue, ranks):
            self._rank[o] = rank
        self._wake()
        return True

    def pause(self) -> None:
        """Start no further run; started runs go on."""
        self.paused = True

    def resume(self) -> None:
        self.paused = False
        self._wake()

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

    def _may_start(self, owner: str) -> bool:
        if not owner or owner in self._started:
            return True
        return not self.paused and not self._graces and not self._overtakes(owner)

    def _overtakes(self, owner: str) -> bool:
        """Whether `owner` would start before a ready run ranked ahead of it that has not asked yet."""
        rank = self._rank.get(owner)
        if rank is None or not self._ready:
            return False
        asking = {w.owner for w in self._waiters if not w.future.done()}
        return any(o != owner and o not in asking and self._rank.get(o, rank) < rank for o in self._ready)

    def end_grace(self, owner: str) -> None:
        """`owner` asks for nothing more now (or it asked, or it ended): queued runs may have the tokens."""
        handle = self._graces.pop(owner, None)
        if handle is not None:
            handle.cancel()
            self._wake()

    def _granted(self, owner: str) -> None:
        self.peak = max(self.peak, self.in_use)
        handle = self._graces.pop(owner, None)  # it asked again: its grace has served
        if handle is not None:
            handle.cancel()
        if owner and owner not in self._started:
            self._started.add(owner)
            self._ready.discard(owner)
            callback = self._on_start.pop(owner, None)
            if callback is not None:
                callback()

    async def acquire(self, n: int, owner: str = "") -> int:
        """Take `n` tokens (capped to the budget) for the run `owner` ("" : outside any queue)."""
        n = self.threads_for(n)
        if owner:
            self.enqueue(owner)
        if not self._waiters and self._free >= n and self._may_start(owner):
            self._free -= n
            self._granted(owner)
            return n
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = _Waiter(n, fut, owner, next(self._seq))
        self._waiters.append(entry)
        self._wake()  # a started run may go past queued runs while the queue is paused
        try:
            await fut
        except asyncio.CancelledError:
            if entry in self._waiters:
                self._waiters.remove(entry)
                self._wake()  # a big request at the head that goes may let smaller ones through
            elif fut.done() and not fut.cancelled():
                self._free += n  # granted just as we were canceled: give the tokens back
                self._wake()
            raise
        return n

    def release(self, n: int, owner: str = "") -> None:
        """Give tokens back; a started run's are held for its next step during its grace (see above)."""
        self._free = min(self.total, self._free + n)
        if owner and owner in self._started:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                old = self._graces.pop(owner, None)
                if old is not None:
                    old.cancel()
                self._graces[owner] = loop.call_later(GRACE_MAX, self.end_grace, owner)
        self._wake()

    def _order(self, waiter: _Waiter) -> tuple[float, int]:
        return (self._rank.get(waiter.owner, -1.0), waiter.seq)

    def _wake(self) -> None:
        self._waiters = [w for w in self._waiters if not w.future.done()]
        self._waiters.sort(key=self._order)
        while self._waiters:
            head = next((w for w in self._waiters if self._may_start(w.owner)), None)
            if head is None:  # paused, or a started run's grace: only runs that have not started wait
                break
            if self._free < min(head.n, self.total):  # a request from before a shrink cannot exceed the new total
                break
            self._waiters.remove(head)
            self._free -= min(head.n, self.total)
            self._granted(head.owner)
            head.future.set_result(None)

    @contextlib.asynccontextmanager
    async def hold(self, n: int, owner: str = "") -> AsyncIterator[int]:
        got = await self.acquire(n, owner)
        try:
            yield got
        finally:
            self.release(got, owner)
