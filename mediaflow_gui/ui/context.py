"""AppContext: what one running GUI shares — settings, app-wide signals, the Runtime (task store, bus,
engine, notifier with the global event targets, storage service: mediaflow_gui/runtime.py), the engine
adapter and the storage controller (embedded bucket store, connections, watched-bucket bindings).

The Runtime is made here from the GUI's settings and closed here, in its reverse order, when the app
quits: the adapter and the storage controller only stop listening.

One shutdown path: `shutdown()` stops the storage controller's work, then closes the Runtime (watchers
stopped, runs canceled and awaited, their events sent, stores closed). Whatever ends the app — the
window closed (its Quit action closes it), Qt's aboutToQuit, a signal handler — calls
`request_shutdown()`, which starts that one shutdown once; app.py runs the loop until it is done
(`run_until_shutdown()`).

Where steps run — this computer or the Dask cluster of Settings → Execution — is applied here too
(`apply_cluster_settings()`: Runtime.use_cluster in a worker thread, at start and after the settings
dialog); `execution` holds the outcome the status bar shows."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..cluster.settings import ClusterSettings
from ..notify.global_targets import EventTargetsFileError
from ..notify.sinks import EventTargets
from ..runtime import Runtime, RuntimeSettings
from .engine_adapter import EngineAdapter, engine_settings
from .execution import ExecutionState
from .i18n import translate
from .settings import AppSettings
from .signals import AppSignals

if TYPE_CHECKING:
    from .buckets.controller import StorageController

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: AppSettings
    signals: AppSignals
    runtime: Runtime
    adapter: EngineAdapter
    storage: "StorageController | None" = None
    problems: list[str] = field(default_factory=list)  # said on the status bar once the window is up
    api: Any = None  # the local MPS API (api/service.py ApiService) while Settings → MPS API has it on
    # where new runs go (this computer, or the Dask cluster of Settings → Execution); the status bar shows it
    execution: ExecutionState = field(default_factory=ExecutionState)
    _cluster_applied: ClusterSettings | None = field(default=None, init=False, repr=False)  # use_cluster took these
    _cluster_lock: asyncio.Lock | None = field(default=None, init=False, repr=False)  # one use_cluster at a time
    _shutdown: "asyncio.Future[None] | None" = field(default=None, init=False, repr=False)
    _requested: asyncio.Event | None = field(default=None, init=False, repr=False)

    @classmethod
    def create(cls, *, embedded: Any = None, with_storage: bool = True, stop_embedded_on_quit: bool = True,
               **storage_options: bool) -> "AppContext":
        """`embedded`: an EmbeddedStore to use instead of the data dir's (tests share one);
        `stop_embedded_on_quit`: quitting stops the embedded store if this process started it;
        `storage_options` go to StorageController (create_defaults)."""
        settings = AppSettings()
        signals = AppSignals()
        problems: list[str] = []
        runtime_settings = RuntimeSettings(engine=engine_settings(settings), storage=with_storage,
                                           embedded=embedded, stop_embedded=stop_embedded_on_quit)
        try:
            runtime = Runtime(None, runtime_settings)
        except EventTargetsFileError as exc:  # the app still starts; runs send no events until it is fixed
            log.warning("%s", exc)
            problems.append(translate("AppContext", "Run events are not sent: {0}").format(exc))
            runtime_settings.event_targets = EventTargets()
            runtime = Runtime(None, runtime_settings)
        adapter = EngineAdapter(signals, settings, runtime)
        storage = None
        if with_storage:
            from .buckets.controller import StorageController
            storage = StorageController(runtime.storage, adapter, settings, signals, **storage_options)
        return cls(settings, signals, runtime, adapter, storage, problems)

    def start(self) -> None:
        """Once the window is shown, on the running loop: the embedded store and enabled bindings."""
        for problem in self.problems:
            self.signals.status_message.emit(problem)
        if self.storage is not None:
            self.storage.startup()
        if self.settings.api_enabled:
            asyncio.ensure_future(self.apply_api_settings())
        if self.settings.cluster_enabled:  # connects in a worker thread; runs go to this computer meanwhile
            asyncio.ensure_future(self._apply_cluster_at_start())

    async def apply_api_settings(self) -> str:
        """Start, stop or move the local MPS API as the settings say (on the running loop); returns
        what happened, also said on the status bar. A taken port is a message, never an exception."""
        want = self.settings.api_enabled
        port = self.settings.api_port
        if self.api is not None and (not want or self.api.server.port != port):
            api, self.api = self.api, None
            await api.close()
            if not want:
                return self._say_api(translate("AppContext", "The MPS API stopped"))
        if not want or self.api is not None:
            return ""
        from ..api.service import ApiService
        try:
            service = ApiService(self.runtime, port=port)
            await service.start()
        except (OSError, ValueError) as exc:
            return self._say_api(translate("AppContext", "The MPS API could not listen on 127.0.0.1:{0}: {1}").format(port, exc))
        self.api = service
        return self._say_api(translate("AppContext", "The MPS API answers on {0}").format(f"http://{service.endpoint}"))

    async def apply_cluster_settings(self) -> ExecutionState:
        """Run steps where Settings → Execution says: Runtime.use_cluster (blocking: it connects to the
        scheduler) in a worker thread, one call at a time, the newest settings last. Nothing is done when
        the runtime already uses these settings (the dialog's OK without a change). A refusal — scheduler
        unreachable, no workers, a bad address — is a status-bar message and a warning in the status bar's
        cluster label, never an exception, and steps run on this computer (a cluster used before is let
        go: it is not the one the settings ask for). Returns the new state, also sent on
        `signals.execution_changed`."""
        if self._cluster_lock is None:
            self._cluster_lock = asyncio.Lock()
        async with self._cluster_lock:
            wanted = self.settings.cluster_settings()
            if self._shutdown is not None:  # quitting: the runtime is closing
                return self.execution
            address = wanted.normalized_address() if wanted.enabled else ""
            if not wanted.enabled and not self.execution.address:
                self._cluster_applied = wanted  # never left this computer: nothing to undo
                return self.execution
            if wanted == self._cluster_applied and (self.execution.on_cluster or not wanted.enabled):
                return self.execution
            previous = self.execution
            if wanted.enabled:
                self._set_execution(ExecutionState(address, connecting=True))
            try:
                info = await asyncio.to_thread(self.runtime.use_cluster, wanted if wanted.enabled else None)
            except Exception as exc:  # ClusterUnreachable, ValueError (settings) or anything else: said, not raised
                log.warning("could not use the Dask cluster at %s: %s", address, exc)
                self._cluster_applied = None
                await self._back_to_this_computer()
                self.signals.status_message.emit(
                    translate("AppContext", "Could not use the Dask cluster at {0}: {1}. Runs stay on this computer.")
                    .format(address or previous.address, exc))
                return self._set_execution(ExecutionState(address, error=str(exc)) if wanted.enabled
                                           else ExecutionState())
            self._cluster_applied = wanted
            if wanted.enabled and info is not None:
                self.signals.status_message.emit(translate("AppContext", "Runs now go to the Dask cluster at {0}")
                                                 .format(address))
                return self._set_execution(ExecutionState(address, info=info))
            if previous.on_cluster:
                self.signals.status_message.emit(translate("AppContext", "Runs now go to this computer"))
            return self._set_execution(ExecutionState())

    async def _back_to_this_computer(self) -> None:
        """After a refusal: the runtime kept what it had; a cluster from before is let go too."""
        try:
            if self.runtime.cluster_info() is not None:
                await asyncio.to_thread(self.runtime.use_cluster, None)
        except Exception as exc:  # use_cluster(None) connects nothing; a failure is still only logged
            log.warning("could not stop using the previous Dask cluster: %s", exc)

    async def _apply_cluster_at_start(self, wait_store: float = 60.0) -> ExecutionState:
        """At start, staging through the embedded store: the storage controller's start of that store
        (begun just before) ends first — Runtime.use_cluster would otherwise start it a second time."""
        if self.storage is not None and not self.settings.cluster_staging_connection:
            deadline = asyncio.get_running_loop().time() + wait_store
            while self.storage.embedded.state == "starting" and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.1)
        return await self.apply_cluster_settings()

    def refresh_execution(self) -> ExecutionState:
        """On a cluster: its workers as the runtime last saw them (Runtime.cluster_info, non-blocking; the
        runtime refreshes them while runs go out), said on `execution_changed` when they changed."""
        if not self.execution.on_cluster:
            return self.execution
        info = self.runtime.cluster_info()
        if info is None or info == self.execution.info:
            return self.execution
        return self._set_execution(ExecutionState(self.execution.address, info=info))

    def _set_execution(self, state: ExecutionState) -> ExecutionState:
        self.execution = state
        self.signals.execution_changed.emit(state)
        return state

    def _say_api(self, text: str) -> str:
        log.info("%s", text)
        self.signals.status_message.emit(text)
        return text

    def request_shutdown(self) -> "asyncio.Future[None]":
        """Start the shutdown on the running loop, once (a Qt slot or a signal handler may call this
        any number of times); the future it returns is done when the app may exit."""
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._shut_down())
            if self._requested is not None:
                self._requested.set()
        return self._shutdown

    async def shutdown(self) -> None:
        """Quit: the storage controller's own work stops, then the Runtime closes in reverse order —
        watchers stopped, runs canceled and awaited (the task list shows them CANCELED), their events
        sent, ledger and task store closed, the embedded store stopped if we started it. The one
        shutdown: a second call waits for the first."""
        await self.request_shutdown()

    async def run_until_shutdown(self) -> None:
        """Wait (on the running loop) until something requests the shutdown, then until it is done."""
        if self._shutdown is None:
            self._requested = asyncio.Event()
            await self._requested.wait()
        await self.request_shutdown()

    async def _shut_down(self) -> None:
        if self._cluster_lock is not None and self._cluster_lock.locked():
            # a connection under way ends first, so the runtime's close finds (and closes) its client
            try:
                wait = self.settings.cluster_settings().connect_timeout + 10
                await asyncio.wait_for(self._cluster_lock.acquire(), wait)
                self._cluster_lock.release()
            except asyncio.TimeoutError:
                log.warning("quitting while a Dask cluster connection is still under way")
        if self.api is not None:  # no new requests while the runtime closes
            api, self.api = self.api, None
            await api.close()
        if self.storage is not None:
            await self.storage.shutdown()
        await self.runtime.aclose()
        self.close()

    def close(self) -> None:
        """Synchronous last step (also after shutdown): stop listening, close what is still open."""
        if self.api is not None:  # closed without shutdown(): stop listening at least
            api, self.api = self.api, None
            api.close_now()
        if self.storage is not None:
            self.storage.close()
        self.adapter.close()
        self.runtime.close()  # nothing left after shutdown(); else closes without waiting for runs
        self.settings.sync()
