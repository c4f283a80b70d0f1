"""MPS workflow import/export: round trips (request → drawing → request; drawing → request → drawing),
schedules for serial chains, refusals that name the node, and the SDK loading every exported request."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import pytest

from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import (AnimatedImageParams, SnapshotParams, TranscodeParams, WatermarkParams,
                                        params_to_dict)
from mediaflow_gui.model.validation import validate
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from mediaflow_gui.mps.templates import TemplateStore
from mediaflow_gui.mps.workflow_io import export_workflow, import_workflow
from mediaflow_gui.notify.sinks import EventTargets, WebhookTarget
from mediaflow_gui.paths import sample_workflow_path
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.storage.bindings import Binding

TRIGGER = {"Type": "CosFileUpload", "CosFileUploadTrigger": {"Bucket": "inbox-1250000000", "Region": "ap-shanghai",
                                                             "Dir": "/incoming/", "Formats": ["mp4", "mov"]}}


@pytest.fixture()
def store(tmp_path: Path) -> TemplateStore:
    return TemplateStore(tmp_path / "mps-templates.json")


def _custom(store: TemplateStore) -> dict[str, int]:
    return {
        "transcode": store.create("Transcode", {"Container": "mp4", "Name": "mine", "VideoTemplate": {
            "Codec": "libx265", "Fps": 30, "Bitrate": 0, "Vcrf": 28, "ResolutionAdaptive": "close", "Width": 1280,
            "Height": 720}, "AudioTemplate": {"Codec": "libfdk_aac", "Bitrate": 96, "SampleRate": 48000,
                                              "AudioChannel": 2}}),
        "animated": store.create("AnimatedGraphics", {"Fps": 12, "Width": 320, "Format": "webp", "Quality": 60}),
        "sprite": store.create("ImageSprite", {"SampleType": "Time", "SampleInterval": 5, "RowCount": 4,
                                               "ColumnCount": 6, "Width": 160, "Format": "png"}),
        "sample": store.create("SampleSnapshot", {"SampleType": "Time", "SampleInterval": 3, "Width": 640,
                                                  "Format": "webp"}),
        "image_mark": store.create("Watermark", {"Type": "image", "CoordinateOrigin": "BottomRight", "XPos": "5%",
                                                 "YPos": "16px", "ImageTemplate": {"ImageUrl": "/tmp/logo.png",
                                                                                   "Width": "12%",
                                                                                   "Height": "0px"}}),
        "text_mark": store.create("Watermark", {"Type": "text", "XPos": "10px", "YPos": "10px", "TextTemplate": {
            "FontType": "arial.ttf", "FontSize": "24px", "FontColor": "0xFFCC00", "FontAlpha": 1,
            "TextContent": "© Example"}}),
    }


def _requests(ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    return {
        "presets only": {"WorkflowName": "ladder", "MediaProcessTask": {
            "TranscodeTaskSet": [{"Definition": 100010}, {"Definition": 100030}, {"Definition": 100040}],
            "SnapshotByTimeOffsetTaskSet": [{"Definition": 10, "ExtTimeOffsetSet": ["1s", "50%"]}],
            "SampleSnapshotTaskSet": [{"Definition": 10}]}},
        "custom templates": {"WorkflowName": "custom", "MediaProcessTask": {
            "TranscodeTaskSet": [{"Definition": ids["transcode"], "OutputObjectPath": "{inputName}_h265"}],
            "AnimatedGraphicTaskSet": [{"Definition": ids["animated"], "StartTimeOffset": 1.5, "EndTimeOffset": 4}],
            "SampleSnapshotTaskSet": [{"Definition": ids["sample"], "ObjectNumberFormat": {
                "InitialValue": 1, "Increment": 2, "MinLength": 3, "PlaceHolder": "0"}}],
            "ImageSpriteTaskSet": [{"Definition": ids["sprite"]}]}},
        "watermark": {"WorkflowName": "marked", "MediaProcessTask": {"TranscodeTaskSet": [
            {"Definition": 100030, "WatermarkSet": [{"Definition": ids["image_mark"], "StartTimeOffset": 2,
                                                     "EndTimeOffset": 10}]},
            {"Definition": 100020, "WatermarkSet": [{"Definition": ids["text_mark"]},
                                                    {"Definition": ids["text_mark"], "TextContent": "other"}]}]}},
        "trigger and output": {"WorkflowName": "watched", "Trigger": TRIGGER,
                               "OutputStorage": {"Type": "COS", "CosOutputStorage": {"Bucket": "out-1250000000",
                                                                                     "Region": "ap-shanghai"}},
                               "OutputDir": "/done/",
                               "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100030}]}},
        "notify url": {"WorkflowName": "notified", "Trigger": TRIGGER, "OutputDir": "/results/",
                       "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}],
                                            "SnapshotByTimeOffsetTaskSet": [{"Definition": 10,
                                                                             "ExtTimeOffsetSet": ["3s"]}]},
                       "TaskNotifyConfig": {"NotifyType": "URL", "NotifyMode": "Finish",
                                            "NotifyUrl": "http://127.0.0.1:8080/mps", "NotifyKey": "s3cret"}},
    }


def _sdk_loads(class_name: str, request: dict[str, Any]) -> None:
    """The SDK's request model loads `request` with no unknown field anywhere."""
    models = pytest.importorskip("tencentcloud.mps.v20190612.models", reason="the SDK is the test extra")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(models, class_name)()._deserialize(copy.deepcopy(request))
    assert [str(w.message) for w in caught if "useless" in str(w.message)] == []


