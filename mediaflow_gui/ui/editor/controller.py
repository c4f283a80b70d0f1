"""EditorController: the workflow being edited, its undo stack, and every editing action.

Actions check the editor rules first (rules.py) and refuse at once with a message; allowed
ones become commands on the QUndoStack. Validation runs live (coalesced on a zero timer) after
every model change and is shown on the nodes and in the problems list.
"""

from __future__ import annotations

import copy
import logging

from PySide6.QtCore import QObject, QPointF, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QUndoStack

from ...model.kinds import NodeKind, TASK_KINDS
from ...model.params import TaskParams
from ...model.validation import Problem, validate
from ...model.workflow import Edge, Node, Workflow, task_node
from . import clipboard, rules
from .commands import (AddEdgeCommand, AddNodesCommand, CommandGuard, MoveNodesCommand, RemoveCommand,
                       RenameNodeCommand, SetParamsCommand)
from .layout import auto_layout
from .node_geometry import snap
from .node_state import NodeVisualState
from .scene import WorkflowScene

log = logging.getLogger(__name__)

STRUCTURAL_NAMES = {NodeKind.START: "Start", NodeKind.SPLIT: "Split", NodeKind.JOIN: "Join", NodeKind.END: "End"}


class EditorController(QObject):
    # (list[Problem]): the live validation result
    problems_changed = Signal(object)
    # (sentence): an action was refused, and why
    refused = Signal(str)
    # (node id or ""): the single selected node (for the inspector)
    current_node_changed = Signal(str)
    # (): a different workflow object is being edited now (new/open)
    workflow_replaced = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.guard = CommandGuard()
        self.scene = WorkflowScene(self)
        self.scene.check_connection = self.connection_refusal
        self.scene.connection_requested.connect(self.connect_nodes)
        self.scene.moves_finished.connect(self._on_moves_finished)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.workflow = Workflow()
        self.problems: list[Problem] = []
        self._run_states: dict[str, tuple[str, float, str]] = {}
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(0)
        self._validate_timer.timeout.connect(self.revalidate)
        self._current = ""
        self.set_workflow(self.workflow)

    # -- the document -----------------------------------------------------------------------
    def set_workflow(self, workflow: Workflow) -> None:
        if self.workflow is not None:
            self.workflow.changed.unsubscribe(self._on_model_changed)
        self.workflow = workflow
        self.undo_stack.clear()
        self._run_states = {}
        self.scene.set_workflow(workflow)
        workflow.changed.subscribe(self._on_model_changed)
        self.revalidate()
        self.workflow_replaced.emit()
        self._on_selection_changed()

    def _on_model_changed(self) -> None:
        self._validate_timer.start()

    def revalidate(self) -> None:
        self._validate_timer.stop()
        self.problems = validate(self.workflow)
        self._push_states()
        self.problems_changed.emit(self.problems)

    def set_run_states(self, states: dict[str, tuple[str, float, str]]) -> None:
        """{node id: (SubtaskStatus value, percent, message)} of the run shown on the canvas."""
        self._run_states = dict(states)
        self._push_states()

    def _push_states(self) -> None:
        states: dict[str, NodeVisualState] = {}
        for problem in self.problems:
            if problem.node_id:
                states.setdefault(problem.node_id, NodeVisualState()).problems.append(problem.message)
        for nid, (status, progress, message) in self._run_states.items():
            state = states.setdefault(nid, NodeVisualState())
            state.run_status, state.progress, state.run_message = status, progress, message
        self.scene.set_node_states(states)

    def push(self, command) -> bool:  # noqa: ANN001 - a WorkflowCommand
        """Push a command unless another one is running (then it is refused, never nested)."""
        if self.guard.busy:
            self.guard.refused += 1
            log.warning("refused %r: another command is running", command.text())
            return False
        self.undo_stack.push(command)
        return True

    # -- nodes ----------------------------------------------------------------------------------
    def make_node(self, spec: str, position: tuple[float, float] = (0.0, 0.0), within: Workflow | None = None) -> Node:
        """A new node for a palette spec: 'start', 'split', 'join', 'end' or 'task:<kind id>', named
        uniquely within `within` (default: the workflow being edited; File > New passes the new one,
        so that its nodes are "Start" and "End", not "Start 2")."""
        if spec.startswith("task:"):
            kind_id = spec.split(":", 1)[1]
            if kind_id not in TASK_KINDS:
                raise ValueError(f"unknown task kind {kind_id!r}")
            node = task_node(kind_id, name=self._unique_name(TASK_KINDS[kind_id].title, within), position=position)
        else:
            kind = NodeKind(spec)
            if kind == NodeKind.TASK:
                raise ValueError("a task node needs a task kind: 'task:<kind>'")
            node = Node(kind, name=self._unique_name(STRUCTURAL_NAMES[kind], within), position=position)
        return node

    def _unique_name(self, base: str, within: Workflow | None = None) -> str:
        taken = {n.label for n in (within or self.workflow).nodes.values()}
        if base not in taken:
            return base
        i = 2
        while f"{base} {i}" in taken:
            i += 1
        return f"{base} {i}"

    def add_node(self, spec: str, position: tuple[float, float] | QPointF = (0.0, 0.0)) -> Node | None:
        if isinstance(position, QPointF):
            position = (position.x(), position.y())
        if self.scene.snap_to_grid:
            position = (snap(position[0]), snap(position[1]))
        try:
            node = self.make_node(spec, position)
        except ValueError as exc:
            self.refused.emit(str(exc))
            return None
        reason = rules.node_refusal(self.workflow, node.kind)
        if reason:
            self.refused.emit(reason)
            return None
        if not self.push(AddNodesCommand(self.workflow, self.guard, [node])):
            return None
        self.select([node.id])
        return self.workflow.nodes.get(node.id)

    def connection_refusal(self, source_id: str, target_id: str) -> str | None:
        return rules.connection_refusal(self.workflow, source_id, target_id)

    def connect_nodes(self, source_id: str, target_id: str) -> bool:
        reason = self.connection_refusal(source_id, target_id)
        if reason:
            self.refused.emit(reason)
            return False
        return self.push(AddEdgeCommand(self.workflow, self.guard, Edge(source_id, target_id)))

    def delete(self, node_ids: list[str] | None = None, edges: list[Edge] | None = None) -> bool:
        node_ids = self.scene.selected_node_ids() if node_ids is None else node_ids
        edges = self.scene.selected_edges() if edges is None else edges
        if not node_ids and not edges:
            return False
        return self.push(RemoveCommand(self.workflow, self.guard, node_ids, edges))

    def disconnect(self, node_ids: list[str] | None = None) -> bool:
        """Delete every connection into or out of these nodes (default: the selected ones), one step."""
        ids = set(self.scene.selected_node_ids() if node_ids is None else node_ids)
        edges = [e for e in self.workflow.edges if e.source in ids or e.target in ids]
        if not edges:
            return False
        return self.delete([], edges)

    def move_nodes(self, positions: dict[str, tuple[float, float]], text: str | None = None) -> bool:
        moves = {nid: (self.workflow.nodes[nid].position, (float(p[0]), float(p[1])))
                 for nid, p in positions.items() if nid in self.workflow.nodes}
        moves = {nid: m for nid, m in moves.items() if m[0] != m[1]}
        if not moves:
            return False
        return self.push(MoveNodesCommand(self.workflow, self.guard, moves, text))

    def _on_moves_finished(self, moves: dict) -> None:
        if not self.push(MoveNodesCommand(self.workflow, self.guard, moves)):
            for nid in moves:  # refused: put the items back where the model says
                item = self.scene.node_items.get(nid)
                if item is not None:
                    item.sync_from_model()

    def auto_layout(self) -> bool:
        return self.move_nodes(auto_layout(self.workflow), self.tr("Auto-layout"))

    def set_params(self, node_id: str, params: TaskParams, field_name: str = "") -> bool:
        return self.push(SetParamsCommand(self.workflow, self.guard, node_id, params, field_name))

    def rename(self, node_id: str, name: str) -> bool:
        if self.workflow.nodes[node_id].name == name:
            return False
        return self.push(RenameNodeCommand(self.workflow, self.guard, node_id, name))

    # -- clipboard ------------------------------------------------------------------------------
    def copy_selection(self) -> bool:
        ids = self.scene.selected_node_ids()
        if not ids:
            return False
        # plain text (the file format's JSON): a QMimeData handed to the clipboard is owned by
        # Qt, and PySide6 frees it a second time at exit; text also pastes into any editor
        QGuiApplication.clipboard().setText(clipboard.nodes_to_json(self.workflow, ids))
        return True

    def paste(self, text: str | None = None, offset: tuple[float, float] = (40.0, 40.0)) -> list[str]:
        if text is None:
            text = QGuiApplication.clipboard().text()
            if not clipboard.looks_like_nodes(text):
                self.refused.emit(self.tr("The clipboard holds no MediaFlow nodes."))
                return []
        try:
            nodes, edges = clipboard.nodes_from_json(text, offset)
        except ValueError as exc:
            self.refused.emit(str(exc))
            return []
        kept: list[Node] = []
        for node in nodes:
            reason = rules.node_refusal(self.workflow, node.kind) if node.kind in (NodeKind.START, NodeKind.END) \
                else None
            if reason:
                self.refused.emit(self.tr("Not pasted: {0}").format(reason))
                continue
            kept.append(node)
        ids = {n.id for n in kept}
        edges = [e for e in edges if e.source in ids and e.target in ids]
        if not kept:
            return []
        text_label = self.tr("Paste") if len(kept) > 1 else self.tr("Paste {0}").format(kept[0].label)
        if not self.push(AddNodesCommand(self.workflow, self.guard, kept, edges, text_label)):
            return []
        self.select([n.id for n in kept])
        return [n.id for n in kept]

    @staticmethod
    def clipboard_has_nodes() -> bool:
        return clipboard.looks_like_nodes(QGuiApplication.clipboard().text())

    def paste_at(self, position: tuple[float, float] | QPointF) -> list[str]:
        """Paste the clipboard's nodes centred on a scene point (the spot of a context menu)."""
        if isinstance(position, QPointF):
            position = (position.x(), position.y())
        text = QGuiApplication.clipboard().text()
        if not clipboard.looks_like_nodes(text):
            self.refused.emit(self.tr("The clipboard holds no MediaFlow nodes."))
            return []
        try:
            nodes, _edges = clipboard.nodes_from_json(text, (0.0, 0.0))
        except ValueError as exc:
            self.refused.emit(str(exc))
            return []
        if not nodes:
            return []
        xs = [n.position[0] for n in nodes]
        ys = [n.position[1] for n in nodes]
        dx, dy = position[0] - (min(xs) + max(xs)) / 2, position[1] - (min(ys) + max(ys)) / 2
        if self.scene.snap_to_grid:  # nodes keep their grid places relative to each other
            dx, dy = snap(dx), snap(dy)
        return self.paste(text, (dx, dy))

    def duplicate(self) -> list[str]:
        ids = self.scene.selected_node_ids()
        if not ids:
            return []
        return self.paste(clipboard.nodes_to_json(self.workflow, ids), (40.0, 40.0))

    # -- selection ------------------------------------------------------------------------------
    def select(self, node_ids: list[str]) -> None:
        self.scene.clearSelection()
        for nid in node_ids:
            item = self.scene.node_items.get(nid)
            if item is not None:
                item.setSelected(True)

    def select_all(self) -> None:
        for item in self.scene.node_items.values():
            item.setSelected(True)

    def _on_selection_changed(self) -> None:
        ids = self.scene.selected_node_ids()
        current = ids[0] if len(ids) == 1 else ""
        if current != self._current:
            self._current = current
            self.current_node_changed.emit(current)

    def current_node(self) -> Node | None:
        return self.workflow.nodes.get(self._current)

    def snapshot(self) -> Workflow:
        """A copy of the workflow for a run (the engine never sees later edits)."""
        return self.workflow.copy()

    def dispose(self) -> None:
        """Drop every graphics item and command while Qt is alive (call before the app ends):
        item wrappers left for the interpreter's last garbage collection can crash it."""
        self.scene.detach()
        self.scene.clear()
        self.scene.node_items.clear()
        self.scene.edge_items.clear()
        self.undo_stack.clear()

    def params_copy(self, node_id: str) -> TaskParams | None:
        return copy.deepcopy(self.workflow.nodes[node_id].params)
