"""What a watched bucket has processed (the ledger), and how a bucket is listed.

How changes are heard (filer stream, SQS, MinIO, polling) is storage/changes/; this module holds
what all of them end in: the ledger that decides, and the listing a reconcile streams page by page.

What counts as "new": an object whose (key, ETag) is not yet in the ledger for this binding. A
replaced object gets a new ETag, so it is new again. Objects still being uploaded are never
seen: S3 lists a multipart upload only once it is completed (checked against SeaweedFS in
tests/storage), and a single PUT appears atomically.

The ledger (SQLite in the data dir) holds, per binding: every (bucket, key, etag) with its state,
the TaskId of its current run, the result, the error code and the number of attempts; the uploaded
outputs of each run (deliveries), which the notify payload reports as URLs; and the identities of
bindings that have no id of their own (see bindings.py: their id is derived from what they watch).

States of an object (one row per binding, bucket, key, ETag):

    (none) ──run recorded──▶ submitted ──run ended, store committed──▶ finished ──event sent──▶ done
    (none) ──first start──▶ skipped          (submitted ──event sent first──▶ done: updates only move forward)
    done (FAIL: DeliveryFailed/FetchFailed, attempts left) ──store answers again──▶ submitted (a new run)

- `submitted` is written right after the engine recorded the run (TaskId known), in the same
  loop step as the submit: no run can end before its object is marked.
- `finished` is written after the task store committed the run's end; `done` once the run-finished
  event was handed to every target (the notifier commits the store before building the event, so
  an event that went out always describes a committed end).

What a restart does (the binding's lock is held: no other process owns these rows):
- `submitted` whose run ended in the store (not "Interrupted"): it ended before the crash; the
  event is sent again (targets that can tell drop a duplicate) and the row goes to `done`.
- `submitted` whose run is missing or "Interrupted": the row is forgotten and the next listing runs
  the object again as a new run (at least once; its outputs overwrite the same keys).
- `finished`: the event is sent again, as above. `done` and `skipped`: nothing.
- `done` with a FAIL that a store outage explains (DeliveryFailed, FetchFailed): a new run once the
  stores answer again, bounded (bindings.py RETRY_DELAYS); the failed run stays recorded as failed.

So every object gets exactly one run that ends and is recorded, and one run-finished event per run
— exactly once into a JSON-lines file, at least once (with a stable delivery id) to a webhook or a
queue. What cannot be guaranteed: a kill after results were uploaded but before the run's end was
committed runs the object again (its outputs are uploaded again under the same keys); a kill
between a webhook's 2xx and the ledger write sends that webhook the event again.
A run that ended otherwise — SUCCESS or FAIL — is never repeated (a broken input must not loop).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from botocore.client import BaseClient

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS processed (
    binding_id TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    etag TEXT NOT NULL,
    state TEXT NOT NULL,            -- submitted | finished | done | skipped
    task_id TEXT,
    result TEXT,
    size INTEGER,
    time REAL NOT NULL,
    error_code TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (binding_id, bucket, key, etag)
);
CREATE INDEX IF NOT EXISTS processed_by_state ON processed(binding_id, state);
CREATE TABLE IF NOT EXISTS binding_identities (
    binding_id TEXT PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,  -- JSON: connection, bucket, prefix, suffixes, workflow
    name TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS baselines (
    binding_id TEXT NOT NULL,
    signature TEXT NOT NULL,        -- connection|bucket|prefix the baseline was taken of
    time REAL NOT NULL,
    PRIMARY KEY (binding_id, signature)
);
CREATE TABLE IF NOT EXISTS deliveries (
    task_id TEXT NOT NULL,
    path TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    http_url TEXT NOT NULL,
    content_type TEXT NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (task_id, path)
);
"""


_KEYS_PER_QUERY = 500  # SQLite builds before 3.32 allow 999 parameters per statement


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    etag: str
    size: int
    last_modified: float

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class Delivery:
    task_id: str
    path: str
    bucket: str
    key: str
    url: str
    http_url: str
    content_type: str


def ledger_path() -> Path:
    from ..paths import data_dir
    return data_dir() / "storage.sqlite3"


