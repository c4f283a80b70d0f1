"""Validation: one test per rule, each problem naming its node."""

import pytest

from mediaflow_gui.model import Edge, Node, NodeKind, Workflow, compile_plan, load_workflow, validate
from mediaflow_gui.model.params import (
    AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams, SnapshotParams, TranscodeParams, WatermarkParams,
)
from mediaflow_gui.model.plan import InvalidWorkflowError
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.paths import sample_workflow_path


def linear(*tasks):
    wf = Workflow("t")
    nodes = [wf.add_node(Node(NodeKind.START, name="Start"))]
    nodes += [wf.add_node(t) for t in tasks]
    nodes.append(wf.add_node(Node(NodeKind.END, name="End")))
    for a, b in zip(nodes, nodes[1:]):
        wf.connect(a, b)
    return wf, nodes


def codes(wf):
    return {p.code for p in validate(wf)}


def test_valid_linear_workflow_has_no_problems():
    wf, _ = linear(task_node("transcode", "HD"))
    assert validate(wf) == []


def test_missing_start_and_end():
    wf = Workflow()
    wf.add_node(task_node("transcode"))
    assert {"no_start", "no_end"} <= codes(wf)


def test_second_start_and_end_are_named():
    wf, nodes = linear(task_node("transcode"))
    extra = wf.add_node(Node(NodeKind.START, name="Another start"))
    wf.connect(extra, nodes[1])
    extra_end = wf.add_node(Node(NodeKind.END, name="Another end"))
    wf.connect(nodes[1], extra_end)
    problems = validate(wf)
    second = [p for p in problems if p.code == "second_start"]
    assert second and second[0].node_id == extra.id and "Another start" in second[0].message
    assert any(p.code == "second_end" and p.node_id == extra_end.id for p in problems)


def test_cycle_is_reported_with_its_nodes():
    a, b = task_node("transcode", "A"), task_node("image_sprite", "B")
    wf, nodes = linear(a, b)
    wf.connect(b, a)
    problem = next(p for p in validate(wf) if p.code == "cycle")
    assert "'A'" in problem.message and "'B'" in problem.message


def test_self_loop():
    t = task_node("transcode", "Loop")
    wf, _ = linear(t)
    wf.connect(t, t)
    assert "self_loop" in codes(wf)


def test_unreachable_and_dead_end_nodes():
    wf, nodes = linear(task_node("transcode", "Main"))
    island = wf.add_node(task_node("snapshot", "Island"))
    dangling = wf.add_node(task_node("snapshot", "No way out"))
    wf.connect(nodes[1], dangling)
    problems = validate(wf)
    assert any(p.code == "unreachable" and p.node_id == island.id for p in problems)
    assert any(p.code == "dead_end" and p.node_id == dangling.id and "does not lead to end" in p.message
               for p in problems)


def test_edges_into_start_and_out_of_end():
    wf, nodes = linear(task_node("transcode"))
    wf.add_edge(Edge(nodes[-1].id, nodes[0].id))
    assert {"edge_into_start", "edge_out_of_end"} <= codes(wf)


def test_dangling_edge():
    wf, nodes = linear(task_node("transcode"))
    wf.add_edge(Edge(nodes[1].id, "missing-node"))
    problem = next(p for p in validate(wf) if p.code == "dangling_edge")
    assert "missing-node" in problem.message


def test_join_needs_two_inputs():
    join = Node(NodeKind.JOIN, name="J")
    wf, _ = linear(task_node("transcode"), join)
    problem = next(p for p in validate(wf) if p.code == "join_inputs")
    assert problem.node_id == join.id


def test_task_with_two_inputs_is_refused():
    wf = Workflow()
    s, sp = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.SPLIT))
    a, b, c = (wf.add_node(task_node("transcode", n)) for n in "ABC")
    e = wf.add_node(Node(NodeKind.END))
    for x, y in ((s, sp), (sp, a), (sp, b), (a, c), (b, c), (c, e)):
        wf.connect(x, y)
    assert any(p.code == "task_inputs" and p.node_id == c.id for p in validate(wf))


