"""Watermarks: pixels change where the watermark should be and nowhere else; hostile text is drawn as written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import ffmpeg
import pytest

from mediaflow_gui.media.base import TaskInputError
from mediaflow_gui.media.builders import build_step
from mediaflow_gui.media.filters import watermark
from mediaflow_gui.media.fonts import FontNotFoundError, find_font
from mediaflow_gui.model.params import TranscodeParams, WatermarkParams
from tests.media.avcheck import RGB, frame_at, props
from tests.media.conftest import make_context, run_jobs
from tests.media_factory import ffmpeg_exe

W, H = 320, 240  # the clip's size; transcodes below keep it (short_side=0)
LOGO_W, LOGO_H = 64, 32  # watermark_png is 64x32, opaque red


def params(*wms: WatermarkParams) -> TranscodeParams:
    return TranscodeParams(short_side=0, encoder_preset="ultrafast", crf=18, audio_codec="none", watermarks=list(wms))


@pytest.fixture(scope="module")
def baseline(video_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same transcode without a watermark, to compare pixels against."""
    ctx = make_context("transcode", params(), video_clip, tmp_path_factory.mktemp("baseline"))
    return run_jobs(build_step(ctx))[0].path


def is_red(frame: RGB, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    r, g, b = frame.mean(x0 + 4, y0 + 4, x1 - 4, y1 - 4)  # inner part: chroma subsampling blurs edges
    return r > 170 and g < 90 and b < 90


def region_diff(a: RGB, b: RGB, box: tuple[int, int, int, int]) -> float:
    ma, mb = a.mean(*box), b.mean(*box)
    return sum(abs(x - y) for x, y in zip(ma, mb)) / 3


@pytest.mark.parametrize("origin, x_pos, y_pos, box", [
    ("TopRight", "16px", "16px", (W - 16 - LOGO_W, 16, W - 16, 16 + LOGO_H)),
    ("TopLeft", "0px", "0px", (0, 0, LOGO_W, LOGO_H)),
    ("BottomLeft", "5%", "10%", (16, H - 24 - LOGO_H, 16 + LOGO_W, H - 24)),
    ("BottomRight", "8px", "8px", (W - 8 - LOGO_W, H - 8 - LOGO_H, W - 8, H - 8)),
    ("Center", "10%", "0px", ((W - LOGO_W) // 2 + 32, (H - LOGO_H) // 2, (W + LOGO_W) // 2 + 32, (H + LOGO_H) // 2)),
])
def test_image_watermark_lands_in_place(video_clip: Path, watermark_png: Path, baseline: Path, build_and_run,
                                        origin: str, x_pos: str, y_pos: str, box: tuple[int, int, int, int]) -> None:
    # width 20% of 320 px = 64 px: the logo's own size, so the box is exact
    wm = WatermarkParams(image_path=str(watermark_png), origin=origin, x_pos=x_pos, y_pos=y_pos, width="20%")
    (out,) = build_and_run("transcode", params(wm), video_clip)
    marked, plain = frame_at(out.path, 1.0), frame_at(baseline, 1.0)
    assert is_red(marked, box) and not is_red(plain, box)
    # the opposite corner of the picture is untouched
    far = (0, 0, 48, 48) if origin in ("BottomRight", "Center") else (W - 48, H - 48, W, H)
    assert region_diff(marked, plain, far) < 3


def test_image_width_in_pixels_scales_the_logo(video_clip: Path, watermark_png: Path, build_and_run) -> None:
    wm = WatermarkParams(image_path=str(watermark_png), origin="TopLeft", x_pos="0px", y_pos="0px", width="128px")
    (out,) = build_and_run("transcode", params(wm), video_clip)
    frame = frame_at(out.path, 1.0)
    assert is_red(frame, (0, 0, 128, 64))  # 64x32 scaled to 128 wide keeps its aspect: 128x64


def test_start_and_end_limit_the_watermark(video_clip: Path, watermark_png: Path, baseline: Path,
                                           build_and_run) -> None:
    wm = WatermarkParams(image_path=str(watermark_png), origin="TopLeft", x_pos="0px", y_pos="0px", width="20%",
                         start="1s", end="2s")
    (out,) = build_and_run("transcode", params(wm), video_clip)
    box = (0, 0, LOGO_W, LOGO_H)
    assert not is_red(frame_at(out.path, 0.5), box)
    assert region_diff(frame_at(out.path, 0.5), frame_at(baseline, 0.5), box) < 3
    assert is_red(frame_at(out.path, 1.5), box)
    assert not is_red(frame_at(out.path, 2.5), box)


HOSTILE = "it's: 100% \\ \"quoted\" [a,b;c] {x} =é 東京 %{pts} \\n"


def test_text_watermark_with_hostile_text(video_clip: Path, baseline: Path, build_and_run) -> None:
    wm = WatermarkParams(type="text", text=HOSTILE, origin="BottomLeft", x_pos="8px", y_pos="8px",
                         font_size=20, font_color="yellow")
    (out,) = build_and_run("transcode", params(wm), video_clip)
    marked, plain = frame_at(out.path, 1.0), frame_at(baseline, 1.0)
    assert region_diff(marked, plain, (8, H - 40, 200, H - 8)) > 5  # text drawn bottom-left
    assert region_diff(marked, plain, (0, 0, 80, 80)) < 3  # and not top-left


def _render_text(tmp_path: Path, **drawtext: object) -> bytes:
    """One 400x60 black frame with drawtext applied, as raw RGB."""
    stream = ffmpeg.input("color=c=black:s=400x60:d=0.1", f="lavfi").filter("drawtext", **drawtext)
    args = [ffmpeg_exe(), *ffmpeg.output(stream, "pipe:", f="rawvideo", pix_fmt="rgb24", **{"frames:v": 1}).get_args()]
    proc = subprocess.run(args, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout


def test_text_is_drawn_exactly_as_written(tmp_path: Path) -> None:
    """text= (escaped by us) must draw the same pixels as textfile= (read raw from a file)."""
    font = find_font()
    common = dict(font_size=16, font_color="white", x="4", y="20")
    via_option = _render_text(tmp_path, **watermark.drawtext_kwargs(HOSTILE, font, **common))
    textfile = tmp_path / "text.txt"
    textfile.write_bytes(HOSTILE.encode("utf-8"))
    raw_kwargs = watermark.drawtext_kwargs("unused", font, **common)
    del raw_kwargs["text"]
    via_file = _render_text(tmp_path, textfile=str(textfile), **raw_kwargs)
    assert any(via_option), "something was drawn"
    assert via_option == via_file
    shorter = _render_text(tmp_path, **watermark.drawtext_kwargs(HOSTILE.split(":")[0], font, **common))
    assert shorter != via_option, "the text after the colon was drawn too"


def test_watermark_task_of_its_own(video_clip: Path, watermark_png: Path, build_and_run) -> None:
    wm = WatermarkParams(image_path=str(watermark_png), origin="TopLeft", x_pos="0px", y_pos="0px", width="20%")
    (out,) = build_and_run("watermark", wm, video_clip)
    assert out.path.name == "clip_watermark.mp4"
    p = props(out.path)
    assert (p.video[0].codec, p.video[0].width, p.video[0].height) == ("h264", 320, 240)
    assert p.audio[0].codec == "aac" and p.duration == pytest.approx(4.0, abs=0.1)
    assert abs(p.video[0].frames - 100) <= 1
    assert is_red(frame_at(out.path, 1.0), (0, 0, LOGO_W, LOGO_H))


def test_missing_image_is_a_task_input_error(video_clip: Path, make_ctx, tmp_path: Path) -> None:
    wm = WatermarkParams(image_path=str(tmp_path / "gone.png"))
    with pytest.raises(TaskInputError, match="gone.png"):
        build_step(make_ctx("transcode", params(wm), video_clip))


def test_no_font_is_a_task_input_error(video_clip: Path, make_ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_font() -> Path:
        raise FontNotFoundError("no font file was found")

    monkeypatch.setattr(watermark, "find_font", no_font)
    wm = WatermarkParams(type="text", text="hello")
    with pytest.raises(TaskInputError, match="'Logo'.*no font file"):
        build_step(make_ctx("transcode", params(wm), video_clip, name="Logo"))


def test_watermark_on_audio_only_input(audio_only: Path, make_ctx) -> None:
    with pytest.raises(TaskInputError, match="'tone.m4a' has no video stream.*'Stamp'"):
        build_step(make_ctx("watermark", WatermarkParams(type="text", text="x"), audio_only, name="Stamp"))


def test_before_ffmpeg_7_the_logo_is_read_inside_the_graph(make_ctx, video_clip: Path, watermark_png: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """FFmpeg < 7 reads a second `-i` input only when its own output is scheduled: with late-starting
    siblings the main video piled up in the overlay (1.1 GB on 20 s of 1080p with 5.1). A `movie`
    source inside the graph avoids that; 7.0+ keeps the `-i` input."""
    import dataclasses

    from mediaflow_gui.media.builders import common

    wm = WatermarkParams(image_path=str(watermark_png), width="20%")
    real = common.capabilities
    for version, expect_movie in (((5, 1, 9), True), ((9, 0, 2), False)):
        monkeypatch.setattr(common, "capabilities",
                            lambda path, v=version: dataclasses.replace(real(path), version=v))
        ctx = make_ctx("transcode", params(wm), video_clip)
        argv = build_step(ctx).jobs[0].args
        graph = argv[argv.index("-filter_complex") + 1]
        assert ("movie=" in graph) is expect_movie
        assert argv.count("-i") == (1 if expect_movie else 2)
