"""Copy/paste of nodes as plain workflow JSON (the file format's node and edge shapes).

Pasted nodes get fresh ids (uuid4) and an offset; edges are kept only between copied nodes.
"""

from __future__ import annotations

import json
from typing import Any

from ...model.serialization import WorkflowFormatError, loads_workflow_json, workflow_from_dict, workflow_to_dict
from ...model.workflow import Edge, Node, Workflow, new_node_id



def looks_like_nodes(text: str) -> bool:
    """A cheap check before parsing: the clipboard text is a workflow JSON with nodes."""
    stripped = text.lstrip()
    return stripped.startswith("{") and '"nodes"' in stripped and '"version"' in stripped


def nodes_to_json(workflow: Workflow, node_ids: list[str] | set[str]) -> str:
    ids = set(node_ids)
    part = Workflow(workflow.name)
    part.nodes = {nid: workflow.nodes[nid] for nid in workflow.nodes if nid in ids}
    part.edges = [e for e in workflow.edges if e.source in ids and e.target in ids]
    return json.dumps(workflow_to_dict(part))


def nodes_from_json(text: str, offset: tuple[float, float] = (40.0, 40.0)) -> tuple[list[Node], list[Edge]]:
    """Fresh copies (new ids, shifted) of the nodes and inner edges in `text`; ValueError if unusable."""
    try:
        data: Any = loads_workflow_json(text, "<clipboard>")  # refuses deep nesting before parsing it
    except WorkflowFormatError as exc:
        raise ValueError(f"the clipboard does not hold MediaFlow nodes: {exc}") from exc
    part = workflow_from_dict(data, "<clipboard>")
    new_ids = {nid: new_node_id() for nid in part.nodes}
    nodes = []
    for nid, node in part.nodes.items():
        dup = node.clone(new_id=False)
        dup.id = new_ids[nid]
        dup.position = (node.position[0] + offset[0], node.position[1] + offset[1])
        nodes.append(dup)
    edges = [Edge(new_ids[e.source], new_ids[e.target]) for e in part.edges
             if e.source in new_ids and e.target in new_ids]
    return nodes, edges
