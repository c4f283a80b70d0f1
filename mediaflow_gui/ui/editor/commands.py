"""Undoable editor commands. Each one changes only the model; the scene follows the model's events.

A command that starts (redo or undo) while another one is still running is refused and
logged: a model event handler that pushes a command would otherwise nest changes and leave
the undo history out of step with the model (the habit comes from ryvencore-qt's FlowCommands).
"""

from __future__ import annotations

import copy
import logging
from contextlib import contextmanager
from typing import Iterator

from PySide6.QtGui import QUndoCommand

from ...model.params import TaskParams
from ..i18n import translate
from ...model.workflow import Edge, Node, Workflow

log = logging.getLogger(__name__)

MERGE_SET_PARAMS = 1001
MERGE_RENAME = 1002
MERGE_WORKFLOW_INFO = 1003


class CommandGuard:
    """Shared by the commands of one undo stack; knows whether one of them is running."""

    def __init__(self) -> None:
        self.busy = False
        self.refused = 0  # how many nested starts were refused (tests read it)

    @contextmanager
    def running(self, what: str) -> Iterator[bool]:
        if self.busy:
            self.refused += 1
            log.warning("refused to start %r while another command runs", what)
            yield False
            return
        self.busy = True
        try:
            yield True
        finally:
            self.busy = False


class WorkflowCommand(QUndoCommand):
    def __init__(self, workflow: Workflow, guard: CommandGuard, text: str) -> None:
        super().__init__(text)
        self.workflow = workflow
        self.guard = guard

    def redo(self) -> None:
        with self.guard.running(self.text()) as ok:
            if ok:
                self.do()

    def undo(self) -> None:
        with self.guard.running("undo " + self.text()) as ok:
            if ok:
                self.undo_()

    def do(self) -> None:
        raise NotImplementedError

    def undo_(self) -> None:
        raise NotImplementedError


class AddNodesCommand(WorkflowCommand):
    """Add nodes and edges among/to them (palette drop, paste, duplicate)."""

    def __init__(self, workflow: Workflow, guard: CommandGuard, nodes: list[Node], edges: list[Edge] = (),
                 text: str | None = None) -> None:
        label = text or (translate("UndoCommands", "Add {0}").format(nodes[0].label) if len(nodes) == 1
                        else translate("UndoCommands", "Add {0} nodes").format(len(nodes)))
        super().__init__(workflow, guard, label)
        self.nodes = [n.clone(new_id=False) for n in nodes]
        self.edges = list(edges)

    def do(self) -> None:
        for node in self.nodes:
            self.workflow.add_node(node.clone(new_id=False))
        for edge in self.edges:
            self.workflow.add_edge(edge)

    def undo_(self) -> None:
        for edge in reversed(self.edges):
            if edge in self.workflow.edges:
                self.workflow.remove_edge(edge)
        for node in reversed(self.nodes):
            self.workflow.remove_node(node.id)


class RemoveCommand(WorkflowCommand):
    """Delete nodes (with every edge touching them) and edges."""

    def __init__(self, workflow: Workflow, guard: CommandGuard, node_ids: list[str], edges: list[Edge] = ()) -> None:
        n, e = len(node_ids), len(edges)
        # numerus forms (%n): "Delete 1 node" / "Delete 3 nodes" come from the translation (mediaflow_en.ts too)
        super().__init__(workflow, guard, translate("UndoCommands", "Delete %n node(s)", "", n) if n
                         else translate("UndoCommands", "Delete %n connection(s)", "", e))
        self.node_ids = [nid for nid in node_ids if nid in workflow.nodes]
        ids = set(self.node_ids)
        # remember every edge that goes, in model order, so undo puts them back as they were
        self.removed_edges = [ed for ed in workflow.edges if ed in set(edges) or ed.source in ids or ed.target in ids]
        self.removed_nodes = [copy.deepcopy(workflow.nodes[nid]) for nid in self.node_ids]

    def do(self) -> None:
        for edge in self.removed_edges:
            if edge in self.workflow.edges:
                self.workflow.remove_edge(edge)
        for nid in self.node_ids:
            self.workflow.remove_node(nid)

    def undo_(self) -> None:
        for node in self.removed_nodes:
            self.workflow.add_node(copy.deepcopy(node))
        for edge in self.removed_edges:
            self.workflow.add_edge(edge)


