"""The API's own state in `<data dir>/api.sqlite3` (next to the task store, 0600):

- `sessions`: ProcessMedia's SessionId → TaskId. The service de-duplicates by SessionId for three
  days: the same SessionId within SESSION_TTL returns the first TaskId and starts nothing. Kept
  across restarts; rows older than the TTL are removed as new ones come.
- `workflows`: what CreateWorkflow stored (the request JSON as given), WorkflowId an integer
  (AUTOINCREMENT: a deleted id is never handed out again), its status (Enabled/Disabled), times and
  the storage binding made from its trigger ("" when it has none).

One connection used from the event loop's thread only (short statements; the server awaits nothing
between a lookup and its insert, so two requests with one SessionId cannot both start a run).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import private_file

SESSION_TTL = 3 * 24 * 3600.0  # seconds: the service's de-duplication window

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS workflows (
    workflow_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    request_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'Disabled',
    binding_id TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
"""


@dataclass
class StoredWorkflow:
    workflow_id: int
    name: str
    request: dict[str, Any]
    status: str  # Enabled | Disabled
    binding_id: str
    created: float
    updated: float


class ApiState:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- SessionId ---------------------------------------------------------------------------------
    def session_task(self, session_id: str, now: float | None = None) -> str | None:
        """The TaskId a SessionId started within the last three days, else None."""
        now = time.time() if now is None else now
        row = self._db.execute("SELECT task_id FROM sessions WHERE session_id=? AND created>?",
                               (session_id, now - SESSION_TTL)).fetchone()
        return row[0] if row else None

    def remember_session(self, session_id: str, task_id: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._db.execute("DELETE FROM sessions WHERE created<=?", (now - SESSION_TTL,))
        self._db.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?)", (session_id, task_id, now))

    # -- workflows ---------------------------------------------------------------------------------
    def add_workflow(self, name: str, request: dict[str, Any]) -> int:
        """A new workflow (status Disabled); sqlite3.IntegrityError when the name is taken."""
        now = time.time()
        cur = self._db.execute("INSERT INTO workflows (name, request_json, created, updated) VALUES (?, ?, ?, ?)",
                               (name, json.dumps(request, ensure_ascii=False), now, now))
        return int(cur.lastrowid or 0)

    def update_workflow(self, workflow_id: int, *, name: str | None = None, request: dict[str, Any] | None = None,
                        status: str | None = None, binding_id: str | None = None) -> None:
        sets, args = ["updated=?"], [time.time()]
        for column, value in (("name", name), ("status", status), ("binding_id", binding_id),
                              ("request_json", json.dumps(request, ensure_ascii=False) if request is not None else None)):
            if value is not None:
                sets.append(f"{column}=?")
                args.append(value)
        self._db.execute(f"UPDATE workflows SET {', '.join(sets)} WHERE workflow_id=?", (*args, workflow_id))

    def delete_workflow(self, workflow_id: int) -> bool:
        return self._db.execute("DELETE FROM workflows WHERE workflow_id=?", (workflow_id,)).rowcount > 0

    def workflow(self, workflow_id: int) -> StoredWorkflow | None:
        rows = self._select("WHERE workflow_id=?", (workflow_id,))
        return rows[0] if rows else None

    def workflows(self, ids: list[int] | None = None, status: str | None = None) -> list[StoredWorkflow]:
        where, args = [], []
        if ids:
            where.append(f"workflow_id IN ({','.join('?' * len(ids))})")
            args += ids
        if status:
            where.append("status=?")
            args.append(status)
        return self._select(("WHERE " + " AND ".join(where)) if where else "", tuple(args))

    def _select(self, where: str, args: tuple[Any, ...]) -> list[StoredWorkflow]:
        rows = self._db.execute("SELECT workflow_id, name, request_json, status, binding_id, created, updated "
                                f"FROM workflows {where} ORDER BY workflow_id DESC", args).fetchall()
        return [StoredWorkflow(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5], r[6]) for r in rows]
