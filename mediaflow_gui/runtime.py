"""The Runtime: the core of one MediaFlow process — task store, event bus, engine, notifier and, when
asked, the storage service — built in one stated order and closed in the reverse one.

The GUI (ui/context.py), the CLI (`run`, `run … s3://…`, `watch`) and the tests start from here instead
of wiring these parts by hand, so every run, however it was started, reaches the same task store and
the same notifier with the user's event targets. No Qt.

Open, in this order (each part is named in `Runtime.parts` as it is made):
  1. embedded store   only with storage: a handle to `<data dir>/seaweedfs` (or the one given); the
                      process starts only when asked (`start_embedded()`, the GUI's StorageController)
  2. task store       `<data dir>/tasks.sqlite3`
  3. event bus        the task store subscribes first, so whoever hears an event later finds its effect
                      in the store
  4. ledger           only with storage: the objects seen and the uploads made (the notifier puts the
                      uploads' URLs into the event)
  5. notifier         the global targets (`<data dir>/event_targets.json`, notify/global_targets.py, or
                      RuntimeSettings.event_targets) plus one-off ones (the CLI's --webhook …);
                      subscribed after the store
  5b. cluster         a place for the Dask cluster runs may use (`use_cluster()`, cluster/): nothing is
                      connected until asked; closed after the runs were canceled (they use it to stop)
  6. engine           runs; all runs share its thread budget
  7. storage service  only with storage: connections, bindings and their watchers

Close, in the reverse order:
  7. stop the watchers: no new runs start
  6. cancel the runs still running and wait, at most `cancel_timeout`, until each recorded its end
  5. flush and close the notifier: at most `notify_timeout` (plus its stop grace, notify/notifier.py)
     for the events still going out — those of the runs just canceled included
  4. close the ledger
  3. the bus holds nothing to release
  2. close the task store (its writer commits first)
  1. stop the embedded store, if this process started it and `stop_embedded` is on

Why the runs are canceled rather than awaited: closing a runtime means the program is quitting (the
window closed, the service manager's SIGTERM, a second Ctrl-C), and a run may take hours. A caller that
wants its runs to finish waits for them before it closes: `mediaflow run` waits for each TaskId,
`watch` on Ctrl-C waits for its runs. A canceled run is recorded CANCELED with its FFmpeg stopped; its
event goes out like any other (step 5 comes after step 6 for that reason). The embedded store stops
last because the runs and watchers use it until they stop.

`async with Runtime(…) as rt` closes with `aclose()` (the waiting steps on the loop, the blocking ones —
notifier, store, embedded store — in a worker thread, so a GUI loop keeps turning); `with Runtime(…)`
closes with `close()`, which cannot wait: it asks running runs to cancel and goes on (for code without
runs in flight, or after the loop has ended).
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

from .engine.engine import Engine, EngineSettings
from .engine.events import EventBus
from .engine.store import TaskStore
from .notify.global_targets import global_targets_path, load_global_targets
from .notify.notifier import EventNotifier
from .notify.sinks import EventTargets, Sink, make_sinks
from .storage.connections import ConnectionRegistry

log = logging.getLogger(__name__)


@dataclass
class RuntimeSettings:
    """What a Runtime is made of (plain data: the GUI fills it from its settings, the CLI from flags)."""

    engine: EngineSettings = field(default_factory=EngineSettings)
    # the targets of every run; None: read `<data dir>/event_targets.json` (what the GUI's settings edit)
    event_targets: EventTargets | None = None
    # one-off targets on top of them, for this process only (the CLI's --webhook/--sqs/--jsonl)
    extra_targets: EventTargets = field(default_factory=EventTargets)
    # build the storage service: embedded store handle, ledger, connections, bindings
    storage: bool = False
    embedded: Any = None  # an EmbeddedStore to use (tests share one); None: `<data dir>/seaweedfs`
    # run steps on a Dask cluster (cluster/settings.ClusterSettings); None: this computer. Connected by
    # `use_cluster()` (blocking), which the CLI and the GUI call; the constructor does not connect
    cluster: Any = None
    stop_embedded: bool = True  # close() stops the embedded store when this process started it
    cancel_timeout: float = 10.0  # close(): seconds canceled runs get to record their end
    notify_timeout: float = 10.0  # close(): seconds the notifier gets for events still going out


@dataclass
class _Part:
    """One made part and how it closes (closers look their part up when called: tests may wrap it)."""

    name: str
    close: Callable[[], None]  # blocking; aclose() runs it in a worker thread
    aclose: Callable[[], Awaitable[None]] | None = None  # the waiting form, used by aclose() instead


class Runtime:
    """One process's core. Attributes (None when not built): `store`, `bus`, `engine`, `notifier`,
    `connections`; with storage: `embedded`, `ledger`, `storage`."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None,
                 settings: RuntimeSettings | None = None) -> None:
        if data_dir is None:
            from .paths import data_dir as default_data_dir
            data_dir = default_data_dir()
        self.data_dir = Path(data_dir)
        self.settings = settings if settings is not None else RuntimeSettings()
        self.targets_path = global_targets_path(self.data_dir)
        self.parts: list[str] = []  # names in the order they were made (close goes the other way)
        self.closed: list[str] = []  # names in the order they were closed
        self._stack: list[_Part] = []
        self._closing = False
        s = self.settings
        self.embedded: Any = None
        self.ledger: Any = None
        self.storage: Any = None
        try:
            # read first: a broken targets file is refused before anything is opened
            global_targets = s.event_targets if s.event_targets is not None else load_global_targets(self.targets_path)
            if s.storage:
                from .storage.embedded import EmbeddedStore
                self.embedded = s.embedded if s.embedded is not None else EmbeddedStore(self.data_dir / "seaweedfs")
                self._push("embedded store", self._stop_embedded)
            self.connections = ConnectionRegistry(self.data_dir / "connections.json", embedded=self.embedded)

            self.store = TaskStore(self.data_dir / "tasks.sqlite3", work_root=s.engine.work_dir)
            self._push("task store", lambda: self.store.close())
            self.bus = EventBus()
            self.store.attach(self.bus)
            self._push("event bus", lambda: None)
            if s.storage:
                from .storage.watcher import Ledger
                self.ledger = Ledger(self.data_dir / "storage.sqlite3")
                self._push("ledger", lambda: self.ledger.close())
            self.global_targets = global_targets
            self.notifier = EventNotifier(self.store, self._sinks(global_targets),
                                     deliveries=self.ledger.deliveries if self.ledger is not None else None)
            self.notifier.attach(self.bus)
            self._push("notifier", self._close_notifier)
            self._cluster: Any = None  # cluster.dispatcher.ClusterUnits while runs go to a cluster
            self._staging_store: Any = None  # an embedded store started only to stage a cluster's files
            self._push("cluster", self._close_cluster)
            self.engine = Engine(self.store, self.bus, s.engine)
            self._push("engine", self._cancel_runs_now, self._cancel_and_wait_runs)
            if s.storage:
                from .storage.service import StorageService
                self.storage = StorageService(self.engine, embedded=self.embedded, connections=self.connections,
                                              ledger=self.ledger, notifier=self.notifier,
                                              bindings_file=self.data_dir / "bindings.json")
                self._push("storage service", self._abandon_watchers, lambda: self.storage.stop_watchers())
        except BaseException:
            self.close()  # what was opened is closed again, in reverse
            raise

    def _push(self, name: str, close: Callable[[], None],
              aclose: Callable[[], Awaitable[None]] | None = None) -> None:
        self._stack.append(_Part(name, close, aclose))
        self.parts.append(name)

    # -- event targets ------------------------------------------------------------------------------
    def _sinks(self, global_targets: EventTargets) -> list[Sink]:
        extra = self.settings.extra_targets
        merged = EventTargets(webhooks=global_targets.webhooks + extra.webhooks, sqs=global_targets.sqs + extra.sqs,
                              jsonl=global_targets.jsonl + extra.jsonl)
        return make_sinks(merged, self.connections.keys_of)

    def set_global_targets(self, targets: EventTargets) -> None:
        """Use these targets for the events of runs that end from now on (the GUI's settings changed)."""
        self.global_targets = targets
        self.notifier.sinks = self._sinks(targets)  # one assignment: an event in flight keeps its sinks

    def reload_global_targets(self) -> EventTargets:
        """Read `<data dir>/event_targets.json` again and use it (EventTargetsFileError if it is broken:
        the targets in use stay as they were)."""
        targets = load_global_targets(self.targets_path)
        self.set_global_targets(targets)
        return targets

    # -- a Dask cluster -------------------------------------------------------------------------------
    def use_cluster(self, settings: Any = None) -> Any:
        """Run steps on the Dask cluster `settings` (cluster/settings.ClusterSettings) from now on, or on
        this computer for None / an empty address. Blocking (it connects): call it off the GUI thread.

        Returns the cluster's ClusterInfo (None for this computer). Raises ValueError for settings with
        problems, cluster.info.ClusterUnreachable when the scheduler, its workers or the staging store do
        not answer; the runtime then goes on as it was. Steps already out on a cluster finish there."""
        from .cluster.dispatcher import ClusterUnits
        from .cluster.info import check_reachable

        if settings is None or not settings.enabled:
            self._swap_cluster(None)
            return None
        problems = settings.problems()
        if problems:
            raise ValueError("; ".join(problems))
        # a closed port or an unknown host is said at once (Dask's connect retries until its timeout),
        # before an embedded staging store is started for nothing
        check_reachable(settings.normalized_address(), settings.connect_timeout)
        units = ClusterUnits(settings, self._staging_connection(settings))
        info = units.connect()
        self._swap_cluster(units)
        return info

    def cluster_info(self) -> Any:
        """The cluster's workers as last seen (ClusterInfo), or None when runs go to this computer."""
        return self._cluster.info() if self._cluster is not None else None

    def _staging_connection(self, settings: Any) -> Any:
        """The S3 connection files travel through: the one named, else the embedded store (started here
        when this runtime has none running: `mediaflow run --cluster` needs no bucket of its own)."""
        if settings.staging_connection:
            return self.connections.get(settings.staging_connection)
        embedded = self.embedded
        if embedded is None:
            if self._staging_store is None:
                from .storage.embedded import EmbeddedStore
                self._staging_store = EmbeddedStore(self.data_dir / "seaweedfs")
            embedded = self._staging_store
        if not embedded.health_check():
            embedded.start(30.0)
        return embedded.connection()  # what the registry's "embedded" connection stands for

    def _swap_cluster(self, units: Any) -> None:
        old, self._cluster = self._cluster, units
        self.engine.remote = units
        if old is not None:  # steps still out there finish there; the client goes when they have
            old.close_when_idle()

    def _close_cluster(self) -> None:
        """Closed after the engine's runs were canceled (they need the client to stop their workers)."""
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        if self._staging_store is not None:
            self._staging_store.stop()  # only if this runtime started it

    # -- the embedded store -------------------------------------------------------------------------
    async def start_embedded(self, timeout: float = 30.0) -> Any:
        """Start the embedded store unless it answers already (in a worker thread: it takes about a
        second). Returns its EmbeddedStatus when this call started it, None when it was running.
        Raises EmbeddedStoreError; RuntimeError without storage."""
        if self.embedded is None:
            raise RuntimeError("this runtime has no storage: RuntimeSettings(storage=True)")
        embedded = self.embedded

        def ensure() -> Any:
            if embedded.health_check():
                return None
            return embedded.start(timeout)
        return await asyncio.to_thread(ensure)

    # -- closing --------------------------------------------------------------------------------------
    def _stop_embedded(self) -> None:
        if self.settings.stop_embedded:
            self.embedded.stop()  # only if this process started it

    def _close_notifier(self) -> None:
        self.notifier.close(self.settings.notify_timeout)

    def _cancel_all(self) -> list[str]:
        """Ask every running run to cancel; their TaskIds (they record their end as they stop)."""
        running = self.engine.running()
        for task_id in running:
            self.engine.cancel(task_id)
        return running

    def _cancel_runs_now(self) -> None:
        running = self._cancel_all()
        if running:
            log.warning("closing without waiting: %d run(s) asked to cancel (%s)", len(running), ", ".join(running))

    async def _cancel_and_wait_runs(self) -> None:
        running = self._cancel_all()
        if not running:
            return
        try:
            await asyncio.wait_for(asyncio.gather(*(self.engine.wait(t) for t in running), return_exceptions=True),
                                   self.settings.cancel_timeout)
        except asyncio.TimeoutError:
            log.warning("runs still busy %.0f s after they were canceled: %s", self.settings.cancel_timeout,
                        ", ".join(t for t in running if t in self.engine.running()))

    def _abandon_watchers(self) -> None:
        running = [r.binding.name for r in self.storage.runners() if r.running]
        if running:
            log.warning("closing without stopping the watchers of %s: they end with their event loop",
                        ", ".join(running))

    async def aclose(self) -> None:
        """Close every part in reverse order (see the module docstring); the second call does nothing."""
        for part in self._parts_to_close():
            with self._closing_step(part):
                if part.aclose is not None:
                    await part.aclose()
                else:
                    await asyncio.to_thread(part.close)

    def close(self) -> None:
        """Close without waiting: running runs are asked to cancel, watchers are left to their loop, the
        rest closes as in aclose(). The second call (or one after aclose()) does nothing."""
        for part in self._parts_to_close():
            with self._closing_step(part):
                part.close()

    def _parts_to_close(self) -> Iterator[_Part]:
        """Each part still open, the last made first; nothing once closing has begun."""
        if self._closing:
            return
        self._closing = True
        while self._stack:
            yield self._stack.pop()

    @contextmanager
    def _closing_step(self, part: _Part) -> Iterator[None]:
        """One part closes: it counts as closed after, and a failure is logged so the others still close."""
        try:
            yield
        except Exception:  # one part that fails to close must not keep the others open
            log.exception("closing the %s failed", part.name)
        self.closed.append(part.name)

    @property
    def is_closed(self) -> bool:
        return self._closing

    def __enter__(self) -> "Runtime":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> "Runtime":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
