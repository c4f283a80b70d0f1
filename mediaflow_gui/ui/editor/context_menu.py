"""The canvas's context menu: what a right click offers on empty canvas, on a node, on an edge.

- empty canvas: Add Node ▸ (every palette entry, placed at the click), Paste Here (when the
  clipboard holds nodes), Select All, Fit to View, Auto-Layout;
- a node: Rename…, Duplicate, Copy, Delete, Disconnect All; a node that was not selected
  becomes the selection first, so the selection-wide actions act on what was clicked;
- an edge: Delete Connection.

Nothing here changes the model: every entry calls an EditorController method, which pushes an
undoable command. The main window hands over its own QActions (copy, duplicate, delete,
select all, fit, layout) so the menu shows the same labels and shortcuts and runs the same
code; without them (a bare editor, tests) equivalent actions calling the same controller and
view methods are made here. Building a menu (`menu_for`) is separate from showing it
(`show_menu`, a modal exec), so tests build one and trigger its actions.
"""

from __future__ import annotations

from typing import Callable, Mapping

from PySide6.QtCore import QObject, QPoint, QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget

from ...model.kinds import NodeKind
from ...model.workflow import Edge
from .. import icons
from . import rules
from .controller import EditorController
from .edge_item import EdgeItem
from .node_item import NodeItem
from ..i18n import kind_title
from .palette import ENTRIES, describe
from .view import WorkflowView

# the window actions the menu reuses, by key: (label of the stand-in made without a window)
SHARED_ACTIONS: dict[str, str] = {
    "copy": "&Copy",
    "duplicate": "&Duplicate",
    "delete": "De&lete",
    "select_all": "Select &All",
    "fit": "&Fit to View",
    "layout": "Auto-&Layout",
}


class CanvasContextMenu(QObject):
    """Answers the view's context_menu_requested with a menu for the point clicked."""

    def __init__(self, controller: EditorController, view: WorkflowView,
                 actions: Mapping[str, QAction] | None = None) -> None:
        super().__init__(view)
        self.controller = controller
        self.view = view
        self.actions: dict[str, QAction] = {}
        stand_in_slots: dict[str, Callable[[], object]] = {
            "copy": controller.copy_selection,
            "duplicate": controller.duplicate,
            "delete": controller.delete,
            "select_all": controller.select_all,
            "fit": view.fit,
            "layout": controller.auto_layout,
        }
        given = dict(actions or {})
        unknown = set(given) - set(SHARED_ACTIONS)
        if unknown:
            raise ValueError(f"unknown context menu actions: {sorted(unknown)}")
        for key, label in SHARED_ACTIONS.items():
            action = given.get(key)
            if action is None:
                action = QAction(label, self)
                slot = stand_in_slots[key]
                action.triggered.connect(lambda *_, s=slot: s())
            self.actions[key] = action
        view.context_menu_requested.connect(self._on_requested)

    # -- showing -----------------------------------------------------------------------------------
    def _on_requested(self, scene_pos: QPointF, global_pos: QPoint) -> None:
        menu = self.menu_for(scene_pos)
        try:
            self.show_menu(menu, global_pos)
        finally:
            menu.deleteLater()

    def show_menu(self, menu: QMenu, global_pos: QPoint) -> None:
        """Modal: returns when the menu closes (tests replace this)."""
        menu.exec(global_pos)

    def ask_name(self, current: str) -> str | None:
        """The new name for a node, or None if the person cancelled (tests replace this)."""
        text, ok = QInputDialog.getText(self.view, "Rename node", "Name:", QLineEdit.EchoMode.Normal, current)
        return text if ok else None

    # -- building ----------------------------------------------------------------------------------
    def menu_for(self, scene_pos: QPointF, parent: QWidget | None = None) -> QMenu:
        """The menu for a scene point: a node's, an edge's, or the empty canvas's."""
        target = self.controller.scene.item_at(scene_pos)
        if isinstance(target, NodeItem):
            return self.node_menu(target.node_id, parent)
        if isinstance(target, EdgeItem):
            return self.edge_menu(target.edge, parent)
        return self.canvas_menu(scene_pos, parent)

    def canvas_menu(self, scene_pos: QPointF, parent: QWidget | None = None) -> QMenu:
        c = self.controller
        menu = QMenu(parent or self.view)
        menu.setToolTipsVisible(True)
        add = menu.addMenu(icons.icon("new"), self.tr("Add &Node"))
        add.setToolTipsVisible(True)
        where = QPointF(scene_pos)
        for spec, title, key, _words in ENTRIES:
            action = add.addAction(icons.kind_icon(key), kind_title(spec.removeprefix("task:"), title))
            action.setData(spec)
            refusal = self._node_refusal(spec)
            action.setEnabled(refusal is None)
            action.setToolTip(refusal or describe(spec) or title)
            action.triggered.connect(lambda *_, s=spec: c.add_node(s, where))
        menu.addSeparator()
        paste = menu.addAction(self.tr("&Paste Here"))
        paste.setEnabled(c.clipboard_has_nodes())
        paste.triggered.connect(lambda *_: c.paste_at(where))
        menu.addSeparator()
        for key in ("select_all", "fit", "layout"):
            menu.addAction(self.actions[key])
        return menu

    def node_menu(self, node_id: str, parent: QWidget | None = None) -> QMenu:
        c = self.controller
        if node_id not in c.scene.selected_node_ids():
            c.select([node_id])  # like common editors: the clicked node is what the actions act on
        menu = QMenu(parent or self.view)
        rename = menu.addAction(self.tr("&Rename…"))
        rename.triggered.connect(lambda *_: self.rename(node_id))
        menu.addSeparator()
        for key in ("duplicate", "copy", "delete"):
            menu.addAction(self.actions[key])
        menu.addSeparator()
        disconnect = menu.addAction(self.tr("Dis&connect All"))
        selected = set(c.scene.selected_node_ids())
        disconnect.setEnabled(any(e.source in selected or e.target in selected for e in c.workflow.edges))
        disconnect.triggered.connect(lambda *_: c.disconnect())
        return menu

    def edge_menu(self, edge: Edge, parent: QWidget | None = None) -> QMenu:
        c = self.controller
        menu = QMenu(parent or self.view)
        delete = menu.addAction(self.tr("&Delete Connection"))
        delete.triggered.connect(lambda *_: c.delete([], [edge]))
        return menu

    # -- actions -----------------------------------------------------------------------------------
    def rename(self, node_id: str) -> bool:
        node = self.controller.workflow.nodes.get(node_id)
        if node is None:
            return False
        name = self.ask_name(node.label)
        if name is None or not name.strip():
            return False
        return self.controller.rename(node_id, name.strip())

    def _node_refusal(self, spec: str) -> str | None:
        if spec in (NodeKind.START.value, NodeKind.END.value):
            return rules.node_refusal(self.controller.workflow, NodeKind(spec))
        return None
