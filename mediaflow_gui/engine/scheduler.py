"""The ready-set loop of one run: which steps may start now, and what becomes of those that may not.

`next_moves(plan, outcomes, started, …)` is the whole scheduling rule as a pure function (tests
check it without FFmpeg or asyncio):
- a step whose dependencies all ended is ready; steps the compiled plan put in one candidate group
  (model/plan.py: one input, one set of dependencies) become ready together and start as ONE unit
  when fusion is on, so media/fusion can give them one FFmpeg process; every other ready step is a
  unit of its own;
- a step whose dependency did not succeed is settled without running: SKIPPED, or CANCELED when a
  dependency was canceled (or the run is being canceled);
- a watermark folded into transcodes (`applied_in`) never runs: once they ended it reports their
  outcome ("applied inside …").
`Scheduler.run()` applies those moves until every step has an outcome: it starts each unit as an
asyncio task (the executor's `run_unit`), records settled outcomes through `settle`, and wakes up
whenever a step ends (`step_ended`) — a unit's members may end one by one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Mapping

from ..model.plan import ExecutionPlan
from ..model.statuses import SubtaskStatus


@dataclass(frozen=True)
class Settled:
    """An outcome decided without running the step."""

    status: SubtaskStatus
    error_code: str = ""
    message: str = ""


@dataclass
class Moves:
    units: list[tuple[str, ...]] = field(default_factory=list)  # to start now
    settled: dict[str, Settled] = field(default_factory=dict)  # decided without running


def _names(plan: ExecutionPlan, ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"'{plan.steps[i].name}'" for i in ids)


def _folded(plan: ExecutionPlan, sid: str, outcomes: Mapping[str, SubtaskStatus],
            error_codes: Mapping[str, str]) -> Settled:
    step = plan.steps[sid]
    names = _names(plan, step.applied_in)
    statuses = [outcomes[t] for t in step.applied_in]
    if all(s == SubtaskStatus.SUCCESS for s in statuses):
        return Settled(SubtaskStatus.SUCCESS, message=f"applied inside {names}")
    failed = next((t for t in step.applied_in if outcomes[t] == SubtaskStatus.FAIL), None)
    if failed is not None:
        return Settled(SubtaskStatus.FAIL, error_codes.get(failed, ""),
                       f"Task '{step.name}' was applied inside {names}; '{plan.steps[failed].name}' failed")
    if SubtaskStatus.CANCELED in statuses:
        return Settled(SubtaskStatus.CANCELED, "Canceled",
                       f"Task '{step.name}' was to be applied inside {names}, which did not run")
    return Settled(SubtaskStatus.SKIPPED, "Skipped",
                   f"Task '{step.name}' was to be applied inside {names}, which did not run")


def next_moves(plan: ExecutionPlan, outcomes: Mapping[str, SubtaskStatus], started: set[str], *,
               fusion: bool, canceling: bool = False, error_codes: Mapping[str, str] | None = None) -> Moves:
    """What to do now, given the steps that ended (`outcomes`) and those already started."""
    codes = error_codes or {}
    moves = Moves()
    ready: list[str] = []
    for sid in plan.order:
        if sid in outcomes or sid in started:
            continue
        step = plan.steps[sid]
        waits_for = step.applied_in or sorted(step.depends_on)
        if any(d not in outcomes for d in waits_for):
            continue
        if step.applied_in:
            moves.settled[sid] = _folded(plan, sid, outcomes, codes)
            continue
        blocked = [d for d in plan.order if d in step.depends_on and outcomes[d] != SubtaskStatus.SUCCESS]
        if canceling or any(outcomes[d] == SubtaskStatus.CANCELED for d in blocked):
            moves.settled[sid] = Settled(SubtaskStatus.CANCELED, "Canceled",
                                         f"Task '{step.name}' was canceled before it started")
        elif blocked:
            moves.settled[sid] = Settled(SubtaskStatus.SKIPPED, "Skipped",
                                         f"Task '{step.name}' was skipped: {_names(plan, blocked)} did not succeed")
        else:
            ready.append(sid)
    taken: set[str] = set()
    if fusion:
        for group in plan.groups:
            members = tuple(s for s in group if s in ready)
            if len(members) >= 2:
                moves.units.append(members)
                taken.update(members)
    moves.units.extend((sid,) for sid in ready if sid not in taken)
    return moves


RunUnit = Callable[[tuple[str, ...]], Awaitable[None]]
Settle = Callable[[str, Settled], None]


class Scheduler:
    """Drives one run: starts units as their dependencies end, settles what cannot run, until done."""

    def __init__(self, plan: ExecutionPlan, run_unit: RunUnit, settle: Settle, *, fusion: bool,
                 on_idle: Callable[[], None] | None = None) -> None:
        """`on_idle`: called when a look at the plan started nothing new (the run asks for no CPU now:
        the thread budget may give what it held for the run's next step to queued runs)."""
        self.plan = plan
        self._on_idle = on_idle
        self._run_unit = run_unit
        self._settle = settle
        self.fusion = fusion
        self.outcomes: dict[str, SubtaskStatus] = {}
        self.error_codes: dict[str, str] = {}
        self.started: set[str] = set()
        self.canceling = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._units: dict[asyncio.Task[None], tuple[str, ...]] = {}
        self._changed: asyncio.Event | None = None

    def step_ended(self, sid: str, status: SubtaskStatus, error_code: str = "") -> None:
        """Called by the executor each time a step has its outcome (from its unit's task)."""
        self.outcomes[sid] = status
        self.error_codes[sid] = error_code
        if self._changed is not None:
            self._changed.set()

    def cancel(self) -> None:
        """Stop: running units are canceled (they settle their steps), the rest is settled CANCELED."""
        self.canceling = True
        for task in self._tasks:
            task.cancel()
        if self._changed is not None:
            self._changed.set()

    def _unit_done(self, task: "asyncio.Task[None]") -> None:
        self._tasks.discard(task)
        if self._changed is not None:
            self._changed.set()

    def _settle_abandoned(self) -> None:
        """A unit that ended without an outcome for each of its steps (a bug) must not hang the run."""
        for task, unit in list(self._units.items()):
            if not task.done():
                continue
            del self._units[task]
            error = None if task.cancelled() else task.exception()
            for sid in unit:
                if sid not in self.outcomes:
                    detail = f"{type(error).__name__}: {error}" if error else "its unit ended without an outcome"
                    self._settle(sid, Settled(SubtaskStatus.FAIL, "InternalError",
                                              f"Task '{self.plan.steps[sid].name}' failed: {detail}"))

    @property
    def running(self) -> bool:
        return any(not t.done() for t in self._tasks)

    async def run(self) -> None:
        self._changed = asyncio.Event()
        try:
            while len(self.outcomes) < len(self.plan.steps):
                self._settle_abandoned()
                moves = next_moves(self.plan, self.outcomes, self.started, fusion=self.fusion,
                                   canceling=self.canceling, error_codes=self.error_codes)
                for sid, settled in moves.settled.items():
                    self._settle(sid, settled)  # calls step_ended
                if moves.settled:
                    continue  # settling may release others
                for unit in moves.units:
                    self.started.update(unit)
                    task = asyncio.create_task(self._run_unit(unit), name=f"unit:{','.join(unit)}")
                    self._tasks.add(task)
                    self._units[task] = unit
                    task.add_done_callback(self._unit_done)
                if len(self.outcomes) >= len(self.plan.steps):
                    break
                if not moves.units and self._on_idle is not None:
                    self._on_idle()
                if not self._tasks and not moves.units:
                    raise RuntimeError(f"the plan cannot go on: {len(self.outcomes)} of {len(self.plan.steps)} "
                                       "steps ended and none is running")
                self._changed.clear()
                await self._changed.wait()
        except asyncio.CancelledError:
            self.cancel()
            # let every unit clean up (kill FFmpeg, remove staging) before giving up control
            if self._tasks:
                await asyncio.wait(list(self._tasks))
            raise
        if self._tasks:  # every step has its outcome; units still finishing their own work end here
            await asyncio.wait(list(self._tasks))
