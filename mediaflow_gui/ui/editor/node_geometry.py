"""Sizes and positions of a node's parts, in item coordinates (the node's centre is (0, 0)).

The model's `position` is the node's centre, so nodes of different sizes line up on
the auto-layout's columns and rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF

from ...model.kinds import NodeKind

PORT_RADIUS = 6.0
PORT_HIT_RADIUS = 13.0  # generous: ports are small targets
GRID = 20.0


@dataclass(frozen=True)
class NodeGeometry:
    width: float
    height: float
    has_input: bool
    has_output: bool

    @property
    def rect(self) -> QRectF:
        return QRectF(-self.width / 2, -self.height / 2, self.width, self.height)

    @property
    def bounding_rect(self) -> QRectF:
        # room for ports, the selection/validation outline and the status badge
        return self.rect.adjusted(-PORT_RADIUS - 4, -10, PORT_RADIUS + 4, 6)

    @property
    def input_port(self) -> QPointF:
        return QPointF(-self.width / 2, 0)

    @property
    def output_port(self) -> QPointF:
        return QPointF(self.width / 2, 0)

    @property
    def icon_rect(self) -> QRectF:
        size = 22.0
        return QRectF(-self.width / 2 + 14, -size / 2 - (6 if self.is_task else 0), size, size)

    @property
    def is_task(self) -> bool:
        return self.height > 50

    @property
    def title_rect(self) -> QRectF:
        left = self.icon_rect.right() + 8
        top = -self.height / 2 + (9 if self.is_task else 0)
        height = 20 if self.is_task else self.height
        return QRectF(left, top, self.width / 2 - left - 10, height)

    @property
    def subtitle_rect(self) -> QRectF:
        t = self.title_rect
        return QRectF(t.left(), t.bottom(), t.width() + 4, 18)

    @property
    def progress_rect(self) -> QRectF:
        r = self.rect
        return QRectF(r.left() + 10, r.bottom() - 9, r.width() - 20, 4)

    @property
    def badge_center(self) -> QPointF:
        r = self.rect
        return QPointF(r.right() - 4, r.top() + 2)

    def port_at(self, local: QPointF) -> str | None:
        """'in', 'out' or None for a point in item coordinates."""
        for name, point, present in (("out", self.output_port, self.has_output),
                                     ("in", self.input_port, self.has_input)):
            if present and (local - point).manhattanLength() <= PORT_HIT_RADIUS * 1.4:
                return name
        return None


def geometry_for(kind: NodeKind) -> NodeGeometry:
    if kind == NodeKind.TASK:
        return NodeGeometry(192, 64, True, True)
    return NodeGeometry(128, 44, kind != NodeKind.START, kind != NodeKind.END)


def snap(value: float, grid: float = GRID) -> float:
    return round(value / grid) * grid
