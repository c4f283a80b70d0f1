"""The one adapter between the engine and the widgets: engine events in, Qt signals out.

The engine's EventBus calls us on the asyncio loop, which under qasync is the GUI thread.
Each event updates a small in-memory `LiveRun`; structural events (a run created or finished)
are signalled at once, everything else (statuses, progress) marks the run dirty and a timer
signals `run_updated` for dirty runs at most 10 times a second — so 8 parallel runs with
FFmpeg progress lines many times a second stay cheap to draw.

Reads of the task store (history, a run's record) go to a pool thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer

from ..engine.engine import Engine, EngineSettings
from ..engine.events import (Event, EventBus, RunCreated, RunFinished, RunStarted, SubtaskFinished, SubtaskProgress,
                             SubtaskStarted)
from ..engine.store import RunRecord, TaskStore
from ..media.ffmpeg_choice import FFmpegChoice
from ..model.serialization import workflow_from_dict
from ..model.statuses import RunStatus, SubtaskStatus
from ..model.workflow import Workflow
from ..paths import task_store_path
from .settings import AppSettings
from .signals import AppSignals
from .workers import run_in_thread

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 100


@dataclass
class LiveStep:
    step_id: str
    name: str
    task_kind: str
    status: str = SubtaskStatus.WAITING.value
    progress: float = 0.0
    message: str = ""
    applied_in: tuple[str, ...] = ()  # a folded watermark: the transcodes it is applied inside


@dataclass
class LiveRun:
    """What the widgets show of one run; filled from events (live) or from a RunRecord (history)."""

    task_id: str
    input: str
    workflow_name: str
    status: str = RunStatus.WAITING.value
    result: str = ""
    error_code: str = ""
    message: str = ""
    create_time: float = field(default_factory=time.time)
    begin_time: float | None = None
    finish_time: float | None = None
    steps: dict[str, LiveStep] = field(default_factory=dict)
    workflow: dict[str, Any] | None = None
    out_dir: str = ""

    @property
    def finished(self) -> bool:
        return self.status == RunStatus.FINISH.value

    @property
    def display_status(self) -> str:
        return self.result if self.finished and self.result else self.status

    @property
    def progress(self) -> float:
        """0–100 over every step (final steps count as complete)."""
        if not self.steps:
            return 100.0 if self.finished else 0.0
        total = 0.0
        for sid in self.steps:
            status, progress, _ = self.shown(sid)
            total += 100.0 if status not in ("WAITING", "PROCESSING") else progress
        return total / len(self.steps)

    def shown(self, step_id: str) -> tuple[str, float, str]:
        """(status, progress, message) of a step as the widgets show it.

        A watermark folded into transcodes reports only when they end; while it waits and all of
        them have started, it shows as running at their slowest progress (an ended one counts 100).
        """
        step = self.steps[step_id]
        if step.applied_in and step.status == "WAITING":
            hosts = [self.steps[h] for h in step.applied_in if h in self.steps]
            if hosts and all(h.status != "WAITING" for h in hosts):
                progress = min(h.progress if h.status == "PROCESSING" else 100.0 for h in hosts)
                return "PROCESSING", progress, "applied inside the transcode"
        return step.status, step.progress, step.message

    def elapsed(self, now: float | None = None) -> float | None:
        if self.begin_time is None:
            return None
        end = self.finish_time if self.finish_time is not None else (now or time.time())
        return max(0.0, end - self.begin_time)

    @classmethod
    def from_record(cls, record: RunRecord) -> "LiveRun":
        run = cls(record.task_id, record.input, record.workflow_name, record.status.value,
                  record.result.value if record.result else "", record.error_code, record.message,
                  record.create_time, record.begin_time, record.finish_time, workflow=record.workflow,
                  out_dir=record.out_dir)
        for sub in record.subtasks:
            run.steps[sub.step_id] = LiveStep(sub.step_id, sub.name, sub.task_kind, sub.status.value,
                                              sub.progress, sub.message)
        return run


def engine_settings(settings: AppSettings) -> EngineSettings:
    return EngineSettings(ffmpeg_path=settings.ffmpeg_path or None, max_threads=settings.max_threads,
                          fusion=settings.fusion, output_templates=settings.output_templates)


class EngineAdapter(QObject):
    def __init__(self, signals: AppSignals, settings: AppSettings, store_path: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signals = signals
        self.settings = settings
        self.store = TaskStore(store_path or task_store_path())
        self.bus = EventBus()
        self.engine = Engine(self.store, self.bus, engine_settings(settings))
        self.runs: dict[str, LiveRun] = {}
        self._dirty: set[str] = set()
        self._unsubscribe = self.bus.subscribe(self._on_event)
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        self.updates_sent = 0  # how many run_updated signals went out (tests check the throttling)
        self._closed = False

    # -- settings ---------------------------------------------------------------------------
    def apply_settings(self) -> None:
        """New runs use the current settings; running ones keep theirs."""
        # the engine resizes its shared thread budget when max_threads changes
        self.engine.settings = engine_settings(self.settings)

    def check_ffmpeg(self, on_done: Callable[[FFmpegChoice], None], on_error: Callable[[BaseException], None],
                     context: QObject | None = None) -> None:
        """The engine's FFmpeg choice (what new runs will use), made on a pool thread: it may probe binaries."""
        engine = self.engine
        run_in_thread(engine.ffmpeg_choice, on_done, on_error, context=context)

    # -- runs ------------------------------------------------------------------------------------
    def output_dir_for(self, input_path: str) -> Path:
        if self.settings.output_beside_input and "://" not in input_path:
            src = Path(input_path)
            return src.parent / f"{src.stem}_mediaflow"
        return Path(self.settings.output_dir)

    def submit(self, workflow: Workflow, inputs: list[str], out_dir: Path | None = None) -> list[str]:
        """Start one run per input (needs the running asyncio loop); returns the TaskIds."""
        task_ids = []
        for path in inputs:
            target = out_dir if out_dir is not None else self.output_dir_for(str(path))
            task_ids.append(self.engine.submit(workflow, path, target))
        return task_ids

    def cancel(self, task_id: str) -> bool:
        return self.engine.cancel(task_id)

    def can_cancel(self, task_id: str) -> bool:
        run = self.runs.get(task_id)
        return run is not None and not run.finished and task_id in self.engine.running()

    def retry(self, task_id: str) -> str | None:
        """Run the same workflow snapshot on the same input again; the new TaskId, or None."""
        run = self.runs.get(task_id)
        if run is None or run.workflow is None or "://" in run.input:
            return None
        workflow = workflow_from_dict(run.workflow, f"<run {task_id}>")
        out_dir = Path(run.out_dir) if run.out_dir else self.output_dir_for(run.input)
        return self.engine.submit(workflow, run.input, out_dir)

    def run(self, task_id: str) -> LiveRun | None:
        return self.runs.get(task_id)

    # -- history ----------------------------------------------------------------------------------
    def load_history(self, limit: int = 200, search: str | None = None,
                     on_done: Callable[[list[RunRecord]], None] | None = None) -> None:
        """Read runs from the store in a pool thread; keeps them and emits history_loaded."""
        store = self.store

        def done(records: list[RunRecord]) -> None:
            if self._closed:
                return
            for record in records:
                live = self.runs.get(record.task_id)
                if live is None or live.finished:  # never overwrite a live run with an older read
                    self.runs[record.task_id] = LiveRun.from_record(record)
            self.signals.history_loaded.emit(records)
            if on_done is not None:
                on_done(records)

        run_in_thread(lambda: store.list(limit=limit, search=search), done, self._history_failed)

    def _history_failed(self, exc: BaseException) -> None:
        self.signals.status_message.emit(f"Could not read the task history: {exc}")

    def fetch_record(self, task_id: str, on_done: Callable[[RunRecord | None], None],
                     context: QObject | None = None) -> None:
        store = self.store
        run_in_thread(lambda: store.get(task_id), on_done, self._history_failed, context=context)

    # -- events in --------------------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if self._closed:
            return
        tid = event.task_id
        if isinstance(event, RunCreated):
            run = LiveRun(tid, event.input, event.workflow_name, create_time=event.time, workflow=event.workflow,
                          out_dir=event.out_dir)
            for step in event.steps:
                run.steps[step.step_id] = LiveStep(step.step_id, step.name, step.task_kind,
                                                   applied_in=tuple(step.applied_in))
            self.runs[tid] = run
            self.signals.run_created.emit(tid)
            return
        run = self.runs.get(tid)
        if run is None:
            return
        if isinstance(event, RunStarted):
            run.status, run.begin_time = RunStatus.PROCESSING.value, event.time
        elif isinstance(event, SubtaskStarted):
            step = run.steps.get(event.step_id)
            if step is not None:
                step.status, step.progress = SubtaskStatus.PROCESSING.value, 0.0
        elif isinstance(event, SubtaskProgress):
            step = run.steps.get(event.step_id)
            if step is not None:
                step.progress = float(event.percent)
        elif isinstance(event, SubtaskFinished):
            step = run.steps.get(event.step_id)
            if step is not None:
                step.status, step.message = event.status.value, event.message
                if event.status == SubtaskStatus.SUCCESS:
                    step.progress = 100.0
        elif isinstance(event, RunFinished):
            run.status, run.result = RunStatus.FINISH.value, event.result.value
            run.error_code, run.message, run.finish_time = event.error_code, event.message, event.time
            if run.begin_time is None:
                run.begin_time = event.time
            self._dirty.discard(tid)
            self.updates_sent += 1
            self.signals.run_updated.emit(tid)
            self.signals.run_finished.emit(tid, run.result, run.message)
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

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Cancel running runs, let them record their end, then close."""
        running = self.engine.running()
        for tid in running:
            self.engine.cancel(tid)
        if running:
            try:
                await asyncio.wait_for(asyncio.gather(*(self.engine.wait(t) for t in running),
                                                      return_exceptions=True), timeout)
            except asyncio.TimeoutError:
                log.warning("runs still busy after %.0f s at shutdown", timeout)
        self.close()

    def close(self) -> None:
        """Cancel running runs, stop listening and close the store (its writer thread commits first)."""
        if self._closed:
            return
        for tid in self.engine.running():
            self.engine.cancel(tid)
        self._closed = True
        self._timer.stop()
        self._unsubscribe()
        self.store.close()
