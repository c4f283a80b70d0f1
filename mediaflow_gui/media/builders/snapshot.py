"""Time-point snapshots (the service's SnapshotByTimeOffset).

One FFmpeg job per time point, each seeking with `-ss` before `-i` (a keyframe seek plus
exact decoding to the point: fast on long inputs). Offsets past the end give the last
frame. Not fusable: seeking per point beats decoding the whole input once.

Containers without an index (MPEG-TS, MPEG-PS, raw elementary streams) cannot be trusted to
seek: FFmpeg lands mid-GOP by byte position and, on a long-GOP interlaced broadcast stream,
decodes nothing usable before the end (measured: 1080i H.264 in TS, `-ss 1` gave no frame at
all). There every point takes its frame from one decode instead (`decoded_outputs`: the first
frame at or after the point, the frame an accurate seek lands on), read up to the last point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import ffmpeg

from ...model.params import SnapshotParams
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile
from ..naming import numbered_names
from . import common

KIND = "snapshot"
# demuxers whose seeking is by byte position, not by an index of keyframes
SEEK_UNRELIABLE = ("mpegts", "mpeg", "mpegvideo", "h264", "hevc", "m4v")


def time_points(ctx: BuildContext) -> list[float]:
    """Seconds of every offset, clamped to the input (past the end: the last frame)."""
    p = common.params_of(ctx, SnapshotParams)
    common.require_duration(ctx)
    last = common.last_frame_time(ctx.probe)
    # a quarter frame before the last frame's timestamp, so float rounding cannot step past it
    latest = max(0.0, last - common.frame_duration(ctx.probe) / 4)
    return [min(max(0.0, common.seconds(ctx, off, f"time point {i + 1}")), latest) for i, off in enumerate(p.offsets)]


def output_paths(ctx: BuildContext, count: int) -> list[Path]:
    p = common.params_of(ctx, SnapshotParams)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    pattern = common.name_for(ctx, KIND, p.output_name, {"definition": f"{w}x{h}", "format": p.format, "ext": p.format},
                              sequence=True, ensure_ext=p.format)
    return [common.staging_file(ctx, n) for n in numbered_names(pattern, count, p.number_format)]


def seeks_reliably(ctx: BuildContext) -> bool:
    """Whether `-ss T -i input` lands on the frame at T for this input (its container has an index)."""
    return not any(name in SEEK_UNRELIABLE for name in ctx.probe.container.split(","))


def distinct_points(ctx: BuildContext) -> dict[str, list[Path]]:
    """The step's output files by point ("%.3f" seconds); two offsets on one frame (1s and 25% of 4s)
    share one point."""
    points = time_points(ctx)
    by_point: dict[str, list[Path]] = {}
    for t, path in zip(points, output_paths(ctx, len(points))):
        by_point.setdefault(f"{t:.3f}", []).append(path)
    return by_point


def decoded_outputs(ctx: BuildContext, by_point: dict[str, list[Path]], next_video: Callable[[], Any]) -> list[Any]:
    """Output nodes taking each point's frame from a decode (`next_video()` gives one prepared branch
    per point): the first frame at or after the point, the frame an accurate `-ss T` lands on (FFmpeg
    drops the decoded frames before T). After its one frame the select passes nothing, so a branch
    costs an expression per frame and nothing more."""
    p = common.params_of(ctx, SnapshotParams)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    outputs = []
    for t_text, same in by_point.items():
        video = (next_video().filter("select", expr=f"isnan(prev_selected_t)*gte(t,{t_text})")
                 .filter("scale", w=w, h=h).filter("setsar", "1"))
        streams = [video] if len(same) == 1 else [video.split()[i] for i in range(len(same))]
        for stream, path in zip(streams, same):
            outputs.append(ffmpeg.output(stream, str(path), **common.output_kwargs(
                ctx, **{"frames:v": 1, "update": 1}, **common.image_codec_kwargs(p.format, ctx))))
    return outputs


def _finalize(ctx: BuildContext, paths: list[Path], points: list[float]) -> Callable[[], list[OutputFile]]:
    """Each image with its time point (`extra["time_offset"]`, seconds of the input: the task query's
    PicInfoSet TimeOffset)."""
    def finalize() -> list[OutputFile]:
        outputs = []
        for path, t in zip(paths, points):
            if not path.is_file():
                raise common.missing_output(ctx, path)
            out = common.describe_output(path, "image")
            out.extra["time_offset"] = round(t, 3)
            outputs.append(out)
        return outputs

    return finalize


def _build_decoding(ctx: BuildContext) -> BuildResult:
    """One process, one decode up to just past the last point, every point selected from it."""
    points = time_points(ctx)
    paths = output_paths(ctx, len(points))
    by_point = distinct_points(ctx)
    fmt = common.video_format(ctx)
    inp = common.input_stream(ctx, t=f"{max(points) + 0.5:.3f}")
    prepared = common.prepared(ctx, inp["v:0"], fmt)
    branches = iter([prepared] if len(by_point) == 1 else [prepared.split()[i] for i in range(len(by_point))])
    argv = common.compile_argv(ctx, *decoded_outputs(ctx, by_point, lambda: next(branches)))
    job = FFmpegJob(args=argv, duration=max(points) + 0.5, label=f"snapshots at {', '.join(by_point)}s (decoded)")
    return BuildResult([job], _finalize(ctx, paths, points), common.source_notes(ctx, fmt))


def build(ctx: BuildContext) -> BuildResult:
    p = common.params_of(ctx, SnapshotParams)
    common.require_video(ctx)
    if not seeks_reliably(ctx):
        return _build_decoding(ctx)
    points = time_points(ctx)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    paths = output_paths(ctx, len(points))
    fmt = common.video_format(ctx)
    jobs: list[FFmpegJob] = []
    for t, path in zip(points, paths):
        video = common.prepared(ctx, common.input_stream(ctx, ss=f"{t:.3f}")["v:0"], fmt)
        video = video.filter("scale", w=w, h=h).filter("setsar", "1")
        # update=1: the image2 muxer writes this exact name (a '%' in it is not a pattern)
        out = ffmpeg.output(video, str(path), **common.output_kwargs(
            ctx, **{"frames:v": 1, "update": 1}, **common.image_codec_kwargs(p.format, ctx)))
        jobs.append(FFmpegJob(args=common.compile_argv(ctx, out), duration=None, weight=1.0 / len(points),
                              label=f"snapshot at {t:.2f}s"))
    return BuildResult(jobs, _finalize(ctx, paths, points), common.source_notes(ctx, fmt))
