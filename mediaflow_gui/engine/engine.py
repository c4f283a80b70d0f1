"""The Engine: one facade the GUI, the CLI, the bucket watcher and the tests all drive.

`run()` records a run (RunCreated → the TaskId exists), gets the input (optionally through a
`fetch_input` hook, e.g. an S3 download into a private work dir), finds FFmpeg, probes the input
for its MetaData, runs the compiled plan with PlanExecutor, optionally hands the finished run to
a `deliver` hook (e.g. an upload), and records the end (RunFinished). Whatever goes wrong with the
input, FFmpeg or the outputs ends as a recorded FAIL run with an error code and a message; run()
itself does not raise for those. `submit()` records synchronously and runs in the background.

The Engine keeps each running run's record by applying its own events (engine/run_state.py, the
rules the store, the GUI, the CLI and the notifier apply too); `deliver`, `run()`'s caller and
`wait()` get that record. A RunFinished of failed steps names the first failed step (`failed_step`).

All runs of one Engine share one ThreadBudget (settings.max_threads), so many runs at once stay
within the machine's cores. With `remote` set (engine/remote.py; runtime.py sets a Dask cluster's), the
steps run there: the budget then counts the cluster's slots (remote.capacity()), one per unit out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Awaitable, Callable

# imported here, not on first use: the first run must not pay for loading PyAV and the
# builders on the event loop (a cold first run took ~2 s longer before its FFmpeg started)
from ..media import builders as _builders  # noqa: F401
from ..media import fusion as _fusion  # noqa: F401
from ..media.base import MediaInfo
from ..media.ffmpeg_choice import FFmpegChoice, choose_ffmpeg
from ..media.ffmpeg_locate import FFmpegNotFoundError
from ..media.interlace import detect_field_order, needs_idet
from ..media.probe import media_info_dict, probe as default_probe
from ..model.plan import ExecutionPlan, InvalidWorkflowError, compile_plan, resolved_workflow
from ..model.serialization import workflow_to_dict
from ..model.statuses import RunResult, SubtaskStatus
from ..model.workflow import Workflow
from .budget import ThreadBudget
from .errors import classify_error
from .events import Event, EventBus, RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished
from .executor import BuildFn, FFmpegRunner, PlanExecutor, ProbeFn
from .remote import RemoteUnits
from .run_state import RunRecord, apply
from .store import TaskStore, new_task_id

log = logging.getLogger(__name__)

FetchInput = Callable[[Path], Awaitable[Path]]
Deliver = Callable[[RunRecord], Awaitable[None]]


FFMPEG_RECHECK = 30.0  # seconds an FFmpeg choice is reused before it is made again


def _default_threads() -> int:
    return os.cpu_count() or 2


PREPARE_AT_ONCE = 1  # runs probing their input at once (Engine._prepare_slot): one keeps the order exact


@dataclass
class EngineSettings:
    ffmpeg_path: str | None = None  # None: MEDIAFLOW_FFMPEG, else PATH's if able, else the bundled (ffmpeg_choice)
    max_threads: int = field(default_factory=_default_threads)  # the shared thread budget
    threads_per_step: int = 1  # FFmpeg -threads of one step (each step holds that many tokens)
    # fuse sibling tasks that read one input into one FFmpeg process (media/fusion); the CLI's
    # --no-fusion and the GUI's settings turn it off
    fusion: bool = True
    output_templates: dict[str, str] = field(default_factory=dict)  # task kind → name template override
    work_dir: Path | None = None  # private work dirs for fetched inputs; default <data dir>/work
    # an output name already taken in the output folder: "keep-both" (` (1)`), "overwrite" or "skip"
    # (media.naming.ON_EXISTING; engine/executor.py applies it when publishing)
    on_existing: str = "keep-both"


class _RunHandle:
    def __init__(self, task_id: str, loop: asyncio.AbstractEventLoop | None) -> None:
        self.task_id = task_id
        self.task: asyncio.Task[Any] | None = None
        self.executor: PlanExecutor | None = None
        self.cancel_requested = False
        # where the input already is for remote workers (a bucket run's object), handed to `remote`
        self.source_object: Any = None
        # what fetches enough of that object to probe it, when the run executes on `remote` (the
        # workers read the whole object themselves: this machine needs only its header and index)
        self.fetch_probe_copy: FetchInput | None = None
        self.done: asyncio.Future[RunRecord] | None = loop.create_future() if loop else None


class _RunFailed(Exception):
    """A run-level failure before or around the steps (input, FFmpeg, delivery)."""

    def __init__(self, error_code: str, message: str) -> None:
        self.error_code = error_code
        super().__init__(message)


class Engine:
    def __init__(self, store: TaskStore, bus: EventBus | None = None, settings: EngineSettings | None = None, *,
                 build: BuildFn | None = None, probe: ProbeFn | None = None,
                 runner: FFmpegRunner | None = None) -> None:
        self.store = store
        self.bus = bus if bus is not None else EventBus()
        self.settings = settings if settings is not None else EngineSettings()
        self.budget = ThreadBudget(self.settings.max_threads)
        self._build = build  # injectable for tests; None: media.builders.build_step
        self._probe = probe  # injectable for tests; None: media.probe.probe
        self._runner = runner  # the FFmpeg seam; tests pass a fake (None: engine.ffmpeg_runner.run_ffmpeg)
        # where units run when not here (engine/remote.py): None runs everything on this machine
        self.remote: RemoteUnits | None = None
        self._handles: dict[str, _RunHandle] = {}
        self._plans: dict[str, tuple[ExecutionPlan | None, str]] = {}
        self._ffmpeg_found: tuple[str | None, float, FFmpegChoice] | None = None  # (setting, when, choice)
        # each running run's record, kept by applying this engine's own events (run_state.apply): what
        # `deliver` and the run's waiters get, never read back from the store
        self._records: dict[str, RunRecord] = {}
        self._prepare_slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        store.attach(self.bus)
        self.bus.subscribe(self._keep_record)

    # -- public API -------------------------------------------------------------------------
    async def run(self, workflow: Workflow, input: str | os.PathLike[str], out_dir: Path | None, *,
                  input_label: str | None = None, fetch_input: FetchInput | None = None,
                  deliver: Deliver | None = None, source_object: Any = None,
                  fetch_probe_copy: FetchInput | None = None) -> RunRecord:
        task_id, plan, problem = self._create(workflow, input, out_dir, input_label)
        handle = self._handles[task_id]
        handle.source_object, handle.fetch_probe_copy = source_object, fetch_probe_copy
        handle.task = asyncio.current_task()
        return await self._execute(handle, plan, problem, input, out_dir, input_label, fetch_input, deliver)

    def submit(self, workflow: Workflow, input: str | os.PathLike[str], out_dir: Path | None, *,
               input_label: str | None = None, fetch_input: FetchInput | None = None,
               deliver: Deliver | None = None, source_object: Any = None,
               fetch_probe_copy: FetchInput | None = None) -> str:
        """Record the run now (RunCreated is emitted before this returns) and run it in the background.

        `source_object`: where remote workers can read the input themselves (a bucket run passes its
        object: (S3Connection, bucket, key)), instead of getting a copy staged by this machine; with it,
        `fetch_probe_copy` stands in for `fetch_input` when the run executes remotely (a copy only good
        for probing). Both are ignored when the run executes here."""
        loop = asyncio.get_running_loop()
        task_id, plan, problem = self._create(workflow, input, out_dir, input_label)
        handle = self._handles[task_id]
        handle.source_object, handle.fetch_probe_copy = source_object, fetch_probe_copy
        handle.task = loop.create_task(
            self._execute(handle, plan, problem, input, out_dir, input_label, fetch_input, deliver),
            name=f"mediaflow-run-{task_id}")
        return task_id

    async def wait(self, task_id: str) -> RunRecord:
        """The finished run's record (waits if it is still running). KeyError for an unknown TaskId."""
        handle = self._handles.get(task_id)
        if handle is not None and handle.done is not None:
            return await asyncio.shield(handle.done)
        record = self.store.get(task_id)  # a run that ended before: the store has it
        if record is None:
            raise KeyError(task_id)
        return record

    def cancel(self, task_id: str) -> bool:
        """Ask a running run to stop; True if it was running here."""
        handle = self._handles.get(task_id)
        if handle is None or (handle.done is not None and handle.done.done()):
            return False
        handle.cancel_requested = True
        if handle.executor is not None and not handle.executor.finished:
            handle.executor.cancel()
        elif handle.task is not None:
            handle.task.cancel()
        return True

    def running(self) -> list[str]:
        return [tid for tid, h in self._handles.items() if h.done is None or not h.done.done()]

    # -- the queue: runs wait for CPU in order; a person can pause it and reorder what waits ---------
    def queued(self) -> list[str]:
        """Runs that have not started (waiting for CPU), in the order they will start."""
        return [t for t in self.budget.queued() if t in self._handles]

    def queue_position(self, task_id: str) -> int | None:
        """How many queued runs start before this one (0: next); None when it is not queued."""
        queue = self.queued()
        return queue.index(task_id) if task_id in queue else None

    def move(self, task_id: str, where: str) -> bool:
        """Move a queued run "up", "down", to the "top" or "bottom"; False if it cannot."""
        return self.budget.move(task_id, where)

    def pause_queue(self) -> None:
        """Start no further run until resume_queue(); started runs go on to their end."""
        self.budget.pause()

    def resume_queue(self) -> None:
        self.budget.resume()

    @property
    def queue_paused(self) -> bool:
        return self.budget.paused

    # -- internals ----------------------------------------------------------------------------
    def _keep_record(self, event: Event) -> None:
        """Apply an event of one of this engine's runs to its record (a bus subscriber)."""
        if event.task_id in self._handles:
            record = apply(self._records.get(event.task_id), event)
            if record is not None:
                self._records[event.task_id] = record

    def _create(self, workflow: Workflow, input: str | os.PathLike[str], out_dir: Path | None,
                input_label: str | None) -> tuple[str, ExecutionPlan | None, str]:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        # the compiler's own path rewrite: the recorded snapshot runs again without the workflow file's folder
        snapshot = workflow_to_dict(resolved_workflow(workflow))
        plan, problem = self._plan_for(workflow, snapshot)
        task_id = new_task_id()
        self._handles[task_id] = _RunHandle(task_id, loop)
        self.budget.enqueue(task_id)  # its place in the queue of runs waiting for CPU
        steps = tuple(StepInfo(s.node_id, s.name, s.task_kind, tuple(s.applied_in))
                      for s in (plan.steps[sid] for sid in plan.order)) \
            if plan else ()
        shown = input_label or (str(input) if "://" in str(input) else os.path.abspath(os.fspath(input)))
        # abspath, not resolve(): no disk access on the event loop (the run writes through a symlink alike)
        self.bus.emit(RunCreated(task_id, shown, workflow.name, steps, workflow=snapshot,
                                 out_dir=os.path.abspath(out_dir) if out_dir is not None else ""))
        return task_id, plan, problem

    def _plan_for(self, workflow: Workflow, snapshot: dict[str, Any]) -> tuple[ExecutionPlan | None, str]:
        """The compiled plan (or why there is none), reused for runs of an identical workflow.

        A folder of 200 files runs one workflow 200 times; validating and compiling it once saves
        about a millisecond per run. The key is the workflow's JSON plus the folder relative
        watermark paths resolve against, so any edit gives a new plan. Plans are never mutated.
        """
        key = json.dumps(snapshot, sort_keys=True, default=str) + "\0" + str(workflow.base_dir)
        cached = self._plans.get(key)
        if cached is None:
            try:
                cached = (compile_plan(workflow), "")
            except InvalidWorkflowError as exc:
                cached = (None, "The workflow is not valid: " + " ".join(p.message for p in exc.problems))
            if len(self._plans) >= 16:  # a handful of workflows in use at once; forget the oldest
                self._plans.pop(next(iter(self._plans)))
            self._plans[key] = cached
        return cached

    def _prepare_slot(self) -> asyncio.Semaphore:
        """Runs probe their input one at a time, in the order they were given (an asyncio semaphore is
        first come, first served), so they become ready for CPU — and start — in queue order. With
        twenty probes at once, the first to finish started first, and a batch ran out of its order
        while the list said "Queued (next)" of a run still probing. A probe takes tens of milliseconds:
        the queue behind the first run is ready long before the CPU is free for it."""
        loop = asyncio.get_running_loop()
        if self._prepare_slots is None or self._prepare_slots[0] is not loop:  # a semaphore serves one loop
            self._prepare_slots = (loop, asyncio.Semaphore(PREPARE_AT_ONCE))
        return self._prepare_slots[1]

    def _work_dir(self, task_id: str) -> Path:
        if self.settings.work_dir is not None:
            base = Path(self.settings.work_dir)
        else:
            from ..paths import data_dir, private_dir
            base = private_dir(data_dir() / "work")  # downloaded media and bucket runs' outputs: 0700
        return base / task_id

    def _skip_all(self, task_id: str, plan: ExecutionPlan | None, status: SubtaskStatus, code: str,
                  message: str) -> None:
        if plan is None:
            return
        for sid in plan.order:
            self.bus.emit(SubtaskFinished(task_id, sid, status, (), code, message))

    async def _execute(self, handle: _RunHandle, plan: ExecutionPlan | None, problem: str,
                       input: str | os.PathLike[str], out_dir: Path | None, input_label: str | None,
                       fetch_input: FetchInput | None, deliver: Deliver | None) -> RunRecord:
        task_id = handle.task_id
        remote = self.remote
        if remote is not None:  # this run's units go there, even if the settings change meanwhile
            remote.run_began(task_id)
        slots = remote.capacity() if remote is not None else self.settings.max_threads
        if self.budget.total != max(1, int(slots)):  # settings (or the cluster's workers) changed since the last run
            self.budget.resize(slots)
        work = self._work_dir(task_id)
        fetch_dir = work / "input"
        result, code, message = RunResult.SUCCESS, "", ""
        failed_step = ""  # the first failed step's id, when the steps failed
        steps_settled = False
        try:
            try:
                if plan is None:
                    raise _RunFailed("InvalidWorkflow", problem)
                target = Path(os.path.abspath(out_dir)) if out_dir is not None else work / "out"

                async def fetch_and_prepare(fetch: FetchInput | None) -> tuple[
                        Path, FFmpegChoice, dict[str, MediaInfo | BaseException], dict[str, Any]]:
                    local = await self._fetch(input, input_label, fetch, fetch_dir)
                    # every disk access and the probe in one trip to a worker thread: the loop stays free
                    # and a run costs one thread hop before its steps, not four
                    async with self._prepare_slot():
                        return await asyncio.to_thread(self._prepare, local, input_label or str(input), target)

                # decided here, not at submit: the settings may have changed since
                probe_copy = remote is not None and handle.source_object is not None \
                    and handle.fetch_probe_copy is not None
                local, choice, probe_cache, metadata = await fetch_and_prepare(
                    handle.fetch_probe_copy if probe_copy else fetch_input)
                if probe_copy and isinstance(probe_cache.get(str(local)), BaseException):
                    # a container whose index is neither near its start nor its end: probe the whole object
                    log.info("run %s: the probe copy of %s could not be probed; fetching it whole", task_id,
                             input_label or input)
                    local, choice, probe_cache, metadata = await fetch_and_prepare(fetch_input)
                # started when its first step gets CPU (the budget's grant): until then it is queued (WAITING)
                self.budget.when_started(task_id, lambda: self.bus.emit(RunStarted(task_id, metadata=metadata)))
                self.budget.ready(task_id)  # it asks next: runs queued after it do not start before it does
                # a local input names the outputs even under a label (a preview's `clip.mov [preview 2.5–7.5 s]`
                # must not name them `clip.mov [preview 2`); a URL input is named by its label or URL
                source_name = PurePosixPath(input_label or str(input)).stem if "://" in str(input) \
                    else Path(input).stem
                executor = PlanExecutor(
                    task_id, plan, local, target, bus=self.bus, budget=self.budget, ffmpeg=str(choice.binary.path),
                    source_name=source_name, threads_per_step=self.settings.threads_per_step,
                    name_templates=self.settings.output_templates, build=self._build, probe=self._probe,
                    # remote: the worker's own FFmpeg decides whether a group can share a process
                    probe_cache=probe_cache, runner=self._runner, remote=remote,
                    source_object=handle.source_object,
                    fusion=self.settings.fusion and (choice.fusion or remote is not None),
                    on_existing=self.settings.on_existing)
                handle.executor = executor
                if handle.cancel_requested:
                    executor.cancel()
                outcomes = await executor.run()
                steps_settled = True
                if executor.canceled:
                    result, code, message = RunResult.CANCELED, "Canceled", "Canceled by request"
                elif executor.first_failure is not None:
                    failed = outcomes[executor.first_failure]
                    result, code, message = RunResult.FAIL, failed.error_code, failed.message
                    failed_step = executor.first_failure
                elif deliver is not None:
                    try:
                        await deliver(self._records[task_id])
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:  # the delivery hook's failure is the run's failure
                        raise _RunFailed("DeliveryFailed", f"Delivering the results failed: {exc}") from exc
            except _RunFailed as exc:
                result, code, message = RunResult.FAIL, exc.error_code, str(exc)
                if not steps_settled:
                    self._skip_all(task_id, plan, SubtaskStatus.SKIPPED, "Skipped", f"Not run: {exc}")
            except asyncio.CancelledError:
                result, code, message = RunResult.CANCELED, "Canceled", "Canceled"
                if not steps_settled and handle.executor is None:
                    self._skip_all(task_id, plan, SubtaskStatus.CANCELED, "Canceled", "Canceled before it started")
                if not handle.cancel_requested:
                    self._finish(handle, result, code, message)
                    raise  # someone canceled our caller: honour it once the run is recorded
                current = asyncio.current_task()
                if current is not None:
                    current.uncancel()  # our own cancel(): the run ends normally as CANCELED
            except Exception as exc:  # a bug must still leave the run recorded as FAIL
                log.exception("run %s failed unexpectedly", task_id)
                code, detail = classify_error(exc)
                result, message = RunResult.FAIL, detail
                if not steps_settled and handle.executor is None:
                    self._skip_all(task_id, plan, SubtaskStatus.SKIPPED, "Skipped", f"Not run: {detail}")
        finally:
            if remote is not None:  # what the run staged there can go; it no longer needs the client
                remote.run_ended(task_id)
            if fetch_input is not None or out_dir is None:  # only then did this run make a work dir
                shutil.rmtree(fetch_dir, ignore_errors=True)
                if out_dir is None and result != RunResult.SUCCESS:
                    # a failed bucket run's outputs are in no folder anyone chose, and a retry is a new
                    # run with its own work dir: nothing would ever read or remove them
                    shutil.rmtree(work, ignore_errors=True)
                try:
                    work.rmdir()  # only when empty: an out/ of a run without an output folder stays
                except OSError:
                    pass
        return self._finish(handle, result, code, message, failed_step)

    def _finish(self, handle: _RunHandle, result: RunResult, code: str, message: str,
                failed_step: str = "") -> RunRecord:
        if handle.done is not None and handle.done.done():
            return handle.done.result()
        self.budget.forget(handle.task_id)
        self.bus.emit(RunFinished(handle.task_id, result, code, message, failed_step=failed_step))
        record = self._records.pop(handle.task_id)  # the RunFinished above is applied to it
        if handle.done is not None:
            handle.done.set_result(record)
        handle.executor = None
        # forget finished runs (a GUI runs for days); wait() then reads the store
        self._handles.pop(handle.task_id, None)
        return record

    async def _fetch(self, input: str | os.PathLike[str], label: str | None, fetch_input: FetchInput | None,
                     fetch_dir: Path) -> Path:
        """The local file to read: `input` itself, or what the fetch hook downloaded."""
        if fetch_input is None:
            return Path(input)
        shown = label or str(input)
        try:
            await asyncio.to_thread(self._make_run_dir, fetch_dir)
            return Path(await fetch_input(fetch_dir))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a download that failed is the run's failure
            raise _RunFailed("FetchFailed", f"Getting the input {shown} failed: {exc}") from exc

    def _make_run_dir(self, folder: Path) -> None:
        """In a worker thread: commit the run's row first, then make the folder. A kill between the two
        leaves no folder that no recorded run claims; the next start removes an interrupted run's."""
        self.store.flush()
        folder.mkdir(parents=True, exist_ok=True)

    def _prepare(self, local: Path, shown: str, target: Path) -> tuple[
            Path, FFmpegChoice, dict[str, MediaInfo | BaseException], dict[str, Any]]:
        """In a worker thread: check the input, choose FFmpeg, probe once, create the output folder.

        Returns the input's resolved path, the FFmpeg choice, the probe cache and the MetaData.
        """
        if not local.exists():
            raise _RunFailed("InputNotFound", f"The input {shown} does not exist")
        if not local.is_file():
            raise _RunFailed("InputNotFound", f"The input {shown} is not a file")
        if not os.access(local, os.R_OK):
            raise _RunFailed("InputNotFound", f"The input {shown} cannot be read (permission denied)")
        local = local.resolve()
        try:
            choice = self.ffmpeg_choice()
        except FFmpegNotFoundError as exc:
            raise _RunFailed("FFmpegNotFound", str(exc)) from exc
        probe_cache, metadata = self._probe_source(local, str(choice.binary.path))
        try:
            self._make_run_dir(target)  # the steps' staging dirs go in there
        except OSError as exc:
            raise _RunFailed("OutputFailed", f"cannot create the output folder {target}: {exc}") from exc
        return local, choice, probe_cache, metadata

    def ffmpeg_choice(self) -> FFmpegChoice:
        """The FFmpeg runs use and why (choose_ffmpeg), reused for FFMPEG_RECHECK seconds while the
        setting is unchanged. Blocking (it may probe a binary): call it off the event loop.

        Choosing searches PATH and the bundled wheel (each binary's capabilities are cached); a folder
        of 200 files needs that once, not 200 times. A binary that disappears is noticed at the next
        check (or as a failed start). Raises FFmpegNotFoundError when there is no usable FFmpeg.
        """
        setting = self.settings.ffmpeg_path
        now = time.monotonic()
        cached = self._ffmpeg_found
        if cached is not None and cached[0] == setting and now - cached[1] < FFMPEG_RECHECK:
            return cached[2]
        try:
            choice = choose_ffmpeg(setting)
        except FFmpegNotFoundError:
            self._ffmpeg_found = None
            raise
        self._ffmpeg_found = (setting, now, choice)
        return choice

    def _probe_source(self, local: Path, ffmpeg: str) -> tuple[dict[str, MediaInfo | BaseException], dict[str, Any]]:
        """Probe the input once: its MetaData for the record, and the cache the steps read from.

        An unreadable input is not raised here: every task that reads it fails with the reason,
        naming itself, and the run fails naming the first of them. A stream that does not say
        whether it is interlaced, in a container that often lies about it, gets an idet pass here
        (media/interlace.py), once per run, so every task of the run treats it alike.
        """
        probe_fn = self._probe if self._probe is not None else default_probe
        cache: dict[str, MediaInfo | BaseException] = {}
        try:
            info = probe_fn(local)
        except Exception as exc:  # recorded per task by the executor
            cache[str(local)] = exc
            return cache, {}
        if needs_idet(info):
            info.detected_field_order = detect_field_order(ffmpeg, local)
        cache[str(local)] = info
        return cache, media_info_dict(info)
