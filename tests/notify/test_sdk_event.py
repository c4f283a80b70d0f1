"""The run-finished event loads with the official SDK's ParseNotificationResponse, and carries the
service's Timestamp and Sign (md5(Timestamp + NotifyKey)) for the targets that set a notify key.

One real run (a transcode with an image watermark, time-point snapshots and a sprite, real FFmpeg on a
tiny clip) through the Engine and the EventNotifier to two JSON-lines targets: one configured with a
notify key, one without. Plus a bucket-style event built from events (s3:// input, an upload).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mediaflow_gui.engine.events import EventBus, RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished
from mediaflow_gui.engine.run_state import RunRecord, apply
from mediaflow_gui.engine.store import task_query_dict
from mediaflow_gui.model.params import ImageSpriteParams, WatermarkParams
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.notify.notifier import EventNotifier
from mediaflow_gui.notify.payload import build_event, event_sign, signed
from mediaflow_gui.notify.sinks import EventTargets, make_sinks
from mediaflow_gui.paths import resources_dir
from tests.engine.helpers import fast_transcode, make_engine, parallel_workflow, small_snapshots, task_node

models = pytest.importorskip("tencentcloud.mps.v20190612.models",
                             reason="the SDK oracle is in the test extra (tencentcloud-sdk-python-mps)")

EXTRAS_WARNING = "MediaFlow fileds are useless."


def parse(event: dict[str, Any]) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = models.ParseNotificationResponse()
        response._deserialize(json.loads(json.dumps(event)))
    return response, [str(w.message) for w in caught]


def test_a_real_run_sends_an_sdk_event_signed_per_target(tmp_path: Path, video_clip: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MF_TEST_NOTIFY_KEY", "k3y-from-env")
    signed_log, plain_log = tmp_path / "signed.jsonl", tmp_path / "plain.jsonl"
    sinks = (make_sinks(EventTargets(jsonl=[str(signed_log)], notify_key_env="MF_TEST_NOTIFY_KEY"))
             + make_sinks(EventTargets(jsonl=[str(plain_log)])))
    engine = make_engine(tmp_path)
    notifier = EventNotifier(engine.store, sinks).attach(engine.bus)
    hd = fast_transcode("HD")
    logo = str(resources_dir() / "watermarks" / "logo.png")
    hd.watermarks = [WatermarkParams(type="image", image_path=logo, width="20%")]
    workflow = parallel_workflow(task_node("transcode", "HD", hd), task_node("snapshot", "Shots", small_snapshots()),
                                 task_node("image_sprite", "Sprite", ImageSpriteParams(interval="1s", rows=2, columns=2)))
    try:
        record = asyncio.run(engine.run(workflow, video_clip, tmp_path / "out"))
        assert record.result == RunResult.SUCCESS, record.message
        assert notifier.flush(20)
    finally:
        notifier.close(5)
    [with_key] = [json.loads(line) for line in signed_log.read_text(encoding="utf-8").splitlines()]
    [without] = [json.loads(line) for line in plain_log.read_text(encoding="utf-8").splitlines()]

    response, warned = parse(with_key)
    assert warned and set(warned) == {EXTRAS_WARNING}, warned
    assert response.EventType == "WorkflowTask" and isinstance(response.Timestamp, int)
    assert response.Sign == hashlib.md5(f"{response.Timestamp}k3y-from-env".encode()).hexdigest()
    assert without["Sign"] == "" and without["Timestamp"] == with_key["Timestamp"]
    task = response.WorkflowTaskEvent
    assert (task.TaskId, task.Status, task.ErrCode) == (record.task_id, "FINISH", 0)
    types = {r.Type: r for r in task.MediaProcessResultSet}
    assert set(types) == {"Transcode", "SnapshotByTimeOffset", "ImageSprites"}
    transcode = types["Transcode"].TranscodeTask
    assert transcode.Output.Path == record.subtask_named("HD").outputs[0]["path"] and transcode.Output.Width > 0
    assert transcode.Input.WatermarkSet[0].RawParameter.ImageTemplate.Width == "20%"
    pics = types["SnapshotByTimeOffset"].SnapshotByTimeOffsetTask.Output.PicInfoSet
    assert [p.TimeOffset for p in pics] == [1000, 2000]  # "1s" and "50%" of the 4 s clip, in ms
    sprite = types["ImageSprites"].ImageSpriteTask.Output
    assert sprite.TotalCount == 4 and len(sprite.ImagePathSet) == 1 and sprite.WebVttPath.endswith(".vtt")
    extras = with_key["WorkflowTaskEvent"]["MediaFlow"]
    assert extras["Result"] == "SUCCESS" and extras["Trigger"] == {"Type": "Manual"} and extras["PayloadVersion"] == 2


@dataclass
class Upload:
    path: str
    bucket: str
    key: str
    url: str
    http_url: str
    content_type: str


def _bucket_record() -> RunRecord:
    """A bucket run's record built from engine events (no store needed): s3:// input, two snapshots
    (one failed after the other: the run failed) and a folded watermark."""
    tid = "mf-20260101-0000beef"
    steps = (StepInfo("s", "Shots", "snapshot"), StepInfo("t", "HD", "transcode"),
             StepInfo("w", "Logo", "watermark", applied_in=("t",)))
    record = apply(None, RunCreated(tid, "s3://inbox/up/clip.mp4", "bucket wf", steps, out_dir="/work/out"))
    for event in (RunStarted(tid, metadata={"Container": "mov,mp4,m4a,3gp,3g2,mj2", "Width": 320, "Height": 240,
                                            "VideoStreamSet": [{"Codec": "h264", "Fps": 29.97002997}],
                                            "AudioStreamSet": []}),
                  SubtaskFinished(tid, "s", SubtaskStatus.SUCCESS, (
                      {"path": "/work/out/a_01.jpg", "kind": "image", "size": 9, "time_offset": 1.5},
                      {"path": "/work/out/a_02.jpg", "kind": "image", "size": 9, "time_offset": 2.0})),
                  SubtaskFinished(tid, "t", SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'HD' failed"),
                  SubtaskFinished(tid, "w", SubtaskStatus.SKIPPED, (), "Skipped", "its transcode failed"),
                  RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "Task 'HD' failed", failed_step="t")):
        record = apply(record, event)
    assert record is not None
    return record


def test_a_bucket_style_event_loads_and_signs() -> None:
    record = _bucket_record()
    upload = Upload("/work/out/a_01.jpg", "results", "out/a_01.jpg", "s3://results/out/a_01.jpg",
                    "http://127.0.0.1:1/results/out/a_01.jpg", "image/jpeg")
    event = build_event(task_query_dict(record), [upload], {"Type": "BucketUpload", "Key": "up/clip.mp4"},
                        timestamp=1_700_000_000)
    assert event["Sign"] == "" and signed(event, "") is event
    event = signed(event, "NotifyKey1")
    assert event["Sign"] == hashlib.md5(b"1700000000NotifyKey1").hexdigest() == event_sign(1_700_000_000, "NotifyKey1")
    response, warned = parse(event)
    assert set(warned) == {EXTRAS_WARNING}, warned
    task = response.WorkflowTaskEvent
    assert task.InputInfo.Type == "AWS-S3" and task.InputInfo.S3InputInfo.S3Object == "up/clip.mp4"
    assert task.MetaData.Container == "mp4" and task.MetaData.VideoStreamSet[0].Fps == 30
    assert (task.MetaData.VideoStreamSet[0].FpsNumerator, task.MetaData.VideoStreamSet[0].FpsDenominator) == (30000, 1001)
    assert task.ErrCode == 1007 and response.Timestamp == 1_700_000_000
    results = {r.Type: r for r in task.MediaProcessResultSet}
    assert set(results) == {"SnapshotByTimeOffset", "Transcode"}  # the folded watermark is not a result
    shots = results["SnapshotByTimeOffset"].SnapshotByTimeOffsetTask
    assert [(p.TimeOffset, p.Path) for p in shots.Output.PicInfoSet] == [(1500, "/work/out/a_01.jpg"),
                                                                         (2000, "/work/out/a_02.jpg")]
    failed = results["Transcode"].TranscodeTask
    assert (failed.Status, failed.ErrCode, failed.ErrCodeExt, failed.Output) == ("FAIL", 1007, "InternalError", None)
    raw = event["WorkflowTaskEvent"]
    [out] = [o for o in raw["MediaProcessResultSet"][0]["SnapshotByTimeOffsetTask"]["MediaFlow"]["Outputs"]
             if "Url" in o]
    assert out["Url"] == "s3://results/out/a_01.jpg" and out["TimeOffset"] == 1500
    assert raw["MediaFlow"]["Trigger"]["Key"] == "up/clip.mp4" and raw["MediaFlow"]["FailedStepId"] == "t"
    assert raw["MediaFlow"]["FoldedWatermarks"][0]["Status"] == "SKIPPED"


def test_notify_key_round_trips_through_the_targets_file(tmp_path: Path) -> None:
    from mediaflow_gui.notify.global_targets import load_global_targets, save_global_targets

    path = save_global_targets(EventTargets(jsonl=["e.jsonl"], notify_key="abc"), tmp_path / "event_targets.json")
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_global_targets(path).notify_key == "abc"
    bare = save_global_targets(EventTargets(jsonl=["e.jsonl"]), tmp_path / "bare.json")
    assert "notify_key" not in json.loads(bare.read_text())["events"]  # defaults stay out of the file
    assert all(s.notify_key == "abc" for s in make_sinks(load_global_targets(path)))
