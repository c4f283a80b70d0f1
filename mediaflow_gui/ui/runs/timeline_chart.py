"""The replay's Gantt chart: one row per step of a run, its bar on a time axis in seconds.

It paints an engine.run_timeline.Timeline: bars in their status colour with the duration on them
(or beside them when they are short), a folded watermark hatched, each fused group outlined as
one box labelled as one FFmpeg process, steps that never ran as rows with their status word, and a
time axis with round ticks. Hovering a bar shows its exact times. All geometry comes from
`bar_rect` / `group_rect`, which painting, hit-testing and the tests share.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...engine.run_timeline import Bar, Timeline, duration_text, files_text
from .. import theme
from ..i18n import status_label, translate

NAME_WIDTH = 190.0  # the names' column
ROW = 26.0  # one step per row
BAR_HEIGHT = 16.0
AXIS = 30.0  # the time axis above the rows
MARGIN = 12.0
RIGHT = 140.0  # room right of the plot for a group's label and the last bar's duration
NICE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def tick_step(span: float, room: float, min_gap: float = 70.0) -> float:
    """The smallest round step (seconds) whose ticks lie at least `min_gap` pixels apart."""
    if span <= 0 or room <= 0:
        return 1.0
    for step in NICE_STEPS:
        if step / span * room >= min_gap:
            return step
    return NICE_STEPS[-1] * math.ceil(span / NICE_STEPS[-1] / max(1.0, room / min_gap))


def tick_text(seconds: float, step: float) -> str:
    """A tick's label: seconds ("0 s", "2.5 s", "0.05 s", "90 s"), minutes once the steps are whole minutes."""
    if step >= 60 and seconds >= 60:
        minutes, secs = divmod(int(round(seconds)), 60)
        return translate("TimelineChart", "{0} min").format(minutes) if secs == 0 else f"{minutes}:{secs:02d}"
    decimals = 0 if step >= 1 else (1 if step >= 0.1 else 2)
    return f"{seconds:.{decimals}f} s"


def _clock(origin: float | None, offset: float) -> str:
    if origin is None:
        return ""
    return datetime.fromtimestamp(origin + offset).strftime("%H:%M:%S.%f")[:-3]


class TimelineChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = Timeline(bars=(), idle=(), span=0.0)
        self.names: dict[str, str] = {}  # step id → name (for "fused with …" and "applied in …")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFont(theme.ui_font(9.5))
        self.setAutoFillBackground(False)

    def set_timeline(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.names = {b.step_id: b.name for b in timeline.bars} | {i.step_id: i.name for i in timeline.idle}
        self.setFixedHeight(int(self.sizeHint().height()))
        self.update()

    # -- geometry ----------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(760, int(AXIS + max(1, self.timeline.lanes) * ROW + 2 * MARGIN))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, self.sizeHint().height())

    @property
    def plot(self) -> QRectF:
        """Where bars go (right of the names, below the axis)."""
        left = MARGIN + NAME_WIDTH
        return QRectF(left, MARGIN + AXIS, max(40.0, self.width() - left - RIGHT), self.timeline.lanes * ROW)

    @property
    def scale_span(self) -> float:
        return self.timeline.span if self.timeline.span > 0 else 1.0

    def x_of(self, seconds: float) -> float:
        plot = self.plot
        return plot.left() + plot.width() * seconds / self.scale_span

    def row_rect(self, lane: int) -> QRectF:
        return QRectF(MARGIN, self.plot.top() + lane * ROW, self.width() - 2 * MARGIN, ROW)

    def bar_rect(self, bar: Bar) -> QRectF:
        top = self.plot.top() + bar.lane * ROW + (ROW - BAR_HEIGHT) / 2
        left = self.x_of(bar.start)
        return QRectF(left, top, max(3.0, self.x_of(bar.end) - left), BAR_HEIGHT)

    def group_rect(self, group: str) -> QRectF:
        start, end, first, last = self.timeline.group_range(group)
        top = self.plot.top() + first * ROW + 2
        left = self.x_of(start)
        return QRectF(left - 4, top, max(3.0, self.x_of(end) - left) + 8, (last - first + 1) * ROW - 4)

    def bar_at(self, pos: QPointF | QPoint) -> Bar | None:
        point = QPointF(pos)
        for bar in self.timeline.bars:
            rect = self.bar_rect(bar)
            # the whole row's height and a few pixels either side: short bars stay easy to hover
            if rect.adjusted(-3, -(ROW - BAR_HEIGHT) / 2, 3, (ROW - BAR_HEIGHT) / 2).contains(point):
                return bar
        return None

    # -- words ----------------------------------------------------------------------------------
    def group_label(self, group: str) -> str:
        return self.tr("1 FFmpeg process · {0} steps").format(len(self.timeline.groups.get(group, ())))

    def tooltip_for(self, bar: Bar) -> str:
        """The exact times of a bar (plain text, one fact a line)."""
        origin = self.timeline.origin
        status = status_label(bar.status)
        lines = [f"{bar.name} — {status}",
                 self.tr("Start: +{0} s  ({1})").format(f"{bar.start:.3f}", _clock(origin, bar.start)),
                 self.tr("End: +{0} s  ({1})").format(f"{bar.end:.3f}", _clock(origin, bar.end)),
                 self.tr("Duration: {0} s").format(f"{bar.duration:.3f}"),
                 self.tr("Outputs: {0}").format(files_text(bar.outputs))]
        if bar.group:
            others = [self.names.get(s, s) for s in self.timeline.groups.get(bar.group, ()) if s != bar.step_id]
            lines.append(self.tr("One FFmpeg process with: {0}").format(", ".join(others)))
        if bar.folded_into:
            lines.append(self.tr("Applied inside: {0}").format(", ".join(self.names.get(s, s) for s in bar.folded_into)))
        return "\n".join(lines)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            help_event: QHelpEvent = event  # type: ignore[assignment]
            bar = self.bar_at(help_event.pos())
            if bar is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(help_event.globalPos(), self.tooltip_for(bar), self, self.bar_rect(bar).toRect())
            return True
        return super().event(event)

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.PANEL))
        painter.setFont(self.font())
        self._paint_rows(painter)
        self._paint_axis(painter)
        for group in self.timeline.groups:
            self._paint_group(painter, group)
        for bar in self.timeline.bars:
            self._paint_bar(painter, bar)
        for group in self.timeline.groups:  # over the bars: never hidden, even inside the box
            self._paint_group_label(painter, group)
        if not self.timeline.bars and not self.timeline.idle:
            painter.setPen(QColor(theme.TEXT_DIM))
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self.tr("This run has no steps to show."))
        painter.end()

    def _paint_rows(self, painter: QPainter) -> None:
        metrics = QFontMetricsF(self.font())
        rows = [(b.lane, b.name, b.status, True) for b in self.timeline.bars]
        rows += [(i.lane, i.name, i.status, False) for i in self.timeline.idle]
        for lane, name, status, ran in rows:
            rect = self.row_rect(lane)
            if lane % 2:
                painter.fillRect(rect, QColor(theme.PANEL_ALT))
            painter.setPen(QColor(theme.TEXT if ran else theme.TEXT_DIM))
            text_rect = QRectF(rect.left() + 6, rect.top(), NAME_WIDTH - 14, rect.height())
            painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, text_rect.width()))
            if not ran:  # a step that never started: its status word where its bar would be
                painter.setPen(theme.status_color(status))
                label = self.tr("{0} — did not run").format(status_label(status))
                painter.drawText(QRectF(self.plot.left() + 4, rect.top(), self.plot.width(), rect.height()),
                                 int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), label)

    def _paint_axis(self, painter: QPainter) -> None:
        plot = self.plot
        step = tick_step(self.scale_span, plot.width())
        small = painter.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        painter.setFont(small)
        count = int(self.scale_span / step + 1e-9)
        for i in range(count + 1):
            seconds = i * step
            x = self.x_of(seconds)
            painter.setPen(QPen(QColor(theme.GRID_MAJOR if i else theme.BORDER), 1))
            painter.drawLine(QPointF(x, plot.top() - 4), QPointF(x, plot.bottom()))
            painter.setPen(QColor(theme.TEXT_DIM))
            painter.drawText(QRectF(x - 40, MARGIN, 80, AXIS - 8), int(Qt.AlignmentFlag.AlignCenter),
                             tick_text(seconds, step))
        # the run's end, where the steps stop
        end_x = self.x_of(self.timeline.span)
        painter.setPen(QPen(QColor(theme.TEXT_DIM), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(end_x, plot.top() - 4), QPointF(end_x, plot.bottom()))
        painter.setFont(self.font())

    def _paint_group(self, painter: QPainter, group: str) -> None:
        rect = self.group_rect(group)
        fill = QColor(theme.ACCENT)
        fill.setAlpha(28)
        painter.setBrush(fill)
        painter.setPen(QPen(QColor(theme.ACCENT), 1.4, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(rect, 5, 5)

    def _paint_group_label(self, painter: QPainter, group: str) -> None:
        rect = self.group_rect(group)
        small = painter.font()
        small.setPointSizeF(small.pointSizeF() * 0.88)
        painter.setFont(small)
        painter.setPen(QColor(theme.ACCENT).lighter(140))
        # right of the box, on two lines (a group spans two rows at least), or inside it when the box
        # reaches the right edge
        lines = self.group_label(group).split(" · ")
        metrics = QFontMetricsF(small)
        width = max(metrics.horizontalAdvance(line) for line in lines) + 6
        height = metrics.height() * len(lines)
        left = rect.right() + 6 if rect.right() + 6 + width <= self.width() - 4 else rect.right() - width - 4
        painter.drawText(QRectF(left, rect.center().y() - height / 2, width, height),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), "\n".join(lines))
        painter.setFont(self.font())

    def _paint_bar(self, painter: QPainter, bar: Bar) -> None:
        rect = self.bar_rect(bar)
        color = theme.status_color(bar.status)
        painter.setPen(Qt.PenStyle.NoPen)
        if bar.folded_into:  # no process of its own: hatched over its transcodes' time
            tint = QColor(color)
            tint.setAlpha(60)
            painter.setBrush(tint)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setBrush(QBrush(color, Qt.BrushStyle.BDiagPattern))
        else:
            painter.setBrush(color)
        painter.drawRoundedRect(rect, 3, 3)
        small = painter.font()
        small.setPointSizeF(small.pointSizeF() * 0.88)
        painter.setFont(small)
        text = duration_text(bar.duration)
        if bar.folded_into:
            text = self.tr("applied inside {0}").format(", ".join(self.names.get(s, s) for s in bar.folded_into))
        width = QFontMetricsF(small).horizontalAdvance(text) + 10
        if rect.width() >= width and not bar.folded_into:
            painter.setPen(QColor("#0d1117"))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        elif rect.width() >= width:
            painter.setPen(QColor(theme.TEXT))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        else:  # too short: the duration goes right of the bar
            painter.setPen(QColor(theme.TEXT))
            painter.drawText(QRectF(rect.right() + 5, rect.top() - 2, width, rect.height() + 4),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        painter.setFont(self.font())
