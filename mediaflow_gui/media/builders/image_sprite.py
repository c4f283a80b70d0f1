"""Image sprites: thumbnail sheets (rows × columns) plus a WebVTT index for scrubbing previews.

One frame per interval (common.bucket_select), scaled to the cell size and tiled; FFmpeg
writes as many sheets as the cells need (the last one padded). finalize() writes the
WebVTT file: one cue per cell, `sheet.jpg#xywh=x,y,w,h`, sheet names URL-escaped and
relative, so the .vtt works next to the sheets wherever they are delivered.

Fusion seam: `output_streams(ctx, source)` only needs a video stream.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import ffmpeg

from ...model.params import ImageSpriteParams
from ..base import BuildContext, BuildResult, OutputFile, StreamSource
from ..naming import input_values, render, renumber, sequence_names, template_for
from . import common

KIND = "image_sprite"
VTT_KIND = "image_sprite_vtt"


def cell_size(ctx: BuildContext) -> tuple[int, int]:
    p = common.params_of(ctx, ImageSpriteParams)
    return common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)


def layout(ctx: BuildContext) -> tuple[float, int, int]:
    """(interval seconds, number of cells, number of sheets)."""
    p = common.params_of(ctx, ImageSpriteParams)
    interval = common.interval_seconds(ctx, p.interval)
    cells = common.bucket_count(ctx.probe, interval)
    return interval, cells, math.ceil(cells / (p.rows * p.columns))


def sheet_pattern(ctx: BuildContext) -> str:
    p = common.params_of(ctx, ImageSpriteParams)
    w, h = cell_size(ctx)
    return common.name_for(ctx, KIND, p.output_name, {"definition": f"{w}x{h}", "format": p.format, "ext": p.format},
                           sequence=True, ensure_ext=p.format)


def vtt_name(ctx: BuildContext) -> str:
    p = common.params_of(ctx, ImageSpriteParams)
    w, h = cell_size(ctx)
    values = input_values(ctx.source_name, Path(ctx.input_path), ctx.step_name)
    values.update({"definition": f"{w}x{h}", "format": "vtt", "ext": "vtt"})
    if p.output_name.strip():
        # the sheets' own name without its number and extension, so both read as a pair
        template = re.sub(r"[_\- ]?\{number\}", "", p.output_name.strip(), flags=re.IGNORECASE)
        template = re.sub(r"\.(\{format\}|\{ext\}|jpe?g|png)$", "", template, flags=re.IGNORECASE)
    else:
        template = template_for(VTT_KIND, "", ctx.name_templates)
    return render(template, values, ensure_ext="vtt", limit=common.name_limit(ctx))


def _timestamp(t: float) -> str:
    ms = int(round(t * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def webvtt(sheets: list[str], cells: int, interval: float, duration: float, columns: int, rows: int,
           cell_w: int, cell_h: int) -> str:
    """The WebVTT text mapping each time range to its sheet and cell."""
    lines = ["WEBVTT", ""]
    per_sheet = columns * rows
    for i in range(cells):
        sheet, pos = divmod(i, per_sheet)
        start, end = i * interval, min((i + 1) * interval, duration)
        if i == cells - 1:
            end = max(end, duration)  # the last cue lasts to the end of the media
        x, y = (pos % columns) * cell_w, (pos // columns) * cell_h
        lines += [f"{_timestamp(start)} --> {_timestamp(end)}",
                  f"{quote(sheets[sheet])}#xywh={x},{y},{cell_w},{cell_h}", ""]
    return "\n".join(lines)


def output_streams(ctx: BuildContext, source: StreamSource) -> list[Any]:
    p = common.params_of(ctx, ImageSpriteParams)
    common.require_video(ctx)
    interval, _, _ = layout(ctx)
    w, h = cell_size(ctx)
    video = (source.video.filter("select", expr=common.bucket_select(interval))
             .filter("scale", w=w, h=h).filter("setsar", "1")
             .filter("tile", layout=f"{p.columns}x{p.rows}"))
    target = common.staging_file(ctx, sheet_pattern(ctx))
    codec = common.image_codec_kwargs(p.format, ctx)
    return [ffmpeg.output(video, str(target), **common.output_kwargs(
        ctx, start_number=1, **common.vfr_kwargs(ctx), **codec))]


def make_finalize(ctx: BuildContext) -> Callable[[], list[OutputFile]]:
    p = common.params_of(ctx, ImageSpriteParams)
    pattern = sheet_pattern(ctx)
    staging = Path(ctx.staging_dir)
    interval, cells, _ = layout(ctx)
    w, h = cell_size(ctx)
    vtt = common.staging_file(ctx, vtt_name(ctx))

    def finalize() -> list[OutputFile]:
        sheets = renumber(staging, pattern, p.number_format)  # FFmpeg wrote 1, 2 …: the task's numbers
        if not sheets:
            raise common.missing_output(ctx, staging / sequence_names(pattern, count=1)[0])
        # trust the sheets on disk over the estimate if FFmpeg saw fewer frames than the probe promised
        n = min(cells, len(sheets) * p.rows * p.columns)
        vtt.write_text(webvtt(sheets, n, interval, ctx.probe.duration or n * interval, p.columns, p.rows, w, h),
                       encoding="utf-8")
        outputs = [common.describe_output(staging / s, "image") for s in sheets]
        vtt_out = common.describe_output(vtt, "subtitle")
        vtt_out.extra.update({"cues": n, "cell_width": w, "cell_height": h})
        return outputs + [vtt_out]

    return finalize


def build(ctx: BuildContext) -> BuildResult:
    return common.build_video_only(ctx, output_streams, make_finalize, KIND)
