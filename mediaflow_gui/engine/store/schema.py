"""The task store's SQLite schema, its migrations, and how values cross into and out of SQLite.

- Tables: `runs` (one row per run), `subtasks` (one per task node of a run), `workflow_snapshots`
  (the workflow each run ran, kept once per distinct workflow: 50 runs of one workflow add one
  snapshot; runs.workflow_hash points there). Stores written before version 2 keep theirs in
  runs.workflow_json, which is still read.
- Columns added after a table was first released (cleanup_pending, workflow_hash, failed_step,
  applied_in, log_tail) are added when a store without them is opened (`migrate`); concurrent openers may
  race to add one, which is harmless. An older app opening a newer store ignores them.
- File names are bytes on Linux; one that is not valid UTF-8 reaches Python as a string with lone
  surrogates (model/text.py). Such a string cannot be bound as SQLite TEXT, so every value written
  goes through `db_value`: valid text stays TEXT, any other string is stored as a BLOB of exactly
  its file-system bytes (surrogateescape), and reads turn BLOBs back into the same string
  (`row_factory`): the record opens the real file again. JSON columns escape such characters
  (`\\udcff`, ensure_ascii) and read back the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from typing import Any

from ...model.text import from_bytes, has_lone_surrogates, to_bytes

SCHEMA_VERSION = 2  # 2: workflow snapshots stored once per distinct workflow (workflow_snapshots)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    task_id TEXT PRIMARY KEY,
    workflow_name TEXT NOT NULL,
    workflow_json TEXT,
    input TEXT NOT NULL,
    out_dir TEXT,
    status TEXT NOT NULL,
    result TEXT,
    error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    create_time REAL NOT NULL,
    begin_time REAL,
    finish_time REAL,
    metadata_json TEXT,
    owner_pid INTEGER,
    owner_started REAL,
    cleanup_pending INTEGER NOT NULL DEFAULT 0  -- 1: interrupted, its files not yet removed
);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(create_time);
-- the workflow as each run ran it, stored once per distinct workflow: a folder of 200 files, or a
-- bucket's thousands of uploads, run one workflow again and again (runs.workflow_hash points here;
-- runs.workflow_json holds the snapshots of stores written before version 2)
CREATE TABLE IF NOT EXISTS workflow_snapshots (
    hash TEXT PRIMARY KEY,  -- sha256 of the canonical JSON below
    json TEXT NOT NULL  -- sorted keys, no spaces
);
CREATE TABLE IF NOT EXISTS subtasks (
    task_id TEXT NOT NULL REFERENCES runs(task_id) ON DELETE CASCADE,
    step_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    task_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    speed REAL,
    input TEXT NOT NULL DEFAULT '',
    outputs_json TEXT NOT NULL DEFAULT '[]',
    error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    command_json TEXT NOT NULL DEFAULT '[]',
    begin_time REAL,
    finish_time REAL,
    PRIMARY KEY (task_id, step_id)
);
"""

# (table, column, declaration) added to stores made before the column existed, in release order
LATER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("runs", "cleanup_pending", "INTEGER NOT NULL DEFAULT 0"),
    ("runs", "workflow_hash", "TEXT"),  # version 2
    ("runs", "failed_step", "TEXT NOT NULL DEFAULT ''"),  # the first failed subtask's step id
    ("subtasks", "applied_in", "TEXT NOT NULL DEFAULT '[]'"),  # a folded watermark's transcodes (JSON list)
    ("subtasks", "log_tail", "TEXT NOT NULL DEFAULT ''"),  # the last stderr lines of its FFmpeg process(es)
)


def _add_column(conn: sqlite3.Connection, table: str, column: str, declaration: str) -> None:
    try:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    except sqlite3.OperationalError as exc:  # another process added it just now
        if "duplicate column" not in str(exc):
            raise


def migrate(conn: sqlite3.Connection) -> None:
    """Create what is missing: tables, later columns, indexes (idempotent, safe in several processes)."""
    conn.executescript(SCHEMA)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    for table in ("runs", "subtasks"):
        columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})").fetchall()}
        for t, column, declaration in LATER_COLUMNS:
            if t == table and column not in columns:
                _add_column(conn, table, column, declaration)
    conn.execute("CREATE INDEX IF NOT EXISTS runs_cleanup ON runs(cleanup_pending) WHERE cleanup_pending=1")
    conn.execute("CREATE INDEX IF NOT EXISTS runs_by_workflow ON runs(workflow_hash)")


def workflow_snapshot(workflow: dict[str, Any]) -> tuple[str, str]:
    """(canonical JSON, its sha256): one text and one key for every run of an identical workflow."""
    text = json.dumps(workflow, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    # surrogatepass: a lone surrogate (a file-name byte that is not UTF-8) must not stop the record
    return text, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def db_value(value: Any) -> Any:
    """What SQLite is given for `value`: a string that is not valid UTF-8 as the BLOB of its bytes."""
    if isinstance(value, str) and has_lone_surrogates(value):
        return to_bytes(value)
    return value


def row_factory(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> sqlite3.Row:
    """Rows as sqlite3.Row, with the BLOBs db_value wrote turned back into the same strings."""
    return sqlite3.Row(cursor, tuple(from_bytes(v) if isinstance(v, bytes) else v for v in values))


def connect(path: str | os.PathLike[str], check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection as every part of the store uses it: WAL, foreign keys, autocommit, row_factory."""
    conn = sqlite3.connect(path, timeout=30, check_same_thread=check_same_thread, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable enough, far fewer fsyncs
    conn.execute("PRAGMA foreign_keys=ON")
    conn.row_factory = row_factory
    return conn
