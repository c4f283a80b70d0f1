"""The one adapter between the engine and the widgets: engine events in, Qt signals out.

The engine's EventBus calls us on the asyncio loop, which under qasync is the GUI thread.
Each event updates the run's RunRecord with engine/run_state.apply (the rules the store, the CLI
and the notifier apply too); the task list, the canvas and the run details dialog read those
records (`run(task_id)`), outputs included: a run that ran in this window is never read back from
the store. Structural events (a run created or finished) are signalled at once, everything else
(statuses, progress) marks the run dirty and a timer signals `run_updated` for dirty runs at most
10 times a second — so 8 parallel runs with FFmpeg progress lines many times a second stay cheap
to draw.

Reads of the task store (history from before this window, a run this window did not see from its
start) go to a pool thread. The store, bus and engine are the
Runtime's (mediaflow_gui/runtime.py), made and closed by ui/context.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QTimer

from ..engine.engine import Engine, EngineSettings
from ..engine.events import Event, EventBus, RunCreated, RunFinished
from ..engine.run_state import RunRecord, apply
from ..engine.preview import PreviewFolders, default_preview_root, submit_preview
from ..engine.store import TaskStore
from ..media.excerpt import ExcerptRange, split_label
from ..media.ffmpeg_choice import FFmpegChoice
from ..media.naming import makes_several_files, run_folder
from ..model.serialization import workflow_from_dict
from ..model.workflow import Workflow
from ..notify.global_targets import EventTargetsFileError
from ..runtime import Runtime
from .settings import AppSettings
from .signals import AppSignals
from .workers import run_in_thread

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 100


def engine_settings(settings: AppSettings) -> EngineSettings:
    return EngineSettings(ffmpeg_path=settings.ffmpeg_path or None, max_threads=settings.max_threads,
                          fusion=settings.fusion, output_templates=settings.output_templates,
                          on_existing=settings.on_existing)


class EngineAdapter(QObject):
    def __init__(self, signals: AppSignals, settings: AppSettings, runtime: Runtime,
                 parent: QObject | None = None) -> None:
        """The task store, bus and engine are the Runtime's (ui/context.py makes it); it closes them."""
        super().__init__(parent)
        self.signals = signals
        self.settings = settings
        # the core parts this adapter drives; widgets call the adapter's methods instead (the UI's own
        # doors: tests/ui/test_doors.py keeps widgets off these attributes; tests may poke them)
        self.runtime = runtime
        self.store: TaskStore = runtime.store
        self.bus: EventBus = runtime.bus
        self.engine: Engine = runtime.engine
        self.runs: dict[str, RunRecord] = {}  # by TaskId: runs of this window and history read from the store
        self._seen_live: set[str] = set()  # TaskIds whose events this window saw from their RunCreated
        self._dirty: set[str] = set()
        self._unsubscribe = self.bus.subscribe(self._on_event)
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        self.updates_sent = 0  # how many run_updated signals went out (tests check the throttling)
        self._previews: PreviewFolders | None = None  # made on the first preview
        self._closed = False

    # -- settings ---------------------------------------------------------------------------
    def apply_settings(self) -> None:
        """New runs use the current settings, and runs that end from now on send their events to the
        event targets saved now; running ones keep their engine settings."""
        # the engine resizes its shared thread budget when max_threads changes
        self.engine.settings = engine_settings(self.settings)
        if self.runtime.storage is not None:  # bindings started from now on retry store failures this often
            self.runtime.storage.retries = self.settings.store_retries
        try:
            self.runtime.reload_global_targets()
        except EventTargetsFileError as exc:  # the targets in use stay as they were
            self.signals.status_message.emit(str(exc))

    def check_ffmpeg(self, on_done: Callable[[FFmpegChoice], None], on_error: Callable[[BaseException], None],
                     context: QObject | None = None) -> None:
        """The engine's FFmpeg choice (what new runs will use), made on a pool thread: it may probe binaries."""
        engine = self.engine
        run_in_thread(engine.ffmpeg_choice, on_done, on_error, context=context)

    # -- runs ------------------------------------------------------------------------------------
    def output_dir_for(self, input_path: str, workflow: Workflow | None = None,
                       results_folder: str | None = None) -> Path:
        """Where a run of `input_path` writes: `results_folder` ("" = next to the input; None = the
        settings' current choice, AppSettings.results_folder), in a folder of its own per input when
        the workflow writes several files and the setting asks (media.naming.run_folder)."""
        folder = self.settings.results_folder() if results_folder is None else results_folder
        several = workflow is None or makes_several_files(workflow)
        return run_folder(folder or self.settings.output_dir, str(input_path), beside_input=not folder,
                          subfolder=self.settings.subfolder_per_input and several)

    def submit(self, workflow: Workflow, inputs: list[str], out_dir: Path | None = None, *,
               results_folder: str | None = None) -> list[str]:
        """Start one run per input (needs the running asyncio loop); returns the TaskIds. `out_dir`:
        every run writes there as it is; else output_dir_for(input, workflow, results_folder)."""
        task_ids = []
        for path in inputs:
            target = out_dir if out_dir is not None else self.output_dir_for(str(path), workflow, results_folder)
            task_ids.append(self.engine.submit(workflow, path, target))
        return task_ids

    def cancel(self, task_id: str) -> bool:
        return self.engine.cancel(task_id)

    # -- the queue (runs waiting for CPU; engine.Engine's queue) ------------------------------------
    def queue_position(self, task_id: str) -> int | None:
        """How many queued runs start before this one; None when it is not waiting."""
        run = self.runs.get(task_id)
        if run is None or run.finished:
            return None
        return self.engine.queue_position(task_id)

    def move_in_queue(self, task_id: str, where: str) -> bool:
        """Move a waiting run "up", "down", to the "top" or "bottom" of the queue."""
        moved = self.engine.move(task_id, where)
        if moved:
            for tid in self.engine.queued():  # their "n ahead" changed
                self.signals.run_updated.emit(tid)
        return moved

    def set_queue_paused(self, paused: bool) -> None:
        """Pause: no further run starts (started ones finish). Resume: the queue goes on."""
        if paused:
            self.engine.pause_queue()
        else:
            self.engine.resume_queue()
        for tid in self.engine.queued():
            self.signals.run_updated.emit(tid)

    @property
    def queue_paused(self) -> bool:
        return self.engine.queue_paused

    def can_cancel(self, task_id: str) -> bool:
        run = self.runs.get(task_id)
        return run is not None and not run.finished and task_id in self.engine.running()

    def retry(self, task_id: str, workflow: Workflow | None = None) -> str | None:
        """Run the same input again with `workflow` (default: the run's own snapshot); the new TaskId,
        or None when the run cannot be retried here (unknown, no snapshot, or a bucket object)."""
        run = self.runs.get(task_id)
        if run is None or run.workflow is None or "://" in run.input:
            return None
        if workflow is None:
            workflow = workflow_from_dict(run.workflow, f"<run {task_id}>")
        preview = split_label(run.input)
        if preview is not None:  # a preview's retry is a new preview of the same range
            return self.submit_preview(workflow, *preview)
        out_dir = Path(run.out_dir) if run.out_dir else self.output_dir_for(run.input)
        return self.engine.submit(workflow, run.input, out_dir)

    # -- dry-run previews (engine/preview.py: an excerpt run through this engine) ------------------
    def submit_preview(self, workflow: Workflow, source: str, rng: ExcerptRange | None = None) -> str:
        """Run `workflow` on an excerpt of `source` into a fresh temporary folder (the previous
        preview's folder is removed first); the TaskId, at once (needs the running asyncio loop)."""
        if self._previews is None:
            self._previews = PreviewFolders(default_preview_root(self.engine))
        return submit_preview(self.engine, workflow, source, self._previews.new(), rng)

    def clear_previews(self) -> None:
        """Remove every preview folder of this window (at quit)."""
        if self._previews is not None:
            self._previews.clear()

    def run(self, task_id: str) -> RunRecord | None:
        """The run's record as this window knows it (events keep it up to date; widgets only read it)."""
        return self.runs.get(task_id)

    def ran_here(self, task_id: str) -> bool:
        """True if this window saw the run from its RunCreated: its record is complete, outputs included."""
        return task_id in self._seen_live

    # -- history ----------------------------------------------------------------------------------
    def load_history(self, limit: int = 200, search: str | None = None,
                     on_done: Callable[[list[RunRecord]], None] | None = None) -> None:
        """Read runs from the store in a pool thread; keeps them and emits history_loaded."""
        store = self.store

        def done(records: list[RunRecord]) -> None:
            if self._closed:
                return
            for record in records:
                if record.task_id not in self._seen_live:  # a run seen live here is newer than any read
                    self.runs[record.task_id] = record
            self.signals.history_loaded.emit(records)
            if on_done is not None:
                on_done(records)

        run_in_thread(lambda: store.list(limit=limit, search=search), done, self._history_failed)

    def _history_failed(self, exc: BaseException) -> None:
        self.signals.status_message.emit(self.tr("Could not read the task history: {0}").format(exc))

    def fetch_record(self, task_id: str, on_done: Callable[[RunRecord | None], None],
                     context: QObject | None = None,
                     on_error: Callable[[BaseException], None] | None = None) -> None:
        """Read a run from the store in a pool thread (a run this window did not see live)."""
        store = self.store
        run_in_thread(lambda: store.get(task_id), on_done, on_error or self._history_failed, context=context)

    # -- events in --------------------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if self._closed:
            return
        tid = event.task_id
        if isinstance(event, RunCreated) and tid in self._seen_live:
            return  # told twice
        record = apply(self.runs.get(tid) if tid in self._seen_live else None, event)
        if record is None:  # a run whose creation this window did not see
            return
        if isinstance(event, RunCreated):
            self._seen_live.add(tid)
            self.runs[tid] = record
            self.signals.run_created.emit(tid)
            return
        if isinstance(event, RunFinished):
            self._dirty.discard(tid)
            self.updates_sent += 1
            self.signals.run_updated.emit(tid)
            self.signals.run_finished.emit(tid, record.display_status, record.message)
            return
        self._dirty.add(tid)

    def flush(self) -> None:
        """Signal every run that changed since the last tick (called by the timer)."""
        dirty, self._dirty = self._dirty, set()
        for tid in dirty:
            self.updates_sent += 1
            self.signals.run_updated.emit(tid)

    # -- shutdown ------------------------------------------------------------------------------------
    def running(self) -> list[str]:
        """TaskIds of runs not finished yet (by the events seen, so it agrees with the task list)."""
        return [tid for tid, run in self.runs.items() if not run.finished and tid in self.engine.running()]

    def close(self) -> None:
        """Stop listening. The runs, the task store and the notifier are the Runtime's: AppContext
        closes it after this (cancel-and-wait, events out, store closed: runtime.py)."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._unsubscribe()
        self.clear_previews()  # the runs have ended by now (Runtime.aclose): their outputs can go
