"""The task query loads with the official SDK's models (tencentcloud-sdk-python-mps) without losing a
result: the standard workflow on real FFmpeg, then the same record as a bucket run (s3:// input).

Warnings are captured inside `catch_warnings(record=True)` with `simplefilter("always")`, which
replaces any filter an earlier import of the SDK's abstract_client installed (MPS.md). The only
warning allowed is the one for MediaFlow's own extras: "MediaFlow fileds are useless." at each level.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from mediaflow_gui.engine.run_state import RunRecord
from mediaflow_gui.engine.store import task_query_dict
from mediaflow_gui.engine.store.mps_input import container_name, input_info
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.paths import sample_workflow_path
from tests.engine.helpers import make_engine

models = pytest.importorskip("tencentcloud.mps.v20190612.models",
                             reason="the SDK oracle is in the test extra (tencentcloud-sdk-python-mps)")

EXTRAS_WARNING = "MediaFlow fileds are useless."


def load(model: Any, data: dict[str, Any]) -> tuple[Any, list[str]]:
    """`model` filled from `data` (through JSON, as a client would get it) and every warning raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model._deserialize(json.loads(json.dumps(data)))
    return model, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def standard_run(tmp_path_factory: pytest.TempPathFactory, video_clip: Path) -> RunRecord:
    tmp = tmp_path_factory.mktemp("sdk-json")
    engine = make_engine(tmp)
    record = asyncio.run(engine.run(load_workflow(sample_workflow_path("standard.mfw.json")), video_clip, tmp / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    return record


def _results(task: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for r in task.MediaProcessResultSet:
        key = {"Transcode": "TranscodeTask", "SnapshotByTimeOffset": "SnapshotByTimeOffsetTask",
               "SampleSnapshot": "SampleSnapshotTask", "AnimatedGraphics": "AnimatedGraphicTask",
               "ImageSprites": "ImageSpriteTask"}[r.Type]
        sub = getattr(r, key)
        assert sub is not None, f"{r.Type}: its result did not load"
        out.setdefault(r.Type, []).append(sub)
    return out


def test_standard_run_loads_with_every_result(standard_run: RunRecord) -> None:
    query = task_query_dict(standard_run)
    response, warned = load(models.DescribeTaskDetailResponse(), query)
    assert warned and set(warned) == {EXTRAS_WARNING}, warned  # nothing of the service's is unknown
    assert (response.TaskType, response.Status) == ("WorkflowTask", "FINISH")
    task = response.WorkflowTask
    assert (task.TaskId, task.Status, task.ErrCode) == (standard_run.task_id, "FINISH", 0)
    assert task.InputInfo.Type == "URL" and task.InputInfo.UrlInputInfo.Url.startswith("file:///")
    assert task.InputInfo.UrlInputInfo.Url.endswith("/clip.mp4")
    meta = task.MetaData
    assert (meta.Container, meta.Width, meta.Height) == ("mp4", 320, 240)
    [stream] = meta.VideoStreamSet
    assert (stream.Fps, stream.FpsNumerator, stream.FpsDenominator) == (25, 25, 1) and isinstance(stream.Fps, int)

    results = _results(task)
    # the folded watermark is no result type of its own: it is the HD transcode's WatermarkSet
    assert set(results) == {"Transcode", "SnapshotByTimeOffset", "SampleSnapshot", "AnimatedGraphics",
                            "ImageSprites"}
    by_path = {Path(o["path"]).name: o for o in standard_run.outputs()}
    transcodes = results["Transcode"]
    assert len(transcodes) == 2
    for t in transcodes:
        assert t.Status == "SUCCESS" and t.ErrCodeExt == "" and t.Progress == 100 and isinstance(t.Progress, int)
        out = t.Output
        assert Path(out.Path).name in by_path and out.Container == "mp4" and out.Size > 0 and out.Bitrate > 0
        assert out.Width > 0 and out.Height > 0 and out.Duration == pytest.approx(4.0, abs=0.3)
        assert (out.VideoStreamSet[0].Codec, out.VideoStreamSet[0].Fps, out.VideoStreamSet[0].Width) == ("h264", 25, out.Width)
        assert out.AudioStreamSet[0].Codec == "aac" and out.AudioStreamSet[0].SamplingRate > 0 and out.Md5 == ""
        assert t.Input.Definition == 0 and t.Input.OutputObjectPath == str(Path(out.Path).with_suffix(""))
    marked = [t for t in transcodes if t.Input.WatermarkSet]
    assert len(marked) == 1 and marked[0].Input.WatermarkSet[0].RawParameter.Type == "image"
    assert marked[0].Input.WatermarkSet[0].RawParameter.ImageTemplate.ImageContent.UrlInputInfo.Url.endswith(".png")

    [shots] = results["SnapshotByTimeOffset"]
    offsets = [p.TimeOffset for p in shots.Output.PicInfoSet]
    assert len(offsets) == len(shots.Input.ExtTimeOffsetSet) > 1 and offsets == sorted(offsets)
    assert all(Path(p.Path).name in by_path for p in shots.Output.PicInfoSet)
    assert offsets[0] == 1000  # "1s" of the standard workflow, in milliseconds
    assert shots.BeginProcessTime and shots.FinishTime

    [samples] = results["SampleSnapshot"]
    sampled = [o for o in standard_run.subtasks if o.task_kind == "sample_snapshot"][0]
    assert samples.Output.ImagePathSet == [o["path"] for o in sampled.outputs] and len(samples.Output.ImagePathSet) > 1
    assert samples.Output.SampleType in ("Percent", "Time") and samples.Output.Interval > 0

    [anim] = results["AnimatedGraphics"]
    assert Path(anim.Output.Path).name in by_path and anim.Output.Container in ("gif", "webp")
    assert anim.Output.Width > 0 and anim.Output.EndTimeOffset > anim.Output.StartTimeOffset >= 0

    [sprite] = results["ImageSprites"]
    sheets = sprite.Output.ImagePathSet
    assert sheets and all(Path(p).name in by_path for p in sheets)
    assert sprite.Output.WebVttPath.endswith(".vtt") and Path(sprite.Output.WebVttPath).is_file()
    cues = Path(sprite.Output.WebVttPath).read_text(encoding="utf-8").count("#xywh=")
    assert sprite.Output.TotalCount == cues > 0
    assert sprite.Output.Width > 0 and sprite.Output.Height > 0


def test_extras_stay_under_one_key(standard_run: RunRecord) -> None:
    task = task_query_dict(standard_run)["WorkflowTask"]
    assert task["MediaFlow"]["Result"] == "SUCCESS" and task["MediaFlow"]["Input"] == standard_run.input
    [folded] = task["MediaFlow"]["FoldedWatermarks"]
    assert folded["Status"] == "SUCCESS" and folded["AppliedIn"]
    for result in task["MediaProcessResultSet"]:
        [(key, sub)] = [(k, v) for k, v in result.items() if k != "Type"]
        extras = sub["MediaFlow"]
        assert extras["StepId"] in standard_run.steps and extras["Command"] and extras["Outputs"]
        assert extras["Progress"] == 100.0 and extras["Status"] == "SUCCESS"
        assert {"Outputs", "Command", "StepId", "Speed"}.isdisjoint(sub)


def test_bucket_run_input_is_aws_s3(standard_run: RunRecord) -> None:
    bucket_run = dataclasses.replace(standard_run, input="s3://inbox/clips/clip.mov")
    response, warned = load(models.DescribeTaskDetailResponse(), task_query_dict(bucket_run))
    assert set(warned) == {EXTRAS_WARNING}, warned
    info = response.WorkflowTask.InputInfo
    assert info.Type == "AWS-S3" and (info.S3InputInfo.S3Bucket, info.S3InputInfo.S3Object) == ("inbox", "clips/clip.mov")
    assert response.WorkflowTask.MetaData.Container == "mov"  # the demuxer list entry the label names


def test_input_info_and_container_names() -> None:
    assert input_info("https://media-1250000000.cos.ap-guangzhou.myqcloud.com/in/a%20b.mp4") == {
        "Type": "COS", "CosInputInfo": {"Bucket": "media-1250000000", "Region": "ap-guangzhou", "Object": "in/a b.mp4"}}
    assert input_info("cos://media/in/a.mp4")["CosInputInfo"]["Object"] == "in/a.mp4"
    assert input_info("https://bkt.s3.eu-west-1.amazonaws.com/k.mp4")["S3InputInfo"] == {
        "S3Bucket": "bkt", "S3Region": "eu-west-1", "S3Object": "k.mp4"}
    assert input_info("https://example.com/v.mp4") == {"Type": "URL", "UrlInputInfo": {"Url": "https://example.com/v.mp4"}}
    assert input_info("/media/clip one.mp4")["UrlInputInfo"]["Url"] == "file:///media/clip%20one.mp4"
    assert container_name("mov,mp4,m4a,3gp,3g2,mj2", "/x/a.M4A") == "m4a"
    assert container_name("mov,mp4,m4a,3gp,3g2,mj2", "/x/a.mkv") == "mov"
    assert container_name("matroska,webm", "s3://b/a.webm") == "webm"
