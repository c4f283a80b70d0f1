"""The canvas's context menu (empty canvas, node, edge) and Escape during a connection drag.

Menus are built with CanvasContextMenu.menu_for(scene point) and their actions triggered
directly (a modal exec() would block the test); every action must be one undo step.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu

from mediaflow_gui.model.workflow import Edge

from .test_editor import _scene_matches_model, _snapshot, build_reference


@pytest.fixture
def menus(controller):  # noqa: ANN001, ANN201
    from mediaflow_gui.ui.editor.context_menu import CanvasContextMenu
    return CanvasContextMenu(controller, controller.view)


def plain(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def entries(menu: QMenu) -> dict[str, object]:
    """Visible labels (without & and …) → QAction, or → dict for a submenu."""
    found: dict[str, object] = {}
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        sub = action.menu()
        found[plain(action.text())] = entries(sub) if isinstance(sub, QMenu) else action
    return found


def by_name(controller) -> dict:  # noqa: ANN001
    return {n.name: n for n in controller.workflow.nodes.values()}


def send_mouse(view, etype: QEvent.Type, scene_pos: QPointF, button: Qt.MouseButton,  # noqa: ANN001
               buttons: Qt.MouseButton) -> None:
    vp = view.viewport()
    p = QPointF(QPoint(view.mapFromScene(scene_pos)))
    QApplication.sendEvent(vp, QMouseEvent(etype, p, vp.mapToGlobal(p), button, buttons,
                                           Qt.KeyboardModifier.NoModifier))


# -- empty canvas --------------------------------------------------------------------------------------
def test_canvas_menu_adds_every_palette_kind_at_the_click(controller, menus) -> None:  # noqa: ANN001
    from mediaflow_gui.ui.editor.palette import ENTRIES
    menu = menus.menu_for(QPointF(401, 219))
    top = entries(menu)
    assert {"Add Node", "Paste Here", "Select All", "Fit to View", "Auto-Layout"} <= set(top)
    add_menu = next(a.menu() for a in menu.actions() if plain(a.text()) == "Add Node")
    kinds = [a for a in add_menu.actions() if not a.isSeparator()]
    assert [a.data() for a in kinds] == [spec for spec, *_ in ENTRIES]  # same kinds, same order as the palette
    assert [a.text() for a in kinds] == [title for _, title, *_ in ENTRIES]
    assert all(not a.icon().isNull() and a.isEnabled() for a in kinds)
    transcode = next(a for a in kinds if a.data() == "task:transcode")
    before = controller.undo_stack.count()
    transcode.trigger()
    (node,) = controller.workflow.nodes.values()
    assert node.task_kind == "transcode"
    assert node.position == (400.0, 220.0)  # the click point, snapped to the grid
    assert controller.undo_stack.count() == before + 1
    assert controller.scene.selected_node_ids() == [node.id]
    controller.undo_stack.undo()
    assert controller.workflow.nodes == {}
    assert controller.scene.node_items == {}


def test_canvas_menu_refuses_a_second_start(controller, menus) -> None:  # noqa: ANN001
    controller.add_node("start", (0, 0))
    add = entries(menus.menu_for(QPointF(600, 600)))["Add Node"]
    assert not add["Start"].isEnabled() and add["End"].isEnabled()
    assert "already has a start" in add["Start"].toolTip()


def test_paste_here_centres_the_clipboard_nodes_on_the_click(controller, menus) -> None:  # noqa: ANN001
    build_reference(controller)
    assert not entries(menus.menu_for(QPointF(2000, 2000)))["Paste Here"].isEnabled()  # nothing copied yet
    nodes = by_name(controller)
    gif, sprite = nodes["Animated GIF"], nodes["Image sprite"]  # (480, 165) and (480, 275)
    controller.select([gif.id, sprite.id])
    assert controller.copy_selection()
    paste = entries(menus.menu_for(QPointF(2000, 2000)))["Paste Here"]
    assert paste.isEnabled()
    before, count = _snapshot(controller), controller.undo_stack.count()
    paste.trigger()
    assert controller.undo_stack.count() == count + 1
    pasted = [controller.workflow.nodes[i] for i in controller.scene.selected_node_ids()]
    assert sorted(n.position for n in pasted) == [(2000.0, 1940.0), (2000.0, 2060.0)]  # centre (2000, 2000), snapped
    controller.undo_stack.undo()
    assert _snapshot(controller) == before


def test_canvas_menu_select_all_fit_and_layout(controller, menus) -> None:  # noqa: ANN001
    build_reference(controller)
    controller.scene.clearSelection()
    top = entries(menus.menu_for(QPointF(-3000, -3000)))
    top["Select All"].trigger()
    assert set(controller.scene.selected_node_ids()) == set(controller.workflow.nodes)
    view = controller.view
    view.centerOn(-5000, -5000)
    top["Fit to View"].trigger()
    assert view.mapToScene(view.viewport().rect()).boundingRect().contains(controller.scene.nodes_rect())
    controller.move_nodes({by_name(controller)["Join"].id: (960.0, 700.0)})
    before, count = _snapshot(controller), controller.undo_stack.count()
    top["Auto-Layout"].trigger()
    assert controller.undo_stack.count() == count + 1
    # back where the standard file has it (its positions are the auto-layout's)
    assert by_name(controller)["Join"].position == (1040.0, 0.0)
    controller.undo_stack.undo()
    assert _snapshot(controller) == before


# -- nodes ---------------------------------------------------------------------------------------------
def test_node_menu_makes_an_unselected_node_the_selection(controller, menus) -> None:  # noqa: ANN001
    build_reference(controller)
    nodes = by_name(controller)
    gif, sd, hd = nodes["Animated GIF"], nodes["SD 540p"], nodes["HD 720p"]
    controller.select([sd.id, hd.id])
    top = entries(menus.menu_for(QPointF(*gif.position)))
    assert list(top) == ["Rename", "Duplicate", "Copy", "Delete", "Disconnect All"]
    assert controller.scene.selected_node_ids() == [gif.id]
    # a node that is part of the selection keeps the whole selection
    controller.select([sd.id, hd.id])
    menus.menu_for(QPointF(*hd.position))
    assert set(controller.scene.selected_node_ids()) == {sd.id, hd.id}


@pytest.mark.parametrize("entry", ["Duplicate", "Delete", "Disconnect All"])
def test_node_menu_actions_are_one_undo_step(controller, menus, entry: str) -> None:  # noqa: ANN001
    build_reference(controller)
    gif = by_name(controller)["Animated GIF"]
    touching = set(controller.workflow.edges_of(gif.id))
    assert len(touching) == 2  # split → gif → join
    before, count = _snapshot(controller), controller.undo_stack.count()
    n_nodes, n_edges = len(controller.workflow.nodes), len(controller.workflow.edges)
    entries(menus.menu_for(QPointF(*gif.position)))[entry].trigger()
    wf = controller.workflow
    assert controller.undo_stack.count() == count + 1
    if entry == "Duplicate":
        assert len(wf.nodes) == n_nodes + 1 and len(wf.edges) == n_edges
        (copy_id,) = controller.scene.selected_node_ids()
        dup = wf.nodes[copy_id]
        assert copy_id != gif.id and dup.task_kind == "animated_image" and dup.params == gif.params
        assert dup.position == (gif.position[0] + 40, gif.position[1] + 40)
    elif entry == "Delete":
        assert gif.id not in wf.nodes and len(wf.nodes) == n_nodes - 1
        assert not touching & set(wf.edges) and len(wf.edges) == n_edges - 2
    else:
        assert gif.id in wf.nodes and wf.edges_of(gif.id) == []
        assert len(wf.edges) == n_edges - 2 and len(wf.nodes) == n_nodes
    assert _scene_matches_model(controller)
    controller.undo_stack.undo()
    assert _snapshot(controller) == before
    assert _scene_matches_model(controller)


def test_disconnect_is_disabled_for_a_lone_node(controller, menus) -> None:  # noqa: ANN001
    node = controller.add_node("task:snapshot", (100, 100))
    top = entries(menus.menu_for(QPointF(*node.position)))
    assert not top["Disconnect All"].isEnabled()
    assert not controller.disconnect()


def test_node_menu_rename_and_copy(controller, menus) -> None:  # noqa: ANN001
    build_reference(controller)
    gif = by_name(controller)["Animated GIF"]
    asked: list[str] = []
    menus.ask_name = lambda current: asked.append(current) or "  Preview GIF "
    count = controller.undo_stack.count()
    entries(menus.menu_for(QPointF(*gif.position)))["Rename"].trigger()
    assert asked == ["Animated GIF"]
    assert gif.name == "Preview GIF" and controller.undo_stack.count() == count + 1
    menus.ask_name = lambda current: None  # cancelled: nothing happens
    entries(menus.menu_for(QPointF(*gif.position)))["Rename"].trigger()
    assert gif.name == "Preview GIF" and controller.undo_stack.count() == count + 1
    controller.undo_stack.undo()
    assert gif.name == "Animated GIF"
    QGuiApplication.clipboard().clear()
    entries(menus.menu_for(QPointF(*gif.position)))["Copy"].trigger()
    assert controller.clipboard_has_nodes() and gif.id in QGuiApplication.clipboard().text()
    assert controller.undo_stack.count() == count + 1  # copying changes nothing


# -- edges ---------------------------------------------------------------------------------------------
def test_edge_menu_deletes_that_connection_only(controller, menus) -> None:  # noqa: ANN001
    build_reference(controller)
    nodes = by_name(controller)
    edge = Edge(nodes["Start"].id, nodes["Split"].id)
    middle = controller.scene.edge_items[edge].path().pointAtPercent(0.5)
    before, count, n_edges = _snapshot(controller), controller.undo_stack.count(), len(controller.workflow.edges)
    top = entries(menus.menu_for(middle))
    assert list(top) == ["Delete Connection"]
    top["Delete Connection"].trigger()
    assert edge not in controller.workflow.edges and len(controller.workflow.edges) == n_edges - 1
    assert len(controller.workflow.nodes) == len(before["nodes"])
    assert controller.undo_stack.count() == count + 1
    controller.undo_stack.undo()
    assert _snapshot(controller) == before and _scene_matches_model(controller)


# -- wiring --------------------------------------------------------------------------------------------
def test_a_right_click_on_the_view_opens_the_menu_for_that_point(controller, menus) -> None:  # noqa: ANN001
    a = controller.add_node("task:snapshot", (100, 100))
    b = controller.add_node("task:transcode", (100, 300))
    shown: list[list[str]] = []
    menus.show_menu = lambda menu, pos: shown.append(list(entries(menu)))
    view = controller.view
    right, none = Qt.MouseButton.RightButton, Qt.MouseButton.NoButton

    def right_click(scene_pos: QPointF) -> None:  # press, menu (X11 order), release
        send_mouse(view, QEvent.Type.MouseButtonPress, scene_pos, right, right)
        at = view.mapFromScene(scene_pos)
        QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at,
                                                                  view.viewport().mapToGlobal(at)))
        send_mouse(view, QEvent.Type.MouseButtonRelease, scene_pos, right, none)

    controller.select([a.id, b.id])
    right_click(QPointF(100, 300))  # on a node of the selection: the selection stays
    assert shown[-1][0] == "Rename"
    assert set(controller.scene.selected_node_ids()) == {a.id, b.id}
    controller.select([b.id])
    right_click(QPointF(100, 100))  # on another node: it becomes the selection
    assert shown[-1][0] == "Rename" and controller.scene.selected_node_ids() == [a.id]
    right_click(QPointF(600, 500))  # on empty canvas
    assert shown[-1][0] == "Add Node"
    assert controller.workflow.nodes[a.id].position == (100.0, 100.0)  # no click moved anything
    # the menu key opens the menu of the selected node
    controller.select([b.id])
    centre = view.viewport().rect().center()
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, centre,
                                                              view.viewport().mapToGlobal(centre)))
    assert shown[-1][0] == "Rename" and controller.scene.selected_node_ids() == [b.id]
    assert len(shown) == 4


def test_the_window_lends_its_actions_to_the_menu(window) -> None:  # noqa: ANN001
    menus, c = window.canvas_menu, window.controller
    node = next(iter(c.workflow.nodes.values()))
    node_menu = menus.menu_for(QPointF(*node.position))
    for act in (window.act_duplicate, window.act_copy, window.act_delete):
        assert act in node_menu.actions()
    canvas_menu = menus.menu_for(QPointF(-20000, -20000))
    for act in (window.act_select_all, window.act_fit, window.act_layout):
        assert act in canvas_menu.actions()


# -- Escape ----------------------------------------------------------------------------------------------
def test_escape_cancels_a_connection_drag(controller, qtbot) -> None:  # noqa: ANN001
    from mediaflow_gui.ui.editor.edge_item import PendingEdgeItem
    view, scene = controller.view, controller.scene
    split = controller.add_node("split", (0, 0))
    task = controller.add_node("task:snapshot", (300, 100))
    view.centerOn(150, 50)
    view.setFocus()
    before, count = _snapshot(controller), controller.undo_stack.count()
    out_port = scene.node_items[split.id].port_scene_pos("out")
    in_port = scene.node_items[task.id].port_scene_pos("in")
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send_mouse(view, QEvent.Type.MouseButtonPress, out_port, left, left)
    send_mouse(view, QEvent.Type.MouseMove, (out_port + in_port) / 2, none, left)
    send_mouse(view, QEvent.Type.MouseMove, in_port, none, left)
    assert scene.connecting and any(isinstance(i, PendingEdgeItem) for i in scene.items())
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not scene.connecting
    assert not any(isinstance(i, PendingEdgeItem) for i in scene.items())
    # the button is still down: moving on must not drag the node, releasing must not connect
    send_mouse(view, QEvent.Type.MouseMove, in_port + QPointF(30, 30), none, left)
    send_mouse(view, QEvent.Type.MouseButtonRelease, in_port, left, none)
    assert not controller.workflow.has_edge(split.id, task.id)
    assert controller.undo_stack.count() == count
    assert _snapshot(controller) == before and _scene_matches_model(controller)
    # the same gesture without Escape does connect (so the cancel is what stopped it)
    send_mouse(view, QEvent.Type.MouseButtonPress, out_port, left, left)
    send_mouse(view, QEvent.Type.MouseMove, in_port, none, left)
    send_mouse(view, QEvent.Type.MouseButtonRelease, in_port, left, none)
    assert controller.workflow.has_edge(split.id, task.id)
    assert controller.undo_stack.count() == count + 1


def test_escape_otherwise_clears_the_selection(controller, qtbot) -> None:  # noqa: ANN001
    build_reference(controller)
    controller.select_all()
    controller.view.setFocus()
    count = controller.undo_stack.count()
    qtbot.keyClick(controller.view, Qt.Key.Key_Escape)
    assert controller.scene.selectedItems() == []
    assert controller.undo_stack.count() == count


def test_no_menu_while_a_connection_is_drawn(controller, menus) -> None:  # noqa: ANN001
    view, scene = controller.view, controller.scene
    split = controller.add_node("split", (0, 0))
    shown: list[QMenu] = []
    menus.show_menu = lambda menu, pos: shown.append(menu)
    out_port = scene.node_items[split.id].port_scene_pos("out")
    left = Qt.MouseButton.LeftButton
    send_mouse(view, QEvent.Type.MouseButtonPress, out_port, left, left)
    assert scene.connecting
    at = view.mapFromScene(out_port + QPointF(80, 0))
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at,
                                                              view.viewport().mapToGlobal(at)))
    assert shown == []
    send_mouse(view, QEvent.Type.MouseButtonRelease, out_port + QPointF(80, 0), left, Qt.MouseButton.NoButton)
    assert not scene.connecting and controller.workflow.edges == []
