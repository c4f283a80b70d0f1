"""The editor's scene: one NodeItem per model node, one EdgeItem per model edge.

It follows the workflow's events (node_added, node_removed, edge_added, edge_removed,
node_changed, node_moved) and never changes the model itself: gestures become requests
(signals) that the EditorController turns into undoable commands. Escape cancels a connection
being drawn (nothing is requested) and otherwise clears the selection.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from ...model.workflow import Edge, Node, Workflow
from .. import theme
from .edge_item import EdgeItem, PendingEdgeItem, curve
from .node_geometry import GRID, node_font, snap
from .node_item import NodeItem
from .node_state import NodeVisualState


class WorkflowScene(QGraphicsScene):
    # (source id, target id): the user dropped a connection
    connection_requested = Signal(str, str)
    # (source id, target id) → why it is refused, asked while hovering; answered by check_connection
    # {node id: ((old x, old y), (new x, new y))}: the user finished dragging nodes
    moves_finished = Signal(object)

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.workflow: Workflow | None = None
        self._unsubscribe: list[Callable[[], None]] = []  # from the workflow's change topics
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[Edge, EdgeItem] = {}
        self.snap_to_grid = True
        self.check_connection = lambda source, target: None  # set by the controller: refusal or None
        self._pending: PendingEdgeItem | None = None
        self._pending_from: tuple[NodeItem, str] | None = None
        self._states: dict[str, NodeVisualState] = {}
        self.setBackgroundBrush(QColor(theme.CANVAS))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setFont(node_font())  # the font node widths are measured with

    # -- model binding -------------------------------------------------------------------
    def set_workflow(self, workflow: Workflow) -> None:
        self._stop_following()
        self.clear()
        self.node_items.clear()
        self.edge_items.clear()
        self._pending = None
        self._pending_from = None
        self._states.clear()
        self.workflow = workflow
        for node in workflow.nodes.values():
            self._on_node_added(node)
        for edge in workflow.edges:
            self._on_edge_added(edge)
        # the model's change topics (observe.Topic); each subscribe returns the call that undoes it
        self._unsubscribe = [
            workflow.node_added.subscribe(self._on_node_added), workflow.node_removed.subscribe(self._on_node_removed),
            workflow.edge_added.subscribe(self._on_edge_added), workflow.edge_removed.subscribe(self._on_edge_removed),
            workflow.node_changed.subscribe(self._on_node_changed),
            workflow.node_moved.subscribe(self._on_node_moved)]

    def _stop_following(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def detach(self) -> None:
        self._stop_following()
        self.workflow = None

    def _on_node_added(self, node: Node) -> None:
        item = NodeItem(node)
        item.set_state(self._states.get(node.id, NodeVisualState()))
        self.node_items[node.id] = item
        self.addItem(item)

    def _on_node_removed(self, node: Node) -> None:
        item = self.node_items.pop(node.id, None)
        if item is not None:
            self.removeItem(item)
            item.deleteLater()

    def _on_edge_added(self, edge: Edge) -> None:
        if edge.source not in self.node_items or edge.target not in self.node_items:
            return  # a dangling edge (validation names it); nothing to draw
        item = EdgeItem(edge)
        self.edge_items[edge] = item
        self.addItem(item)
        self._place_edge(item)

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self.edge_items.pop(edge, None)
        if item is not None:
            self.removeItem(item)

    def _on_node_changed(self, node: Node) -> None:
        item = self.node_items.get(node.id)
        if item is not None:
            item.node = node
            item.refresh()

    def _on_node_moved(self, node: Node) -> None:
        item = self.node_items.get(node.id)
        if item is not None:
            item.node = node
            item.sync_from_model()

    # -- states ----------------------------------------------------------------------------
    def set_node_states(self, states: dict[str, NodeVisualState]) -> None:
        """Replace every node's visual state (validation problems + the shown run)."""
        self._states = dict(states)
        for nid, item in self.node_items.items():
            item.set_state(self._states.get(nid, NodeVisualState()))
        for edge, eitem in self.edge_items.items():
            status = self._states.get(edge.source, NodeVisualState()).run_status
            eitem.active_color = theme.status_color(status) if status == "SUCCESS" else None
            eitem.update()

    def state_of(self, node_id: str) -> NodeVisualState:
        return self._states.get(node_id, NodeVisualState())

    # -- geometry --------------------------------------------------------------------------
    def _place_edge(self, item: EdgeItem) -> None:
        src = self.node_items.get(item.edge.source)
        dst = self.node_items.get(item.edge.target)
        if src is None or dst is None:
            return
        item.set_ends(src.port_scene_pos("out"), dst.port_scene_pos("in"))

    def node_item_moved(self, item: NodeItem) -> None:
        for edge, eitem in self.edge_items.items():
            if item.node_id in (edge.source, edge.target):
                self._place_edge(eitem)

    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def item_at(self, pos: QPointF) -> NodeItem | EdgeItem | None:
        """The topmost node, else edge, under a scene point (the curve being drawn is skipped)."""
        for item in self.items(pos):  # descending stacking order: nodes lie above edges
            if isinstance(item, (NodeItem, EdgeItem)):
                return item
        return None

    def nodes_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.node_items.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    # -- connection gesture ------------------------------------------------------------------
    @property
    def connecting(self) -> bool:
        """A connection is being drawn from a port (the dashed curve follows the mouse)."""
        return self._pending is not None

    def begin_connection(self, item: NodeItem, port: str) -> None:
        self._pending_from = (item, port)
        self._pending = PendingEdgeItem()
        self.addItem(self._pending)
        start = item.port_scene_pos(port)
        self._pending.setPath(curve(start, start))

    def _target_under(self, pos: QPointF) -> NodeItem | None:
        for it in self.items(pos):
            if isinstance(it, NodeItem) and self._pending_from and it is not self._pending_from[0]:
                return it
        return None

    def _ends(self, other: NodeItem) -> tuple[str, str]:
        assert self._pending_from is not None
        origin, port = self._pending_from
        return (origin.node_id, other.node_id) if port == "out" else (other.node_id, origin.node_id)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._pending is not None and self._pending_from is not None:
            origin, port = self._pending_from
            start = origin.port_scene_pos(port)
            end = event.scenePos()
            target = self._target_under(end)
            allowed = True
            if target is not None:
                src, dst = self._ends(target)
                allowed = self.check_connection(src, dst) is None
                end = target.port_scene_pos("in" if port == "out" else "out")
            self._pending.set_allowed(allowed)
            self._pending.setPath(curve(start, end) if port == "out" else curve(end, start))
            event.accept()
            return
        super().mouseMoveEvent(event)
        if isinstance(self.mouseGrabberItem(), NodeItem) and event.buttons() & Qt.MouseButton.LeftButton:
            self.items_dragged([i for i in self.selectedItems() if isinstance(i, NodeItem)])

    def items_dragged(self, items: list[NodeItem]) -> None:
        """After Qt moved dragged items: snap them to the grid and bring their edges along."""
        for item in items:
            if self.snap_to_grid:
                snapped = QPointF(snap(item.pos().x()), snap(item.pos().y()))
                if snapped != item.pos():
                    item.setPos(snapped)
            self.node_item_moved(item)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._pending is not None:
            target = self._target_under(event.scenePos())
            ends = self._ends(target) if target is not None else None
            self._end_connection()
            if ends is not None:
                self.connection_requested.emit(*ends)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self._report_moves()

    def cancel_connection(self) -> bool:
        """Drop the connection being drawn without requesting anything; False if none was."""
        if self._pending is None:
            return False
        self._end_connection()
        return True

    def _end_connection(self) -> None:
        if self._pending is not None:
            self.removeItem(self._pending)
        self._pending = None
        self._pending_from = None
        grabber = self.mouseGrabberItem()
        if grabber is not None:
            # the press went to the node: the default release would ungrab it, and after a
            # cancel the still-held button must not go on to drag the node instead
            grabber.ungrabMouse()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            if not self.cancel_connection():
                self.clearSelection()
            event.accept()
            return
        super().keyPressEvent(event)

    def _report_moves(self) -> None:
        moves = {}
        for nid, item in self.node_items.items():
            old = item.node.position
            new = (item.pos().x(), item.pos().y())
            if abs(old[0] - new[0]) > 0.01 or abs(old[1] - new[1]) > 0.01:
                moves[nid] = (old, new)
        if moves:
            self.moves_finished.emit(moves)

    # -- background grid -----------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        super().drawBackground(painter, rect)
        scale = painter.worldTransform().m11()
        if scale < 0.35:
            return
        left = int(rect.left()) - int(rect.left()) % int(GRID)
        top = int(rect.top()) - int(rect.top()) % int(GRID)
        minor, major = [], []
        x = float(left)
        while x < rect.right():
            (major if int(x) % int(GRID * 5) == 0 else minor).append(QLineF(x, rect.top(), x, rect.bottom()))
            x += GRID
        y = float(top)
        while y < rect.bottom():
            (major if int(y) % int(GRID * 5) == 0 else minor).append(QLineF(rect.left(), y, rect.right(), y))
            y += GRID
        painter.setPen(QPen(QColor(theme.GRID_MINOR), 0))
        painter.drawLines(minor)
        painter.setPen(QPen(QColor(theme.GRID_MAJOR), 0))
        painter.drawLines(major)
