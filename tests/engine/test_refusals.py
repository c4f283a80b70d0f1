"""What the engine refuses before FFmpeg starts: a workflow beyond the size limits (at once, making
nothing on disk), and inputs too small for a task (that task fails with words naming the file, its
size and the task, instead of FFmpeg's "Rescaled dimensions 1x0 are invalid")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from mediaflow_gui.engine.events import SubtaskStarted
from mediaflow_gui.model.params import (AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams, SnapshotParams,
                                        WatermarkParams)
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from tests import media_factory
from tests.engine.helpers import Recorder, fast_transcode, make_engine, parallel_workflow, task_node


def _tiny_video(path: Path, size: int) -> Path:
    # libx264 needs even sides for 4:2:0; a 1×1 picture is coded 4:4:4
    pix_fmt = "yuv420p" if size % 2 == 0 else "yuv444p"
    media_factory.run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=16x16:rate=10:duration=1", "-vf",
                              f"scale={size}:{size}", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", pix_fmt,
                              str(path)])
    return path


def _marked(logo: Path) -> object:
    params = fast_transcode("SD", 120)
    params.watermarks = [WatermarkParams(type="image", image_path=str(logo), width="10%")]
    return params


def test_a_1x1_video_fails_every_video_task_before_ffmpeg(tmp_path: Path, watermark_png: Path) -> None:
    tiny = _tiny_video(tmp_path / "tiny.mp4", 1)
    tasks = [
        task_node("transcode", "SD 540p", fast_transcode("SD", 120)),
        task_node("snapshot", "Shots", SnapshotParams(offsets=["0s"])),
        task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="50%")),
        task_node("animated_image", "GIF", AnimatedImageParams(end="1s", width=128)),
        task_node("image_sprite", "Sprite", ImageSpriteParams(interval="1s", rows=1, columns=1, width=32)),
        task_node("watermark", "Logo", WatermarkParams(type="image", image_path=str(watermark_png))),
    ]
    engine = make_engine(tmp_path)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(parallel_workflow(*tasks), tiny, tmp_path / "out"))
    assert record.result == RunResult.FAIL
    assert rec.of(SubtaskStarted) == []  # no FFmpeg was started for any of them
    for node in tasks:
        sub = record.subtask(node.id)
        assert (sub.status, sub.error_code) == (SubtaskStatus.FAIL, "InputNotSupported"), (sub.name, sub.message)
        assert sub.command == []
        assert f"'tiny.mp4' is 1×1; the task '{node.name}' (" in sub.message and "needs at least 2×2" in sub.message
    assert record.subtask(tasks[0].id).message == \
        "Task 'SD 540p' failed: 'tiny.mp4' is 1×1; the task 'SD 540p' (transcode) needs at least 2×2"


@pytest.mark.parametrize("side, words", [
    (1, "'tiny.mp4' is 1×1; the task 'Marked' (transcode) needs at least 2×2"),
    # 10 % of a 2-pixel-wide output is 0.2 px: FFmpeg would fail with "Rescaled dimensions … invalid"
    (2, "the watermark image 'logo.png' of the task 'Marked' (transcode) would be 0.2×0.1 px on its 2×2 video "
        "(width 10%): too small to draw"),
])
def test_a_watermark_too_small_to_draw_fails_before_ffmpeg(tmp_path: Path, watermark_png: Path, side: int,
                                                           words: str) -> None:
    tiny = _tiny_video(tmp_path / "tiny.mp4", side)
    marked = task_node("transcode", "Marked", _marked(watermark_png))
    engine = make_engine(tmp_path)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(parallel_workflow(marked), tiny, tmp_path / "out"))
    sub = record.subtask(marked.id)
    assert (sub.status, sub.error_code) == (SubtaskStatus.FAIL, "InputNotSupported")
    assert words in sub.message, sub.message
    assert rec.of(SubtaskStarted) == [] and sub.command == []
    assert record.result == RunResult.FAIL and words in record.message


def test_a_2x2_video_without_a_watermark_still_runs(tmp_path: Path) -> None:
    small = _tiny_video(tmp_path / "small.mp4", 2)
    plain = task_node("transcode", "Plain", fast_transcode("SD", 120))
    record = asyncio.run(make_engine(tmp_path).run(parallel_workflow(plain), small, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    out = record.subtask(plain.id).outputs[0]
    assert (out["width"], out["height"]) == (2, 2)


def test_a_workflow_beyond_the_node_limit_fails_at_once_making_nothing(tmp_path: Path, video_clip: Path) -> None:
    import time

    from tests.model.test_limits import fan_out

    engine = make_engine(tmp_path)
    out = tmp_path / "out"
    began = time.perf_counter()
    record = asyncio.run(engine.run(fan_out(596), video_clip, out))  # 600 nodes
    assert time.perf_counter() - began < 5
    assert (record.result, record.error_code) == (RunResult.FAIL, "InvalidWorkflow")
    assert "too large: it has 600 nodes; a workflow may have at most 500" in record.message
    assert not out.exists()  # no output folder, no staging folders
