"""Node editor: building the standard workflow through commands, undo/redo of every command kind,
refused connections, live validation markers, clipboard, zoom/fit, the re-entrancy guard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QWidget

from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import params_from_dict
from mediaflow_gui.model.serialization import workflow_to_dict
from mediaflow_gui.model.workflow import Edge

from .conftest import REFERENCE


def normalized(data: dict) -> dict:
    """The workflow JSON without ids and positions: nodes by name, edges by names."""
    names = {n["id"]: n["name"] for n in data["nodes"]}
    assert len(set(names.values())) == len(names), "node names must be unique for this comparison"
    nodes = {n["name"]: {k: v for k, v in n.items() if k not in ("id", "position")} for n in data["nodes"]}
    edges = sorted((names[e["source"]], names[e["target"]]) for e in data["edges"])
    return {"version": data["version"], "nodes": nodes, "edges": edges}


def build_reference(controller) -> dict:  # noqa: ANN001
    """Draw the reference workflow with editor commands only; returns the reference JSON."""
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ids: dict[str, str] = {}
    for raw in ref["nodes"]:
        spec = f"task:{raw['task_kind']}" if raw["kind"] == "task" else raw["kind"]
        node = controller.add_node(spec, (raw["position"]["x"], raw["position"]["y"]))
        assert node is not None, spec
        ids[raw["id"]] = node.id
        if node.name != raw["name"]:
            assert controller.rename(node.id, raw["name"])
        if raw["kind"] == "task":
            params, problems = params_from_dict(raw["task_kind"], raw["params"])
            assert not problems
            if params != node.params:
                assert controller.set_params(node.id, params, "all")
    for raw in ref["edges"]:
        assert controller.connect_nodes(ids[raw["source"]], ids[raw["target"]]), raw
    return ref


def test_build_standard_workflow_and_save_equals_reference(controller, qtbot, tmp_path: Path) -> None:
    from mediaflow_gui.ui.documents import Documents
    from mediaflow_gui.ui.settings import AppSettings

    # a fresh editor has an empty workflow; the name/description are not part of the drawing
    ref = build_reference(controller)
    controller.workflow.name, controller.workflow.description = ref["name"], ref["description"]
    qtbot.waitUntil(lambda: controller.problems == [])
    host = QWidget()
    qtbot.addWidget(host)
    docs = Documents(host, controller, AppSettings())
    target = tmp_path / "drawn.mfw.json"
    docs.ask_save_path = lambda: str(target)
    assert docs.save_as()
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert normalized(saved) == normalized(ref)
    assert saved["name"] == ref["name"]
    assert not docs.modified
    # the scene drew what the model holds
    assert len(controller.scene.node_items) == len(ref["nodes"])
    assert len(controller.scene.edge_items) == len(ref["edges"])


def _snapshot(controller) -> dict:  # noqa: ANN001
    """The workflow's JSON in a canonical order (undo re-adds a node at the end of the dict)."""
    data = workflow_to_dict(controller.workflow)
    data["nodes"].sort(key=lambda n: n["id"])
    data["edges"].sort(key=lambda e: (e["source"], e["target"]))
    return data


def _scene_matches_model(controller) -> bool:  # noqa: ANN001
    scene, wf = controller.scene, controller.workflow
    if set(scene.node_items) != set(wf.nodes) or set(scene.edge_items) != set(wf.edges):
        return False
    return all(abs(scene.node_items[n].pos().x() - wf.nodes[n].position[0]) < 1e-6
               and abs(scene.node_items[n].pos().y() - wf.nodes[n].position[1]) < 1e-6 for n in wf.nodes)


@pytest.mark.parametrize("kind", ["add", "remove", "connect", "move", "params", "rename", "paste", "duplicate",
                                  "layout", "delete_edge"])
