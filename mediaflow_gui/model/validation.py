"""Workflow validation: every problem at once, each naming the node or edge to blame.

These are the checks of what the workflow says (graph, parameters, colours, output-name placeholders,
size limits). What it points at on disk (watermark images, fonts) is checked by media/preflight.py,
and what the input allows (its picture size) by the builders, both before FFmpeg starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx

from .field_labels import ITEM_FIELD_LABELS, ITEM_WORDS, field_label
from .graph import to_digraph
from .kinds import NodeKind, TASK_KINDS
from .limits import size_problem
from .workflow import Edge, Workflow


@dataclass(frozen=True)
class Problem:
    code: str  # stable machine name, e.g. "cycle", "unreachable", "bad_param"
    message: str  # a sentence a person can act on; names the node
    node_id: str | None = None
    edge: Edge | None = None

    def __str__(self) -> str:
        return self.message


def _name(workflow: Workflow, node_id: str) -> str:
    node = workflow.nodes.get(node_id)
    if node is None:
        return f"missing node {node_id}"
    return f"{node.kind.value} node '{node.label}'" if node.kind != NodeKind.TASK else f"task '{node.label}'"


def validate(workflow: Workflow) -> list[Problem]:
    too_large = size_problem(len(workflow.nodes), len(workflow.edges))
    if too_large:  # nothing else is looked at: checking 10,000 nodes is the slowness the limit prevents
        return [Problem("too_large", f"The workflow is too large: {too_large}.")]
    problems: list[Problem] = []
    add = problems.append
    nodes = workflow.nodes

    starts = workflow.nodes_of_kind(NodeKind.START)
    ends = workflow.nodes_of_kind(NodeKind.END)
    if not starts:
        add(Problem("no_start", "The workflow has no start node."))
    for extra in starts[1:]:
        add(Problem("second_start", f"{_name(workflow, extra.id)} is a second start; a workflow has exactly one.", extra.id))
    if not ends:
        add(Problem("no_end", "The workflow has no end node."))
    for extra in ends[1:]:
        add(Problem("second_end", f"{_name(workflow, extra.id)} is a second end; a workflow has exactly one.", extra.id))

    for edge in workflow.edges:
        missing = [nid for nid in (edge.source, edge.target) if nid not in nodes]
        if missing:
            add(Problem("dangling_edge", f"Edge {edge.source} → {edge.target} points to a node that does not exist "
                        f"({', '.join(missing)}).", None, edge))
            continue
        if edge.source == edge.target:
            add(Problem("self_loop", f"{_name(workflow, edge.source)} is connected to itself.", edge.source, edge))
        if nodes[edge.target].kind == NodeKind.START:
            add(Problem("edge_into_start", f"Edge into {_name(workflow, edge.target)}: nothing may come before start.",
                        edge.target, edge))
        if nodes[edge.source].kind == NodeKind.END:
            add(Problem("edge_out_of_end", f"Edge out of {_name(workflow, edge.source)}: nothing may follow end.",
                        edge.source, edge))

    graph = to_digraph(workflow)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        cycle = []
    if cycle and not (len(cycle) == 1 and cycle[0][0] == cycle[0][1]):
        names = " → ".join(_name(workflow, u) for u, _ in cycle) + " → " + _name(workflow, cycle[0][0])
        add(Problem("cycle", f"The workflow has a cycle: {names}.", cycle[0][0]))

    if len(starts) == 1:
        reachable = nx.descendants(graph, starts[0].id) | {starts[0].id}
        for nid in nodes:
            if nid not in reachable:
                add(Problem("unreachable", f"{_name(workflow, nid)} cannot be reached from start.", nid))
    if len(ends) == 1:
        reaching = nx.ancestors(graph, ends[0].id) | {ends[0].id}
        for nid in nodes:
            if nid not in reaching:
                add(Problem("dead_end", f"{_name(workflow, nid)} does not lead to end.", nid))

    for node in nodes.values():
        ins, outs = graph.in_degree(node.id), graph.out_degree(node.id)
        if node.kind == NodeKind.JOIN and ins < 2:
            add(Problem("join_inputs", f"{_name(workflow, node.id)} has {ins} input(s); a join needs at least two.", node.id))
        if node.kind == NodeKind.TASK:
            problems.extend(_task_problems(workflow, node.id, ins))
    return problems


# a problem's leading field path: `crf`, `offsets[4]`, `watermarks[0].width` (then a space, ":" or the end)
_FIELD_PATH = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?(?=[ :]|$)")


def in_words(text: str, kind: str = "") -> str:
    """A parameter problem as a person reads it: the field path it starts with becomes the field's label
    in the inspector (model/field_labels.py) and list items are counted from 1 — "crf must be …" becomes
    "Quality (CRF) must be …", "offsets[4]: …" "time point 5: …", "watermarks[0].width …"
    "watermark 1: Width …". A text that starts with no known field is left as it is. (Parameters'
    own `problems()` keep the field names: the inspector marks fields by them.)"""
    match = _FIELD_PATH.match(text)
    if match is None:
        return text
    name, index, sub = match.groups()
    rest = text[match.end():]
    if index is not None and name in ITEM_WORDS:
        words = ITEM_WORDS[name].format(n=int(index) + 1)
        if sub:
            words += ": " + ITEM_FIELD_LABELS.get(name, {}).get(sub, sub)
        return words + rest
    if index is not None or sub:
        return text
    label = field_label(kind, name)
    return text if label == name else label + rest


def _task_problems(workflow: Workflow, node_id: str, in_degree: int) -> list[Problem]:
    node = workflow.nodes[node_id]
    name = _name(workflow, node_id)
    out: list[Problem] = []
    kind = TASK_KINDS.get(node.task_kind or "")
    if kind is None:
        known = ", ".join(TASK_KINDS)
        return [Problem("unknown_task_kind", f"{name}: unknown task kind {node.task_kind!r} (known: {known}).", node_id)]
    if in_degree > 1:
        out.append(Problem("task_inputs", f"{name} has {in_degree} inputs; a task reads one input "
                           "(put a join before it to wait for several branches).", node_id))
    for text in node.load_problems:
        out.append(Problem("bad_param", f"{name}: {in_words(text, kind.id)}.", node_id))
    if node.params is not None:
        for text in node.params.problems():
            out.append(Problem("bad_param", f"{name}: {in_words(text, kind.id)}.", node_id))
    # a task after a task reads that task's primary output: it must be a video
    for pred_id in workflow.predecessors(node_id):
        pred = workflow.nodes.get(pred_id)
        if pred is None or pred.kind != NodeKind.TASK:
            continue
        pred_kind = TASK_KINDS.get(pred.task_kind or "")
        if pred_kind is None:
            continue
        audio_only = pred_kind.id == "transcode" and getattr(pred.params, "video_codec", "") == "none"
        if not pred_kind.produces_video or audio_only:
            what = "audio only" if audio_only else "images"
            out.append(Problem("input_not_video", f"{name} follows {_name(workflow, pred_id)}, which produces {what}; "
                               "a task in series needs a video before it.", node_id))
    return out
