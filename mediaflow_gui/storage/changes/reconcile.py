"""The full listing that catches whatever no event told: on start, every few minutes, on a Rescan.

A pass streams ListObjectsV2 pages (watcher.iter_pages: one page of at most 1,000 objects in memory)
and compares each page with the ledger by one indexed query (Ledger.known_among), so its memory
stays flat in the number of objects and its time grows with the listing only. What it returns per
page is the objects the ledger has never seen — usually none.

The first pass of a binding that has no baseline yet (and does not process existing objects)
records every listed object as `skipped` page by page and sets the baseline at the end; a pass that
fails half-way leaves no baseline, and the next one records the rest (INSERT OR IGNORE).

`stat_object` is the one-key listing the runner makes for an ObjectChange: ListObjectsV2 with the
key as prefix, one result. The shortest string with a prefix sorts first, so that result is the key
itself if it exists — with the same ETag a full listing shows (a HEAD could differ in form on some
stores, and a different form would look like a new ETag).
"""

from __future__ import annotations

from typing import Iterator

from botocore.client import BaseClient

from ..watcher import Ledger, ObjectInfo, iter_pages, object_info


class ReconcilePass:
    """One listing of a binding's prefix compared with its ledger. `next_page()` blocks (network and
    SQLite): call it off the event loop, one page per call."""

    def __init__(self, client: BaseClient, ledger: Ledger, binding_id: str, bucket: str, prefix: str = "",
                 suffixes: tuple[str, ...] = (), exclude_prefixes: tuple[str, ...] = (), *,
                 baseline: bool = False, signature: str = "", page_size: int = 1000) -> None:
        self.ledger = ledger
        self.binding_id = binding_id
        self.bucket = bucket
        self.baseline = baseline
        self.signature = signature
        self.listed = 0  # objects listed so far (after the filters)
        self.pages = 0
        self._pages: Iterator[list[ObjectInfo]] = iter_pages(client, bucket, prefix, suffixes, exclude_prefixes,
                                                             page_size)

    def next_page(self) -> list[ObjectInfo] | None:
        """The objects of the next page the ledger does not know (any state), or None at the end.
        In baseline mode they are recorded as `skipped` instead, and [] is returned."""
        page = next(self._pages, None)
        if page is None:
            if self.baseline:
                self.ledger.set_baseline(self.binding_id, self.signature)
            return None
        self.pages += 1
        self.listed += len(page)
        if not page:
            return []
        if self.baseline:
            self.ledger.mark_skipped(self.binding_id, page)  # INSERT OR IGNORE: known rows keep their state
            return []
        known = self.ledger.known_among(self.binding_id, self.bucket, [o.key for o in page])
        return [o for o in page if (o.key, o.etag) not in known]


def stat_object(client: BaseClient, bucket: str, key: str) -> ObjectInfo | None:
    """The object `key` as a listing shows it, or None if it is not there (any more)."""
    answer = client.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1)
    for item in answer.get("Contents", []):
        if item.get("Key") == key:
            return object_info(bucket, item)
    return None
