"""StorageController: the GUI's handle on the Qt-free StorageService.

It starts the embedded SeaweedFS store in a pool thread when the app starts (the window is up at
once; the Buckets page shows "starting…", then "running at …" or the reason it could not start),
creates the first-start defaults (an input and an output bucket and a binding of the standard
workflow to them) and starts the enabled bindings. On quit it stops the bindings and its own pending
work; the Runtime (mediaflow_gui/runtime.py), which made the service with the app's engine, ledger
and notifier, then cancels the runs, sends their events and stops the store it started.

Everything blocking goes to a pool thread (`run_in_thread`); binding start/stop are coroutines
scheduled on the running qasync loop. Results and failures come back as Qt signals, so pages
show errors in place instead of raising.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal

from ...model.serialization import load_workflow, save_workflow
from ...paths import data_dir, sample_workflow_path
from ...storage.bindings import Binding, BindingStatus
from ...storage.embedded import EMBEDDED_CONNECTION_NAME
from ...storage.service import StorageService
from ...model.plan import resolved_workflow
from ..engine_adapter import EngineAdapter
from ..settings import AppSettings
from ..signals import AppSignals
from ..workers import run_in_thread

log = logging.getLogger(__name__)

DEFAULT_INPUT_BUCKET = "mediaflow-in"
DEFAULT_OUTPUT_BUCKET = "mediaflow-out"
DEFAULT_BINDING_NAME = "Standard workflow"


@dataclass
class EmbeddedState:
    """What the Buckets page shows about the embedded store."""

    state: str = "off"  # off | starting | running | stopping | stopped | error
    message: str = ""
    notice: str = ""  # the store's supervisor: "restarted at 15:20:03 after it was killed by SIGKILL"
    endpoint_url: str = ""
    region: str = "us-east-1"
    access_key: str = ""
    secret_key: str = field(default="", repr=False)

    @property
    def text(self) -> str:
        # the Buckets page's status line, in the UI's language (the notice is the supervisor's own words)
        translate = QCoreApplication.translate
        if self.state == "starting":
            return self.notice or translate("EmbeddedState", "starting…")
        if self.state == "running":
            return (translate("EmbeddedState", "running at {0}").format(self.endpoint_url)
                    + (f" — {self.notice}" if self.notice else ""))
        if self.state == "stopping":
            return translate("EmbeddedState", "stopping…")
        if self.state == "stopped":
            return translate("EmbeddedState", "stopped")
        if self.state == "error":
            return translate("EmbeddedState", "could not start")
        return translate("EmbeddedState", "not started (turned off in the setting below)")


def default_workflow_path() -> Path:
    """The user's copy of the standard workflow that the default binding runs (made once)."""
    return data_dir() / "workflows" / "standard.mfw.json"


