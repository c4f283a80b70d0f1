"""Editor nodes sized to their names (within limits; the whole name on hover), subtitles readable at
the zoom the standard workflow opens with, and the standard workflow's connections never running
behind a node — as drawn from its file and after Auto-layout."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF

from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.ui.editor.node_geometry import (STRUCTURAL_WIDTHS, TASK_WIDTHS, geometry_for, node_font,
                                                   subtitle_font, title_font)
from mediaflow_gui.model.kinds import NodeKind

from .conftest import REFERENCE


def _edges_behind_nodes(controller) -> list[str]:  # noqa: ANN001
    """Every (edge, node) pair where the edge's drawn path crosses a node other than its two ends."""
    scene, found = controller.scene, []
    for edge, item in scene.edge_items.items():
        path = item.mapToScene(item.path())
        for nid, node in scene.node_items.items():
            if nid in (edge.source, edge.target):
                continue
            rect = node.mapRectToScene(node.geometry.rect)
            # sample the curve (intersects() of a path and a rect also counts the area the curve encloses)
            if any(rect.contains(path.pointAtPercent(i / 200)) for i in range(201)):
                names = (controller.workflow.nodes[edge.source].label, controller.workflow.nodes[edge.target].label)
                found.append(f"{names[0]} → {names[1]} behind {node.node.label}")
    return found


def _overlapping_nodes(controller) -> list[tuple[str, str]]:  # noqa: ANN001
    items = list(controller.scene.node_items.values())
    rects = [(i.node.label, i.mapRectToScene(i.geometry.rect)) for i in items]
    return [(a, b) for k, (a, ra) in enumerate(rects) for b, rb in rects[k + 1:] if ra.intersects(rb)]


def test_the_standard_workflow_keeps_its_connections_clear_of_nodes(controller, qtbot) -> None:
    controller.set_workflow(load_workflow(REFERENCE))
    assert _edges_behind_nodes(controller) == []
    assert _overlapping_nodes(controller) == []
    # Auto-layout of the same drawing, scrambled first (the old layout: the chain on the middle line)
    wf = load_workflow(REFERENCE)
    for i, node in enumerate(wf.nodes.values()):
        node.position = (0.0, float((i * 37) % 200))
    controller.set_workflow(wf)
    assert controller.auto_layout()
    assert _edges_behind_nodes(controller) == []
    assert _overlapping_nodes(controller) == []


def test_the_check_finds_an_edge_behind_a_node(controller) -> None:
    """The test above can fail: the old layout (a chained task on the middle line) is caught."""
    wf = load_workflow(REFERENCE)
    chained = next(n for n in wf.nodes.values() if n.label == "HD 720p")  # fed by "Logo watermark"
    chained.position = (chained.position[0], 0.0)  # on the middle line, where the joins' edges pass
    controller.set_workflow(wf)
    assert _edges_behind_nodes(controller)


def test_nodes_fit_their_names_within_limits_and_show_them_on_hover(controller, qtbot) -> None:
    controller.set_workflow(load_workflow(REFERENCE))
    base = node_font()
    for item in controller.scene.node_items.values():
        geo, node = item.geometry, item.node
        is_task = node.kind == NodeKind.TASK
        low, high = TASK_WIDTHS if is_task else STRUCTURAL_WIDTHS
        assert low <= geo.width <= high
        needed = QFontMetricsF(title_font(base, is_task)).horizontalAdvance(node.label)
        assert needed <= geo.title_rect.width(), node.label  # the whole name is drawn, not "Time-point snap…"
        assert node.label in item.toolTip()
    shots = next(i for i in controller.scene.node_items.values() if i.node.label == "Time-point snapshots")
    assert shots.geometry.width > TASK_WIDTHS[0]  # it grew for its name
    # a name beyond the limit: the widest node, elided by the painter, the whole name on hover
    long_name = "Time-point snapshots for the poster frame of the trailer, second cut"
    assert controller.rename(shots.node.id, long_name)
    assert shots.geometry.width == TASK_WIDTHS[1] and long_name in shots.toolTip()
    # its edges follow its ports when it changes size
    for edge, edge_item in controller.scene.edge_items.items():
        if shots.node.id == edge.source:
            assert edge_item.path().pointAtPercent(0) == shots.port_scene_pos("out")
        if shots.node.id == edge.target:
            assert edge_item.path().pointAtPercent(1) == shots.port_scene_pos("in")
    assert geometry_for(NodeKind.START, "Start").width == STRUCTURAL_WIDTHS[0]


def test_subtitles_are_readable_at_the_fitted_zoom(controller, qtbot) -> None:
    controller.set_workflow(load_workflow(REFERENCE))
    view = controller.view
    view.resize(1400, 700)
    view.fit()
    # the subtitle's line height on screen, in pixels: 11 px is about the smallest comfortable UI text
    screen_px = QFontMetricsF(subtitle_font(node_font())).height() * view.zoom
    assert screen_px >= 11.0, (screen_px, view.zoom)


def test_validation_names_fields_with_the_inspectors_labels() -> None:
    """model/field_labels.py (validation's words) and the inspector's field table say the same."""
    from mediaflow_gui.model.field_labels import FIELD_LABELS, ITEM_FIELD_LABELS
    from mediaflow_gui.ui.inspector.specs import SPECS, WATERMARK
    for kind, specs in SPECS.items():
        for spec in specs:
            assert FIELD_LABELS[kind][spec.name] == spec.label, (kind, spec.name)
    for spec in WATERMARK:
        assert ITEM_FIELD_LABELS["watermarks"][spec.name] == spec.label