def test_unknown_task_kind():
    bad = Node(NodeKind.TASK, task_kind="teleport", name="Beam")
    wf, _ = linear(bad)
    problem = next(p for p in validate(wf) if p.code == "unknown_task_kind")
    assert "teleport" in problem.message and problem.node_id == bad.id


@pytest.mark.parametrize("kind, params, fragment", [
    ("snapshot", SnapshotParams(width=100), "Width must be 0 (keep proportion) or 128–4096 pixels such as 320, not '100'"),
    ("snapshot", SnapshotParams(offsets=["1s", "abc"]), "time point 2: 'abc' is not a time such as 3.5s or 10%"),
    ("snapshot", SnapshotParams(offsets=[]), "Time points: none given; add at least one time point such as 3.5s or 10%"),
    ("sample_snapshot", SampleSnapshotParams(interval="0s"), "Every must be above zero, not '0s': give a time such as 5s or 10%"),
    ("animated_image", AnimatedImageParams(fps=60), "Frame rate must be 1–30 such as 10, not '60'"),
    ("animated_image", AnimatedImageParams(quality=0), "Quality must be 1–100 such as 75, not '0'"),
    ("animated_image", AnimatedImageParams(start="5s", end="2s"), "End '2s' must come after start '5s'"),
    ("image_sprite", ImageSpriteParams(rows=0), "Rows must be 1–20 such as 10, not '0'"),
    ("transcode", TranscodeParams(container="webm", video_codec="h264"), "Video codec 'h264' cannot go into a webm file: choose vp9 or av1 or none"),
    ("transcode", TranscodeParams(crf=70), "Quality (CRF) must be 0–51 such as 23, not '70'"),
    ("transcode", TranscodeParams(video_codec="none", audio_codec="none"), "output would be empty"),
    ("watermark", WatermarkParams(type="image", image_path=""), "Image is empty: choose a PNG image"),
    ("watermark", WatermarkParams(type="text", text="x", x_pos="12 apples"), "Horizontal offset: not a length: '12 apples'"),
    ("watermark", WatermarkParams(origin="Middle"), "Position must be one of"),
    ("watermark", WatermarkParams(type="text", text="x", font_color="blu"), "Font colour: 'blu' is not a colour"),
    ("watermark", WatermarkParams(type="text", text="x", font_color="#ff00"), "a hex colour has 6 or 8 digits"),
    ("watermark", WatermarkParams(type="text", text="x", font_color="white@1.5"), "from 0.0 (invisible) to 1.0"),
    ("transcode", TranscodeParams(watermarks=[WatermarkParams(type="text", text="x", font_color="nope")]),
     "watermark 1: Font colour: 'nope' is not a colour"),
    ("transcode", TranscodeParams(output_name="{inputName}_{size}.mp4"), "Output name: {size} is not a placeholder"),
    ("transcode", TranscodeParams(output_name="{inputName}_{number}.mp4"), "{number} numbers the files"),
    ("image_sprite", ImageSpriteParams(output_name="{input_name}_{number}"), "{input_name} is not a placeholder"),
])
def test_out_of_range_params_name_node_and_field(kind, params, fragment):
    node = task_node(kind, "My task", params)
    wf, _ = linear(node)
    problems = [p for p in validate(wf) if p.code == "bad_param"]
    assert problems, f"no problem found for {params}"
    assert any(fragment in p.message and "'My task'" in p.message and p.node_id == node.id for p in problems)


def test_task_after_image_task_needs_video():
    snap, sprite = task_node("snapshot", "Shots"), task_node("image_sprite", "Sprite")
    wf, _ = linear(snap, sprite)
    assert any(p.code == "input_not_video" and p.node_id == sprite.id for p in validate(wf))
    audio = task_node("transcode", "Audio", TranscodeParams(container="m4a", video_codec="none"))
    wf2, _ = linear(audio, task_node("snapshot", "Shots"))
    assert any(p.code == "input_not_video" and "audio only" in p.message for p in validate(wf2))


def test_every_problem_reported_at_once():
    wf = Workflow()
    wf.add_node(Node(NodeKind.JOIN))
    wf.add_node(task_node("snapshot", params=SnapshotParams(width=5)))
    found = codes(wf)
    assert {"no_start", "no_end", "join_inputs", "bad_param"} <= found


