"""The compiler owns the rewrites between a drawing and what runs (model/plan.py): relative images,
folded watermarks, a standalone watermark as a transcode, the fusion candidates; and model/files.py
keeps a relative image pointing at the same file when a workflow is saved elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

from mediaflow_gui.model.files import rebased
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import TranscodeParams, WatermarkParams
from mediaflow_gui.model.plan import compile_plan, resolved_workflow, watermark_as_transcode
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from mediaflow_gui.paths import sample_workflow_path


def test_standard_plan_folds_the_logo_and_names_one_candidate_group() -> None:
    plan = compile_plan(load_workflow(sample_workflow_path("standard.mfw.json")))
    by_name = {s.name: s for s in plan.steps.values()}
    hd, logo = by_name["HD 720p"], by_name["Logo watermark"]
    assert logo.applied_in == [hd.node_id]
    assert isinstance(hd.params, TranscodeParams) and os.path.isabs(hd.params.watermarks[0].image_path)
    assert Path(hd.params.watermarks[0].image_path).is_file()
    (group,) = plan.groups
    assert logo.node_id not in group and len(group) == 6
    assert plan.group_of(hd.node_id) == group and plan.group_of(logo.node_id) == (logo.node_id,)


def test_a_standalone_watermark_becomes_a_transcode_at_the_source_size(tmp_path: Path) -> None:
    wf = Workflow("alone")
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    mark = wf.add_node(task_node("watermark", "Stamp", WatermarkParams(type="text", text="hi", output_name="x")))
    wf.connect(start, mark)
    wf.connect(mark, end)
    step = compile_plan(wf).steps[mark.id]
    assert step.task_kind == "watermark"  # still reported as the watermark it is
    assert step.params == watermark_as_transcode(WatermarkParams(type="text", text="hi", output_name="x"))
    assert step.params.short_side == 0 and step.params.watermarks[0].text == "hi"


def test_resolved_workflow_makes_images_absolute_without_touching_the_drawing(tmp_path: Path) -> None:
    wf = load_workflow(sample_workflow_path("standard.mfw.json"))
    logo = next(n for n in wf.nodes.values() if n.task_kind == "watermark")
    resolved = resolved_workflow(wf)
    assert logo.params.image_path == "../watermarks/logo.png"
    assert resolved.nodes[logo.id].params.image_path == os.path.normpath(
        os.path.join(wf.base_dir, "../watermarks/logo.png"))


def test_rebased_keeps_pointing_at_the_same_file() -> None:
    assert rebased("../watermarks/logo.png", "/a/b/workflows", "/a/b") == "watermarks/logo.png"
    assert rebased("logo.png", "/a/x", "/a/y") == "../x/logo.png"
    assert rebased("/abs/logo.png", "/a", "/b") == "/abs/logo.png"
