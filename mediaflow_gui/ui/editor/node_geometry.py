"""Sizes and positions of a node's parts, in item coordinates (the node's centre is (0, 0)).

The model's `position` is the node's centre, so nodes of different sizes line up on
the auto-layout's columns and rows.

A node is as wide as its name (and a task's kind subtitle) needs, within MIN_WIDTH..MAX_WIDTH of its
kind (`geometry_for(kind, label, subtitle)`); a longer name is elided by the painter and shown whole
in the tooltip. Widths are measured with the editor's font (`node_font`, the scene's font) in
scene units, so they do not depend on the zoom.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont, QFontMetricsF

from ...model.kinds import NodeKind
from .. import theme

PORT_RADIUS = 6.0
PORT_HIT_RADIUS = 13.0  # generous: ports are small targets
GRID = 20.0
FONT_POINTS = 9.5  # the editor scene's font size (scene.py sets it; the painter draws with it)
SUBTITLE_SCALE = 0.92  # a task's subtitle, relative to the scene font: readable at the fitted zoom
TITLE_LEFT = 44.0  # from the node's left edge to its title: kind band, icon and gap
TITLE_RIGHT = 12.0  # from the title's end to the node's right edge
# (min, max) width per node shape: a task holds a name and a subtitle, the others a short word
TASK_WIDTHS = (192.0, 300.0)
STRUCTURAL_WIDTHS = (128.0, 220.0)
TASK_HEIGHT, STRUCTURAL_HEIGHT = 64.0, 44.0


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
        left = -self.width / 2 + TITLE_LEFT
        top = -self.height / 2 + (9 if self.is_task else 0)
        height = 20 if self.is_task else self.height
        return QRectF(left, top, self.width / 2 - left - TITLE_RIGHT, height)

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


def node_font() -> QFont:
    """The editor's font (the scene's), which node widths are measured with."""
    return theme.ui_font(FONT_POINTS)


def title_font(base: QFont, is_task: bool) -> QFont:
    """The bold font of a node's name (a touch larger on structural nodes)."""
    font = QFont(base)
    font.setBold(True)
    font.setPointSizeF(base.pointSizeF() * (1.0 if is_task else 1.02))
    return font


def subtitle_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * SUBTITLE_SCALE)
    return font


def geometry_for(kind: NodeKind, label: str = "", subtitle: str = "", font: QFont | None = None) -> NodeGeometry:
    """A node's geometry: wide enough for `label` (and a task's `subtitle`) within its kind's limits."""
    is_task = kind == NodeKind.TASK
    low, high = TASK_WIDTHS if is_task else STRUCTURAL_WIDTHS
    base = font or node_font()
    text = QFontMetricsF(title_font(base, is_task)).horizontalAdvance(label) if label else 0.0
    if is_task and subtitle:
        text = max(text, QFontMetricsF(subtitle_font(base)).horizontalAdvance(subtitle))
    # rounded up to 10 px, so that a name a pixel longer does not move the ports
    width = min(high, max(low, -(-(text + TITLE_LEFT + TITLE_RIGHT + 2) // 10) * 10))
    if is_task:
        return NodeGeometry(width, TASK_HEIGHT, True, True)
    return NodeGeometry(width, STRUCTURAL_HEIGHT, kind != NodeKind.START, kind != NodeKind.END)


def snap(value: float, grid: float = GRID) -> float:
    return round(value / grid) * grid