def test_undo_redo_every_command_kind(controller, kind: str) -> None:
    build_reference(controller)
    wf = controller.workflow
    by_name = {n.name: n for n in wf.nodes.values()}
    gif, split, join = by_name["Animated GIF"], by_name["Split"], by_name["Join"]
    before = _snapshot(controller)
    count = controller.undo_stack.count()
    if kind == "add":
        assert controller.add_node("task:transcode", (0, 400)) is not None
    elif kind == "remove":
        controller.select([gif.id])
        assert controller.delete()
    elif kind == "connect":
        sprite = controller.add_node("task:image_sprite", (600, 500))
        before, count = _snapshot(controller), controller.undo_stack.count()
        assert controller.connect_nodes(split.id, sprite.id)
    elif kind == "move":
        assert controller.move_nodes({gif.id: (100.0, 900.0)})
    elif kind == "params":
        params = controller.params_copy(gif.id)
        params.fps = 5
        assert controller.set_params(gif.id, params, "fps")
    elif kind == "rename":
        assert controller.rename(gif.id, "Preview GIF")
    elif kind == "paste":
        controller.select([gif.id])
        assert controller.copy_selection()
        assert len(controller.paste()) == 1
    elif kind == "duplicate":
        controller.select([gif.id, join.id])
        assert len(controller.duplicate()) == 2
    elif kind == "layout":
        assert controller.auto_layout()
    elif kind == "delete_edge":
        assert controller.delete([], [Edge(gif.id, join.id)])
    assert controller.undo_stack.count() == count + 1
    after = _snapshot(controller)
    assert after != before
    assert _scene_matches_model(controller)
    controller.undo_stack.undo()
    assert _snapshot(controller) == before
    assert _scene_matches_model(controller)
    controller.undo_stack.redo()
    assert _snapshot(controller) == after
    assert _scene_matches_model(controller)


def test_a_command_started_inside_another_is_refused(controller) -> None:
    attempts = []

    def meddle(node) -> None:  # noqa: ANN001 - a view reacting to an event by editing
        attempts.append(controller.add_node("split", (300, 300)))

    controller.workflow.node_added.subscribe(meddle)
    node = controller.add_node("start", (0, 0))
    controller.workflow.node_added.unsubscribe(meddle)
    assert node is not None
    assert attempts == [None]
    assert controller.guard.refused == 1
    assert controller.undo_stack.count() == 1
    assert [n.kind for n in controller.workflow.nodes.values()] == [NodeKind.START]


def test_illegal_connections_are_refused_at_once(controller, qtbot) -> None:
    build_reference(controller)
    by_name = {n.name: n for n in controller.workflow.nodes.values()}
    start, split, join, end = (by_name[n] for n in ("Start", "Split", "Join", "End"))
    sd, hd = by_name["SD 540p"], by_name["HD 720p"]
    reasons: list[str] = []
    controller.refused.connect(reasons.append)
    count = controller.undo_stack.count()
    cases = [
        (end, split, "follow the end"),       # out of end
        (split, start, "before the start"),   # into start
        (join, split, "cycle"),               # cycle
        (sd, sd, "itself"),                   # self loop
        (split, sd, "already connected"),     # duplicate
        (split, hd, "already has an input"),  # second input into a task
    ]
    for source, target, words in cases:
        assert not controller.connect_nodes(source.id, target.id)
        assert words in reasons[-1]
    assert controller.add_node("start", (0, 200)) is None
    assert "already has a start" in reasons[-1]
    assert controller.add_node("end", (0, 200)) is None
    assert controller.undo_stack.count() == count
    assert controller.connection_refusal(split.id, join.id) is None


