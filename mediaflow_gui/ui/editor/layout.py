"""Auto-layout: columns by topological rank (left to right), each node on the level of its inputs.

- Columns are as far apart as their widest nodes need (nodes are sized to their names), with
  COLUMN_SPACE between one column's right edges and the next one's left edges, snapped to the grid.
- A node is placed at the mean height of its predecessors (a fan-out from one node is spread
  around that node's level, ROW_GAP apart); nodes of a column keep their order and never overlap.
- Order inside a column follows the current y (stable), except that a node that feeds the very next
  column (the start of a chain, such as transcode → watermark beside tasks that go straight to the
  join) comes first: its chain then runs along the top, and the connections that skip a column to
  reach the join pass below it instead of behind the chain's next node.
"""

from __future__ import annotations

from typing import Callable

from ...model.graph import topological_ranks
from ...model.workflow import Node, Workflow
from .node_geometry import GRID, geometry_for, snap
from .node_painter import kind_subtitle

COLUMN_SPACE = 96.0  # between the right edge of a column's widest node and the next column's left edges
ROW_GAP = 110.0


def node_width(node: Node) -> float:
    return geometry_for(node.kind, node.label, kind_subtitle(node)).width


def _spread(wanted: list[float]) -> list[float]:
    """Heights for nodes (in order) that want `wanted`: in order, at least ROW_GAP apart, as close to
    what they want as that allows (the block is shifted so its mean matches theirs)."""
    placed: list[float] = []
    for y in wanted:
        placed.append(y if not placed else max(y, placed[-1] + ROW_GAP))
    shift = (sum(wanted) - sum(placed)) / len(placed) if placed else 0.0
    placed = [y + shift for y in placed]
    # the shift may pull a node above a neighbour's minimum distance only if the wishes were out of
    # order; a second forward pass keeps the gap whatever happened
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + ROW_GAP)
    return placed


def auto_layout(workflow: Workflow,
                width_of: Callable[[Node], float] = node_width) -> dict[str, tuple[float, float]]:
    """New positions (node centres) for every node."""
    ranks = topological_ranks(workflow)
    columns: dict[int, list[str]] = {}
    for nid in workflow.nodes:
        columns.setdefault(ranks.get(nid, 0), []).append(nid)
    positions: dict[str, tuple[float, float]] = {}
    x = 0.0
    previous_half = 0.0
    for rank, ids in sorted(columns.items()):
        def chain_start(nid: str, _rank: int = rank) -> bool:
            return any(ranks.get(s) == _rank + 1 for s in workflow.successors(nid))
        ids.sort(key=lambda nid: (not chain_start(nid), workflow.nodes[nid].position[1],
                                  workflow.nodes[nid].position[0]))
        half = max(width_of(workflow.nodes[nid]) for nid in ids) / 2.0
        if positions:
            x = snap(x + previous_half + COLUMN_SPACE + half, GRID)
        previous_half = half
        wanted = []
        for nid in ids:
            preds = [positions[p][1] for p in workflow.predecessors(nid) if p in positions]
            wanted.append(sum(preds) / len(preds) if preds else 0.0)
        # nodes that want one height (a fan-out) keep their order around it
        for nid, y in zip(ids, _spread(wanted)):
            positions[nid] = (x, y)
    return positions
