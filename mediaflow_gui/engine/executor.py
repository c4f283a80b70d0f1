"""Run one ExecutionPlan for one input: the steps, their FFmpeg processes and their outputs.

How a run goes:
- engine/scheduler.py decides what runs when (the ready-set loop): a step starts once the steps it
  depends on ended; steps the compiled plan grouped (one input, one set of dependencies) start as
  one unit, so that media/fusion can give them one FFmpeg process; skipped and canceled steps and
  folded watermarks are settled there, without running;
- a unit here reads its input (the run's source file, or the primary output of the step named by
  `input_from`), probes it in a worker thread (PyAV must not block the loop), asks media/fusion which
  of its steps share one process (fusion on), and runs the rest apart;
- a builder (media.builders.build_step) turns (probe, params, paths) into FFmpeg jobs that write into
  a private staging dir inside the output dir (`.mediaflow-<task>-<step>/`); when all jobs succeed and
  `finalize` lists the files, they are moved to the output dir under their final names, never
  overwriting an existing file (media.naming.unique_path + a hard link, which fails rather than replace);
  `on_existing` (media.naming.ON_EXISTING) changes that: "overwrite" replaces a taken name (never the
  run's source file: that one still gets the ` (1)` name), "skip" keeps the file that is there, drops
  the new one and says so in the step's message; a step whose files are all there already (the names
  its builder would give, media/builders/expected.py) is not run again: SUCCESS, with those files as
  its outputs and a message that says so (not SKIPPED, which means "a predecessor failed" and would
  skip the steps after it, which can read the file that is there);
- a failing step is FAIL with an error code and a message that names the node and quotes FFmpeg's
  last error lines; in a fused process, a failure FFmpeg attributes to one member fails that member and
  the others run again without it; an unattributed failure fails every member, naming all of them;
- cancel kills the FFmpeg processes, removes staging dirs, and marks every unfinished step CANCELED;
- FFmpeg runs through `runner` (engine.ffmpeg_runner.run_ffmpeg by default): the one seam a test can
  replace with a fake to check scheduling, skip, cancel and fusion rules without FFmpeg;
- with `remote` (engine/remote.py: a Dask cluster), each unit — a fused group, or a step apart — is
  handed to it instead of being built and run here; probing, the "already there" check, publishing under
  the on_existing policy and every SubtaskFinished stay here, so a remote run is recorded like a local one.
Each member of a fused process still gets its own SubtaskStarted (with the shared command), the shared
progress, its own finalize, staging dir, outputs and SubtaskFinished, exactly as if it had run apart.
SubtaskFinished.log_tail carries the last stderr lines (ffmpeg_runner.LOG_TAIL_LINES) of the step's
process(es) — a fused group's members the same tail, of the process they shared.
The executor emits SubtaskStarted / SubtaskProgress / SubtaskFinished; the Engine emits the run events.
"""


from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import quote

from ..media.base import BuildContext, BuildResult, FFmpegJob, MediaInfo, OutputFile
from ..media import fusion
from ..media.naming import ON_EXISTING, ON_EXISTING_DEFAULT, fit_name, name_max, staging_dir_name
from ..model.plan import ExecutionPlan, PlannedStep
from ..model.statuses import SubtaskStatus
from .budget import ThreadBudget
from .errors import ErrorCode, StepFailure, classify_error
from .events import EventBus, SubtaskFinished, SubtaskProgress, SubtaskStarted
from .ffmpeg_runner import LOG_TAIL_LINES, FFmpegError, ProgressState, meaningful_error_lines, run_ffmpeg
from .remote import RemoteOutcome, RemoteUnits, UnitRequest
from .scheduler import Scheduler, Settled
from .store import STAGING_PREFIX  # one name: the store's start-up clean-up finds staging dirs by it

log = logging.getLogger(__name__)

BuildFn = Callable[[BuildContext], BuildResult]
ProbeFn = Callable[[Path], MediaInfo]
# the FFmpeg seam: run one job, report progress, raise FFmpegError on failure (run_ffmpeg's signature)
FFmpegRunner = Callable[..., Awaitable[ProgressState]]
# stderr lines kept for a fused process: its error names the guilty output among many stream listings
FUSED_STDERR_LINES = 300


