"""Painting one node: body, kind colour, icon, title, subtitle, ports, run state, problems.

Pure drawing from (geometry, node data, visual state); no event handling here.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from ...model.kinds import NodeKind, TASK_KINDS
from ...model.workflow import Node
from .. import icons, theme
from .node_geometry import PORT_RADIUS, NodeGeometry, subtitle_font, title_font
from ..i18n import kind_title, status_label, translate
from .node_state import NodeVisualState

RADIUS_TASK = 10.0


def shown_label(node: Node) -> str:
    """The node's name as the canvas shows it: a name the user kept at its kind's English default
    ("Start", "Split", "Image sprite" …) reads in the UI's language; any other name is the user's own."""
    kind = TASK_KINDS.get(node.task_kind or "") if node.kind == NodeKind.TASK else None
    default = kind.title if kind else (node.kind.value.capitalize() if node.kind != NodeKind.TASK else "")
    if default and node.label == default:
        return kind_title(node.task_kind, default) if kind else kind_title(None, default)
    return node.label


def kind_subtitle(node: Node) -> str:
    """A task's subtitle when no run is shown: its kind's title (what the node is sized for)."""
    if node.kind != NodeKind.TASK:
        return ""
    if node.task_kind not in TASK_KINDS:
        return translate("NodePainter", "Unknown kind '{0}'").format(node.task_kind)
    return kind_title(node.task_kind)


def subtitle_for(node: Node, state: NodeVisualState) -> str:
    status = state.run_status
    if status == "PROCESSING":
        return translate("NodePainter", "Running · {0}").format(theme.percent_text(state.progress))
    if status:
        return status_label(status)
    return kind_subtitle(node)


def paint_node(painter: QPainter, geo: NodeGeometry, node: Node, state: NodeVisualState,
               selected: bool, hovered: bool, font: QFont) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    key = theme.kind_key(node.kind, node.task_kind)
    color = theme.kind_color(key)
    rect = geo.rect
    is_task = node.kind == NodeKind.TASK
    radius = RADIUS_TASK if is_task else rect.height() / 2
    dimmed = state.run_status in ("SKIPPED", "CANCELED")

    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)

    # soft shadow
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 90))
    painter.drawPath(path.translated(0, 3))

    body = QColor(theme.NODE_BODY_SELECTED if selected or hovered else theme.NODE_BODY)
    painter.setBrush(body)
    painter.drawPath(path)

    # the kind's colour: a band on the left of tasks, a tinted fill for structural nodes
    painter.save()
    painter.setClipPath(path)
    if is_task:
        painter.fillRect(QRectF(rect.left(), rect.top(), 5, rect.height()), color)
    else:
        tint = QColor(color)
        tint.setAlpha(40)
        painter.fillRect(rect, tint)
    painter.restore()

    # outline: run state beats selection beats kind; problems draw a red outline
    outline = QColor(color)
    outline.setAlpha(110)
    width = 1.2
    if state.run_status:
        outline = theme.status_color(state.run_status)
        width = 2.0
    if selected:
        outline = QColor(theme.EDGE_SELECTED)
        width = 2.0
    if state.has_problems:
        outline = QColor(theme.ERROR)
        width = 2.2
    pen = QPen(outline, width)
    if state.run_status == "SKIPPED":
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)

    if dimmed:
        painter.setOpacity(0.55)

    renderer = icons.svg_renderer(key, theme.KIND_COLORS.get(key, theme.UNKNOWN_KIND_COLOR))
    if renderer is not None:
        renderer.render(painter, geo.icon_rect)

    # title and subtitle (the node is sized to them; elided only beyond its kind's maximum width)
    name_font = title_font(font, is_task)
    painter.setFont(name_font)
    painter.setPen(QColor(theme.TEXT))
    metrics = QFontMetricsF(name_font)
    title = metrics.elidedText(shown_label(node), Qt.TextElideMode.ElideRight, geo.title_rect.width())
    painter.drawText(geo.title_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), title)

    subtitle = subtitle_for(node, state)
    if subtitle and is_task:
        sub_font = subtitle_font(font)
        painter.setFont(sub_font)
        sub_color = theme.status_color(state.run_status) if state.run_status else QColor(theme.TEXT_DIM)
        painter.setPen(sub_color)
        text = QFontMetricsF(sub_font).elidedText(subtitle, Qt.TextElideMode.ElideRight, geo.subtitle_rect.width())
        painter.drawText(geo.subtitle_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
    painter.setOpacity(1.0)

    # progress bar while running (and a full one when done)
    if is_task and state.run_status in ("PROCESSING", "SUCCESS"):
        bar = geo.progress_rect
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 25))
        painter.drawRoundedRect(bar, 2, 2)
        fraction = 1.0 if state.run_status == "SUCCESS" else max(0.0, min(1.0, state.progress / 100.0))
        fill = QRectF(bar.left(), bar.top(), bar.width() * fraction, bar.height())
        painter.setBrush(theme.status_color(state.run_status))
        painter.drawRoundedRect(fill, 2, 2)

    _paint_ports(painter, geo, color)
    if state.run_status in ("SUCCESS", "FAIL", "SKIPPED", "CANCELED", "PROCESSING") or state.has_problems:
        _paint_badge(painter, geo.badge_center, state)


def _paint_ports(painter: QPainter, geo: NodeGeometry, color: QColor) -> None:
    painter.setPen(QPen(QColor(theme.CANVAS), 2))
    painter.setBrush(QBrush(color))
    if geo.has_input:
        painter.drawEllipse(geo.input_port, PORT_RADIUS, PORT_RADIUS)
    if geo.has_output:
        painter.drawEllipse(geo.output_port, PORT_RADIUS, PORT_RADIUS)


def _paint_badge(painter: QPainter, center: QPointF, state: NodeVisualState) -> None:
    """A small round badge at the top-right corner: ✓, ✕, –, ⟳ or ! for problems."""
    status = "PROBLEM" if state.has_problems and not state.run_status else state.run_status
    color = QColor(theme.ERROR) if status == "PROBLEM" else theme.status_color(status or "")
    r = 8.0
    painter.setPen(QPen(QColor(theme.CANVAS), 2))
    painter.setBrush(color)
    painter.drawEllipse(center, r, r)
    pen = QPen(QColor("white"), 1.8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    x, y = center.x(), center.y()
    if status == "SUCCESS":
        painter.drawPolyline([QPointF(x - 3.5, y + 0.2), QPointF(x - 1, y + 3), QPointF(x + 4, y - 3)])
    elif status in ("FAIL", "CANCELED"):
        painter.drawLine(QPointF(x - 3, y - 3), QPointF(x + 3, y + 3))
        painter.drawLine(QPointF(x + 3, y - 3), QPointF(x - 3, y + 3))
    elif status == "SKIPPED":
        painter.drawLine(QPointF(x - 3.5, y), QPointF(x + 3.5, y))
    elif status == "PROCESSING":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(x - 4, y - 4, 8, 8), 90 * 16, -int(360 * 16 * max(0.08, state.progress / 100.0)))
    else:  # a problem
        painter.drawLine(QPointF(x, y - 4), QPointF(x, y + 1))
        painter.drawPoint(QPointF(x, y + 3.6))