class StorageController(QObject):
    # the embedded store's state, message or keys changed: ()
    embedded_changed = Signal()
    # the saved bindings changed (created, edited, deleted, defaults made): ()
    bindings_changed = Signal()
    # a binding's live status changed: (BindingStatus)
    binding_status_changed = Signal(object)
    # an operation on a binding failed: (binding id, message a person can act on)
    binding_error = Signal(str, str)
    # the store's supervisor restarted weed or gave up, from its own thread: (SupervisionState)
    _supervision = Signal(object)

    def __init__(self, service: StorageService, adapter: EngineAdapter, settings: AppSettings,
                 signals: AppSignals, *, create_defaults: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        service.retries = settings.store_retries  # bindings started from now on (Settings → Processing)
        self.adapter = adapter
        self.settings = settings
        self.signals = signals
        self.create_defaults = create_defaults
        self.embedded = EmbeddedState()
        self.statuses: dict[str, BindingStatus] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started_store = False
        self._closed = False
        self._finalized = False
        self._unsubscribe = [service.binding_status_changed.subscribe(self._on_binding_status)]
        self._supervision.connect(self._on_supervision)  # queued: emitted on the supervisor's thread
        self._unsubscribe.append(service.embedded.supervision_changed.subscribe(self._supervision.emit))

    # -- settings -----------------------------------------------------------------------------------
    @property
    def autostart(self) -> bool:
        """Start the embedded store when MediaFlow starts (default on)."""
        return self.settings.start_embedded

    @autostart.setter
    def autostart(self, value: bool) -> None:
        self.settings.start_embedded = value

    # -- startup ------------------------------------------------------------------------------------
    def startup(self) -> None:
        """Called once the window is up (needs the running loop): store, defaults, enabled bindings."""
        if self.autostart:
            self.start_embedded(then=self._after_store)
        else:
            self.embedded.state, self.embedded.message = "off", ""
            self.embedded_changed.emit()
            self._start_enabled()

    def _after_store(self, ok: bool) -> None:
        if ok and self.create_defaults and not self.settings.storage_defaults_created:
            run_in_thread(self._make_defaults, lambda made: self._defaults_done(made), self._defaults_failed,
                          context=self)
        else:
            self._start_enabled()

    def _make_defaults(self) -> bool:
        """Pool thread: the default buckets and, when no binding exists yet, the default binding."""
        existing = set(self.service.list_buckets(EMBEDDED_CONNECTION_NAME))
        for bucket in (DEFAULT_INPUT_BUCKET, DEFAULT_OUTPUT_BUCKET):
            if bucket not in existing:
                self.service.create_bucket(EMBEDDED_CONNECTION_NAME, bucket)
        if self.service.list_bindings():
            return False  # the user (or the CLI) has bindings already: do not add ours
        workflow = default_workflow_path()
        if not workflow.exists():
            # a copy the user may edit; its relative watermark image path would break once the file
            # lives in the data dir, so the copy refers to the image by its absolute path
            save_workflow(resolved_workflow(load_workflow(sample_workflow_path())), workflow)
        # enabled: a first-time user who uploads into mediaflow-in expects a run without more setup
        self.service.save_binding(Binding(
            name=DEFAULT_BINDING_NAME, workflow=str(workflow), input_bucket=DEFAULT_INPUT_BUCKET,
            output_bucket=DEFAULT_OUTPUT_BUCKET, input_connection=EMBEDDED_CONNECTION_NAME,
            output_connection=EMBEDDED_CONNECTION_NAME, output_prefix="", enabled=True))
        return True

    def _defaults_done(self, made_binding: bool) -> None:
        self.settings.storage_defaults_created = True
        if made_binding:
            self.bindings_changed.emit()
        self._start_enabled()

    def _defaults_failed(self, exc: BaseException) -> None:
        self.signals.status_message.emit(self.tr("Could not create the default buckets: {0}").format(exc))
        self._start_enabled()

    def _start_enabled(self) -> None:
        async def start() -> None:
            for problem in await self.service.start_enabled():
                self.signals.status_message.emit(problem)
            self._refresh_statuses()
        self.spawn(start(), self.tr("starting the enabled bindings"))

    # -- the embedded store ------------------------------------------------------------------------
    def start_embedded(self, then: Callable[[bool], None] | None = None) -> None:
        """Start (or adopt) the embedded store in a pool thread; `then(ok)` on the GUI thread."""
        if self.embedded.state in ("starting", "stopping"):
            return
        self.embedded.state, self.embedded.message, self.embedded.notice = "starting", "", ""
        self.embedded_changed.emit()
        service = self.service

        def work() -> tuple[Any, dict[str, str]]:
            status = service.start_embedded()
            return status, service.embedded_credentials()

        def done(result: tuple[Any, dict[str, str]]) -> None:
            status, creds = result
            self._started_store = self._started_store or bool(service.embedded.owned)
            self._set_credentials(creds)
            self.embedded.state, self.embedded.message = "running", status.message
            self.embedded_changed.emit()
            self.signals.status_message.emit(self.tr("Embedded bucket store running at {0}").format(self.embedded.endpoint_url))
            if then is not None:
                then(True)

        def failed(exc: BaseException) -> None:
            self.embedded.state, self.embedded.message = "error", str(exc)
            self.embedded_changed.emit()
            self.signals.status_message.emit(self.tr("The embedded bucket store could not start (see the Buckets page)"))
            if then is not None:
                then(False)

        run_in_thread(work, done, failed, context=self)

    def stop_embedded(self) -> None:
        if self.embedded.state in ("starting", "stopping"):
            return
        self.embedded.state = "stopping"
        self.embedded_changed.emit()

        def done(_: Any) -> None:
            self.embedded.state, self.embedded.message = "stopped", ""
            self.embedded_changed.emit()

        def failed(exc: BaseException) -> None:
            self.embedded.state, self.embedded.message = "error", f"could not stop: {exc}"
            self.embedded_changed.emit()

        run_in_thread(self.service.stop_embedded, done, failed, context=self)

    def _on_supervision(self, state: Any) -> None:
        """The store died and is coming back, came back, or stays down (storage/embedded/supervisor.py)."""
        if self._closed or self.embedded.state == "stopping":
            return
        self.embedded.notice = state.notice
        if state.gave_up:
            self.embedded.state = "error"
            self.embedded.message = f"The embedded store {state.notice}.\n{state.log_tail}".strip()
        else:
            self.embedded.state = "starting" if state.restarting else "running"
        self.embedded_changed.emit()
        self.signals.status_message.emit(self.tr("Embedded bucket store {0}").format(state.notice))

    def load_credentials(self) -> None:
        """Read the keys (generated on first use) off the UI thread, e.g. while the store is off."""
        run_in_thread(self.service.embedded_credentials, self._credentials_read, lambda exc: None, context=self)

    def _credentials_read(self, creds: dict[str, str]) -> None:
        self._set_credentials(creds)
        self.embedded_changed.emit()

    def _set_credentials(self, creds: dict[str, str]) -> None:
        self.embedded.endpoint_url = creds.get("endpoint_url", "")
        self.embedded.region = creds.get("region", "us-east-1")
        self.embedded.access_key = creds.get("access_key", "")
        self.embedded.secret_key = creds.get("secret_key", "")

    # -- bindings -----------------------------------------------------------------------------------
    def spawn(self, coro: Awaitable[Any], what: str, binding_id: str = "") -> asyncio.Task[Any] | None:
        """Run a coroutine on the app's loop; a failure becomes a binding_error / status message."""
        if self._closed:
            coro.close()  # type: ignore[attr-defined]
            return None
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def finished(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if t.cancelled():
                return
            exc = t.exception()
            if exc is not None:
                text = str(exc) or type(exc).__name__
                log.info("%s failed: %s", what, text)
                if binding_id:
                    self.binding_error.emit(binding_id, text)
                else:
                    self.signals.status_message.emit(self.tr("{0} failed: {1}").format(what, text))
        task.add_done_callback(finished)
        return task

    def start_binding(self, binding_id: str) -> asyncio.Task[Any] | None:
        return self.spawn(self.service.start_binding(binding_id), self.tr("starting the binding"), binding_id)

    def stop_binding(self, binding_id: str) -> asyncio.Task[Any] | None:
        return self.spawn(self.service.stop_binding(binding_id), self.tr("stopping the binding"), binding_id)

    def delete_binding(self, binding_id: str) -> asyncio.Task[Any] | None:
        async def delete() -> None:
            await self.service.delete_binding(binding_id)
            self.statuses.pop(binding_id, None)
            self.bindings_changed.emit()
        return self.spawn(delete(), self.tr("deleting the binding"), binding_id)

    def save_binding(self, binding: Binding) -> Binding:
        """Create or update (ValueError listing the problems). A watching binding is restarted so
        that the new settings apply."""
        saved = self.service.save_binding(binding)
        self.bindings_changed.emit()
        runner = self.service.runner(binding.id)
        if runner is not None and runner.running:
            async def restart() -> None:
                await self.service.stop_binding(binding.id)
                await self.service.start_binding(binding.id)
            self.spawn(restart(), self.tr("restarting the binding"), binding.id)
        return saved

    def status_of(self, binding_id: str) -> BindingStatus:
        status = self.statuses.get(binding_id)
        if status is None:
            status = self.service.binding_status(binding_id)
            self.statuses[binding_id] = status
        return status

    def _refresh_statuses(self) -> None:
        for binding in self.service.list_bindings():
            self.statuses[binding.id] = self.service.binding_status(binding.id)
        self.bindings_changed.emit()

    def _on_binding_status(self, status: BindingStatus) -> None:
        # called by the service on the loop's thread, which under qasync is the GUI thread
        if self._closed:
            return
        self.statuses[status.binding_id] = status
        self.binding_status_changed.emit(status)

    # -- quitting --------------------------------------------------------------------------------------
    async def stop_bindings(self) -> None:
        for binding in self.service.list_bindings():
            runner = self.service.runner(binding.id)
            if runner is not None and runner.running:
                await self.service.stop_binding(binding.id)

    async def shutdown(self) -> None:
        """Quit, first step: stop watching and this controller's own pending work (a binding being
        started, defaults being made). AppContext.shutdown then closes the Runtime: runs canceled and
        awaited, their events sent, the ledger closed, the store stopped if we started it."""
        await self.stop_bindings()
        for task in list(self._tasks):
            task.cancel()
        self._closed = True

    def close(self) -> None:
        """Synchronous last step (also after shutdown): stop listening to the service and the store."""
        self._closed = True
        if self._finalized:
            return
        self._finalized = True
        # the service's topics hold our bound methods: without this the pair is cyclic garbage, which
        # Python may collect on any thread (a pool thread deleting this QObject can crash Qt)
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
