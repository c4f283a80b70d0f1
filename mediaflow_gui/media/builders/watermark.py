"""Watermarks: the filter chain (used inside transcodes) and the watermark task of its own.

An image watermark is a second FFmpeg input (a PNG keeps its alpha), scaled to a width in
px or % of the video width, and overlaid; a text watermark is drawtext with a font file.
Positions are computed in Python from the known output size: origin (a corner or Center)
plus x/y offsets in px or % of the video's width/height.

Text safety: ffmpeg-python escapes option values for both filtergraph levels ('\\', ''',
':', '=' then '[', ']', ',', ';'); drawtext's own expansion of `%{…}` is switched off
(expansion=none), so quotes, colons, percent signs and backslashes are drawn as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import ffmpeg

from ...model.params import TranscodeParams, WatermarkParams
from ...model.values import parse_length
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile, StreamSource, TaskInputError
from ..fonts import FontNotFoundError, find_font
from . import common

KIND = "watermark"


def _offset_px(text: str, reference: int) -> int:
    return int(round(parse_length(text).pixels(reference)))


def _enable_expr(ctx: BuildContext, wm: WatermarkParams) -> str | None:
    """`between(t,a,b)` for a watermark shown only part of the time, or None for always."""
    if not wm.start and not wm.end:
        return None
    start = common.seconds(ctx, wm.start, "start") if wm.start else 0.0
    end = common.seconds(ctx, wm.end, "end") if wm.end else None
    if end is None:
        return f"gte(t,{start:.3f})"
    if end <= start:
        raise TaskInputError(f"the watermark of the task {common.task_label(ctx)} ends ({wm.end}) "
                             f"before it starts ({wm.start})")
    return f"between(t,{start:.3f},{end:.3f})"


def _position(wm: WatermarkParams, video_w: int, video_h: int, obj_w: str, obj_h: str) -> tuple[str, str]:
    """x/y expressions; obj_w/obj_h name the watermark's size in the filter's own variables."""
    dx, dy = _offset_px(wm.x_pos, video_w), _offset_px(wm.y_pos, video_h)
    if wm.origin == "Center":
        return f"({video_w}-{obj_w})/2+{dx}", f"({video_h}-{obj_h})/2+{dy}"
    x = f"{dx}" if wm.origin in ("TopLeft", "BottomLeft") else f"{video_w}-{obj_w}-{dx}"
    y = f"{dy}" if wm.origin in ("TopLeft", "TopRight") else f"{video_h}-{obj_h}-{dy}"
    return x, y


def _image_overlay(ctx: BuildContext, video: Any, wm: WatermarkParams, video_w: int, video_h: int) -> Any:
    image = Path(wm.image_path).expanduser()
    if not image.is_file():
        raise TaskInputError(f"the watermark image {str(image)!r} of the task {common.task_label(ctx)} does not exist")
    logo = ffmpeg.input(str(image.resolve()))["v"]
    width = parse_length(wm.width)
    if width.value > 0:
        logo = logo.filter("scale", max(1, int(round(width.pixels(video_w)))), -1)
    x, y = _position(wm, video_w, video_h, "w", "h")
    # blend in yuv420: every transcode writes yuv420p anyway, and format=auto picks a wider format for
    # an RGBA logo, converting each frame there and back (+2–5 s CPU on 20 s of 720p, measured by
    # benchmarks/standard_workflow.py against the hand-written command)
    kwargs: dict[str, Any] = {"x": x, "y": y, "format": "yuv420"}
    enable = _enable_expr(ctx, wm)
    if enable:
        kwargs["enable"] = enable
    # eof_action=repeat (the default) keeps a still PNG on screen for the whole video
    return ffmpeg.overlay(video, logo, **kwargs)


def drawtext_kwargs(text: str, fontfile: Path, *, font_size: int, font_color: str, x: str, y: str,
                    enable: str | None = None) -> dict[str, Any]:
    """drawtext options for a literal text (no %{…} expansion); values are escaped by ffmpeg-python."""
    kwargs: dict[str, Any] = {
        "fontfile": str(fontfile),
        "text": text,
        "expansion": "none",
        "fontsize": font_size,
        "fontcolor": font_color,
        "x": x,
        "y": y,
    }
    if enable:
        kwargs["enable"] = enable
    return kwargs


def _text_overlay(ctx: BuildContext, video: Any, wm: WatermarkParams, video_w: int, video_h: int) -> Any:
    # av_get_token trims unescaped surrounding whitespace anyway; strip so what we pass is what is drawn
    text = wm.text.strip()
    if not text:
        raise TaskInputError(f"the text watermark of the task {common.task_label(ctx)} is empty")
    try:
        font = find_font()
    except FontNotFoundError as exc:
        raise TaskInputError(f"the task {common.task_label(ctx)} cannot draw its text watermark: {exc}") from exc
    x, y = _position(wm, video_w, video_h, "text_w", "text_h")
    return video.filter("drawtext", **drawtext_kwargs(
        text, font, font_size=wm.font_size, font_color=wm.font_color, x=x, y=y, enable=_enable_expr(ctx, wm)))


def apply_watermarks(ctx: BuildContext, video: Any, watermarks: list[WatermarkParams],
                     video_w: int, video_h: int) -> Any:
    """The video stream with every watermark drawn on it, in list order (later ones on top)."""
    for wm in watermarks:
        if wm.type == "text":
            video = _text_overlay(ctx, video, wm, video_w, video_h)
        elif wm.type == "image":
            video = _image_overlay(ctx, video, wm, video_w, video_h)
        else:
            raise TaskInputError(f"unknown watermark type {wm.type!r} in the task {common.task_label(ctx)}")
    return video


def as_transcode(ctx: BuildContext) -> TranscodeParams:
    """The watermark task is a transcode at the source size, H.264/AAC in mp4, with one watermark."""
    wm = ctx.params
    assert isinstance(wm, WatermarkParams)
    audio = ctx.probe.audio_streams[0].codec if ctx.probe.audio_streams else ""
    return TranscodeParams(
        definition="watermark", container="mp4", video_codec="h264", short_side=0, crf=20,
        encoder_preset="veryfast", audio_codec="aac", audio_bitrate_kbps=160 if audio else 128,
        watermarks=[wm], output_name=wm.output_name)


def output_streams(ctx: BuildContext, source: StreamSource) -> list[Any]:
    from . import transcode

    return transcode.output_streams(ctx, source, params=as_transcode(ctx), naming_kind=KIND)


def make_finalize(ctx: BuildContext) -> Callable[[], list[OutputFile]]:
    from . import transcode

    return transcode.make_finalize(ctx, params=as_transcode(ctx), naming_kind=KIND)


def build(ctx: BuildContext) -> BuildResult:
    common.require_video(ctx)
    inp = common.input_stream(ctx)
    source = StreamSource(video=inp["v:0"], audio=inp["a:0"] if ctx.probe.has_audio else None)
    argv = common.compile_argv(ctx, *output_streams(ctx, source))
    return BuildResult([FFmpegJob(args=argv, duration=ctx.probe.duration, label=KIND)], make_finalize(ctx))
