"""The graphics item of one node: mouse handling, hover, snapping; drawing is in node_painter.

The item never writes the model. A drag moves the item (the scene snaps it and moves its
edges); when the mouse is released the scene turns the new positions into one
MoveNodesCommand, and the model's node_moved event puts every item where the model says.

No itemChange() override on purpose: PySide6 mis-counts references of the None it returns
for some changes (scene changes), which crashes the interpreter at exit after many edits.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsSceneHoverEvent, QGraphicsSceneMouseEvent, \
    QStyleOptionGraphicsItem, QWidget

from ...model.workflow import Node
from .. import theme
from .node_geometry import NodeGeometry, geometry_for, node_font
from .node_painter import kind_subtitle, paint_node, shown_label
from .node_state import NodeVisualState



class NodeHost(Protocol):
    """What a node item asks of the scene it stands in (WorkflowScene; a protocol, so that this module
    does not import the scene that imports it)."""

    def node_item_moved(self, item: "NodeItem") -> None: ...
    def begin_connection(self, item: "NodeItem", port: str) -> None: ...


class NodeItem(QGraphicsObject):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.geometry = self._measure()
        self.state = NodeVisualState()
        self.hovered = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.sync_from_model()

    # -- model → item -------------------------------------------------------------------
    def sync_from_model(self) -> None:
        self.setPos(QPointF(*self.node.position))
        scene: NodeHost | None = self.scene()  # type: ignore[assignment]
        if scene is not None:
            scene.node_item_moved(self)
        self.refresh()

    def _measure(self) -> NodeGeometry:
        return geometry_for(self.node.kind, shown_label(self.node), kind_subtitle(self.node), node_font())

    def refresh(self) -> None:
        """Follow the model's node: its size (a renamed node fits its new name; its edges follow its
        ports), tooltip (the whole name, which an over-long one needs) and drawing."""
        geometry = self._measure()
        if geometry != self.geometry:
            self.prepareGeometryChange()
            self.geometry = geometry
            scene: NodeHost | None = self.scene()  # type: ignore[assignment]
            if scene is not None:
                scene.node_item_moved(self)
        self.setToolTip(self.state.tooltip(shown_label(self.node)))
        self.update()

    def set_state(self, state: NodeVisualState) -> None:
        self.state = state
        self.refresh()

    @property
    def node_id(self) -> str:
        return self.node.id

    def port_scene_pos(self, port: str) -> QPointF:
        local = self.geometry.output_port if port == "out" else self.geometry.input_port
        return self.mapToScene(local)

    def port_at(self, scene_pos: QPointF) -> str | None:
        return self.geometry.port_at(self.mapFromScene(scene_pos))

    # -- QGraphicsItem ------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.geometry.bounding_rect

    def shape(self):  # noqa: ANN201 - QPainterPath
        from PySide6.QtGui import QPainterPath
        path = QPainterPath()
        path.addRect(self.geometry.rect.adjusted(-10, -2, 10, 2))
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        font = self.scene().font() if self.scene() is not None else theme.ui_font()
        paint_node(painter, self.geometry, self.node, self.state, self.isSelected(), self.hovered, font)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        port = self.geometry.port_at(event.pos())
        self.setCursor(Qt.CursorShape.CrossCursor if port else Qt.CursorShape.ArrowCursor)
        super().hoverMoveEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        port = self.geometry.port_at(event.pos())
        scene: NodeHost | None = self.scene()  # type: ignore[assignment]
        if port and event.button() == Qt.MouseButton.LeftButton and scene is not None:
            scene.begin_connection(self, port)
            event.accept()
            return
        super().mousePressEvent(event)