@pytest.mark.parametrize("case", ["presets only", "custom templates", "watermark", "trigger and output",
                                  "notify url"])
def test_import_then_export_gives_the_request_back(store: TemplateStore, case: str) -> None:
    request = _requests(_custom(store))[case]
    imported = import_workflow(copy.deepcopy(request), store)
    assert [p.message for p in validate(imported.workflow)] == []
    assert imported.warnings == []
    exported = export_workflow(imported.workflow, imported.binding, store, imported.region or "ap-guangzhou",
                               imported.notify)
    assert exported.kind == "Workflow"
    assert exported.created_templates == []  # every template matched the one it came from
    assert exported.request == request
    _sdk_loads("CreateWorkflowRequest", exported.request)


def test_import_draws_and_binds(store: TemplateStore) -> None:
    imported = import_workflow(_requests(_custom(store))["notify url"], store)
    wf = imported.workflow
    kinds = sorted(n.kind.value for n in wf.nodes.values())
    assert kinds == ["end", "join", "split", "start", "task", "task"]
    xs = {n.kind: n.position[0] for n in wf.nodes.values()}
    assert xs[NodeKind.START] < xs[NodeKind.SPLIT] < xs[NodeKind.TASK] < xs[NodeKind.JOIN] < xs[NodeKind.END]
    binding = imported.binding
    assert binding is not None and binding.problems() == []
    assert (binding.input_connection, binding.input_bucket, binding.input_prefix) == ("embedded",
                                                                                      "inbox-1250000000", "incoming/")
    assert binding.suffixes == [".mp4", ".mov"] and binding.output_prefix == "results/"
    assert [w.url for w in binding.events.webhooks] == ["http://127.0.0.1:8080/mps"]
    assert binding.events.notify_key == "s3cret" and imported.region == "ap-shanghai"
    transcode = next(n.params for n in wf.nodes.values() if isinstance(n.params, TranscodeParams))
    assert (transcode.short_side, transcode.video_bitrate_kbps, transcode.fps, transcode.audio_bitrate_kbps) == (
        360, 400, 25, 64)


