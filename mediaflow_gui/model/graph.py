"""Conversion of a workflow to a networkx.DiGraph (node attributes: kind, task_kind, label)."""

from __future__ import annotations

import networkx as nx

from .workflow import Workflow


def to_digraph(workflow: Workflow, include_dangling: bool = False) -> nx.DiGraph:
    """Nodes keyed by id; edges whose ends are missing are left out unless asked for."""
    graph = nx.DiGraph()
    for node in workflow.nodes.values():
        graph.add_node(node.id, kind=node.kind.value, task_kind=node.task_kind, label=node.label)
    for edge in workflow.edges:
        if include_dangling or (edge.source in workflow.nodes and edge.target in workflow.nodes):
            graph.add_edge(edge.source, edge.target)
    return graph


def topological_ranks(workflow: Workflow) -> dict[str, int]:
    """Longest-path rank from the sources (used for left-to-right auto-layout).

    Nodes on a cycle get the rank of the deepest node reached before the cycle.
    """
    graph = to_digraph(workflow)
    ranks: dict[str, int] = {}
    try:
        order = list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:
        condensed = nx.condensation(graph)
        rank_of_component: dict[int, int] = {}
        for comp in nx.topological_sort(condensed):
            preds = list(condensed.predecessors(comp))
            rank_of_component[comp] = max((rank_of_component[p] + 1 for p in preds), default=0)
        mapping = condensed.graph["mapping"]
        return {nid: rank_of_component[mapping[nid]] for nid in graph.nodes}
    for nid in order:
        ranks[nid] = max((ranks[p] + 1 for p in graph.predecessors(nid)), default=0)
    return ranks
