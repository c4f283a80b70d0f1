"""The editor's view: zoom (wheel, keys), pan (middle button or Space + drag), fit, drops.

Palette drags carry a node spec (`start`, `task:transcode`, …) under PALETTE_MIME; the view
turns a drop into a request signal. Files dropped on the canvas are passed on as a run request.
A right click (or the menu key) asks for a context menu at a scene point (context_menu.py
answers); none is asked for while a connection is being drawn.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (QContextMenuEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent, QMouseEvent,
                           QPainter, QWheelEvent)
from PySide6.QtWidgets import QFrame, QGraphicsView

from .node_item import NodeItem
from .scene import WorkflowScene

PALETTE_MIME = "application/x-mediaflow-node-spec"
MIN_ZOOM, MAX_ZOOM = 0.2, 3.0


class WorkflowView(QGraphicsView):
    # (node spec, scene position): a palette entry was dropped on the canvas
    node_drop_requested = Signal(str, QPointF)
    # (list of local file paths): files were dropped on the canvas
    files_dropped = Signal(list)
    # (zoom factor): for the status bar
    zoom_changed = Signal(float)
    # (scene position, global position): the user asked for a context menu there
    context_menu_requested = Signal(QPointF, QPoint)

    def __init__(self, scene: WorkflowScene, parent=None) -> None:  # noqa: ANN001
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setSceneRect(QRectF(-50000, -50000, 100000, 100000))
        self._pan_from: QPointF | None = None
        self._space = False

    # -- zoom ------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.scale(factor / self.zoom, factor / self.zoom)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.2)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.2)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit(self) -> None:
        """Fit every node in the view (zoom capped at 1:1, so a small graph is not blown up)."""
        scene: WorkflowScene = self.scene()  # type: ignore[assignment]
        rect = scene.nodes_rect()
        if rect.isNull():
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-50, -50, 50, 50)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.0:
            self.set_zoom(1.0)
            self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta == 0:
            return
        self.set_zoom(self.zoom * (1.0015 ** delta))

    # -- pan ----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton or (self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by (dx, dy) pixels of the viewport."""
        self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() - dx))
        self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() - dy))

    # -- context menu ------------------------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        scene: WorkflowScene = self.scene()  # type: ignore[assignment]
        event.accept()
        if scene.connecting:  # a right click in the middle of drawing a connection
            return
        viewport_pos, global_pos = event.pos(), event.globalPos()
        if event.reason() != QContextMenuEvent.Reason.Mouse:
            # the menu key: open on the (first) selected node if it is visible, else mid-canvas
            viewport_pos = self.viewport().rect().center()
            for item in scene.selectedItems():
                if isinstance(item, NodeItem):
                    at = self.mapFromScene(item.scenePos())
                    if self.viewport().rect().contains(at):
                        viewport_pos = at
                        break
            global_pos = self.viewport().mapToGlobal(viewport_pos)
        self.context_menu_requested.emit(QPointF(self.mapToScene(viewport_pos)), global_pos)

    # -- drops ----------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        if mime.hasFormat(PALETTE_MIME) or mime.hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        if mime.hasFormat(PALETTE_MIME) or mime.hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        if mime.hasFormat(PALETTE_MIME):
            spec = bytes(mime.data(PALETTE_MIME).data()).decode("utf-8")
            self.node_drop_requested.emit(spec, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
            return
        if mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.files_dropped.emit(paths)
            event.acceptProposedAction()
            return
        super().dropEvent(event)