def test_describe_workflows_entry_and_documented_defaults(store: TemplateStore) -> None:
    entry = {"WorkflowId": 7, "WorkflowName": "desc", "Status": "Disabled", "Trigger": TRIGGER,
             "MediaProcessTask": {"SnapshotByTimeOffsetTaskSet": [{"Definition": 10, "TimeOffsetSet": [1.5, 3]}]},
             "TaskNotifyConfig": {"NotifyType": "TDMQ-CMQ", "QueueName": "q"}, "CreateTime": "2026-01-01T00:00:00Z"}
    imported = import_workflow({"Response": {"TotalCount": 1, "WorkflowInfoSet": [entry], "RequestId": "r"}}, store)
    snap = next(n.params for n in imported.workflow.nodes.values() if n.kind == NodeKind.TASK)
    assert isinstance(snap, SnapshotParams) and snap.offsets == ["1.5s", "3s"]
    assert imported.binding is not None and imported.binding.enabled is False
    assert any("TDMQ-CMQ" in w for w in imported.warnings) and any("Disabled" in w for w in imported.warnings)
    out = export_workflow(imported.workflow, imported.binding, store, imported.region).request
    # documented defaults: TimeOffsetSet comes back as ExtTimeOffsetSet, an absent OutputDir as /results/
    assert out["MediaProcessTask"]["SnapshotByTimeOffsetTaskSet"] == [{"Definition": 10,
                                                                       "ExtTimeOffsetSet": ["1.5s", "3s"]}]
    assert out["OutputDir"] == "/results/" and out["Trigger"] == TRIGGER


def test_unknown_template_named(store: TemplateStore) -> None:
    with pytest.raises(ValueError, match=r"MediaProcessTask.TranscodeTaskSet\[1\]: Transcode template 4242"):
        import_workflow({"WorkflowName": "x", "MediaProcessTask": {"TranscodeTaskSet": [
            {"Definition": 100010}, {"Definition": 4242}]}}, store)


def _params(wf: Workflow) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for node in wf.nodes.values():
        if node.kind == NodeKind.TASK:
            data = params_to_dict(node.params)
            data.pop("definition", None)  # MPS names outputs by template id: the label becomes the id
            out.append((str(node.task_kind), data))
    return sorted(out, key=repr)


def _mps_friendly_transcode(**kw: Any) -> TranscodeParams:
    return TranscodeParams(**{"short_side": 540, "video_bitrate_kbps": 1200, "sample_rate": 48000,
                              "channels": 2, **kw})


def test_export_then_import_gives_the_same_parameters(store: TemplateStore) -> None:
    wf = Workflow("drawn")
    start, split, join, end = (wf.add_node(Node(k)) for k in (NodeKind.START, NodeKind.SPLIT, NodeKind.JOIN,
                                                              NodeKind.END))
    tasks = [task_node("transcode", "A", _mps_friendly_transcode(watermarks=[WatermarkParams(
                 type="text", text="hi", font_color="0xFFFFFF", origin="BottomLeft", start="1s")])),
             task_node("snapshot", "B", SnapshotParams(offsets=["2s", "25%"], width=320)),
             task_node("animated_image", "C", AnimatedImageParams(start="1s", end="2.5s"))]
    wf.connect(start, split)
    for t in tasks:
        wf.add_node(t)
        wf.connect(split, t)
        wf.connect(t, join)
    wf.connect(join, end)
    binding = Binding(name="b", workflow="drawn.mfw.json", input_bucket="in", output_prefix="out/",
                      events=EventTargets(webhooks=[WebhookTarget("http://127.0.0.1:1/x")]))
    exported = export_workflow(wf, binding, store)
    assert exported.kind == "Workflow"
    assert exported.warnings == ["A: the {definition} label 'HD' becomes the template id 1000000 in MPS output names"]
    # 540p at 1200 kbps is no preset: every template is made once
    assert sorted(k for k, _ in exported.created_templates) == ["AnimatedGraphics", "SnapshotByTimeOffset",
                                                                "Transcode", "Watermark"]
    _sdk_loads("CreateWorkflowRequest", exported.request)
    back = import_workflow(exported.request, store)
    assert _params(back.workflow) == _params(wf)
    assert back.binding is not None and back.binding.output_prefix == "out/"
    assert export_workflow(back.workflow, back.binding, store).created_templates == []  # now all matched


