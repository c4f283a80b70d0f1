"""AppContext: what one running GUI shares — settings, app-wide signals, the Runtime (task store, bus,
engine, notifier with the global event targets, storage service: mediaflow_gui/runtime.py), the engine
adapter and the storage controller (embedded bucket store, connections, watched-bucket bindings).

The Runtime is made here from the GUI's settings and closed here, in its reverse order, when the app
quits: the adapter and the storage controller only stop listening.

One shutdown path: `shutdown()` stops the storage controller's work, then closes the Runtime (watchers
stopped, runs canceled and awaited, their events sent, stores closed). Whatever ends the app — the
window closed (its Quit action closes it), Qt's aboutToQuit, a signal handler — calls
`request_shutdown()`, which starts that one shutdown once; app.py runs the loop until it is done
(`run_until_shutdown()`)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..notify.global_targets import EventTargetsFileError
from ..notify.sinks import EventTargets
from ..runtime import Runtime, RuntimeSettings
from .engine_adapter import EngineAdapter, engine_settings
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
