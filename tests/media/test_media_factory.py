"""The real-world-like test media of tests/media_factory.py hold what their docstrings say.

Each generator's file is read back with PyAV (tests/media/avcheck.py) and, for interlacing, with
FFmpeg's idet and showinfo. Where a property is about how a picture *looks* (HDR that is really a
conversion of the SDR pattern, fields that really are woven in time order) the test also runs the
FFmpeg filter that undoes it and checks the result, so the checkers are shown to tell right from
wrong. Files are made once per module at small sizes; the whole module runs in seconds.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import pytest

from tests import media_factory as mf
from tests.media import avcheck

pytestmark = pytest.mark.slow  # encodes real-world media (HDR, interlaced, ProRes, DV) and decodes it again


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("real_world_media")


def _ffmpeg(*args: str) -> None:
    proc = subprocess.run([mf.ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def _filtered(source: Path, vf: str, out: Path) -> Path:
    """`source` through the video filter `vf`, as 8-bit H.264 (no audio)."""
    _ffmpeg("-i", str(source), "-map", "0:v:0", "-vf", vf, "-c:v", "libx264", "-preset", "ultrafast",
            "-crf", "16", "-pix_fmt", "yuv420p", str(out))
    return out


# --- HDR --------------------------------------------------------------------------------------------
# the conversion back that make_hdr_video promises: linear light with 100-nit white, BT.709 again
_BACK_TO_SDR = ("zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
                "zscale=t=bt709:m=bt709:r=tv,format=yuv420p")


@pytest.fixture(scope="module")
def sdr_reference(media: Path) -> Path:
    return mf.make_sdr_reference(media / "sdr.mp4", seconds=1, width=480, height=270)


@pytest.fixture(scope="module", params=["pq", "hlg"])
def hdr_clip(request: pytest.FixtureRequest, media: Path) -> tuple[str, Path]:
    return request.param, mf.make_hdr_video(media / f"{request.param}.mp4", request.param, seconds=1, width=480,
                                            height=270)


def test_sdr_reference_is_bt709_limited(sdr_reference: Path) -> None:
    v = avcheck.video_props(sdr_reference)
    assert (v.codec, v.pix_fmt, v.width, v.height, v.fps) == ("h264", "yuv420p", 480, 270, 25)
    assert (v.color_primaries, v.color_trc, v.colorspace, v.color_range) == ("bt709", "bt709", "bt709", "tv")


def test_hdr_clip_is_hevc_main10_tagged_in_container_and_bitstream(hdr_clip: tuple[str, Path], media: Path) -> None:
    transfer, path = hdr_clip
    trc = {"pq": "smpte2084", "hlg": "arib-std-b67"}[transfer]
    v = avcheck.video_props(path)
    assert (v.codec, v.profile, v.codec_tag, v.pix_fmt, v.bit_depth) == ("hevc", "Main 10", "hvc1", "yuv420p10le", 10)
    assert (v.width, v.height, v.fps, v.field_order, v.rotation) == (480, 270, 25, "progressive", 0)
    assert (v.color_primaries, v.color_trc, v.colorspace, v.color_range) == ("bt2020", trc, "bt2020nc", "tv")
    assert avcheck.mp4_colr(path) == ("bt2020", trc, "bt2020nc", "tv")
    assert [t.codec for t in avcheck.audio_tracks(path)] == ["aac"]

    # the bare HEVC stream (no container to tag it) says the same through its VUI and SEI
    bare = media / f"{transfer}.hevc"
    _ffmpeg("-i", str(path), "-map", "0:v", "-c", "copy", "-f", "hevc", str(bare))
    b = avcheck.video_props(bare)
    assert (b.color_primaries, b.color_trc, b.colorspace, b.color_range) == ("bt2020", trc, "bt2020nc", "tv")

    boxes = avcheck.mp4_sample_entry(path)[1]
    for meta in (avcheck.hdr_metadata(path), avcheck.hdr_metadata(bare)):
        if transfer == "pq":
            assert (meta.max_cll, meta.max_fall) == mf.HDR_MAX_CLL
            assert (meta.min_luminance, meta.max_luminance) == pytest.approx((0.0001, 1000.0))
            assert meta.primaries is not None and meta.white_point is not None
            assert [c for xy in meta.primaries for c in xy] == pytest.approx([0.68, 0.32, 0.265, 0.69, 0.15, 0.06])
            assert meta.white_point == pytest.approx((0.3127, 0.329))
        else:
            assert meta == avcheck.HdrSideData()  # HLG: no static metadata, like phone recordings
    assert ({"mdcv", "clli"} <= set(boxes)) == (transfer == "pq")


def test_hdr_clip_looks_flat_as_sdr_and_converts_back(hdr_clip: tuple[str, Path], sdr_reference: Path,
                                                      media: Path) -> None:
    transfer, path = hdr_clip
    sdr = avcheck.luma_stats(sdr_reference, 0.5)
    raw = avcheck.luma_stats(path, 0.5)  # the code values an SDR screen would show untouched
    assert raw.stddev < 0.65 * sdr.stddev and raw.max < 0.8 * sdr.max, (raw, sdr)
    if transfer == "pq":  # 100-nit white is mid-scale in PQ: the flattest of the two
        assert raw.stddev < 0.45 * sdr.stddev and raw.max < 0.7 * sdr.max, (raw, sdr)

    back = _filtered(path, _BACK_TO_SDR, media / f"{transfer}_back.mp4")
    got = avcheck.luma_stats(back, 0.5)
    assert abs(got.mean - sdr.mean) < 8 and 0.85 < got.stddev / sdr.stddev < 1.15, (got, sdr)
    reference = avcheck.frame_at(sdr_reference, 0.5)
    assert avcheck.frame_at(back, 0.5).mean_abs_diff(reference) < 15
    assert avcheck.frame_at(path, 0.5).mean_abs_diff(reference) > 50  # untouched: far off


def test_hdr_phone_portrait_clip(media: Path) -> None:
    path = mf.make_hdr_video(media / "portrait.mp4", "hlg", seconds=1, width=320, height=180, rotation=90)
    v = avcheck.video_props(path)
    assert (v.width, v.height, v.rotation) == (320, 180, 90)
    assert (v.color_primaries, v.color_trc, v.pix_fmt) == ("bt2020", "arib-std-b67", "yuv420p10le")


def test_make_hdr_video_rejects_unknown_transfer(media: Path) -> None:
    with pytest.raises(ValueError, match="transfer"):
        mf.make_hdr_video(media / "x.mp4", "hdr10+")


# --- Interlaced -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "codec", "tff", "order"), [
    ("tff.ts", "h264", True, "tt"),
    ("bff.mkv", "h264", False, "bb"),
    ("tff.mpg", "mpeg2video", True, "tt"),
])
def test_interlaced_is_flagged_and_woven(media: Path, name: str, codec: str, tff: bool, order: str) -> None:
    path = mf.make_interlaced(media / name, codec=codec, tff=tff, seconds=1, width=360, height=288)
    v = avcheck.video_props(path)
    assert (v.codec, v.width, v.height, v.fps, v.pix_fmt) == (codec, 360, 288, 25, "yuv420p")
    assert v.field_order == order and v.frame_interlaced
    assert avcheck.frame_field_order(path) == order
    counts = avcheck.idet(path)
    assert counts.verdict == ("tff" if tff else "bff") and counts.decided >= 22, counts
    assert avcheck.marker_track(path) == [None] * 12  # every frame mixes two fields
    assert len(avcheck.audio_tracks(path)) == 1


def test_interlaced_fields_are_in_time_order(media: Path) -> None:
    """Deinterlacing with the flagged parity shows one bar per frame, one field further each time."""
    path = mf.make_interlaced(media / "order.ts", seconds=1)  # the default 720x576
    per_field = _filtered(path, "bwdif=mode=send_field", media / "order_fields.mp4")
    assert avcheck.marker_steps(avcheck.marker_track(per_field)) == [1.0] * 11
    per_frame = _filtered(path, "yadif", media / "order_frames.mp4")
    assert avcheck.marker_steps(avcheck.marker_track(per_frame)) == [2.0] * 11
    assert avcheck.mostly_progressive(per_frame)
    # merely scaled to another height, the fields stay mixed: idet no longer sees combs, the marker does
    scaled = _filtered(path, "scale=640:360", media / "order_scaled.mp4")
    assert avcheck.mostly_progressive(scaled)
    assert avcheck.marker_track(scaled) == [None] * 12


def test_interlaced_content_flagged_progressive(media: Path) -> None:
    path = mf.make_interlaced(media / "lies.ts", flag=False, seconds=1, width=360, height=288)
    v = avcheck.video_props(path)
    assert v.field_order == "progressive" and not v.frame_interlaced
    assert avcheck.frame_field_order(path) == "progressive"
    counts = avcheck.idet(path)
    assert counts.verdict == "tff" and counts.tff >= 22, counts
    assert not avcheck.mostly_progressive(path)
    assert avcheck.marker_track(path, 4) == [None] * 4


def test_interlaced_container_order_as_ffmpeg_writes_it(media: Path) -> None:
    path = mf.make_interlaced(media / "bt.mkv", width=320, height=240, seconds=0.4, tff=False, container_order="bt")
    assert avcheck.video_props(path).field_order == "bt"
    assert avcheck.frame_field_order(path) == "bb"
    with pytest.raises(ValueError, match="container_order"):
        mf.make_interlaced(media / "bt.ts", container_order="bt")


# --- Camera files -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tape.dv", "tape.avi"])
def test_dv_is_pal_bottom_field_first(media: Path, name: str) -> None:
    path = mf.make_dv(media / name, seconds=1)
    v = avcheck.video_props(path)
    assert (v.codec, v.width, v.height, v.pix_fmt, v.fps) == ("dvvideo", 720, 576, "yuv420p", 25)
    assert (v.sar, v.dar) == (Fraction(16, 15), Fraction(4, 3))
    assert v.container == ("dv" if name.endswith(".dv") else "avi")
    assert v.field_order == "unknown" and v.frame_interlaced  # DV has no stream-level field order
    assert avcheck.frame_field_order(path) == "bb"
    counts = avcheck.idet(path)
    assert counts.verdict == "bff" and counts.decided >= 22, counts
    [audio] = avcheck.audio_tracks(path)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("pcm_s16le", 48000, 2)
    assert avcheck.dominant_frequency(path) == pytest.approx(440, abs=5)


def test_dv_fields_are_bottom_first_in_time(media: Path) -> None:
    path = mf.make_dv(media / "parity.dv", seconds=1)
    right = _filtered(path, "bwdif=mode=send_field", media / "parity_right.mp4")
    assert avcheck.marker_steps(avcheck.marker_track(right)) == [1.0] * 11
    wrong = _filtered(path, "bwdif=mode=send_field:parity=tff", media / "parity_wrong.mp4")
    steps = avcheck.marker_steps(avcheck.marker_track(wrong))
    assert set(steps) == {-1.0, 3.0}, steps  # the fields shown in the wrong order: back one, on three


def test_prores_is_422_hq_10bit(media: Path) -> None:
    path = mf.make_prores(media / "master.mov")
    v = avcheck.video_props(path)
    assert (v.codec, v.profile, v.codec_tag, v.pix_fmt, v.bit_depth) == ("prores", "HQ", "apch", "yuv422p10le", 10)
    assert (v.width, v.height, v.fps, v.field_order) == (640, 360, 25, "progressive")
    assert avcheck.mostly_progressive(path)
    [audio] = avcheck.audio_tracks(path)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("pcm_s16le", 48000, 2)


def test_mjpeg_avi_is_full_range(media: Path) -> None:
    path = mf.make_mjpeg_avi(media / "webcam.avi", seconds=1)
    v = avcheck.video_props(path)
    assert (v.codec, v.codec_tag, v.container, v.pix_fmt, v.color_range) == ("mjpeg", "MJPG", "avi", "yuvj420p", "pc")
    assert (v.width, v.height, v.fps) == (640, 480, 30)
    assert avcheck.luma_stats(path).min < 10  # black below limited range's 16: full-range codes
    assert avcheck.mostly_progressive(path)
    [audio] = avcheck.audio_tracks(path)
    assert (audio.codec, audio.channels) == ("pcm_s16le", 1)
    webcam422 = mf.make_mjpeg_avi(media / "webcam422.avi", seconds=0.5, chroma="422")
    assert avcheck.video_props(webcam422).pix_fmt == "yuvj422p"


def test_anamorphic_is_720x480_shown_16_9(media: Path) -> None:
    path = mf.make_anamorphic(media / "dvd.mp4", seconds=1)
    v = avcheck.video_props(path)
    assert (v.codec, v.width, v.height, v.fps) == ("h264", 720, 480, Fraction(30000, 1001))
    assert (v.sar, v.dar, v.display_width) == (Fraction(32, 27), Fraction(16, 9), 853)
    pasp = avcheck.mp4_sample_entry(path)[1]["pasp"]
    assert (int.from_bytes(pasp[:4], "big"), int.from_bytes(pasp[4:8], "big")) == (32, 27)


# --- Tracks -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "sub_default"), [("film.mkv", False), ("film.mp4", True)])
def test_multitrack_languages_defaults_and_tones(media: Path, name: str, sub_default: bool) -> None:
    path = mf.make_multitrack(media / name, seconds=1.5)
    tracks = avcheck.audio_tracks(path)
    assert [(t.index, t.language, t.default) for t in tracks] == [(1, "fra", False), (2, "eng", True)]
    tones = [avcheck.dominant_frequency(path, i) for i in range(2)]
    assert tones == [pytest.approx(440, abs=5), pytest.approx(1000, abs=5)]
    assert avcheck.subtitle_count(path) == 1
    assert (media / "film.srt").read_text(encoding="utf-8").startswith("1\n00:00:00,000 --> 00:00:00,900\nHello")
    with av.open(str(path)) as c:
        sub = c.streams.subtitles[0]
        assert (sub.codec_context.codec.canonical_name, sub.language) == (
            "mov_text" if name.endswith(".mp4") else "subrip", "eng")
        assert bool(int(sub.disposition) & 1) == sub_default


def test_tone_checker_tells_which_track_an_output_carries(media: Path) -> None:
    path = mf.make_multitrack(media / "pick.mkv", seconds=1.5)
    chosen = media / "ffmpeg_choice.m4a"
    _ffmpeg("-i", str(path), "-vn", "-sn", "-c:a", "aac", str(chosen))  # FFmpeg picks the default track
    first = media / "first_track.m4a"
    _ffmpeg("-i", str(path), "-map", "0:a:0", "-c:a", "aac", str(first))
    assert avcheck.dominant_frequency(chosen) == pytest.approx(1000, abs=5)
    assert avcheck.dominant_frequency(first) == pytest.approx(440, abs=5)


# --- Stills -----------------------------------------------------------------------------------------
def test_video_props_of_still_images(media: Path) -> None:
    png = avcheck.video_props(mf.make_png(media / "logo.png"))
    assert (png.codec, png.pix_fmt, png.width, png.height, png.fps) == ("png", "rgba", 64, 32, None)
    jpg_path = media / "still.jpg"
    mf.run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1", str(jpg_path)])
    jpg = avcheck.video_props(jpg_path)
    assert (jpg.codec, jpg.pix_fmt, jpg.color_range, jpg.fps, jpg.dar) == ("mjpeg", "yuvj420p", "pc", None,
                                                                           Fraction(4, 3))
