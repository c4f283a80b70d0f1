"""Edges drawn as horizontal cubic curves from an output port to an input port."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from ...model.workflow import Edge
from .. import theme


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    path = QPainterPath(start)
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.active_color: QColor | None = None  # set while a run flows through it
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self._hover = False

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.setPath(curve(start, end))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def boundingRect(self) -> QRectF:  # noqa: N802
        return super().boundingRect().adjusted(-6, -6, 6, 6)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802, ANN001
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802, ANN001
        self._hover = False
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(theme.EDGE_SELECTED) if self.isSelected() else (self.active_color or QColor(theme.EDGE))
        if self._hover and not self.isSelected():
            color = color.lighter(140)
        pen = QPen(color, 2.4 if self.isSelected() else 1.8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        # a small arrow head at the target
        end = self.path().pointAtPercent(1.0)
        painter.setBrush(color)
        painter.setPen(Qt.PenStyle.NoPen)
        head = QPainterPath(end)
        head.lineTo(end + QPointF(-9, -4.5))
        head.lineTo(end + QPointF(-9, 4.5))
        head.closeSubpath()
        painter.drawPath(head.translated(-6, 0))


class PendingEdgeItem(QGraphicsPathItem):
    """The curve that follows the mouse while a connection is being drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(3)
        self.set_allowed(True)

    def set_allowed(self, allowed: bool) -> None:
        color = QColor(theme.ACCENT if allowed else theme.ERROR)
        pen = QPen(color, 2.2, Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
