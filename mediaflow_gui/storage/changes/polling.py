"""Polling, the fallback for stores that tell nobody about uploads: list the prefix, at an interval
that adapts — the fastest one right after activity, growing while nothing happens, bounded by a
setting — and doubling while the store does not answer.

Each poll is a Rescan: the runner lists the prefix page by page and compares each page with the
ledger (storage/changes/reconcile.py), so a poll costs one ListObjectsV2 page per 1,000 objects
for the store and the watcher alike. That is why push sources are preferred where a store has one.
A big bucket's listing takes seconds (20,000 objects: ~5 s of the watcher's CPU, mostly botocore
reading the XML), so the pause after a poll is also at least LISTING_SHARE times the poll's own
length: polling never lists more than a fifth of the time, however big the bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator

from .base import Change, ChangeSource, Rescan

LISTING_SHARE = 4.0  # the pause after a poll is at least this many times the poll's own length


def seconds_text(value: float) -> str:
    """0.5 → "0.5", 10.0 → "10" (for "polling every 0.5–10 s")."""
    return f"{value:g}"


@dataclass
class AdaptiveInterval:
    """The delay before the next poll: `fastest` after a poll that found something, times `growth`
    after each idle poll up to `slowest`; while the store does not answer, doubled up to `max_backoff`."""

    fastest: float = 0.5
    slowest: float = 10.0
    growth: float = 1.5
    max_backoff: float = 10.0

    def __post_init__(self) -> None:
        self.fastest = max(0.05, float(self.fastest))
        self.slowest = max(self.fastest, float(self.slowest))
        self.max_backoff = max(self.fastest, float(self.max_backoff))
        self.current = self.fastest  # the adaptive interval
        self.pause = self.fastest  # what the next pause is: the interval, or longer after a long listing

    def after(self, ok: bool, found: int, seconds: float = 0.0) -> float:
        """The pause after a poll that was `ok` (or not), started `found` runs and took `seconds`."""
        if not ok:
            self.current = min(self.max_backoff, max(self.current * 2, self.fastest * 2))
        elif found > 0:
            self.current = self.fastest
        else:
            self.current = min(self.slowest, max(self.current, self.fastest) * self.growth)
        self.pause = max(self.current, LISTING_SHARE * seconds)  # a long listing earns a long pause
        return self.pause


class PollingSource(ChangeSource):
    """A Rescan now, then one after each adaptive delay (see AdaptiveInterval)."""

    kind = "polling"

    def __init__(self, interval: AdaptiveInterval, note: str = "") -> None:
        super().__init__()
        self.interval = interval
        self.note = note  # why not events, when the binding asked for them (e.g. the queue could not be set up)
        self.polls = 0

    @property
    def pushes(self) -> bool:
        return False

    def describe(self) -> str:
        iv = self.interval
        every = (seconds_text(iv.fastest) if iv.fastest == iv.slowest
                 else f"{seconds_text(iv.fastest)}–{seconds_text(iv.slowest)}")
        return f"polling every {every} s" + (f" ({self.note})" if self.note else "")

    def reconciled(self, ok: bool, found: int, seconds: float = 0.0) -> None:
        self.polls += 1
        self.interval.after(ok, found, seconds)

    async def changes(self) -> AsyncIterator[Change]:
        self.connects += 1
        self._set_state("watching")
        while not self.stopping:
            yield Rescan("poll")
            if await self._sleep(self.interval.pause):
                return
