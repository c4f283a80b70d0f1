"""Saved S3 connections: `<data dir>/connections.json`, mode 0600 (it holds secret keys).

The connection named "embedded" is not saved: it always resolves to the embedded SeaweedFS store
(its endpoint from the running or last-used ports, its keys from the store's s3.json).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ..paths import write_private
from .embedded import EMBEDDED_CONNECTION_NAME, EmbeddedStore
from .s3 import S3Connection


class UnknownConnectionError(LookupError):
    """A binding or command names a connection that is not saved."""


def connections_path() -> Path:
    from ..paths import data_dir
    return data_dir() / "connections.json"


class ConnectionRegistry:
    def __init__(self, path: str | os.PathLike[str] | None = None, embedded: EmbeddedStore | None = None) -> None:
        self.path = Path(path) if path is not None else connections_path()
        self.embedded = embedded
        self._lock = threading.Lock()

    def _embedded(self) -> EmbeddedStore:
        if self.embedded is None:
            self.embedded = EmbeddedStore()
        return self.embedded

    def _load(self) -> dict[str, S3Connection]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            raise ValueError(f"{self.path} is not valid JSON: {exc}") from exc
        return {c["name"]: S3Connection.from_dict(c) for c in data.get("connections", [])}

    def _save(self, conns: dict[str, S3Connection]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_private(self.path, json.dumps({"version": 1, "connections": [c.to_dict() for c in conns.values()]},
                                             indent=2))

    def embedded_store(self) -> EmbeddedStore:
        """The embedded store the "embedded" connection stands for (its watcher uses the filer stream)."""
        return self._embedded()

    def names(self) -> list[str]:
        with self._lock:
            return [EMBEDDED_CONNECTION_NAME, *sorted(self._load())]

    def list(self) -> list[S3Connection]:
        """Every connection; the embedded one first (its endpoint is empty while it never ran)."""
        with self._lock:
            saved = self._load()
        return [self.get(EMBEDDED_CONNECTION_NAME), *(saved[n] for n in sorted(saved))]

    def get(self, name: str) -> S3Connection:
        if not name or name == EMBEDDED_CONNECTION_NAME:
            return self._embedded().connection()
        with self._lock:
            saved = self._load()
        if name not in saved:
            known = ", ".join([EMBEDDED_CONNECTION_NAME, *sorted(saved)])
            raise UnknownConnectionError(f"no connection named {name!r} (known: {known})")
        return saved[name]

    def add(self, conn: S3Connection, replace: bool = True) -> None:
        problems = conn.problems()
        if conn.name == EMBEDDED_CONNECTION_NAME:
            problems.append(f"the name {EMBEDDED_CONNECTION_NAME!r} is reserved for the embedded store")
        if problems:
            raise ValueError("; ".join(problems))
        with self._lock:
            saved = self._load()
            if conn.name in saved and not replace:
                raise ValueError(f"a connection named {conn.name!r} exists already")
            saved[conn.name] = conn
            self._save(saved)

    def remove(self, name: str) -> bool:
        with self._lock:
            saved = self._load()
            if saved.pop(name, None) is None:
                return False
            self._save(saved)
            return True

    def resolve(self, spec: str | dict[str, Any] | S3Connection | None) -> S3Connection:
        """A connection from a name, an inline dict (binding files) or an S3Connection."""
        if isinstance(spec, S3Connection):
            return spec
        if isinstance(spec, dict):
            data = dict(spec)
            data.setdefault("name", data.get("endpoint_url") or "inline")
            for key in ("access_key", "secret_key"):  # keys may come from the environment
                env = data.pop(key + "_env", None)
                if env:
                    data[key] = os.environ.get(env, "")
            return S3Connection.from_dict(data)
        return self.get(spec or EMBEDDED_CONNECTION_NAME)

    def keys_of(self, name: str) -> tuple[str, str] | None:
        try:
            conn = self.get(name)
        except UnknownConnectionError:
            return None
        return (conn.access_key, conn.secret_key) if conn.access_key else None