def test_connection_drawn_with_the_mouse(controller, qtbot) -> None:
    """Drag from the split's output port onto a new task: an edge appears; onto start: refused."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    view = controller.view
    split = controller.add_node("split", (0, 0))
    start = controller.add_node("start", (-240, 0))
    task = controller.add_node("task:snapshot", (300, 100))
    view.centerOn(100, 50)

    def drag(from_scene: QPointF, to_scene: QPointF) -> None:
        vp = view.viewport()
        a, b = view.mapFromScene(from_scene), view.mapFromScene(to_scene)
        for etype, pos, buttons in ((QEvent.Type.MouseButtonPress, a, Qt.MouseButton.LeftButton),
                                    (QEvent.Type.MouseMove, (a + b) / 2, Qt.MouseButton.LeftButton),
                                    (QEvent.Type.MouseMove, b, Qt.MouseButton.LeftButton),
                                    (QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton)):
            p = QPointF(QPoint(pos))
            event = QMouseEvent(etype, p, vp.mapToGlobal(p), Qt.MouseButton.LeftButton, buttons,
                                Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(vp, event)

    split_item = controller.scene.node_items[split.id]
    task_item = controller.scene.node_items[task.id]
    drag(split_item.port_scene_pos("out"), task_item.port_scene_pos("in"))
    assert controller.workflow.has_edge(split.id, task.id)
    reasons: list[str] = []
    controller.refused.connect(reasons.append)
    drag(task_item.port_scene_pos("out"), controller.scene.node_items[start.id].pos())
    assert not controller.workflow.has_edge(task.id, start.id)
    assert reasons and "before the start" in reasons[-1]


def test_validation_markers_appear_and_clear(controller, qtbot) -> None:
    build_reference(controller)
    qtbot.waitUntil(lambda: controller.problems == [])
    by_name = {n.name: n for n in controller.workflow.nodes.values()}
    join = by_name["Join"]
    item = controller.scene.node_items[join.id]
    assert not item.state.has_problems
    # leave only one branch into the join: the join is marked, the freed task too
    inputs = [Edge(p, join.id) for p in controller.workflow.predecessors(join.id)]
    assert controller.delete([], inputs[1:])
    qtbot.waitUntil(lambda: item.state.has_problems)
    assert "needs at least two" in item.toolTip()
    assert any(p.node_id == join.id for p in controller.problems)
    # out-of-range parameter: marked on that node
    gif = by_name["Animated GIF"]
    params = controller.params_copy(gif.id)
    params.fps = 99
    controller.set_params(gif.id, params, "fps")
    # in a person's words: the inspector's label, the bad value quoted, an example of a good one
    qtbot.waitUntil(lambda: "Frame rate must be 1–30 such as 10, not '99'" in controller.scene.node_items[gif.id].toolTip())
    # undo both: every marker clears
    controller.undo_stack.undo()
    controller.undo_stack.undo()
    qtbot.waitUntil(lambda: controller.problems == [])
    assert not any(i.state.has_problems for i in controller.scene.node_items.values())


def test_palette_search_and_drop(controller, qtbot) -> None:
    from mediaflow_gui.ui.editor.palette import Palette
    palette = Palette()
    qtbot.addWidget(palette)
    palette.search.setText("gif")
    assert palette.visible_specs() == ["task:animated_image"]
    palette.search.setText("snap")
    assert set(palette.visible_specs()) == {"task:snapshot", "task:sample_snapshot"}
    palette.search.clear()
    assert len(palette.visible_specs()) == 10
    # a drop on the view becomes an AddNodesCommand at the (snapped) drop point
    controller.view.node_drop_requested.connect(lambda spec, pos: controller.add_node(spec, pos))
    controller.view.node_drop_requested.emit("task:watermark", QPointF(101, 59))
    (node,) = controller.workflow.nodes.values()
    assert node.task_kind == "watermark" and node.position == (100.0, 60.0)


def test_zoom_fit_and_snap(controller, qtbot) -> None:
    view = controller.view
    build_reference(controller)
    start_zoom = view.zoom
    view.zoom_in()
    assert view.zoom > start_zoom
    view.zoom_out()
    view.zoom_out()
    assert view.zoom < start_zoom
    view.fit()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(controller.scene.nodes_rect())
    # a dragged item snaps to the 20 px grid; the model gets the snapped position in one command
    gif = next(n for n in controller.workflow.nodes.values() if n.name == "Animated GIF")
    item = controller.scene.node_items[gif.id]
    item.setPos(QPointF(333, 217))  # where Qt's drag put it
    controller.scene.items_dragged([item])
    assert (item.pos().x(), item.pos().y()) == (340.0, 220.0)
    controller.scene._report_moves()
    assert gif.position == (340.0, 220.0)
    assert controller.undo_stack.undoText().startswith("Move")