def test_standard_sample_exports_with_folded_watermark(store: TemplateStore) -> None:
    wf = load_workflow(sample_workflow_path("standard.mfw.json"))
    exported = export_workflow(wf, None, store)
    assert exported.kind == "Workflow"
    sets = exported.request["MediaProcessTask"]
    assert sum(1 for t in sets["TranscodeTaskSet"] if t.get("WatermarkSet")) == 1  # watermark → transcode folded
    assert {"SnapshotByTimeOffsetTaskSet", "SampleSnapshotTaskSet", "AnimatedGraphicTaskSet",
            "ImageSpriteTaskSet"} <= set(sets)
    assert exported.warnings  # MediaFlow-only settings are reported, not dropped
    _sdk_loads("CreateWorkflowRequest", exported.request)


def _chain() -> tuple[Workflow, Node, Node, Node]:
    wf = Workflow("chain")
    start, split, join, end = (wf.add_node(Node(k)) for k in (NodeKind.START, NodeKind.SPLIT, NodeKind.JOIN,
                                                              NodeKind.END))
    first = wf.add_node(task_node("transcode", "Master", _mps_friendly_transcode()))
    thumbs = wf.add_node(task_node("snapshot", "Thumbs of master", SnapshotParams(offsets=["1s"])))
    gif = wf.add_node(task_node("animated_image", "Gif", AnimatedImageParams()))
    wf.connect(start, split)
    wf.connect(split, first)
    wf.connect(first, thumbs)
    wf.connect(split, gif)
    wf.connect(thumbs, join)
    wf.connect(gif, join)
    wf.connect(join, end)
    return wf, first, thumbs, gif


def test_serial_chain_exports_as_schedule_and_back(store: TemplateStore) -> None:
    wf, first, thumbs, gif = _chain()
    assert validate(wf) == []
    exported = export_workflow(wf, Binding(name="c", workflow="c.mfw.json", input_bucket="in"), store)
    assert exported.kind == "Schedule"
    acts = exported.request["Activities"]
    types = [a["ActivityType"] for a in acts]
    assert types[0] == "input" and types[-1] == "output" and len(acts) == 5
    trans = types.index("action-trans")
    snap = types.index("action-snapshotByTimeOffset")
    anim = types.index("action-animated-graphics")
    assert sorted(acts[0]["ReardriveIndex"]) == sorted([trans, anim])
    assert acts[trans]["ReardriveIndex"] == [snap]
    assert acts[snap]["ReardriveIndex"] == [len(acts) - 1] and acts[anim]["ReardriveIndex"] == [len(acts) - 1]
    _sdk_loads("CreateScheduleRequest", exported.request)
    back = import_workflow(exported.request, store)
    assert back.kind == "Schedule" and validate(back.workflow) == []
    assert _params(back.workflow) == _params(wf)
    snap_node = next(n for n in back.workflow.nodes.values() if n.task_kind == "snapshot")
    assert back.workflow.nodes[back.workflow.predecessors(snap_node.id)[0]].task_kind == "transcode"


def test_inexpressible_task_refused_naming_the_node(store: TemplateStore) -> None:
    wf, first, thumbs, gif = _chain()
    # the animated image cut at a percentage: MPS takes seconds only
    wf.set_params(gif.id, AnimatedImageParams(start="10%", end="20%"))
    with pytest.raises(ValueError, match="Gif: StartTimeOffset 10%"):
        export_workflow(wf, None, store)


def test_invalid_workflow_refused(store: TemplateStore) -> None:
    wf = Workflow("broken")
    wf.add_node(Node(NodeKind.START))
    with pytest.raises(ValueError, match="not valid"):
        export_workflow(wf, None, store)
