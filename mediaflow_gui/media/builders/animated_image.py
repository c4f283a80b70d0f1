"""Animated images: a GIF (palettegen + paletteuse in one graph) or an animated WebP.

start/end accept seconds or percent; negative values count back from the end. The
window is clamped to the input; an empty window is a TaskInputError.

Fusion seam: `output_streams(ctx, source)` trims the window itself when the source was
not opened at the window's start (StreamSource.start tells where the source begins).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import ffmpeg

from ...model.params import AnimatedImageParams
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile, StreamSource, TaskInputError
from . import common

KIND = "animated_image"


def window(ctx: BuildContext) -> tuple[float, float]:
    """(start, end) in seconds of the input, clamped to it."""
    p = common.params_of(ctx, AnimatedImageParams)
    duration = common.require_duration(ctx)
    start = min(max(0.0, common.seconds(ctx, p.start, "start")), duration)
    end = min(max(0.0, common.seconds(ctx, p.end, "end")), duration)
    if end - start < 1.0 / p.fps:
        raise TaskInputError(
            f"the animated image {common.task_label(ctx)} would be empty: '{ctx.input_path.name}' is "
            f"{duration:.2f}s long and the window {p.start}–{p.end} gives {start:.2f}s–{end:.2f}s")
    return start, end


def output_path(ctx: BuildContext) -> Path:
    p = common.params_of(ctx, AnimatedImageParams)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    name = common.name_for(ctx, KIND, p.output_name, {"definition": f"{w}x{h}", "format": p.format, "ext": p.format},
                           ensure_ext=p.format)
    return common.staging_file(ctx, name)


def output_streams(ctx: BuildContext, source: StreamSource) -> list[Any]:
    p = common.params_of(ctx, AnimatedImageParams)
    common.require_video(ctx)
    start, end = window(ctx)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    video = source.video.filter("trim", start=f"{max(0.0, start - source.start):.3f}",
                                end=f"{end - source.start:.3f}").filter("setpts", "PTS-STARTPTS")
    # round=up: each output frame is the one on screen at its tick (the default "near" runs ~half a frame late)
    video = video.filter("fps", fps=p.fps, round="up").filter("scale", w=w, h=h, flags="lanczos").filter("setsar", "1")
    path = str(output_path(ctx))
    common.require_encoder(ctx, "gif" if p.format == "gif" else "libwebp_anim", fix="choose the other format")
    if p.format == "gif":
        parts = video.split()
        palette = parts[0].filter("palettegen", stats_mode="diff")
        video = ffmpeg.filter([parts[1], palette], "paletteuse", dither="bayer", bayer_scale=3)
        return [ffmpeg.output(video, path, **common.output_kwargs(ctx, f="gif", loop=0))]
    return [ffmpeg.output(video, path, **common.output_kwargs(
        ctx, **{"c:v": "libwebp_anim", "quality": p.quality, "loop": 0, "f": "webp"}))]


def make_finalize(ctx: BuildContext) -> Callable[[], list[OutputFile]]:
    path = output_path(ctx)

    def finalize() -> list[OutputFile]:
        if not path.is_file():
            raise common.missing_output(ctx, path)
        out = common.describe_output(path, "animation")
        out.extra["fps"] = common.params_of(ctx, AnimatedImageParams).fps
        # the window as run (percent and negative offsets resolved): the task query's Start/EndTimeOffset
        out.extra["start_time"], out.extra["end_time"] = (round(t, 3) for t in window(ctx))
        return [out]

    return finalize


def build(ctx: BuildContext) -> BuildResult:
    common.require_video(ctx)
    start, end = window(ctx)
    # seek before -i (fast) and stop reading at the window's end; output_streams trims the rest exactly
    inp = common.input_stream(ctx, ss=f"{start:.3f}", t=f"{end - start + 0.5:.3f}")
    fmt = common.video_format(ctx)
    video = common.prepared(ctx, inp["v:0"], fmt)
    argv = common.compile_argv(ctx, *output_streams(ctx, StreamSource(video=video, start=start)))
    return BuildResult([FFmpegJob(args=argv, duration=end - start, label=KIND)], make_finalize(ctx),
                       common.source_notes(ctx, fmt))