def test_compile_refuses_invalid_workflow_listing_problems():
    wf = Workflow()
    with pytest.raises(InvalidWorkflowError) as err:
        compile_plan(wf)
    assert {p.code for p in err.value.problems} == {"no_start", "no_end"}


def test_plan_of_standard_workflow():
    plan = compile_plan(load_workflow(sample_workflow_path()))
    kinds = sorted(s.task_kind for s in plan.steps.values())
    assert kinds == sorted(["transcode", "transcode", "watermark", "snapshot", "sample_snapshot",
                            "animated_image", "image_sprite"])
    hd = next(s for s in plan.steps.values() if s.name == "HD 720p")
    mark = next(s for s in plan.steps.values() if s.task_kind == "watermark")
    assert mark.applied_in == [hd.node_id]
    assert len(hd.params.watermarks) == 1 and hd.params.watermarks[0].image_path.endswith("logo.png")
    assert hd.input_from is None and hd.depends_on == set()  # the folded watermark adds no wait
    assert all(s.input_from is None for s in plan.steps.values())


def test_plan_serial_chain_and_join_dependencies():
    wf = Workflow()
    s, sp = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.SPLIT))
    a, b = wf.add_node(task_node("transcode", "A")), wf.add_node(task_node("snapshot", "B"))
    j = wf.add_node(Node(NodeKind.JOIN))
    c = wf.add_node(task_node("image_sprite", "C"))
    e = wf.add_node(Node(NodeKind.END))
    for x, y in ((s, sp), (sp, a), (sp, b), (a, j), (b, j), (j, c), (c, e)):
        wf.connect(x, y)
    plan = compile_plan(wf)
    assert plan.steps[c.id].depends_on == {a.id, b.id}  # a join waits for every branch
    assert plan.steps[c.id].input_from is None  # after a join: the source file
    assert plan.dependants(a.id) == {c.id}
    wf2 = Workflow()
    s2, t1, t2, e2 = (wf2.add_node(n) for n in (Node(NodeKind.START), task_node("transcode", "T"),
                                                 task_node("image_sprite", "S"), Node(NodeKind.END)))
    for x, y in ((s2, t1), (t1, t2), (t2, e2)):
        wf2.connect(x, y)
    plan2 = compile_plan(wf2)
    assert plan2.steps[t2.id].input_from == t1.id and plan2.steps[t2.id].depends_on == {t1.id}
    assert plan2.order == [t1.id, t2.id]


def test_duplicate_labels_get_numbered_step_names():
    wf, _ = linear(task_node("transcode", "Same"), task_node("transcode", "Same"))
    names = [s.name for s in compile_plan(wf).steps.values()]
    assert names == ["Same", "Same 2"]


def test_colours_and_placeholders_that_ffmpeg_and_naming_accept_pass() -> None:
    marks = [WatermarkParams(type="text", text="x", font_color=c)
             for c in ("white", "darkorange", "#FFCC00", "0xffcc0080", "ffcc00", "red@0.5",
                       "Yellow@0x80", "random")]
    node = task_node("transcode", "Fine", TranscodeParams(watermarks=marks,
                                                           output_name="{InputName}-{taskName}_{DEFINITION}.{ext}"))
    shots = task_node("snapshot", "Shots", SnapshotParams(output_name="{inputName}_{number}.{format}"))
    wf, _ = linear(node, shots)
    assert validate(wf) == []
    # an image watermark's font colour is not used (the editor hides the field): not checked
    image = task_node("watermark", "Logo", WatermarkParams(type="image", image_path="logo.png", font_color="??"))
    wf2, _ = linear(image)
    assert validate(wf2) == []


def test_parameter_problems_read_in_words() -> None:
    node = task_node("snapshot", "Shots", SnapshotParams(offsets=["1s", "2s", "3s", "4s", "12x"]))
    wf, _ = linear(node)
    (problem,) = validate(wf)
    assert problem.message == "task 'Shots': time point 5: '12x' is not a time such as 3.5s or 10%."
