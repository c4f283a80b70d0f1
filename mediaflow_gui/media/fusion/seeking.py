"""Time-point snapshots: all points of a step in one process of seeks, or riding in a fused group.

When the group decodes the video anyway, each point takes its frame from that decode (a select of
the first frame at or after the point: no decoding of its own, the same frame a `-ss` seek lands
on); an `-ss` seek would decode from the previous keyframe, up to a whole GOP per point (on the
20 s 1080p clip with x264's 250-frame GOPs, 4 points cost ~70 % of a full decode). A group without
a video decode gives each point its own seeking input (`-ss T -i`). Without a group, all points of
a step are one process of seeks (build_seeking). The price of riding along: a passenger's subtask
finishes with its group rather than as soon as its images exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import ffmpeg

from ...model.params import SnapshotParams
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile
from ..builders import common
from ..builders import snapshot as snapshot_builder
from .rules import is_small, kind_of

def seeks_fusable(ctx: BuildContext) -> bool:
    """A time-point snapshot step with several points can take all its seeks in one process."""

    if kind_of(ctx) != "snapshot" or not snapshot_builder.seeks_reliably(ctx):
        return False  # without reliable seeks the builder decodes once for all points itself
    try:
        return len(snapshot_builder.time_points(ctx)) > 1
    except Exception:  # the builder will report the problem itself when it builds apart
        return False


def apart_weight(ctx: BuildContext) -> int:
    """Parallel workers of a step that runs apart: one per seeking input of a fused snapshot step."""
    if seeks_fusable(ctx) and not is_small(ctx):
        return len(snapshot_builder.time_points(ctx))
    return 1


def seek_outputs(ctx: BuildContext, per_input: int) -> tuple[list[Any], Callable[[], list[OutputFile]]]:
    """The output nodes of a time-point snapshot step, each point its own `-ss T -i input`, and its finalize."""

    apart = snapshot_builder.build(ctx)  # checks the input, names the files, and gives the finalize we keep
    p = common.params_of(ctx, SnapshotParams)
    points = snapshot_builder.time_points(ctx)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    paths = snapshot_builder.output_paths(ctx, len(points))
    outputs = []
    by_point: dict[str, list[Path]] = {}  # two offsets on one frame (1s and 25% of 4s) share one seek
    for t, path in zip(points, paths):
        by_point.setdefault(f"{t:.3f}", []).append(path)
    # read a short stretch from each point only: inside a long fused process an input whose single-
    # frame output is done would otherwise go on being demuxed and decoded to the end of the file
    window = f"{max(0.5, 4 * common.frame_duration(ctx.probe)):.3f}"
    fmt = common.video_format(ctx)
    for t_text, same in by_point.items():
        kwargs: dict[str, Any] = {"ss": t_text, "t": window}
        if per_input > 0:
            kwargs["threads"] = per_input
        video = common.prepared(ctx, common.input_stream(ctx, **kwargs)["v:0"], fmt)
        video = video.filter("scale", w=w, h=h).filter("setsar", "1")
        streams = [video] if len(same) == 1 else [video.split()[i] for i in range(len(same))]
        for stream, path in zip(streams, same):
            outputs.append(ffmpeg.output(stream, str(path), **common.output_kwargs(
                ctx, **{"frames:v": 1, "update": 1}, **common.image_codec_kwargs(p.format, ctx))))
    return outputs, apart.finalize


def decoded_point_outputs(ctx: BuildContext, by_point: dict[str, list[Path]],
                           next_video: Callable[[], Any]) -> tuple[list[Any], Callable[[], list[OutputFile]]]:
    """A time-point snapshot step fed by the group's decode (snapshot_builder.decoded_outputs), and its finalize."""

    apart = snapshot_builder.build(ctx)  # checks the input, names the files, and gives the finalize we keep
    return snapshot_builder.decoded_outputs(ctx, by_point, next_video), apart.finalize


def build_seeking(ctx: BuildContext) -> BuildResult:
    """Time-point snapshots as ONE FFmpeg process: each point its own `-ss T -i input` (a seek, never
    a shared full decode), one single-frame output per point. The same files and finalize as the
    builder's one-process-per-point jobs; the process start-up is paid once instead of once per point.
    FFmpeg opens the inputs one after another, so each input's decoder may use the step's whole share.
    """

    outputs, finalize = seek_outputs(ctx, per_input=ctx.threads)
    points = snapshot_builder.time_points(ctx)
    argv = common.compile_argv(ctx, *outputs)
    job = FFmpegJob(args=argv, duration=None, label=f"snapshots at {', '.join(f'{t:.2f}s' for t in points)}")
    return BuildResult([job], finalize, common.source_notes(ctx, common.video_format(ctx)))
