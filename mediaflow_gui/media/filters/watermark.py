"""Watermarks as filters: an image overlay or a text drawn on a video stream (used inside
transcodes and by the watermark task, which is a transcode at the source size).

An image watermark is a second FFmpeg input (a PNG keeps its alpha), scaled to a width in
px or % of the video width, and overlaid; a text watermark is drawtext with a font file.
Positions are computed in Python from the known output size: origin (a corner or Center)
plus x/y offsets in px or % of the video's width/height (media/watermark_placement.py holds that
rule; the inspector's preview evaluates the same rule to draw the watermark on a real frame).

Text safety: ffmpeg-python escapes option values for both filtergraph levels ('\\', ''',
':', '=' then '[', ']', ',', ';'); drawtext's own expansion of `%{…}` is switched off
(expansion=none), so quotes, colons, percent signs and backslashes are drawn as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ffmpeg
from ffmpeg.nodes import FilterableStream, FilterNode, Node

from ...model.params import WatermarkParams
from ...model.values import parse_length
from ..base import BuildContext, TaskInputError
from ..builders import common
from ..fonts import FontNotFoundError, find_font
from ..preflight import InputFileError, image_info
from ..watermark_placement import nearest, position_rule


_nearest = nearest  # the rounding is the placement module's, shared with the GUI preview


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
    """x/y expressions; obj_w/obj_h name the watermark's size in the filter's own variables.
    The rule is media/watermark_placement.py's, which the inspector's preview evaluates too."""
    rule = position_rule(wm, video_w, video_h)
    return rule.x.expr(video_w, obj_w), rule.y.expr(video_h, obj_h)


class _SourceFilterNode(FilterNode):
    """A filter with no input (ffmpeg-python's FilterNode insists on one): `movie=…` here."""

    def __init__(self, name: str, kwargs: dict[str, Any]) -> None:
        Node.__init__(self, stream_spec=None, name=name, incoming_stream_types={},
                      outgoing_stream_type=FilterableStream, min_inputs=0, max_inputs=0, args=[], kwargs=kwargs)


# FFmpeg's multithreaded pipeline (7.0): before it, a second `-i` input (the logo) in a process whose
# other outputs start late (a sprite sheet, a time point halfway through) is read only when its own
# output is scheduled, and meanwhile the main video piles up in the overlay: FFmpeg 5.1 grew to 1.1 GB
# on 20 s of 1080p (HD+logo+sprite; 0.3 GB with the logo read by a `movie` filter inside the graph).
# From 7.0 on, `-i` keeps bounded queues and is a little faster than `movie` (8.5 vs 9.9 s there).
THREADED_PIPELINE = (7, 0)


def _logo_stream(ctx: BuildContext, image: Path) -> Any:
    """The watermark image as a video stream: its own `-i` input, or a `movie` source before 7.0."""
    version = common.caps(ctx).version
    if version and version < THREADED_PIPELINE:
        return _SourceFilterNode("movie", {"filename": str(image)}).stream()
    return ffmpeg.input(str(image))["v"]


def _image_overlay(ctx: BuildContext, video: Any, wm: WatermarkParams, video_w: int, video_h: int) -> Any:
    image = Path(wm.image_path).expanduser()
    try:  # the same check and words as `mediaflow validate`; never opens a fifo or a device
        info = image_info(image)
    except InputFileError as exc:
        raise TaskInputError(f"the watermark image {str(image)!r} of the task {common.task_label(ctx)} {exc}") from None
    logo = _logo_stream(ctx, image.resolve())
    width = parse_length(wm.width)
    if width.value > 0:
        # FFmpeg's scale rounds w and the height that follows it (-1) to the nearest pixel; a size that
        # rounds to 0 fails inside FFmpeg as "Rescaled dimensions … invalid", so it is refused here
        exact_w = width.pixels(video_w)
        exact_h = exact_w * info.height / info.width
        if _nearest(exact_w) < 1 or _nearest(exact_h) < 1:
            raise TaskInputError(
                f"the watermark image '{image.name}' of the task {common.task_label(ctx)} would be "
                f"{exact_w:.1f}×{exact_h:.1f} px on its {video_w}×{video_h} video (width {wm.width}): too small "
                "to draw; give the watermark a larger width or use a larger video")
        logo = logo.filter("scale", _nearest(exact_w), -1)
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
