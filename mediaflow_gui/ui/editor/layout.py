"""Auto-layout: columns by topological rank (left to right), rows centred on the middle line."""

from __future__ import annotations

from ...model.graph import topological_ranks
from ...model.workflow import Workflow

COLUMN_GAP = 240.0
ROW_GAP = 110.0


def auto_layout(workflow: Workflow) -> dict[str, tuple[float, float]]:
    """New positions for every node; order inside a column follows the current y (stable)."""
    ranks = topological_ranks(workflow)
    columns: dict[int, list[str]] = {}
    for nid in workflow.nodes:
        columns.setdefault(ranks.get(nid, 0), []).append(nid)
    positions: dict[str, tuple[float, float]] = {}
    for rank, ids in sorted(columns.items()):
        ids.sort(key=lambda nid: (workflow.nodes[nid].position[1], workflow.nodes[nid].position[0]))
        top = -(len(ids) - 1) * ROW_GAP / 2.0
        for i, nid in enumerate(ids):
            positions[nid] = (rank * COLUMN_GAP, top + i * ROW_GAP)
    return positions
