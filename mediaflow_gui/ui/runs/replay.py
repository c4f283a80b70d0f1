"""Replay a past run: its own workflow snapshot drawn read-only with each node's outcome, and its timeline.

`ReplayDialog(record)` shows a finished run (a RunRecord from the adapter or the task store):
- the workflow as that run ran it (RunRecord.workflow, never the document being edited) in a scene of
  its own: nodes in their status colours (the canvas's own rules, editor/run_states.canvas_states) and a
  badge under each — duration and output count for a task ("12.3 s · 4 files"), "did not run" for one
  skipped or canceled before it started, the transcodes a folded watermark ran in, the input under
  Start and the total under End. Nothing can be moved, connected, dropped or deleted: the scene
  refuses the gestures and its workflow is a copy nobody saves;
- below it the Gantt chart of engine/run_timeline (timeline_chart.py): where the time went, with each
  fused FFmpeg process outlined as one.
Esc closes it (also when the canvas has the focus); F fits the drawing in the view.
The words on the badges come from `node_badges`, which holds no Qt, so tests can read them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QKeyEvent, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QGraphicsItem, QGraphicsObject, QLabel,
                               QPushButton, QScrollArea, QSplitter, QStyleOptionGraphicsItem, QVBoxLayout, QWidget)

from ...engine.run_state import RunRecord
from ...engine.run_timeline import Timeline, duration_text, files_text, step_duration, timeline
from ...model.kinds import NodeKind
from ...model.serialization import WorkflowFormatError, workflow_from_dict
from ...model.values import format_time
from ...model.workflow import Workflow
from .. import icons, theme
from ..editor.node_item import NodeItem
from ..editor.node_state import NodeVisualState
from ..editor.scene import WorkflowScene
from ..editor.view import WorkflowView
from ..editor.run_states import canvas_states
from ..i18n import translate
from .formatting import input_display, status_text
from .timeline_chart import TimelineChart

log = logging.getLogger(__name__)

BADGE_GAP = 6.0  # between a node's bottom edge and its badge


@dataclass(frozen=True)
class Badge:
    """What a node's badge says, in which status colour, and the exact facts on hover."""

    text: str
    status: str  # a SubtaskStatus value (its colour), "" for the neutral colour
    tooltip: str = ""


def node_badges(record: RunRecord, workflow: Workflow, line: Timeline | None = None) -> dict[str, Badge]:
    """{node id: Badge} for the nodes of `workflow` (the run's snapshot) that `record` says something about."""
    line = line if line is not None else timeline(record)
    names = {sub.step_id: sub.name for sub in record.subtasks}
    bars = {bar.step_id: bar for bar in line.bars}
    badges: dict[str, Badge] = {}
    for sub in record.subtasks:
        if sub.step_id not in workflow.nodes:
            continue
        status = sub.status.value
        bar = bars.get(sub.step_id)
        if sub.applied_in and sub.begin_time is None:  # a folded watermark: no process, no time of its own
            hosts = ", ".join(names.get(h, h) for h in sub.applied_in)
            text = translate("Replay", "in {0}").format(hosts) if sub.status.is_final else status_text(status)
            badges[sub.step_id] = Badge(text, status, translate("Replay", "Applied inside {0} (no FFmpeg process of its own)").format(hosts))
        elif bar is None:
            badges[sub.step_id] = Badge(translate("Replay", "{0} · did not run").format(status_text(status)), status,
                                        sub.message)
        else:
            seconds = step_duration(sub)
            seconds = seconds if seconds is not None else bar.duration
            text = f"{duration_text(seconds)} · {files_text(len(sub.outputs))}"
            facts = [translate("Replay", "Started +{0} s, ended +{1} s ({2} s)").format(
                         f"{bar.start:.3f}", f"{bar.end:.3f}", f"{bar.duration:.3f}"),
                     f"{files_text(len(sub.outputs))}" + (": " + ", ".join(
                         Path(str(o.get("path", ""))).name for o in sub.outputs[:6]) if sub.outputs else "")]
            if bar.group:
                others = [names.get(s, s) for s in line.groups.get(bar.group, ()) if s != sub.step_id]
                facts.append(translate("Replay", "One FFmpeg process with {0}").format(", ".join(others)))
            if sub.message:
                facts.append(sub.message[:300])
            badges[sub.step_id] = Badge(text, status, "\n".join(facts))
    for nid, node in workflow.nodes.items():
        if node.kind == NodeKind.START:
            badges[nid] = Badge(input_display(record.input), "", record.input)
        elif node.kind == NodeKind.END and record.finished:
            status = {"SUCCESS": "SUCCESS", "CANCELED": "CANCELED"}.get(record.display_status, "FAIL")
            badges[nid] = Badge(translate("Replay", "Total {0}").format(duration_text(record.elapsed())), status, record.message)
    return badges


