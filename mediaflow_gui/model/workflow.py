"""The workflow graph as drawn: nodes (start, split, task, join, end) and directed edges.

Semantics the engine relies on:
- a task's input is the source file when it follows start, split or join, and the
  primary output of the task before it when it follows a task (serial chains);
- split fans out, join waits for all its inputs.
Positions are plain data the GUI adds; the model never depends on them.

Changes are announced on Topics (mediaflow_gui/observe.py, the package's one observer type, which
imports nothing): the specific event first, then `changed`.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field

from ..observe import Topic
from .kinds import NodeKind, TASK_KINDS
from .params import TaskParams, default_params


def new_node_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Node:
    kind: NodeKind
    id: str = field(default_factory=new_node_id)
    name: str = ""
    task_kind: str | None = None  # only for kind == TASK: an id from TASK_KINDS
    params: TaskParams | None = None
    position: tuple[float, float] = (0.0, 0.0)
    # problems met while loading the node's parameters (unknown keys, wrong types);
    # not saved, reported by validation
    load_problems: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def label(self) -> str:
        """What a person reads: the name, else the task kind's title, else the node kind."""
        if self.name:
            return self.name
        if self.task_kind and self.task_kind in TASK_KINDS:
            return TASK_KINDS[self.task_kind].title
        return self.task_kind or self.kind.value.capitalize()

    def clone(self, new_id: bool = True) -> "Node":
        dup = copy.deepcopy(self)
        if new_id:
            dup.id = new_node_id()
        return dup


def task_node(task_kind: str, name: str = "", params: TaskParams | None = None,
              position: tuple[float, float] = (0.0, 0.0)) -> Node:
    return Node(NodeKind.TASK, name=name, task_kind=task_kind,
                params=params if params is not None else default_params(task_kind), position=position)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str


class Workflow:
    """Nodes by id plus edges; every change goes through a method that emits an event."""

    def __init__(self, name: str = "Untitled workflow", description: str = "") -> None:
        self.name = name
        self.description = description
        # folder of the file it was loaded from / saved to: relative paths in parameters
        # (a watermark image) are resolved against it; None for a workflow never saved
        self.base_dir: str | None = None
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.node_added: Topic[[Node]] = Topic("Workflow.node_added")
        self.node_removed: Topic[[Node]] = Topic("Workflow.node_removed")
        self.edge_added: Topic[[Edge]] = Topic("Workflow.edge_added")
        self.edge_removed: Topic[[Edge]] = Topic("Workflow.edge_removed")
        self.node_changed: Topic[[Node]] = Topic("Workflow.node_changed")  # params, name
        self.node_moved: Topic[[Node]] = Topic("Workflow.node_moved")
        self.info_changed: Topic[[]] = Topic("Workflow.info_changed")  # name, description
        self.changed: Topic[[]] = Topic("Workflow.changed")  # any change at all, after the specific event

    # -- queries -------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def nodes_of_kind(self, kind: NodeKind) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == kind]

    def predecessors(self, node_id: str) -> list[str]:
        return [e.source for e in self.edges if e.target == node_id]

    def successors(self, node_id: str) -> list[str]:
        return [e.target for e in self.edges if e.source == node_id]

    def edges_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if node_id in (e.source, e.target)]

    def has_edge(self, source: str, target: str) -> bool:
        return Edge(source, target) in self.edges

    # -- changes -------------------------------------------------------------
    def add_node(self, node: Node) -> Node:
        if node.id in self.nodes:
            raise ValueError(f"a node with id {node.id} is already in the workflow")
        self.nodes[node.id] = node
        self.node_added.emit(node)
        self.changed.emit()
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its edges; returns both so that an undo can put them back."""
        removed_edges = self.edges_of(node_id)
        for edge in removed_edges:
            self.remove_edge(edge)
        node = self.nodes.pop(node_id)
        self.node_removed.emit(node)
        self.changed.emit()
        return node, removed_edges

    def add_edge(self, edge: Edge) -> Edge:
        if edge in self.edges:
            raise ValueError(f"the edge {edge.source} → {edge.target} already exists")
        self.edges.append(edge)
        self.edge_added.emit(edge)
        self.changed.emit()
        return edge

    def connect(self, source: Node | str, target: Node | str) -> Edge:
        s = source.id if isinstance(source, Node) else source
        t = target.id if isinstance(target, Node) else target
        return self.add_edge(Edge(s, t))

    def remove_edge(self, edge: Edge) -> None:
        self.edges.remove(edge)
        self.edge_removed.emit(edge)
        self.changed.emit()

    def set_params(self, node_id: str, params: TaskParams) -> None:
        node = self.nodes[node_id]
        node.params = params
        node.load_problems = []
        self.node_changed.emit(node)
        self.changed.emit()

    def rename_node(self, node_id: str, name: str) -> None:
        node = self.nodes[node_id]
        node.name = name
        self.node_changed.emit(node)
        self.changed.emit()

    def set_info(self, name: str | None = None, description: str | None = None) -> None:
        """Change the workflow's name and/or description (None leaves one as it is).

        An empty name is refused (ValueError): it names the file and the window and is shown in
        every run, so a blank one would leave a person with nothing to recognise it by.
        """
        if name is not None and not name.strip():
            raise ValueError("the workflow name must not be empty")
        new_name = self.name if name is None else name
        new_description = self.description if description is None else description
        if (new_name, new_description) == (self.name, self.description):
            return
        self.name, self.description = new_name, new_description
        self.info_changed.emit()
        self.changed.emit()

    def move_node(self, node_id: str, position: tuple[float, float]) -> None:
        node = self.nodes[node_id]
        node.position = (float(position[0]), float(position[1]))
        self.node_moved.emit(node)
        self.changed.emit()

    def copy(self) -> "Workflow":
        """A deep copy without subscribers (for snapshots and the engine)."""
        dup = Workflow(self.name, self.description)
        dup.base_dir = self.base_dir
        dup.nodes = {nid: copy.deepcopy(n) for nid, n in self.nodes.items()}
        dup.edges = list(self.edges)
        return dup
