"""The seam media/fusion uses: several builders fed from one decode, in one FFmpeg process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ffmpeg
import pytest

from mediaflow_gui.media.base import StreamSource, TaskInputError
from mediaflow_gui.media.builders import BUILDERS, FUSABLE, build_step, common
from mediaflow_gui.model.params import (
    AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams, SnapshotParams, TranscodeParams,
)
from tests.media.avcheck import props
from tests.media.conftest import make_context


def test_fusable_builders_share_one_decode(video_clip: Path, tmp_path: Path) -> None:
    steps = [
        ("transcode", TranscodeParams(short_side=120, encoder_preset="ultrafast")),
        ("sample_snapshot", SampleSnapshotParams(interval="1s", width=128)),
        ("image_sprite", ImageSpriteParams(interval="1s", rows=2, columns=2, width=64)),
        ("animated_image", AnimatedImageParams(start="1s", end="2s", fps=10, width=160)),
    ]
    assert {k for k, _ in steps} <= FUSABLE
    ctxs = [make_context(k, p, video_clip, tmp_path / f"s{i}") for i, (k, p) in enumerate(steps)]
    inp = ffmpeg.input(str(video_clip))
    videos = inp["v:0"].split()
    outputs = []
    for i, ctx in enumerate(ctxs):
        audio = inp["a:0"] if ctx.task_kind == "transcode" else None
        outputs += BUILDERS[ctx.task_kind].output_streams(ctx, StreamSource(video=videos[i], audio=audio))
    argv = common.compile_argv(ctxs[0], *outputs)
    assert argv.count("-i") == 1, "one input, decoded once"
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = {ctx.task_kind: BUILDERS[ctx.task_kind].make_finalize(ctx)() for ctx in ctxs}
    assert (results["transcode"][0].width, results["transcode"][0].height) == (160, 120)
    assert len(results["sample_snapshot"]) == 4
    assert [o.kind for o in results["image_sprite"]] == ["image", "subtitle"]
    gif = props(results["animated_image"][0].path)
    assert abs(gif.video[0].frames - 10) <= 1  # trimmed to 1 s by the builder itself


def test_snapshot_is_not_fusable_and_still_images_have_no_duration(watermark_png: Path, tmp_path: Path) -> None:
    assert "snapshot" not in FUSABLE
    ctx = make_context("sample_snapshot", SampleSnapshotParams(), watermark_png, tmp_path / "s", name="Samples")
    with pytest.raises(TaskInputError, match="'logo.png' has no known duration.*'Samples'"):
        build_step(ctx)
    ctx = make_context("snapshot", SnapshotParams(), watermark_png, tmp_path / "t", name="Shots")
    with pytest.raises(TaskInputError, match="'logo.png'"):
        build_step(ctx)


def test_media_layer_imports_no_qt() -> None:
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'qasync', 'shiboken6'):\n"
        "            raise ImportError('Qt is not allowed here: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import mediaflow_gui.media.builders, mediaflow_gui.media.probe, mediaflow_gui.media.naming\n"
        "import mediaflow_gui.media.ffmpeg_locate, mediaflow_gui.media.fonts, mediaflow_gui.media.webp_info\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