class Ledger:
    """What each binding has processed, and where each run's outputs were uploaded."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else ledger_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        from ..paths import private_file
        private_file(self.path)  # SQLite gives its -wal/-shm files the database's mode: 0600 for all
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.row_factory = sqlite3.Row
        with self._lock:
            self._conn.executescript(_SCHEMA)
            self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Ledgers written by an older version lack the later columns (idempotent, concurrent-safe)."""
        have = {r["name"] for r in self._conn.execute("PRAGMA table_info(processed)").fetchall()}
        for name, decl in (("error_code", "TEXT"), ("attempts", "INTEGER NOT NULL DEFAULT 1")):
            if name not in have:
                try:
                    self._conn.execute(f"ALTER TABLE processed ADD COLUMN {name} {decl}")
                except sqlite3.OperationalError as exc:  # another process added it just now
                    if "duplicate column" not in str(exc):
                        raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _exec(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # -- processed objects ----------------------------------------------------------------------
    def state_of(self, binding_id: str, bucket: str, key: str, etag: str) -> str | None:
        rows = self._exec("SELECT state FROM processed WHERE binding_id=? AND bucket=? AND key=? AND etag=?",
                          (binding_id, bucket, key, etag))
        return rows[0]["state"] if rows else None

    def known_among(self, binding_id: str, bucket: str, keys: list[str]) -> set[tuple[str, str]]:
        """(key, etag) of the rows this binding has for any of `keys` (a page of a listing), whatever
        their state. One indexed query per 500 keys: the primary key (binding_id, bucket, key, etag)
        is the index, so the cost grows with the page, not with the ledger."""
        out: set[tuple[str, str]] = set()
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[start:start + _KEYS_PER_QUERY]
            rows = self._exec(f"SELECT key, etag FROM processed WHERE binding_id=? AND bucket=? "
                              f"AND key IN ({','.join('?' * len(chunk))})", (binding_id, bucket, *chunk))
            out.update((r["key"], r["etag"]) for r in rows)
        return out

    def mark_submitted(self, binding_id: str, obj: ObjectInfo, task_id: str, attempts: int = 1) -> None:
        self._exec("INSERT OR REPLACE INTO processed (binding_id, bucket, key, etag, state, task_id, result, size, "
                   "time, error_code, attempts) VALUES (?,?,?,?, 'submitted', ?, NULL, ?, ?, NULL, ?)",
                   (binding_id, obj.bucket, obj.key, obj.etag, task_id, obj.size, time.time(), attempts))

    def mark_finished(self, binding_id: str, task_id: str, result: str, error_code: str = "") -> None:
        """The run ended and the task store committed it (the event may not be sent yet)."""
        self._exec("UPDATE processed SET result=?, error_code=?, time=?, "
                   "state=CASE WHEN state='submitted' THEN 'finished' ELSE state END "
                   "WHERE binding_id=? AND task_id=?", (result, error_code, time.time(), binding_id, task_id))

    def mark_done(self, binding_id: str, task_id: str, result: str | None = None,
                  error_code: str | None = None) -> None:
        """The run's event was handed to every target (final). A row no longer on this run is left alone."""
        self._exec("UPDATE processed SET state='done', result=COALESCE(?, result), "
                   "error_code=COALESCE(?, error_code), time=? "
                   "WHERE binding_id=? AND task_id=? AND state IN ('submitted', 'finished')",
                   (result, error_code, time.time(), binding_id, task_id))

    def mark_skipped(self, binding_id: str, objects: Iterable[ObjectInfo]) -> int:
        now = time.time()
        rows = [(binding_id, o.bucket, o.key, o.etag, o.size, now) for o in objects]
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany(
                "INSERT OR IGNORE INTO processed (binding_id, bucket, key, etag, state, size, time) "
                "VALUES (?,?,?,?, 'skipped', ?, ?)", rows)
            self._conn.execute("COMMIT")
        return len(rows)

    def forget(self, binding_id: str, obj: ObjectInfo) -> None:
        self._exec("DELETE FROM processed WHERE binding_id=? AND bucket=? AND key=? AND etag=?",
                   (binding_id, obj.bucket, obj.key, obj.etag))

    def unfinished(self, binding_id: str) -> list[dict[str, Any]]:
        """Rows whose run was recorded but whose event is not known to be sent (what a restart resolves)."""
        rows = self._exec("SELECT * FROM processed WHERE binding_id=? AND state IN ('submitted', 'finished')",
                          (binding_id,))
        return [dict(r) for r in rows]

    def retry_candidates(self, binding_id: str, error_codes: Iterable[str], max_attempts: int) -> list[dict[str, Any]]:
        """Objects whose last run failed with one of `error_codes` and that have attempts left."""
        codes = list(error_codes)
        if not codes:
            return []
        rows = self._exec(f"SELECT * FROM processed WHERE binding_id=? AND state='done' AND result='FAIL' "
                          f"AND attempts < ? AND error_code IN ({','.join('?' * len(codes))})",
                          (binding_id, max_attempts, *codes))
        return [dict(r) for r in rows]

    def history(self, binding_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first: what this binding did (for the Bindings page's 'last activity')."""
        rows = self._exec("SELECT * FROM processed WHERE binding_id=? AND state != 'skipped' "
                          "ORDER BY time DESC LIMIT ?", (binding_id, limit))
        return [dict(r) for r in rows]

    def clear_binding(self, binding_id: str) -> None:
        self._exec("DELETE FROM processed WHERE binding_id=?", (binding_id,))
        self._exec("DELETE FROM baselines WHERE binding_id=?", (binding_id,))
        self._exec("DELETE FROM binding_identities WHERE binding_id=?", (binding_id,))

    # -- identities of bindings without an id -------------------------------------------------
    def binding_id_for(self, identity: str, derived: str, name: str = "") -> str:
        """The id recorded for this identity, else `derived`, recorded now (so a later version that
        derives ids differently still finds the binding's ledger)."""
        with self._lock:
            row = self._conn.execute("SELECT binding_id FROM binding_identities WHERE identity=?",
                                     (identity,)).fetchone()
            if row is not None:
                return str(row["binding_id"])
            self._conn.execute("INSERT OR IGNORE INTO binding_identities (binding_id, identity, name, time) "
                               "VALUES (?,?,?,?)", (derived, identity, name, time.time()))
            row = self._conn.execute("SELECT binding_id FROM binding_identities WHERE identity=?",
                                     (identity,)).fetchone()
            return str(row["binding_id"]) if row is not None else derived

    # -- baselines ---------------------------------------------------------------------------------
    def has_baseline(self, binding_id: str, signature: str) -> bool:
        return bool(self._exec("SELECT 1 FROM baselines WHERE binding_id=? AND signature=?", (binding_id, signature)))

    def set_baseline(self, binding_id: str, signature: str) -> None:
        self._exec("INSERT OR REPLACE INTO baselines (binding_id, signature, time) VALUES (?,?,?)",
                   (binding_id, signature, time.time()))

    # -- deliveries ---------------------------------------------------------------------------------
    def record_delivery(self, d: Delivery) -> None:
        self._exec("INSERT OR REPLACE INTO deliveries (task_id, path, bucket, key, url, http_url, content_type, time) "
                   "VALUES (?,?,?,?,?,?,?,?)",
                   (d.task_id, d.path, d.bucket, d.key, d.url, d.http_url, d.content_type, time.time()))

    def deliveries(self, task_id: str) -> list[Delivery]:
        rows = self._exec("SELECT task_id, path, bucket, key, url, http_url, content_type FROM deliveries "
                          "WHERE task_id=? ORDER BY rowid", (task_id,))
        return [Delivery(**dict(r)) for r in rows]


# -- listing -------------------------------------------------------------------------------------------

def parse_suffixes(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """'.mp4,.MOV, mkv' → ('.mp4', '.mov', '.mkv'); empty → () (everything)."""
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for item in items:
        item = item.strip().lower()
        if not item:
            continue
        out.append(item if item.startswith(".") else "." + item)
    return tuple(dict.fromkeys(out))


def matches(key: str, prefix: str, suffixes: tuple[str, ...], exclude_prefixes: tuple[str, ...]) -> bool:
    if prefix and not key.startswith(prefix):
        return False
    if key.endswith("/"):  # a "folder" marker object, not a file
        return False
    if any(key.startswith(ex) for ex in exclude_prefixes if ex):
        return False
    return not suffixes or key.lower().endswith(suffixes)


def iter_pages(client: BaseClient, bucket: str, prefix: str = "", suffixes: tuple[str, ...] = (),
               exclude_prefixes: tuple[str, ...] = (), page_size: int = 1000) -> Iterator[list[ObjectInfo]]:
    """The complete objects under `prefix` that pass the filters, one ListObjectsV2 page at a time
    (never more than one page in memory: a reconcile of 100,000 keys stays flat)."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "MaxKeys": page_size}
    if prefix:
        kwargs["Prefix"] = prefix
    while True:
        answer = client.list_objects_v2(**kwargs)
        page = []
        for item in answer.get("Contents", []):
            key = item["Key"]
            if matches(key, prefix, suffixes, exclude_prefixes):
                page.append(object_info(bucket, item))
        yield page
        if not answer.get("IsTruncated"):
            return
        kwargs["ContinuationToken"] = answer["NextContinuationToken"]


def object_info(bucket: str, item: dict[str, Any]) -> ObjectInfo:
    """An ObjectInfo from one entry of a ListObjectsV2 answer (the ETag without its quotes)."""
    modified = item.get("LastModified")
    return ObjectInfo(bucket, item["Key"], str(item.get("ETag", "")).strip('"'), int(item.get("Size", 0)),
                      modified.timestamp() if modified is not None else 0.0)


def list_objects(client: BaseClient, bucket: str, prefix: str = "", suffixes: tuple[str, ...] = (),
                 exclude_prefixes: tuple[str, ...] = ()) -> list[ObjectInfo]:
    """Every complete object under `prefix` that passes the filters (all pages, as one list: for
    tests and small buckets; a watcher streams iter_pages)."""
    return [o for page in iter_pages(client, bucket, prefix, suffixes, exclude_prefixes) for o in page]
