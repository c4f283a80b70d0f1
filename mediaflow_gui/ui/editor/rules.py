"""Which edits the editor refuses at once (before they reach the model), and why.

Validation (model/validation.py) reports every problem of a drawn workflow; these rules
stop the obviously wrong gestures while the user draws: a connection that would make a
cycle, a second start, an edge into start or out of end, a duplicate edge, a self loop,
a second input into a task. Each check returns None when allowed, else a sentence.
"""

from __future__ import annotations

from ...model.kinds import NodeKind
from ...model.workflow import Workflow
from ..i18n import translate


def connection_refusal(workflow: Workflow, source_id: str, target_id: str) -> str | None:
    """Why the edge source → target may not be drawn, or None if it may."""
    source = workflow.nodes.get(source_id)
    target = workflow.nodes.get(target_id)
    if source is None or target is None:
        return translate("EditorRules", "Both ends of a connection must be nodes of this workflow.")
    if source_id == target_id:
        return translate("EditorRules", "'{0}' cannot be connected to itself.").format(source.label)
    if target.kind == NodeKind.START:
        return translate("EditorRules", "Nothing may come before the start node.")
    if source.kind == NodeKind.END:
        return translate("EditorRules", "Nothing may follow the end node.")
    if workflow.has_edge(source_id, target_id):
        return translate("EditorRules", "'{0}' is already connected to '{1}'.").format(source.label, target.label)
    if workflow.has_edge(target_id, source_id) or _reaches(workflow, target_id, source_id):
        return translate("EditorRules", "Connecting '{0}' to '{1}' would make a cycle.").format(source.label, target.label)
    if target.kind == NodeKind.TASK and workflow.predecessors(target_id):
        return translate("EditorRules", "'{0}' already has an input; a task reads one input "
                                        "(put a join before it to wait for several branches).").format(target.label)
    return None


def node_refusal(workflow: Workflow, kind: NodeKind, count: int = 1) -> str | None:
    """Why `count` new nodes of `kind` may not be added, or None."""
    if kind == NodeKind.START and workflow.nodes_of_kind(NodeKind.START):
        return translate("EditorRules", "The workflow already has a start node; a workflow has exactly one.")
    if kind == NodeKind.END and workflow.nodes_of_kind(NodeKind.END):
        return translate("EditorRules", "The workflow already has an end node; a workflow has exactly one.")
    if kind in (NodeKind.START, NodeKind.END) and count > 1:
        return translate("EditorRules", "A workflow has exactly one {0} node.").format(kind.value)
    return None


def _reaches(workflow: Workflow, from_id: str, to_id: str) -> bool:
    frontier, seen = [from_id], {from_id}
    while frontier:
        current = frontier.pop()
        if current == to_id:
            return True
        for nxt in workflow.successors(current):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False
