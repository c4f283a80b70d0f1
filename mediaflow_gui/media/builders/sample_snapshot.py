"""Sampled snapshots: one image every N seconds or every N percent of the duration.

A select filter keeps the first frame of every interval (see common.bucket_select), so
the count is known in advance: floor(last frame time / interval) + 1. FFmpeg numbers
the files itself (image2 pattern, from 1); finalize renames them to the task's number format.

Fusion seam: `output_streams(ctx, source)` only needs a video stream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import ffmpeg

from ...model.params import SampleSnapshotParams
from ..base import BuildContext, BuildResult, OutputFile, StreamSource
from ..naming import renumber, sequence_names
from . import common

KIND = "sample_snapshot"


def output_pattern(ctx: BuildContext) -> str:
    """The image2 pattern (with %d) inside the staging dir."""
    p = common.params_of(ctx, SampleSnapshotParams)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    return common.name_for(ctx, KIND, p.output_name, {"definition": f"{w}x{h}", "format": p.format, "ext": p.format},
                           sequence=True, ensure_ext=p.format)


def expected_count(ctx: BuildContext) -> int:
    return common.bucket_count(ctx.probe, common.interval_seconds(ctx, common.params_of(ctx, SampleSnapshotParams).interval))


def output_streams(ctx: BuildContext, source: StreamSource) -> list[Any]:
    p = common.params_of(ctx, SampleSnapshotParams)
    common.require_video(ctx)
    interval = common.interval_seconds(ctx, p.interval)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    video = source.video.filter("select", expr=common.bucket_select(interval)).filter("scale", w=w, h=h).filter("setsar", "1")
    target = common.staging_file(ctx, output_pattern(ctx))
    return [ffmpeg.output(video, str(target), **common.output_kwargs(
        ctx, start_number=1, **common.vfr_kwargs(ctx), **common.image_codec_kwargs(p.format, ctx)))]


def make_finalize(ctx: BuildContext) -> Callable[[], list[OutputFile]]:
    pattern = output_pattern(ctx)
    staging = Path(ctx.staging_dir)
    number_format = common.params_of(ctx, SampleSnapshotParams).number_format
    interval = common.interval_seconds(ctx, common.params_of(ctx, SampleSnapshotParams).interval)

    def finalize() -> list[OutputFile]:
        names = renumber(staging, pattern, number_format)  # FFmpeg wrote 1, 2, 3 …: the task's numbers
        if not names:
            raise common.missing_output(ctx, staging / sequence_names(pattern, count=1)[0])
        outputs = [common.describe_output(staging / n, "image") for n in names]
        for i, out in enumerate(outputs):  # image i is the first frame of interval i (bucket_select)
            out.extra["time_offset"] = round(i * interval, 3)
        return outputs

    return finalize


def build(ctx: BuildContext) -> BuildResult:
    return common.build_video_only(ctx, output_streams, make_finalize, KIND)
