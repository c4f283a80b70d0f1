"""StorageService: the one Qt-free object the GUI's Buckets and Bindings pages (and the CLI) call.

Blocking calls (start_embedded, test_connection, list_buckets, upload) do network or process
work: the GUI runs them off the UI thread (e.g. `await asyncio.to_thread(service.test_connection,
…)` under qasync). Binding start/stop are coroutines on the engine's loop. Status changes arrive
on the `binding_status_changed` Topic (called on the loop's thread) as BindingStatus objects.

Bindings are saved in `<data dir>/bindings.json`; connections in `<data dir>/connections.json`
(0600); the embedded store lives in `<data dir>/seaweedfs/`.

The service does not wire the core: the Runtime (mediaflow_gui/runtime.py) makes it with the engine,
the ledger and the notifier every other run uses, and stops its watchers first when it closes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

from ..observe import Topic
from ..paths import write_private
from .bindings import Binding, BindingStatus
from .connections import ConnectionRegistry
from .embedded import EmbeddedStatus, EmbeddedStore
from .runner import RETRY_DELAYS, BindingRunner, retry_delays_for
from .s3 import Diagnosis, S3Connection, make_client, test_connection, upload_file
from .watcher import Ledger


def bindings_path() -> Path:
    from ..paths import data_dir
    return data_dir() / "bindings.json"


class StorageService:
    def __init__(self, engine: Any = None, *, embedded: EmbeddedStore | None = None,
                 connections: ConnectionRegistry | None = None, ledger: Ledger | None = None,
                 notifier: Any = None, bindings_file: str | os.PathLike[str] | None = None) -> None:
        self.embedded = embedded or EmbeddedStore()
        self.connections = connections or ConnectionRegistry(embedded=self.embedded)
        self.ledger = ledger or Ledger()
        self.bindings_file = Path(bindings_file) if bindings_file is not None else bindings_path()
        self.engine: Any = None
        self.notifier = notifier
        # how often a run that failed because a store was away (download/upload) is tried again, as a
        # new run after a back-off (runner.retry_delays_for); bad media is never retried. Settings →
        # Processing in the app, `mediaflow watch --retries N`; runners started from now on use it
        self.retries = len(RETRY_DELAYS)
        self._runners: dict[str, BindingRunner] = {}
        # every binding runner's status changes, on the loop's thread
        self.binding_status_changed: Topic[[BindingStatus]] = Topic("the bindings' status")
        if engine is not None:
            self.attach_engine(engine, notifier)

    def attach_engine(self, engine: Any, notifier: Any = None) -> None:
        """Use this engine for binding runs, and this notifier (the one subscribed to the engine's bus)
        for their events; without one, binding runs send no events."""
        self.engine = engine
        if notifier is not None:
            self.notifier = notifier

    # -- embedded store ---------------------------------------------------------------------------
    def embedded_status(self) -> EmbeddedStatus:
        return self.embedded.status()

    def start_embedded(self, timeout: float = 30.0) -> EmbeddedStatus:
        """Blocking (about a second): call off the UI thread. Raises EmbeddedStoreError."""
        return self.embedded.start(timeout)

    def stop_embedded(self) -> bool:
        return self.embedded.stop()

    def embedded_credentials(self) -> dict[str, str]:
        """What the Buckets page shows so that any S3 tool can upload (endpoint, region, keys)."""
        conn = self.embedded.connection()
        return {"endpoint_url": conn.endpoint_url, "region": conn.region, "access_key": conn.access_key,
                "secret_key": conn.secret_key, "addressing": conn.addressing}

    # -- connections --------------------------------------------------------------------------------
    def list_connections(self) -> list[S3Connection]:
        return self.connections.list()

    def connection_names(self) -> list[str]:
        """The names a binding or an upload can use: the embedded store's first, then the saved ones."""
        return self.connections.names()

    def connection(self, conn: str | dict[str, Any] | S3Connection) -> S3Connection:
        """The connection a name (or a binding file's inline dict) stands for; UnknownConnectionError if none."""
        return self.connections.resolve(conn)

    def add_connection(self, conn: S3Connection) -> None:
        self.connections.add(conn)

    def remove_connection(self, name: str) -> bool:
        return self.connections.remove(name)

    def test_connection(self, conn: str | S3Connection, bucket: str | None = None) -> Diagnosis:
        """Blocking: what exactly works or fails (DNS, refused, TLS, keys, bucket, access)."""
        return test_connection(self.connections.resolve(conn), bucket or None)

    def list_buckets(self, conn: str | S3Connection) -> list[str]:
        client = make_client(self.connections.resolve(conn), max_attempts=1)
        return sorted(b["Name"] for b in client.list_buckets().get("Buckets", []))

    def create_bucket(self, conn: str | S3Connection, bucket: str) -> None:
        make_client(self.connections.resolve(conn)).create_bucket(Bucket=bucket)

    def upload(self, conn: str | S3Connection, bucket: str, path: str | os.PathLike[str],
               key: str | None = None) -> str:
        """The Upload… button: one local file into a bucket (blocking). Returns the s3:// URL."""
        path = Path(path)
        return upload_file(make_client(self.connections.resolve(conn)), path, bucket, key or path.name)

    # -- bindings: storage ------------------------------------------------------------------------------
    def _load(self) -> dict[str, Binding]:
        try:
            data = json.loads(self.bindings_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        out = {}
        for raw in data.get("bindings", []):
            b = Binding.from_dict(raw, source=str(self.bindings_file))
            if not b.id:  # written by hand without one: the same id `mediaflow watch` would derive
                b.id = self.ledger.binding_id_for(b.identity(), b.derived_id(), b.name)
            out[b.id] = b
        return out

    def _save(self, bindings: dict[str, Binding]) -> None:
        self.bindings_file.parent.mkdir(parents=True, exist_ok=True)
        # 0600: an inline webhook secret may be in there
        write_private(self.bindings_file, json.dumps(
            {"version": 1, "bindings": [b.to_dict() for b in bindings.values()]}, indent=2, ensure_ascii=False))

    def list_bindings(self) -> list[Binding]:
        return list(self._load().values())

    def get_binding(self, binding_id: str) -> Binding:
        bindings = self._load()
        if binding_id not in bindings:
            raise KeyError(f"no binding {binding_id}")
        return bindings[binding_id]

    def save_binding(self, binding: Binding) -> Binding:
        """Create or update (by id). ValueError listing every problem. A running binding keeps its
        old settings until it is stopped and started again."""
        problems = binding.problems()
        if problems:
            raise ValueError("; ".join(problems))
        bindings = self._load()
        bindings[binding.id] = binding
        self._save(bindings)
        return binding

    async def delete_binding(self, binding_id: str) -> bool:
        await self.stop_binding(binding_id)
        bindings = self._load()
        if bindings.pop(binding_id, None) is None:
            return False
        self._save(bindings)
        self.ledger.clear_binding(binding_id)
        return True

    # -- bindings: running ---------------------------------------------------------------------------------
    async def start_binding(self, binding_id: str) -> BindingStatus:
        if self.engine is None:
            raise RuntimeError("no engine attached: call attach_engine() first")
        runner = self._runners.get(binding_id)
        if runner is not None and runner.running:
            return runner.status
        binding = self.get_binding(binding_id)
        runner = BindingRunner(binding, self.engine, connections=self.connections, ledger=self.ledger,
                               notifier=self.notifier, retry_delays=retry_delays_for(self.retries))
        runner.status_changed.subscribe(self.binding_status_changed.emit)
        self._runners[binding_id] = runner
        await runner.start()
        return runner.status

    async def watch(self, binding: Binding, on_status: tuple[Callable[[BindingStatus], None], ...] = ()
                    ) -> BindingRunner:
        """Watch for a binding that need not be saved (`mediaflow watch`); `on_status` subscribe to its
        status before it starts. Its runner is stopped with the others (stop_watchers). Raises what
        BindingRunner.start raises."""
        if self.engine is None:
            raise RuntimeError("no engine attached: call attach_engine() first")
        runner = BindingRunner(binding, self.engine, connections=self.connections, ledger=self.ledger,
                               notifier=self.notifier, retry_delays=retry_delays_for(self.retries))
        for callback in (*on_status, self.binding_status_changed.emit):
            runner.status_changed.subscribe(callback)
        await runner.start()  # gives a binding without an id the one derived from what it watches
        self._runners[binding.id] = runner
        return runner

    async def stop_binding(self, binding_id: str) -> None:
        runner = self._runners.get(binding_id)
        if runner is not None:
            await runner.stop()

    def binding_status(self, binding_id: str) -> BindingStatus:
        runner = self._runners.get(binding_id)
        if runner is not None:
            return runner.status
        binding = self.get_binding(binding_id)
        status = BindingStatus(binding.id, binding.name)
        history = self.ledger.history(binding_id, 1)
        if history:
            row = history[0]
            status.last_activity = {"time": row["time"], "key": row["key"], "task_id": row["task_id"],
                                    "result": row["result"]}
        return status

    def binding_history(self, binding_id: str, limit: int = 20) -> list[dict[str, Any]]:
        return self.ledger.history(binding_id, limit)

    def runner(self, binding_id: str) -> BindingRunner | None:
        return self._runners.get(binding_id)

    async def start_enabled(self) -> list[str]:
        """Start every enabled binding; returns one line per binding that could not start."""
        problems = []
        for binding in self.list_bindings():
            if binding.enabled:
                try:
                    await self.start_binding(binding.id)
                except (ValueError, RuntimeError) as exc:
                    problems.append(str(exc))
        return problems

    def runners(self) -> list[BindingRunner]:
        return list(self._runners.values())

    async def stop_watchers(self) -> None:
        """Stop watching every bucket (runs already started go on; the Runtime cancels them next)."""
        for runner in self.runners():
            await runner.stop()  # also releases the binding's lock when its start failed half-way