class AddEdgeCommand(WorkflowCommand):
    def __init__(self, workflow: Workflow, guard: CommandGuard, edge: Edge) -> None:
        src, dst = workflow.nodes[edge.source].label, workflow.nodes[edge.target].label
        super().__init__(workflow, guard, translate("UndoCommands", "Connect {0} → {1}").format(src, dst))
        self.edge = edge

    def do(self) -> None:
        self.workflow.add_edge(self.edge)

    def undo_(self) -> None:
        self.workflow.remove_edge(self.edge)


class MoveNodesCommand(WorkflowCommand):
    """Move nodes (a drag, or auto-layout); positions are (x, y) tuples."""

    def __init__(self, workflow: Workflow, guard: CommandGuard,
                 moves: dict[str, tuple[tuple[float, float], tuple[float, float]]], text: str | None = None) -> None:
        moved = len(moves)  # a plain name: pyside6-lupdate skips translate() with a call as its count
        super().__init__(workflow, guard, text or translate("UndoCommands", "Move %n node(s)", "", moved))
        self.moves = dict(moves)  # node id → (old, new)

    def do(self) -> None:
        for nid, (_old, new) in self.moves.items():
            if nid in self.workflow.nodes:
                self.workflow.move_node(nid, new)

    def undo_(self) -> None:
        for nid, (old, _new) in self.moves.items():
            if nid in self.workflow.nodes:
                self.workflow.move_node(nid, old)


class MergingCommand(WorkflowCommand):
    """A command that typing repeats: the next one with the same merge key folds into this one.

    Subclasses set MERGE_ID (Qt's command id) and `merge_key` (None: never merges) and keep the
    target value in `new`; merging takes the later command's `new`.
    """

    MERGE_ID = -1
    merge_key: object = None
    new: object

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self.MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if type(other) is not type(self) or self.merge_key is None or other.merge_key != self.merge_key:
            return False
        self.new = other.new
        return True


class SetParamsCommand(MergingCommand):
    """Replace a task's parameters; successive edits of one field of one node merge into one step."""

    MERGE_ID = MERGE_SET_PARAMS

    def __init__(self, workflow: Workflow, guard: CommandGuard, node_id: str, new: TaskParams,
                 field_name: str = "") -> None:
        node = workflow.nodes[node_id]
        super().__init__(workflow, guard, translate("UndoCommands", "Change {0} of {1}").format(
            field_name or translate("UndoCommands", "parameters"), node.label))
        self.node_id = node_id
        self.field_name = field_name
        self.merge_key = (node_id, field_name) if field_name else None
        self.old = copy.deepcopy(node.params)
        self.new = copy.deepcopy(new)

    def do(self) -> None:
        self.workflow.set_params(self.node_id, copy.deepcopy(self.new))

    def undo_(self) -> None:
        self.workflow.set_params(self.node_id, copy.deepcopy(self.old))


class RenameNodeCommand(MergingCommand):
    MERGE_ID = MERGE_RENAME

    def __init__(self, workflow: Workflow, guard: CommandGuard, node_id: str, name: str) -> None:
        node = workflow.nodes[node_id]
        super().__init__(workflow, guard, translate("UndoCommands", "Rename {0}").format(node.label))
        self.node_id = node_id
        self.merge_key = node_id
        self.old = node.name
        self.new = name

    def do(self) -> None:
        self.workflow.rename_node(self.node_id, self.new)

    def undo_(self) -> None:
        self.workflow.rename_node(self.node_id, self.old)


class SetWorkflowInfoCommand(MergingCommand):
    """Change the workflow's name or description; typing into one of them merges into one step."""

    MERGE_ID = MERGE_WORKFLOW_INFO

    def __init__(self, workflow: Workflow, guard: CommandGuard, name: str | None = None,
                 description: str | None = None) -> None:
        what = translate("UndoCommands", "Rename workflow") if description is None else (
            translate("UndoCommands", "Change workflow description") if name is None
            else translate("UndoCommands", "Change workflow name and description"))
        super().__init__(workflow, guard, what)
        # which of the two this command changes; only edits of the same one merge
        self.merge_key = (name is not None, description is not None)
        self.old = (workflow.name, workflow.description)
        self.new = (name, description)

    def do(self) -> None:
        self.workflow.set_info(name=self.new[0], description=self.new[1])

    def undo_(self) -> None:
        self.workflow.set_info(name=self.old[0], description=self.old[1])
