"""The watermark placement rule (media/watermark_placement.py) against what FFmpeg's overlay really
draws: the same numbers the inspector's preview uses, checked on a real frame."""

from __future__ import annotations

import subprocess
from pathlib import Path

import ffmpeg
import pytest

from mediaflow_gui.media.filters import watermark
from mediaflow_gui.media.watermark_placement import Placement, logo_size, placement, position_rule
from mediaflow_gui.model.params import TranscodeParams, WatermarkParams
from tests import media_factory
from tests.media.conftest import make_context

W, H = 320, 240
LOGO = (40, 20)  # the PNG's own size


@pytest.fixture(scope="module")
def black_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("place") / "black.mp4"
    media_factory.run_ffmpeg(["-f", "lavfi", "-i", f"color=black:size={W}x{H}:rate=5:duration=0.4",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)])
    return path


@pytest.fixture(scope="module")
def white_logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media_factory.make_png(tmp_path_factory.mktemp("logo") / "logo.png", width=LOGO[0], height=LOGO[1],
                                  color="white@1.0")


def test_expressions_are_the_rule_rendered() -> None:
    wm = WatermarkParams(origin="TopRight", x_pos="16px", y_pos="5%")
    assert watermark._position(wm, W, H, "w", "h") == ("320-w-16", "12")
    wm = WatermarkParams(origin="Center", x_pos="10%", y_pos="3px")
    assert watermark._position(wm, W, H, "text_w", "text_h") == ("(320-text_w)/2+32", "(240-text_h)/2+3")
    wm = WatermarkParams(origin="BottomLeft", x_pos="0px", y_pos="7px")
    assert watermark._position(wm, W, H, "w", "h") == ("0", "240-h-7")
    rule = position_rule(WatermarkParams(origin="BottomRight"), W, H)
    assert (rule.x.anchor, rule.y.anchor) == ("end", "end")


def test_numbers_follow_ffmpeg_rounding() -> None:
    # 13% of 320 = 41.6 → 42 wide; height av_rescale(42, 20, 40) = 21
    assert logo_size(WatermarkParams(width="13%"), W, *LOGO) == (42, 21)
    assert logo_size(WatermarkParams(width="0"), W, *LOGO) == LOGO  # own size
    assert logo_size(WatermarkParams(width="25px"), W, *LOGO) == (25, 13)  # 12.5 rounds half up
    # overlay aligns to even pixels in 4:2:0: 7 → 6; Center truncates (320-41)/2 = 139.5 → 139 → 138
    assert placement(W, H, *LOGO, WatermarkParams(origin="TopLeft", x_pos="7px", y_pos="5px", width="0")) == \
        Placement(6, 4, 40, 20)
    assert placement(W, H, 41, 20, WatermarkParams(origin="Center", x_pos="0px", y_pos="0px", width="0")).x == 138
    # text is placed by drawtext: truncated, never aligned
    assert placement(W, H, 41, 15, WatermarkParams(type="text", origin="TopLeft", x_pos="7px", y_pos="5px")) == \
        Placement(7, 5, 41, 15)
    assert placement(W, H, 41, 15, WatermarkParams(type="text", origin="BottomRight", x_pos="3px",
                                                   y_pos="3px")) == Placement(276, 222, 41, 15)


def _drawn_box(clip: Path, wm: WatermarkParams, staging: Path) -> tuple[int, int, int, int]:
    """Run the real overlay chain (the filter module's) on a black frame; the white box's x, y, w, h."""
    ctx = make_context("transcode", TranscodeParams(short_side=0, watermarks=[wm]), clip, staging)
    video = watermark.apply_watermarks(ctx, ffmpeg.input(str(clip))["v"], [wm], W, H)
    argv = ffmpeg.output(video, "pipe:", format="rawvideo", pix_fmt="gray", frames=1).compile(
        cmd=media_factory.ffmpeg_exe())
    proc = subprocess.run(argv, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    pixels = proc.stdout[:W * H]
    lit = [(i % W, i // W) for i, v in enumerate(pixels) if v > 128]
    xs, ys = [p[0] for p in lit], [p[1] for p in lit]
    return min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1


@pytest.mark.parametrize("origin, x_pos, y_pos, width", [
    ("TopLeft", "7px", "5px", "13%"),
    ("TopRight", "16px", "16px", "0"),
    ("BottomLeft", "5%", "10%", "25px"),
    ("BottomRight", "3px", "9px", "13%"),
    ("Center", "10%", "3px", "41px"),
])
def test_placement_is_where_ffmpeg_draws(black_clip: Path, white_logo: Path, tmp_path: Path, origin: str,
                                         x_pos: str, y_pos: str, width: str) -> None:
    wm = WatermarkParams(image_path=str(white_logo), origin=origin, x_pos=x_pos, y_pos=y_pos, width=width)
    expected = placement(W, H, *LOGO, wm)
    assert _drawn_box(black_clip, wm, tmp_path) == (expected.x, expected.y, expected.w, expected.h)
