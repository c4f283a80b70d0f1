"""Compile a drawn workflow into what the engine runs (kept apart from the file format).

The plan has one step per task node. Each step knows where its input comes from (the
source file, or the primary output of another step) and which steps must finish first.
Start, split, join and end nodes do not run; they only shape the dependencies: a task
after a join waits for every task before that join.

The compiler owns every rewrite between the drawing and what runs (DESIGN.md, "compiled plan"):
- relative watermark images resolve against the workflow file's folder (`resolved_workflow` gives
  the same rewrite for the snapshot a run records, so a retry from the history needs no base dir);
- a watermark whose successors are all transcodes is not run on its own: its parameters are
  appended to those transcodes' watermarks, so the video is encoded once. Its step is kept
  (`applied_in` names the transcodes) so that the run still reports it;
- a watermark that runs on its own becomes what it is, a transcode at the source size carrying
  that one watermark (`watermark_as_transcode`); its step keeps the task kind "watermark";
- steps that read the same input and wait for the same steps become ready at the same moment:
  `groups` lists them (two or more) as the candidates for one shared FFmpeg process; media/fusion
  decides, once the input is probed, which of them really share one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .files import resolve_relative
from .kinds import NodeKind
from .params import TaskParams, TranscodeParams, WatermarkParams
from .validation import Problem, validate
from .workflow import Workflow


@dataclass
class PlannedStep:
    node_id: str
    name: str  # the node's label, unique within the plan
    task_kind: str
    params: TaskParams
    input_from: str | None  # None: the run's source file; else the step whose primary output is read
    depends_on: set[str] = field(default_factory=set)  # step ids that must finish first
    applied_in: list[str] = field(default_factory=list)  # watermark folded into these transcodes


@dataclass
class ExecutionPlan:
    workflow_name: str
    steps: dict[str, PlannedStep]
    order: list[str]  # a topological order of step ids
    # fusion candidates: steps (two or more, plan order) with one input and one set of dependencies
    groups: list[tuple[str, ...]] = field(default_factory=list)

    def group_of(self, step_id: str) -> tuple[str, ...]:
        """The candidate group holding `step_id`, or the step alone."""
        return next((g for g in self.groups if step_id in g), (step_id,))

    def dependants(self, step_id: str) -> set[str]:
        """Every step that needs `step_id` directly or indirectly."""
        found: set[str] = set()
        frontier = [step_id]
        while frontier:
            current = frontier.pop()
            for sid, step in self.steps.items():
                if current in step.depends_on and sid not in found:
                    found.add(sid)
                    frontier.append(sid)
        return found


class InvalidWorkflowError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("the workflow is not valid: " + " ".join(p.message for p in problems))


def watermark_as_transcode(wm: WatermarkParams) -> TranscodeParams:
    """A watermark on its own: a transcode at the source size, H.264/AAC in mp4, with this watermark."""
    return TranscodeParams(
        definition="watermark", container="mp4", video_codec="h264", short_side=0, crf=20,
        encoder_preset="veryfast", audio_codec="aac", audio_bitrate_kbps=160,
        watermarks=[copy.deepcopy(wm)], output_name=wm.output_name)


def _marks(params: TaskParams) -> list[WatermarkParams]:
    if isinstance(params, WatermarkParams):
        return [params]
    return list(getattr(params, "watermarks", []) or [])


def resolved_workflow(workflow: Workflow) -> Workflow:
    """A copy with every relative watermark image made absolute (what a run records as its snapshot)."""
    dup = workflow.copy()
    if workflow.base_dir:
        for node in dup.nodes.values():
            for mark in _marks(node.params) if node.params is not None else []:
                if mark.type == "image" and mark.image_path:
                    mark.image_path = resolve_relative(mark.image_path, workflow.base_dir)
    return dup


def _task_ancestors(workflow: Workflow, node_id: str) -> set[str]:
    """The nearest task nodes upstream, walking through start/split/join."""
    found: set[str] = set()
    frontier = list(workflow.predecessors(node_id))
    seen: set[str] = set()
    while frontier:
        nid = frontier.pop()
        if nid in seen:
            continue
        seen.add(nid)
        if workflow.nodes[nid].kind == NodeKind.TASK:
            found.add(nid)
        else:
            frontier.extend(workflow.predecessors(nid))
    return found


def compile_plan(workflow: Workflow) -> ExecutionPlan:
    """Validate and compile; raises InvalidWorkflowError listing every problem."""
    problems = validate(workflow)
    if problems:
        raise InvalidWorkflowError(problems)
    from .graph import to_digraph
    import networkx as nx

    order = [nid for nid in nx.topological_sort(to_digraph(workflow)) if workflow.nodes[nid].kind == NodeKind.TASK]
    steps: dict[str, PlannedStep] = {}
    used_names: dict[str, int] = {}
    for nid in order:
        node = workflow.nodes[nid]
        name = node.label
        if name in used_names:  # two nodes with one label: number them so outputs never collide
            used_names[name] += 1
            name = f"{name} {used_names[name]}"
        else:
            used_names[name] = 1
        preds = workflow.predecessors(nid)
        pred = workflow.nodes[preds[0]] if preds else None
        input_from = pred.id if pred is not None and pred.kind == NodeKind.TASK else None
        steps[nid] = PlannedStep(nid, name, node.task_kind or "", copy.deepcopy(node.params), input_from,
                                 _task_ancestors(workflow, nid))

    # relative watermark images are relative to the workflow file, not to the current directory
    if workflow.base_dir:
        for step in steps.values():
            for mark in _marks(step.params):
                if mark.type == "image" and mark.image_path:
                    mark.image_path = resolve_relative(mark.image_path, workflow.base_dir)

    # fold watermarks whose successors are all transcodes into those transcodes
    for nid in order:
        step = steps[nid]
        if step.task_kind != "watermark":
            continue
        succ = workflow.successors(nid)
        if not succ or not all(steps.get(s) and steps[s].task_kind == "transcode" for s in succ):
            continue
        assert isinstance(step.params, WatermarkParams)
        for sid in succ:
            target = steps[sid]
            assert isinstance(target.params, TranscodeParams)
            target.params.watermarks.append(copy.deepcopy(step.params))
            target.input_from = step.input_from
            target.depends_on = (target.depends_on - {nid}) | step.depends_on
            step.applied_in.append(sid)
    for step in steps.values():  # the watermarks still running on their own are transcodes
        if step.task_kind == "watermark" and not step.applied_in and isinstance(step.params, WatermarkParams):
            step.params = watermark_as_transcode(step.params)
    return ExecutionPlan(workflow.name, steps, order, _candidate_groups(steps, order))


def _candidate_groups(steps: dict[str, PlannedStep], order: list[str]) -> list[tuple[str, ...]]:
    """Steps that read one input and wait for the same steps, two or more, in plan order."""
    by_key: dict[tuple[str | None, frozenset[str]], list[str]] = {}
    for sid in order:
        step = steps[sid]
        if not step.applied_in:  # a folded watermark runs inside its transcodes, never on its own
            by_key.setdefault((step.input_from, frozenset(step.depends_on)), []).append(sid)
    return [tuple(ids) for ids in by_key.values() if len(ids) >= 2]
