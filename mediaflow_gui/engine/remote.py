"""The seam where a ready unit of work runs somewhere else (a Dask cluster: mediaflow_gui/cluster/).

A unit is what the executor would otherwise run on this machine: one step apart, or the steps media/fusion
put in one FFmpeg process (they share a decode, so they stay together). The executor keeps everything
that belongs to the run — the TaskId, the scheduler, the probe of the input, the "already there" check,
the publishing of outputs under the on_existing policy and every SubtaskFinished — and hands a unit to a
`RemoteUnits` implementation, which:
- gets the unit's input to where it runs and runs the same builders and FFmpeg runner there;
- emits the unit's SubtaskStarted / SubtaskProgress on the submitting machine while it runs (`emit`);
- returns one RemoteOutcome per step, whose output files are already in the step's local staging dir
  (ctx.staging_dir), so the executor publishes them exactly as it publishes local ones;
- stops the remote FFmpeg when the awaiting task is canceled (and re-raises CancelledError).
Nothing here imports storage/ or a cluster library: the engine only knows the shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..media.base import BuildContext, OutputFile
from ..model.plan import PlannedStep
from ..model.statuses import SubtaskStatus
from .events import Event


@dataclass
class UnitRequest:
    """One unit for a remote run: the steps, their build contexts as this machine made them (input path,
    probe, staging dir, names), and whether they are meant to share one FFmpeg process."""

    task_id: str
    steps: list[PlannedStep]
    contexts: list[BuildContext]  # same order as steps; all read contexts[0].input_path
    fused: bool  # media/fusion grouped them: the remote side runs them as one unit with fusion on
    threads_per_step: int = 1
    # where the remote side can read the unit's input itself (a bucket run's object), else None: the
    # implementation stages a copy of contexts[0].input_path
    source_object: Any = None

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.node_id for s in self.steps)

    @property
    def names(self) -> str:
        return ", ".join(f"'{s.name}'" for s in self.steps)


@dataclass
class RemoteOutcome:
    """How one step of a unit ended where it ran. `outputs` are in the step's local staging dir."""

    status: SubtaskStatus
    outputs: list[OutputFile] = field(default_factory=list)
    error_code: str = ""
    message: str = ""
    started: float | None = None
    log_tail: str = ""
    where: str = ""  # the worker that ran it (shown in the step's message)


class RemoteUnits(Protocol):
    """Runs units elsewhere (cluster/dispatcher.py's ClusterUnits)."""

    #: words for messages: "the Dask cluster at tcp://…"
    label: str

    def capacity(self) -> int:
        """How many units can run at once there (the engine sizes its token budget by it)."""

    async def run(self, request: UnitRequest, emit: Callable[[Event], None]) -> dict[str, RemoteOutcome]:
        """Run the unit; one outcome per step id. Raises for a failure of the unit as a whole."""

    def run_began(self, task_id: str) -> None:
        """A run whose units will come here began (Engine._execute, before it waits for anything): the
        implementation stays usable for it until run_ended, even when the settings switch elsewhere."""

    def run_ended(self, task_id: str) -> None:
        """The run ended (every run_began has one, whatever happened): whatever was staged for it can be
        removed (must not raise or block long)."""