@dataclass
class StepOutcome:
    status: SubtaskStatus
    outputs: list[OutputFile] = field(default_factory=list)  # final paths, primary output first
    error_code: str = ""
    message: str = ""
    started: float | None = None
    finished: float | None = None


def _default_build(ctx: BuildContext) -> BuildResult:
    from ..media.builders import build_step
    return build_step(ctx)


def _default_probe(path: Path) -> MediaInfo:
    from ..media.probe import probe
    return probe(path)


def _in_staging(ctxs: list[BuildContext], build: Callable[..., Any], *args: Any) -> Any:
    """Make the steps' staging dirs, then build (both in one worker-thread call)."""
    for ctx in ctxs:
        Path(ctx.staging_dir).mkdir(parents=True, exist_ok=True)
    return build(*args)


# the unit (Scheduler) a coroutine works for: a one-item list, True until the unit first holds tokens
_UNIT_WAITING: contextvars.ContextVar[list[bool]] = contextvars.ContextVar("mediaflow_unit_waiting")
KEPT_EXISTING = "kept_existing"  # OutputFile.extra flag: on_existing "skip" kept the file already there


def _kept_notes(outputs: list[OutputFile]) -> list[str]:
    """The step message's words for files that were already there and kept (on_existing "skip")."""
    kept = [Path(o.path).name for o in outputs if (o.extra or {}).get(KEPT_EXISTING)]
    if not kept:
        return []
    shown = ", ".join(kept[:3]) + (f" and {len(kept) - 3} more" if len(kept) > 3 else "")
    return [f"skipped {len(kept)} existing file(s), kept as they were: {shown}"]


def output_dict(out: OutputFile) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": str(out.path), "kind": out.kind, "size": out.size,
                             "width": out.width, "height": out.height, "duration": out.duration}
    for key, value in (out.extra or {}).items():
        entry.setdefault(key, value)
    return entry