class BadgeItem(QGraphicsObject):
    """A rounded label under its node (a child item: it goes where the node goes). It ignores the
    view's zoom, so it stays readable when a large workflow is fitted in the dialog."""

    def __init__(self, badge: Badge, node: NodeItem) -> None:
        super().__init__(node)
        self.badge = badge
        self.font = theme.ui_font(8.8)
        width = QFontMetricsF(self.font).horizontalAdvance(badge.text) + 18
        self._rect = QRectF(-width / 2, 0, width, 19)
        self.setPos(0, node.geometry.rect.bottom() + BADGE_GAP)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setToolTip(badge.tooltip)
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = theme.status_color(self.badge.status) if self.badge.status else QColor(theme.TEXT_DIM)
        fill = QColor(theme.CANVAS)
        painter.setBrush(fill)
        painter.setPen(QPen(color, 1.2))
        painter.drawRoundedRect(self._rect, 9, 9)
        painter.setFont(self.font)
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(self._rect, int(Qt.AlignmentFlag.AlignCenter), self.badge.text)


class ReplayScene(WorkflowScene):
    """A workflow scene that only shows: no connection gestures, nothing moves, Esc is the dialog's."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.badges: dict[str, BadgeItem] = {}

    def show_run(self, workflow: Workflow, states: dict[str, NodeVisualState], badges: dict[str, Badge]) -> None:
        self.set_workflow(workflow)  # a copy of the run's snapshot: nobody else holds or saves it
        self.set_node_states(states)
        self.badges = {}
        for nid, item in self.node_items.items():
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, False)
            if nid in badges:
                self.badges[nid] = BadgeItem(badges[nid], item)

    def begin_connection(self, item: NodeItem, port: str) -> None:  # a replay draws no connection
        return

    def nodes_rect(self) -> QRectF:
        # room for the badges under the lowest nodes (their size ignores the zoom: ~20 px at 1:1)
        return super().nodes_rect().adjusted(0, 0, 0, BADGE_GAP + 20 if self.badges else 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()  # the dialog's: it closes
            return
        super().keyPressEvent(event)


class ReplayView(WorkflowView):
    """The editor's view (zoom, pan, fit) without drops or context menus."""

    def __init__(self, scene: ReplayScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setAcceptDrops(False)

    def contextMenuEvent(self, event) -> None:  # noqa: N802, ANN001 - nothing to edit here
        event.ignore()


class ReplayDialog(QDialog):
    def __init__(self, record: RunRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.timeline = timeline(record)
        self.setWindowTitle(self.tr("Replay — {0}").format(input_display(record.input)))
        self.resize(1200, 840)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        self.header = QLabel(self._header_text())
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)

        self.scene = ReplayScene(self)
        self.view = ReplayView(self.scene)
        self.workflow: Workflow | None = None
        self.badges: dict[str, Badge] = {}
        self.problem = ""
        self._show_snapshot()

        self.chart = TimelineChart()
        self.chart.set_timeline(self.timeline)
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        chart_scroll.setWidget(self.chart)
        chart_scroll.setMinimumHeight(min(self.chart.sizeHint().height(), 180))
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 6, 0, 0)
        title = QLabel(self.tr("Timeline — where the time went (hover a bar for its exact times)"))
        title.setProperty("role", "hint")
        chart_layout.addWidget(title)
        chart_layout.addWidget(chart_scroll, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        if self.workflow is not None:
            self.splitter.addWidget(self.view)
        else:
            missing = QLabel(self.problem)
            missing.setAlignment(Qt.AlignmentFlag.AlignCenter)
            missing.setProperty("role", "hint")
            self.splitter.addWidget(missing)
        self.splitter.addWidget(chart_box)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        # the whole chart when it fits in 45 % of the dialog; the canvas takes the rest
        chart_height = self.chart.sizeHint().height() + title.sizeHint().height() + 12
        available = self.height() - 140
        below = min(chart_height, int(available * 0.45))
        self.splitter.setSizes([available - below, below])

        buttons = QDialogButtonBox()
        self.fit_button = QPushButton(icons.icon("fit"), self.tr("Fit"))
        self.fit_button.setToolTip(self.tr("Fit the workflow in the view (F)"))
        self.fit_button.clicked.connect(self.view.fit)
        self.fit_button.setEnabled(self.workflow is not None)
        buttons.addButton(self.fit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = QPushButton(icons.icon("close"), self.tr("Close"))
        self.close_button.setToolTip(self.tr("Close the replay (Esc)"))
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # a shortcut, not keyPressEvent: it works whichever child (canvas, chart, button) has the focus
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.reject)
        QShortcut(QKeySequence(Qt.Key.Key_F), self, self.view.fit)

    # -- content -------------------------------------------------------------------------------
    def _show_snapshot(self) -> None:
        record = self.record
        if record.workflow is None:
            self.problem = self.tr("This run kept no workflow snapshot (it ran before snapshots were stored).")
            return
        try:
            workflow = workflow_from_dict(record.workflow, f"<run {record.task_id}>")
        except WorkflowFormatError as exc:
            log.warning("replay of %s: %s", record.task_id, exc)
            self.problem = self.tr("The workflow snapshot of run {0} cannot be read: {1}").format(record.task_id, exc)
            return
        self.workflow = workflow
        states = {nid: NodeVisualState(run_status=status, progress=progress, run_message=message)
                  for nid, (status, progress, message) in canvas_states(record, workflow).items()}
        self.badges = node_badges(record, workflow, self.timeline)
        self.scene.show_run(workflow, states, self.badges)

    def _header_text(self) -> str:
        record = self.record
        color = theme.status_color(record.display_status).name()
        parts = [f"<span style='font-size:12pt; font-weight:600'>{_esc(record.workflow_name)}</span>",
                 f"<span style='color:{color}; font-weight:600'>{status_text(record.display_status)}</span>",
                 f"{duration_text(record.elapsed())}",
                 self.tr("started {0}").format(format_time(record.begin_time)) if record.begin_time else self.tr("never started"),
                 f"<span style='color:{theme.TEXT_DIM}'>{_esc(record.task_id)}</span>"]
        text = " &nbsp;·&nbsp; ".join(parts)
        groups = len(self.timeline.groups)
        fused = sum(len(m) for m in self.timeline.groups.values())
        detail = f"{_esc(record.input)}"
        if groups:
            detail += " &nbsp;·&nbsp; " + self.tr("{0} steps in %n fused FFmpeg process(es)", "", groups).format(fused)
        if record.message and not record.succeeded:
            detail += f"<br><span style='color:{theme.ERROR}'>{_esc(record.message[:300])}</span>"
        return f"{text}<br><span style='color:{theme.TEXT_DIM}'>{detail}</span>"

    def done(self, result: int) -> None:
        """Closing drops the graphics items while Qt is alive (as EditorController.dispose does)."""
        super().done(result)
        self.dispose()

    def dispose(self) -> None:
        self.scene.detach()
        self.scene.clear()
        self.scene.node_items.clear()
        self.scene.edge_items.clear()
        self.scene.badges.clear()

    def showEvent(self, event) -> None:  # noqa: N802, ANN001
        super().showEvent(event)
        if self.workflow is not None:
            self.view.fit()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
