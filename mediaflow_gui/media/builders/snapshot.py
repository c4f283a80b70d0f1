"""Time-point snapshots (the service's SnapshotByTimeOffset).

One FFmpeg job per time point, each seeking with `-ss` before `-i` (a keyframe seek plus
exact decoding to the point: fast on long inputs). Offsets past the end give the last
frame. Not fusable: seeking per point beats decoding the whole input once.
"""

from __future__ import annotations

from pathlib import Path

import ffmpeg

from ...model.params import SnapshotParams
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile
from ..naming import sequence_names
from . import common

KIND = "snapshot"


def time_points(ctx: BuildContext) -> list[float]:
    """Seconds of every offset, clamped to the input (past the end: the last frame)."""
    p = ctx.params
    assert isinstance(p, SnapshotParams)
    common.require_duration(ctx)
    last = common.last_frame_time(ctx.probe)
    # a quarter frame before the last frame's timestamp, so float rounding cannot step past it
    latest = max(0.0, last - common.frame_duration(ctx.probe) / 4)
    return [min(max(0.0, common.seconds(ctx, off, f"offsets[{i}]")), latest) for i, off in enumerate(p.offsets)]


def output_paths(ctx: BuildContext, count: int) -> list[Path]:
    p = ctx.params
    assert isinstance(p, SnapshotParams)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    pattern = common.name_for(ctx, KIND, p.output_name, {"definition": f"{w}x{h}", "format": p.format, "ext": p.format},
                              sequence=True, ensure_ext=p.format)
    return [common.staging_file(ctx, n) for n in sequence_names(pattern, count=count)]


def build(ctx: BuildContext) -> BuildResult:
    p = ctx.params
    assert isinstance(p, SnapshotParams)
    common.require_video(ctx)
    points = time_points(ctx)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    paths = output_paths(ctx, len(points))
    jobs: list[FFmpegJob] = []
    for t, path in zip(points, paths):
        video = common.input_stream(ctx, ss=f"{t:.3f}")["v:0"].filter("scale", w=w, h=h).filter("setsar", "1")
        # update=1: the image2 muxer writes this exact name (a '%' in it is not a pattern)
        out = ffmpeg.output(video, str(path), **common.output_kwargs(
            ctx, **{"frames:v": 1, "update": 1}, **common.image_codec_kwargs(p.format)))
        jobs.append(FFmpegJob(args=common.compile_argv(ctx, out), duration=None, weight=1.0 / len(points),
                              label=f"snapshot at {t:.2f}s"))

    def finalize() -> list[OutputFile]:
        for path in paths:
            if not path.is_file():
                raise common.missing_output(ctx, path)
        return [common.describe_output(path, "image") for path in paths]

    return BuildResult(jobs, finalize)