class PlanExecutor:
    """Runs the steps of one plan on one input; one instance per run."""

    def __init__(self, task_id: str, plan: ExecutionPlan, source: Path, out_dir: Path, *,
                 bus: EventBus, budget: ThreadBudget, ffmpeg: str, source_name: str,
                 threads_per_step: int = 1, name_templates: dict[str, str] | None = None,
                 build: BuildFn | None = None, probe: ProbeFn | None = None,
                 probe_cache: dict[str, MediaInfo | BaseException] | None = None, fusion: bool = False,
                 runner: FFmpegRunner | None = None, on_existing: str = ON_EXISTING_DEFAULT,
                 remote: RemoteUnits | None = None, source_object: Any = None) -> None:
        if on_existing not in ON_EXISTING:
            raise ValueError(f"on_existing must be one of {', '.join(ON_EXISTING)}, not {on_existing!r}")
        self.on_existing = on_existing
        self.task_id = task_id
        self.plan = plan
        self.source = Path(source)
        self.out_dir = Path(out_dir)
        self.bus = bus
        self.budget = budget
        self.ffmpeg = ffmpeg
        self.source_name = source_name
        self.threads_per_step = threads_per_step
        self.name_templates = dict(name_templates or {})
        self._build = build or _default_build
        self._probe = probe or _default_probe
        self._probe_cache: dict[str, MediaInfo | BaseException] = probe_cache if probe_cache is not None else {}
        self._probing: dict[str, asyncio.Future[MediaInfo | BaseException]] = {}
        # fusion needs the real builders' stream-level seams; an injected build function has none
        self.fusion = fusion and build is None
        self._real_builders = build is None  # their names tell which files a step will write
        self._runner: FFmpegRunner = runner or run_ffmpeg
        self.remote = remote  # None: every unit runs here
        self.source_object = source_object  # where remote workers read the source themselves (or None)
        self._started_at: dict[str, float] = {}
        self.processes_started = 0  # FFmpeg processes this run started (fused or not)
        self.outcomes: dict[str, StepOutcome] = {}
        # units started but not yet holding tokens: while there are any, the budget keeps what this run
        # gave back for them (ThreadBudget's grace); with none, an idle scheduler lets queued runs have it
        self._units_waiting = 0
        self.scheduler = Scheduler(plan, self._run_unit, self._settle, fusion=self.fusion,
                                   on_idle=lambda: self._units_waiting or budget.end_grace(task_id))
        self._canceling = False
        self._ran = False
        self.first_failure: str | None = None  # step id of the first step that failed
        # each step's last FFmpeg stderr lines (a fused group's members share their process's), for
        # SubtaskFinished.log_tail: the run details' FFmpeg log
        self._log_tails: dict[str, list[str]] = {}

    # -- public ------------------------------------------------------------------------
    async def run(self) -> dict[str, StepOutcome]:
        """Run every step; returns the outcome of each. Re-raises CancelledError after cleanup."""
        self._ran = True
        if self._canceling:  # cancel() came before the run started
            self.scheduler.cancel()
        await self.scheduler.run()  # (the engine tells `remote` when the run began and ended)
        return self.outcomes

    def cancel(self) -> None:
        """Stop the run: FFmpeg processes are killed, staging removed, unfinished steps CANCELED."""
        self._canceling = True
        self.scheduler.cancel()

    @property
    def canceled(self) -> bool:
        return self._canceling

    @property
    def finished(self) -> bool:
        return self._ran and len(self.outcomes) == len(self.plan.steps) and not self.scheduler.running

    # -- one step ------------------------------------------------------------------------
    def _finish(self, sid: str, outcome: StepOutcome) -> None:
        if sid in self.outcomes:  # settled already (e.g. canceled while its outputs were published)
            return
        outcome.finished = time.time()
        self.outcomes[sid] = outcome
        if outcome.status == SubtaskStatus.FAIL and self.first_failure is None:
            self.first_failure = sid
        self.bus.emit(SubtaskFinished(self.task_id, sid, outcome.status,
                                      tuple(output_dict(o) for o in outcome.outputs),
                                      outcome.error_code, outcome.message, time=outcome.finished,
                                      log_tail="\n".join(self._log_tails.pop(sid, []))))
        self.scheduler.step_ended(sid, outcome.status, outcome.error_code)

    def _settle(self, sid: str, settled: Settled) -> None:
        """A step the scheduler decided without running (skipped, canceled, a folded watermark)."""
        self._finish(sid, StepOutcome(settled.status, error_code=settled.error_code, message=settled.message))

    def _staging(self, sid: str) -> Path:
        return self.out_dir / staging_dir_name(STAGING_PREFIX, self.task_id, sid)

    async def _guarded(self, sid: str, work: Awaitable[StepOutcome | None]) -> None:
        """Run one step's work and record its outcome, whatever happens (None: already recorded)."""
        try:
            outcome = await work
        except asyncio.CancelledError:
            self._canceled_step(sid)
            raise
        except Exception as exc:  # any failure belongs to this node: record it, never crash the run
            self._failed_step(sid, exc)
            return
        if outcome is not None:
            self._finish(sid, outcome)

    def _canceled_step(self, sid: str) -> None:
        shutil.rmtree(self._staging(sid), ignore_errors=True)
        self._finish(sid, StepOutcome(SubtaskStatus.CANCELED, error_code="Canceled",
                                      message=f"Task '{self.plan.steps[sid].name}' was canceled"))

    def _failed_step(self, sid: str, exc: BaseException) -> None:
        step = self.plan.steps[sid]
        shutil.rmtree(self._staging(sid), ignore_errors=True)
        code, detail = classify_error(exc)
        if code == "InternalError":
            log.error("task '%s' of %s failed unexpectedly", step.name, self.task_id, exc_info=exc)
        self._finish(sid, StepOutcome(SubtaskStatus.FAIL, error_code=code, message=f"Task '{step.name}' failed: {detail}"))

    def _run_unit(self, sids: tuple[str, ...]) -> Awaitable[None]:
        """One unit of the scheduler: a step, or steps that became ready together reading one input.
        Counted as waiting for tokens from now (when the scheduler makes it, before its task runs)."""
        waiting = [True]
        self._units_waiting += 1
        return self._unit_body(sids, waiting)

    async def _unit_body(self, sids: tuple[str, ...], waiting: list[bool]) -> None:
        _UNIT_WAITING.set(waiting)  # this task's own context: its steps' holds see it
        try:
            await self._run_unit_steps(sids)
        finally:
            self._unit_holds(waiting)

    def _unit_holds(self, waiting: list[bool]) -> None:
        if waiting[0]:
            waiting[0] = False
            self._units_waiting -= 1

    @contextlib.asynccontextmanager
    async def _hold(self, threads: int):  # noqa: ANN202 - AsyncIterator[int]
        """The budget's hold for this run; the first hold of a unit marks it as no longer waiting."""
        async with self.budget.hold(threads, self.task_id) as held:
            waiting = _UNIT_WAITING.get(None)
            if waiting is not None:
                self._unit_holds(waiting)
            yield held

    async def _run_unit_steps(self, sids: tuple[str, ...]) -> None:
        if len(sids) == 1:
            await self._guarded(sids[0], self._run_step(self.plan.steps[sids[0]]))
            return
        try:
            ctxs = await self._contexts(sids)
        except asyncio.CancelledError:
            for sid in sids:
                self._canceled_step(sid)
            raise
        except Exception as exc:  # the shared input cannot be read: every member fails with the reason
            for sid in sids:
                self._failed_step(sid, exc)
            return
        if self.on_existing == "skip":  # members whose files are all there already are not run again
            kept = await asyncio.gather(*(self._already_there(ctx) for ctx in ctxs))
            for ctx, outcome in zip(ctxs, kept):
                if outcome is not None:
                    self._finish(ctx.step_id, outcome)
            ctxs = [ctx for ctx, outcome in zip(ctxs, kept) if outcome is None]
        groups, apart = fusion.plan_groups(ctxs)
        if self.remote is not None:  # each group, and each step apart, is one unit of remote work
            work = [self._run_remote(group, fused=True) for group in groups]
            work += [self._run_remote([ctx], fused=False) for ctx in apart]
        else:
            work = [self._run_group(group) for group in groups]
            work += [self._guarded(ctx.step_id, self._run_apart(ctx)) for ctx in apart]
        results = await asyncio.gather(*work, return_exceptions=True)
        cancel = next((r for r in results if isinstance(r, asyncio.CancelledError)), None)
        if cancel is not None:
            raise cancel

    async def _contexts(self, sids: tuple[str, ...]) -> list[BuildContext]:
        """The build contexts of steps that read one input (probed once)."""
        steps = [self.plan.steps[sid] for sid in sids]
        input_path = self._input_of(steps[0])
        info = await self._probe_input(input_path)
        return [self._context(step, input_path, info) for step in steps]

    def _input_of(self, step: PlannedStep) -> Path:
        if step.input_from is None:
            return self.source
        previous = self.outcomes[step.input_from].outputs
        if not previous:
            raise StepFailure(ErrorCode.INPUT_NOT_SUPPORTED, step.node_id,
                              f"'{self.plan.steps[step.input_from].name}' produced no file to read")
        return previous[0].path

    def _context(self, step: PlannedStep, input_path: Path, info: MediaInfo) -> BuildContext:
        # the staging dir is made in the worker thread that builds the step (no disk work on the loop)
        return BuildContext(step_id=step.node_id, step_name=step.name, task_kind=step.task_kind,
                            params=step.params, input_path=input_path, probe=info, source_name=self.source_name,
                            staging_dir=self._staging(step.node_id), ffmpeg=self.ffmpeg, threads=0,
                            name_templates=dict(self.name_templates))

    async def _run_step(self, step: PlannedStep) -> StepOutcome:
        input_path = self._input_of(step)
        info = await self._probe_input(input_path)
        ctx = self._context(step, input_path, info)
        kept = await self._already_there(ctx)
        if kept is not None:
            return kept
        if self.remote is not None:
            await self._run_remote([ctx], fused=False)
            return None  # recorded by _run_remote
        return await self._run_apart(ctx)

    async def _already_there(self, ctx: BuildContext) -> StepOutcome | None:
        """Under on_existing "skip": the step's outcome when every file it would write is already in the
        output dir (it is not run again; its outputs are those files), else None (it runs)."""
        if self.on_existing != "skip" or not self._real_builders:
            return None
        existing = await asyncio.to_thread(self._existing_outputs, ctx)
        if existing is None:
            return None
        now = time.time()
        shown = ", ".join(o.path.name for o in existing[:3]) + (
            f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        return StepOutcome(SubtaskStatus.SUCCESS, outputs=existing, started=now, message=(
            f"Task '{ctx.step_name}' was not run again: its {len(existing)} file(s) are already in "
            f"{self.out_dir} ({shown}) and existing files are skipped"))

    def _existing_outputs(self, ctx: BuildContext) -> list[OutputFile] | None:
        from ..media.builders.expected import expected_outputs

        expected = expected_outputs(ctx)
        if not expected:
            return None
        try:
            limit = name_max(self.out_dir)
            paths = [(self.out_dir / fit_name(name, limit), kind) for name, kind in expected]
            if not all(path.is_file() and not self._is_source(path) for path, _ in paths):
                return None
            return [OutputFile(path=path, kind=kind, size=path.stat().st_size, extra={KEPT_EXISTING: True})
                    for path, kind in paths]
        except (OSError, ValueError):  # a name that cannot be made, a file gone meanwhile: run the step
            return None

    async def _run_apart(self, ctx: BuildContext) -> StepOutcome:
        """One step in its own FFmpeg process(es), holding its share of the thread budget."""
        build: BuildFn = self._build
        weight = 1
        staging = Path(ctx.staging_dir)
        if self.fusion and fusion.seeks_fusable(ctx):  # several time points: one process, one seek per point
            build, weight = fusion.build_seeking, fusion.apart_weight(ctx)
        threads = self.budget.threads_for(self.threads_per_step, weight)
        ctx = replace(ctx, threads=threads)
        result = await asyncio.to_thread(_in_staging, [ctx], build, ctx)
        if not result.jobs:
            raise StepFailure(ErrorCode.INTERNAL_ERROR, ctx.step_id, "the builder made no FFmpeg job")

        async with self._hold(threads) as held:
            started = time.time()
            self.bus.emit(SubtaskStarted(self.task_id, ctx.step_id, tuple(str(a) for a in result.jobs[0].args),
                                         time=started, input=str(ctx.input_path), threads=held))
            await self._run_jobs(ctx.step_id, result.jobs)
        final = await asyncio.to_thread(self._finalize_and_publish, result.finalize, staging)
        return StepOutcome(SubtaskStatus.SUCCESS, outputs=final, started=started,
                           message="; ".join([*result.notes, *_kept_notes(final)]))

    def _finalize_and_publish(self, finalize: Callable[[], list[OutputFile]], staging: Path) -> list[OutputFile]:
        """In a worker thread (file system work stays off the event loop): list, move, clean up."""
        produced = finalize()
        if not produced:
            raise StepFailure(ErrorCode.OUTPUT_FAILED, detail="FFmpeg finished but no output file was found")
        final = self._publish(produced, staging)
        try:
            staging.rmdir()  # empty once everything moved out: one call instead of rmtree's walk
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
        return final

    # -- remote units --------------------------------------------------------------------------
    async def _run_remote(self, ctxs: list[BuildContext], fused: bool) -> None:
        """Hand one unit to `remote`, then publish and record each member here (engine/remote.py).

        The unit holds one token of the budget while it is out (the engine sizes the budget by the
        cluster's capacity), so queued runs wait here, in order, instead of piling up on the scheduler."""
        assert self.remote is not None
        reads_source = Path(ctxs[0].input_path) == self.source
        request = UnitRequest(self.task_id, [self.plan.steps[c.step_id] for c in ctxs], list(ctxs), fused,
                              self.threads_per_step, source_object=self.source_object if reads_source else None)
        self._follow_capacity()
        try:
            async with self._hold(1):
                try:
                    outcomes = await self.remote.run(request, self.bus.emit)
                finally:  # what the cluster says now (workers joined or left) frees or holds back the queue
                    self._follow_capacity()
        except asyncio.CancelledError:
            for ctx in ctxs:
                if ctx.step_id not in self.outcomes:
                    self._canceled_step(ctx.step_id)
            raise
        except Exception as exc:  # the unit as a whole did not run: each member fails with the reason
            for ctx in ctxs:
                if ctx.step_id not in self.outcomes:
                    self._failed_step(ctx.step_id, exc)
            return
        self.processes_started += 1
        for ctx in ctxs:
            sid = ctx.step_id
            outcome = outcomes.get(sid) or RemoteOutcome(
                SubtaskStatus.FAIL, error_code=ErrorCode.INTERNAL_ERROR.value,
                message=f"Task '{ctx.step_name}' failed: {self.remote.label} returned no outcome for it")
            self._log_tails[sid] = outcome.log_tail.splitlines()[-LOG_TAIL_LINES:]
            staging = Path(ctx.staging_dir)
            if outcome.status != SubtaskStatus.SUCCESS:
                shutil.rmtree(staging, ignore_errors=True)
                where = f" (on {outcome.where})" if outcome.where and outcome.status == SubtaskStatus.FAIL else ""
                self._finish(sid, StepOutcome(outcome.status, error_code=outcome.error_code,
                                              message=outcome.message + where, started=outcome.started))
                continue
            try:
                final = await asyncio.to_thread(self._finalize_and_publish, lambda o=outcome: list(o.outputs), staging)
            except Exception as exc:
                self._failed_step(sid, exc)
                continue
            ran_on = [f"ran on {outcome.where}"] if outcome.where else []
            self._finish(sid, StepOutcome(SubtaskStatus.SUCCESS, outputs=final, started=outcome.started,
                                          message="; ".join([m for m in [outcome.message] if m] + _kept_notes(final)
                                                            + ran_on)))

    def _follow_capacity(self) -> None:
        """Size the budget by the remote side's capacity: workers come and go, and runs queued for tokens
        wake only when the budget grows (a resize at run start alone left them on the old size)."""
        assert self.remote is not None
        slots = max(1, int(self.remote.capacity()))
        if self.budget.total != slots:
            self.budget.resize(slots)

    # -- fusion ------------------------------------------------------------------------------
    def _names(self, ctxs: list[BuildContext]) -> str:
        return ", ".join(f"'{c.step_name}'" for c in ctxs)

    async def _run_group(self, ctxs: list[BuildContext]) -> None:
        """Steps media/fusion put in one FFmpeg process: run it to its end, recording every member.

        A member FFmpeg's error names fails alone and the others run again without it; a member the
        builder refuses, or the last one left, runs apart (as it would without fusion)."""
        members = list(ctxs)
        apart: list[BuildContext] = []
        settled: set[str] = set()

        def settle(ctx: BuildContext, outcome: StepOutcome) -> None:
            settled.add(ctx.step_id)
            self._finish(ctx.step_id, outcome)

        try:
            while len(members) >= 2:
                threads = self.budget.threads_for(self.threads_per_step, fusion.group_weight(members))
                fused = await asyncio.to_thread(_in_staging, members, fusion.build_fused, members, threads)
                apart += [c for c in members if c.step_id in fused.rejected]  # fails alone, as apart
                members = list(fused.members)
                if len(members) < 2:
                    break
                failed = await self._run_fused(fused, threads)
                if failed is None:  # success: finalize and publish each member on its own, side by side
                    outcomes = await asyncio.gather(*(self._settle_member(fused, c) for c in fused.members))
                    for ctx, outcome in zip(fused.members, outcomes):
                        settle(ctx, outcome)
                    members = []
                    break
                culprits, error = failed
                if not culprits:
                    message = (f"FFmpeg failed in a process shared by {self._names(fused.members)} "
                               f"(fused: one decode for all of them) and its error names none of them: {error}")
                    for ctx in fused.members:
                        settle(ctx, StepOutcome(SubtaskStatus.FAIL, error_code="FFmpegFailed",
                                                message=f"Task '{ctx.step_name}' failed: {message}"))
                    members = []
                    break
                for ctx in fused.members:
                    if ctx.step_id in culprits:
                        settle(ctx, StepOutcome(
                            SubtaskStatus.FAIL, error_code="FFmpegFailed",
                            message=f"Task '{ctx.step_name}' failed: {error} (its output was part of a process "
                                    f"shared with {self._names([c for c in fused.members if c is not ctx])}, "
                                    "which ran again without it)"))
                # the others run again without the culprits, in a fresh staging dir each
                members = [c for c in fused.members if c.step_id not in culprits]
                for ctx in members:
                    shutil.rmtree(ctx.staging_dir, ignore_errors=True)
                    Path(ctx.staging_dir).mkdir(parents=True, exist_ok=True)
            apart += members  # a group of one is simply a step of its own
        except asyncio.CancelledError:
            for ctx in ctxs:
                if ctx.step_id not in settled:
                    self._canceled_step(ctx.step_id)
            raise
        except Exception as exc:  # a fusion bug must fail these steps, not hang their siblings
            for ctx in ctxs:
                if ctx.step_id not in settled:
                    self._failed_step(ctx.step_id, exc)
            return
        await asyncio.gather(*(self._guarded(c.step_id, self._run_apart(c)) for c in apart))

    async def _run_fused(self, fused: fusion.FusedJob, threads: int) -> tuple[list[str], str] | None:
        """Run the fused job; None on success, else (members FFmpeg's error names, the error text)."""
        sids = fused.step_ids
        async with self._hold(threads) as held:
            started = time.time()
            command = tuple(str(a) for a in fused.job.args)
            for ctx in fused.members:
                self.bus.emit(SubtaskStarted(self.task_id, ctx.step_id, command, time=started,
                                             input=str(ctx.input_path), threads=held))

            def on_progress(percent: float, speed: float | None) -> None:
                for sid in sids:  # one process, one position in the input: the same percent for all
                    self.bus.emit(SubtaskProgress(self.task_id, sid, round(min(percent, 100.0), 2), speed))

            self.processes_started += 1
            try:
                state = await self._runner(fused.job, on_progress, keep_lines=FUSED_STDERR_LINES)
            except FFmpegError as exc:
                self._keep_log(sids, exc.stderr_tail, fresh=True)
                culprits = fused.culprits(exc.stderr_tail)
                named = [ln for ln in exc.stderr_tail if any(
                    sid in fused._named_in(ln) for sid in culprits)] if culprits else []
                lines = (named[:2] + meaningful_error_lines(exc.stderr_tail, 2)) if named else exc.error_lines
                detail = " | ".join(dict.fromkeys(lines)) or "no error output"
                return culprits, f"FFmpeg exited with code {exc.exit_code}: {detail}"
        self._keep_log(sids, getattr(state, "log_tail", None) or [], fresh=True)
        for ctx in fused.members:
            self._started_at[ctx.step_id] = started
        return None

    def _keep_log(self, sids: tuple[str, ...] | list[str], lines: list[str], fresh: bool = False) -> None:
        """Keep the last LOG_TAIL_LINES stderr lines of a process for each of `sids` (`fresh`: the
        process replaces what an earlier one left, as when a fused group runs again without a culprit;
        else a step's later job adds to its earlier ones')."""
        for sid in sids:
            kept = [] if fresh else self._log_tails.get(sid, [])
            self._log_tails[sid] = (kept + [str(ln) for ln in lines])[-LOG_TAIL_LINES:]

    async def _settle_member(self, fused: fusion.FusedJob, ctx: BuildContext) -> StepOutcome:
        """Finalize and publish one member of a finished fused process (its failure is its own)."""
        staging = Path(ctx.staging_dir)
        try:
            final = await asyncio.to_thread(self._finalize_and_publish, fused.finalizers[ctx.step_id], staging)
        except Exception as exc:  # this member's outputs are wrong; its siblings may still be fine
            shutil.rmtree(staging, ignore_errors=True)
            code, detail = classify_error(exc)
            return StepOutcome(SubtaskStatus.FAIL, error_code=code, message=f"Task '{ctx.step_name}' failed: {detail}")
        return StepOutcome(SubtaskStatus.SUCCESS, outputs=final, started=self._started_at.get(ctx.step_id),
                           message="; ".join([*fused.notes.get(ctx.step_id, []), *_kept_notes(final)]))

    async def _probe_input(self, path: Path) -> MediaInfo:
        key = str(path)
        cached = self._probe_cache.get(key)
        if cached is None and key in self._probing:  # a sibling is probing it: wait for the same answer
            cached = await asyncio.shield(self._probing[key])
        if cached is None:
            fut: asyncio.Future[MediaInfo | BaseException] = asyncio.get_running_loop().create_future()
            self._probing[key] = fut
            try:
                cached = await asyncio.to_thread(self._probe, path)
            except Exception as exc:  # cached so that six branches report one unreadable file alike
                cached = exc
            except BaseException:  # canceled: the siblings waiting on this probe stop too
                fut.cancel()
                raise
            finally:
                self._probing.pop(key, None)
            self._probe_cache[key] = cached
            fut.set_result(cached)
        if isinstance(cached, BaseException):
            code, detail = classify_error(cached)
            if code == "InternalError":
                code = "ProbeFailed"
            raise StepFailure(code, detail=detail)
        return cached

    async def _run_jobs(self, sid: str, jobs: list[FFmpegJob]) -> None:
        total = sum(max(j.weight, 0.0) for j in jobs) or float(len(jobs))
        done_weight = 0.0
        for index, job in enumerate(jobs):
            weight = max(job.weight, 0.0) if total else 1.0

            def on_progress(percent: float, speed: float | None, _base: float = done_weight,
                            _w: float = weight) -> None:
                overall = 100.0 * (_base + _w * percent / 100.0) / total
                self.bus.emit(SubtaskProgress(self.task_id, sid, round(min(overall, 100.0), 2), speed))

            self.processes_started += 1
            try:
                state = await self._runner(job, on_progress)
            except FFmpegError as exc:
                self._keep_log([sid], exc.stderr_tail, fresh=index == 0)
                raise
            # the first job starts the step's log afresh (a fused try it left may have written one)
            self._keep_log([sid], getattr(state, "log_tail", None) or [], fresh=index == 0)
            done_weight += weight

    # -- outputs ---------------------------------------------------------------------------
    def _publish(self, produced: list[OutputFile], staging: Path) -> list[OutputFile]:
        """Move the staged files to the output dir under free names; fix VTT links to renamed sheets."""
        from ..media.naming import unique_path

        self.out_dir.mkdir(parents=True, exist_ok=True)
        renamed: dict[str, str] = {}
        final: list[OutputFile] = []
        for out in produced:
            src = Path(out.path)
            if not src.is_file():
                raise StepFailure(ErrorCode.OUTPUT_FAILED, detail=f"the expected output {src.name} was not written")
            if not src.resolve().is_relative_to(staging.resolve()):  # not ours to move: leave it where it is
                final.append(replace(out, size=out.size or src.stat().st_size))
                continue
            dst, kept = self._place(src, unique_path)
            if dst.name != src.name:
                renamed[src.name] = dst.name
            extra = {**(out.extra or {}), KEPT_EXISTING: True} if kept else out.extra
            final.append(replace(out, path=dst, size=dst.stat().st_size, extra=extra))
        if renamed:  # a sprite's WebVTT names its sheets: follow their new names (one pass, longest first)
            # the VTT may hold the names as written or URL-encoded (spaces, unicode)
            renamed.update({quote(old): quote(new) for old, new in list(renamed.items())})
            pattern = re.compile("|".join(re.escape(old) for old in sorted(renamed, key=len, reverse=True)))
            for out in final:
                if out.path.suffix.lower() == ".vtt":
                    text = out.path.read_text(encoding="utf-8")
                    text = pattern.sub(lambda m: renamed[m.group(0)], text)
                    out.path.write_text(text, encoding="utf-8")
                    out.size = out.path.stat().st_size
        return final

    def _place(self, src: Path, unique_path: Callable[[Path, str], Path]) -> tuple[Path, bool]:
        """Move one staged file to the output dir by the on_existing policy; (where it is, True when
        the file already there was kept and the new one dropped)."""
        if self.on_existing != "keep-both":
            dst = self.out_dir / fit_name(src.name, name_max(self.out_dir))  # the name unique_path would try first
            taken = os.path.lexists(dst)
            if taken and self._is_source(dst):  # never the input itself, whatever the policy
                return self._move_no_overwrite(src, unique_path), False
            if taken and self.on_existing == "skip" and dst.is_file():
                os.unlink(src)
                return dst, True
            if self.on_existing == "overwrite" and (not taken or dst.is_file() or dst.is_symlink()):
                os.replace(src, dst)  # atomic: a reader sees the old file or the new one
                return dst, False
        return self._move_no_overwrite(src, unique_path), False

    def _is_source(self, path: Path) -> bool:
        try:
            return path.resolve() == self.source.resolve() or (path.exists() and path.samefile(self.source))
        except OSError:
            return False

    def _move_no_overwrite(self, src: Path, unique_path: Callable[[Path, str], Path]) -> Path:
        for _ in range(1000):
            dst = unique_path(self.out_dir, src.name)
            try:
                os.link(src, dst)  # fails if dst exists, even if another process took it just now
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: check, then rename
                if dst.exists():
                    continue
                os.rename(src, dst)
                return dst
            os.unlink(src)
            return dst
        raise StepFailure(ErrorCode.OUTPUT_FAILED, detail=f"no free name for {src.name} in {self.out_dir}")

