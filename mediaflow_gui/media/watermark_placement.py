"""Where a watermark lands on the picture: one rule shared by the FFmpeg filter and the GUI preview.

A watermark's place is its origin (a corner or Center) plus x/y offsets in px or % of the video's
width/height; an image watermark is first scaled to a width in px or % of the video width (0 keeps
the image's own size), its height following the aspect. media/filters/watermark.py renders the
rule as overlay/drawtext expressions (`rule.x.expr(...)`); the inspector's preview computes the
same numbers (`placement(...)`), including what FFmpeg does to them:

- scale=W:-1 rounds the width and the following height to the nearest pixel, halves away from
  zero (av_rescale), not Python's round() (halves to even);
- overlay truncates x/y to integers and then clears the lowest bit for a 4:2:0 picture (its
  `normalize_xy`: an odd x or y moves one pixel left/up, chroma samples cover 2×2 pixels);
- drawtext truncates x/y to integers and does not align them.

Pure Python, no FFmpeg and no Qt: tests/media/test_watermark_placement.py checks the numbers
against what FFmpeg's overlay really draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..model.params import WatermarkParams
from ..model.values import parse_length

CORNERS_LEFT = ("TopLeft", "BottomLeft")
CORNERS_TOP = ("TopLeft", "TopRight")


def nearest(value: float) -> int:
    """Rounded as FFmpeg's av_rescale rounds (halves away from zero), not as round() (halves to even)."""
    return int(math.floor(value + 0.5))


def offset_px(text: str, reference: int) -> int:
    """An offset (`16px`, `5%` of `reference`) in whole pixels, as the filter writes it."""
    return int(round(parse_length(text).pixels(reference)))


@dataclass(frozen=True)
class AxisRule:
    """One axis of a position: from the start edge, from the end edge, or centred; plus an offset."""

    anchor: str  # "start" | "end" | "center"
    offset: int  # px

    def expr(self, video: int, obj: str) -> str:
        """The FFmpeg expression; `obj` names the watermark's size in the filter's own variables."""
        if self.anchor == "center":
            return f"({video}-{obj})/2+{self.offset}"
        if self.anchor == "end":
            return f"{video}-{obj}-{self.offset}"
        return f"{self.offset}"

    def value(self, video: int, obj: int) -> float:
        """What that expression evaluates to (a float: Center divides by 2)."""
        if self.anchor == "center":
            return (video - obj) / 2 + self.offset
        if self.anchor == "end":
            return video - obj - self.offset
        return float(self.offset)


@dataclass(frozen=True)
class PositionRule:
    x: AxisRule
    y: AxisRule


def position_rule(wm: WatermarkParams, video_w: int, video_h: int) -> PositionRule:
    """The watermark's origin and offsets on a video_w × video_h picture."""
    dx, dy = offset_px(wm.x_pos, video_w), offset_px(wm.y_pos, video_h)
    if wm.origin == "Center":
        return PositionRule(AxisRule("center", dx), AxisRule("center", dy))
    return PositionRule(AxisRule("start" if wm.origin in CORNERS_LEFT else "end", dx),
                        AxisRule("start" if wm.origin in CORNERS_TOP else "end", dy))


def scaled_width(wm: WatermarkParams, video_w: int) -> float | None:
    """The exact width an image watermark is scaled to (before rounding); None keeps its own size."""
    width = parse_length(wm.width)
    return width.pixels(video_w) if width.value > 0 else None


def logo_size(wm: WatermarkParams, video_w: int, image_w: int, image_h: int) -> tuple[int, int]:
    """The image watermark's size on the video, as `scale=<w>:-1` makes it (or its own size)."""
    exact = scaled_width(wm, video_w)
    if exact is None:
        return image_w, image_h
    w = nearest(exact)
    # scale's -1: av_rescale(w, in_h, in_w), integer rounding half up
    h = (w * image_h + image_w // 2) // image_w if image_w > 0 else 0
    return w, h


def _truncate(value: float) -> int:
    return int(value)  # C's double → int conversion: toward zero


def overlay_xy(value: float, chroma_shift: int = 1) -> int:
    """overlay's normalize_xy: truncated, then aligned to the chroma grid (4:2:0 → even)."""
    return _truncate(value) & ~((1 << chroma_shift) - 1)


@dataclass(frozen=True)
class Placement:
    x: int
    y: int
    w: int
    h: int


def placement(video_w: int, video_h: int, logo_w: int, logo_h: int, params: WatermarkParams) -> Placement:
    """Where FFmpeg draws the watermark on a video_w × video_h picture.

    Image: logo_w × logo_h is the image file's own size; it is scaled by `params.width` and placed
    by overlay (format=yuv420, so x/y are even). Text: logo_w × logo_h is the drawn text's box
    (drawtext's text_w/text_h); drawtext places it without scaling or alignment.
    """
    rule = position_rule(params, video_w, video_h)
    if params.type == "text":
        w, h = logo_w, logo_h
        return Placement(_truncate(rule.x.value(video_w, w)), _truncate(rule.y.value(video_h, h)), w, h)
    w, h = logo_size(params, video_w, logo_w, logo_h)
    return Placement(overlay_xy(rule.x.value(video_w, w)), overlay_xy(rule.y.value(video_h, h)), w, h)
