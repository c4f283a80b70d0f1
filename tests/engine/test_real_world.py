"""Real media through the engine (fused, as a person runs it): HDR phone video, interlaced broadcast
and camcorder files, ProRes, a webcam's MJPEG, anamorphic DVD video, multi-track files.

Each case checks what the outputs really hold (colour tags, pixel format, idet's verdict, the
display aspect, the audio track's tone), not only that the run succeeded. The media are made
with lavfi in tests/media_factory.py; every file is small (1–2 s) so the module stays fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest

from mediaflow_gui.engine.events import SubtaskStarted
from mediaflow_gui.media import ffmpeg_caps
from mediaflow_gui.model.params import (AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams,
                                        SnapshotParams, TranscodeParams)
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from tests import media_factory
from tests.engine.helpers import Recorder, make_engine, parallel_workflow, task_node
from tests.media import avcheck

pytestmark = pytest.mark.slow  # real-world media made and run on real FFmpeg


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("realworld")


@pytest.fixture(scope="module")
def pq_clip(media: Path) -> Path:
    return media_factory.make_hdr_video(media / "phone_pq.mp4", "pq", seconds=1.0, width=480, height=270,
                                        sdr_reference=media / "phone_sdr.mp4")


@pytest.fixture(scope="module")
def hlg_clip(media: Path) -> Path:
    return media_factory.make_hdr_video(media / "phone_hlg.mp4", "hlg", seconds=1.0, width=480, height=270)


@pytest.fixture(scope="module")
def interlaced_ts(media: Path) -> Path:
    return media_factory.make_interlaced(media / "broadcast_576i.ts", width=360, height=288, seconds=1.0)


def sdr_reference(media: Path) -> Path:
    return media / "phone_sdr.mp4"


def transcode(definition: str = "SD", **kw: object) -> TranscodeParams:
    params = TranscodeParams(definition=definition, short_side=0, encoder_preset="ultrafast", crf=23,
                             audio_bitrate_kbps=64)
    for key, value in kw.items():
        setattr(params, key, value)
    return params


def run_workflow(tmp_path: Path, source: Path, *tasks: object, **settings: object):  # type: ignore[no-untyped-def]
    nodes = [task_node(kind, name, params) for kind, params, name in tasks]  # type: ignore[misc]
    engine = make_engine(tmp_path, **settings)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(parallel_workflow(*nodes), source, tmp_path / "out"))
    by_name = {s.name: s for s in record.subtasks}
    return record, by_name, rec


def output(sub, kind: str = "") -> Path:  # type: ignore[no-untyped-def]
    paths = [Path(o["path"]) for o in sub.outputs if not kind or o.get("kind") == kind]
    assert paths, f"{sub.name} produced no {kind or 'file'}"
    return paths[0]


def assert_success(record) -> None:  # type: ignore[no-untyped-def]
    assert record.result == RunResult.SUCCESS, [(s.name, s.message) for s in record.subtasks]


def assert_looks_like(picture: avcheck.LumaStats, reference: avcheck.LumaStats) -> None:
    """Brightness and contrast of a tone-mapped picture close to the SDR original's (mobius keeps
    mid-tones; the untouched HDR signal is ~25 % darker in contrast and grey)."""
    assert abs(picture.mean - reference.mean) < 0.15 * reference.mean, (picture, reference)
    assert picture.stddev > 0.8 * reference.stddev, (picture, reference)


# -- HDR ---------------------------------------------------------------------------------------------
def test_pq_phone_video_becomes_bt709_sdr_everywhere(tmp_path: Path, pq_clip: Path, media: Path) -> None:
    record, subs, rec = run_workflow(
        tmp_path, pq_clip,
        ("transcode", transcode("SD"), "SD"),
        ("snapshot", SnapshotParams(offsets=["0.5s"], format="png"), "Shots"),
        ("sample_snapshot", SampleSnapshotParams(interval="50%", format="png"), "Samples"),
        ("animated_image", AnimatedImageParams(start="0s", end="0.8s", fps=5, width=160), "GIF"),
        ("image_sprite", ImageSpriteParams(interval="0.5s", rows=1, columns=2, width=120), "Sprite"))
    assert_success(record)
    sd = output(subs["SD"])
    props = avcheck.video_props(sd)
    assert (props.pix_fmt, props.bit_depth) == ("yuv420p", 8)
    assert (props.color_primaries, props.color_trc, props.colorspace, props.color_range) == (
        "bt709", "bt709", "bt709", "tv")
    reference = avcheck.luma_stats(sdr_reference(media), 0.5)
    raw = avcheck.luma_stats(pq_clip, 0.5)
    assert raw.stddev < 0.8 * reference.stddev  # the HDR signal read as SDR: the grey, flat picture
    assert_looks_like(avcheck.luma_stats(sd, 0.5), reference)
    assert_looks_like(avcheck.luma_stats(output(subs["Shots"])), reference)
    assert_looks_like(avcheck.luma_stats(output(subs["Samples"])), avcheck.luma_stats(sdr_reference(media), 0.0))
    # the same GIF made from the SDR original: palette and dithering change the statistics alike
    _, sdr_subs, _ = run_workflow(tmp_path / "sdr", sdr_reference(media),
                                  ("animated_image", AnimatedImageParams(start="0s", end="0.8s", fps=5, width=160),
                                   "GIF"))
    assert_looks_like(avcheck.luma_stats(output(subs["GIF"])), avcheck.luma_stats(output(sdr_subs["GIF"])))
    sheet = avcheck.luma_stats(output(subs["Sprite"], "image"))
    assert sheet.stddev > 0.6 * reference.stddev
    # one FFmpeg process, one tone-mapping for all five outputs
    commands = {e.command for e in rec.of(SubtaskStarted)}
    assert len(commands) == 1
    graph = next(iter(commands))[list(next(iter(commands))).index("-filter_complex") + 1]
    # the three zscale stages and the tonemap of ONE chain, on the decode, before the split
    assert graph.count("]tonemap=") == 1 and graph.count("]zscale=") == 3 and graph.startswith("[0:v:0]zscale="), graph


def test_pq_kept_hdr_in_h265_with_its_metadata(tmp_path: Path, pq_clip: Path) -> None:
    record, subs, _ = run_workflow(
        tmp_path, pq_clip,
        ("transcode", transcode("HDR", video_codec="h265"), "HEVC auto"),
        ("transcode", transcode("SDR", video_codec="h265", hdr="tonemap"), "HEVC tonemap"))
    assert_success(record)
    kept = avcheck.video_props(output(subs["HEVC auto"]))
    assert (kept.codec, kept.pix_fmt) == ("hevc", "yuv420p10le")
    assert (kept.color_primaries, kept.color_trc, kept.colorspace, kept.color_range) == (
        "bt2020", "smpte2084", "bt2020nc", "tv")
    meta = avcheck.hdr_metadata(output(subs["HEVC auto"]))
    assert (meta.max_cll, meta.max_fall) == media_factory.HDR_MAX_CLL
    assert meta.max_luminance == pytest.approx(1000.0) and meta.primaries is not None
    sdr = avcheck.video_props(output(subs["HEVC tonemap"]))
    assert (sdr.pix_fmt, sdr.color_trc, sdr.color_primaries) == ("yuv420p", "bt709", "bt709")


def test_hlg_phone_video_is_tone_mapped(tmp_path: Path, hlg_clip: Path, media: Path) -> None:
    record, subs, _ = run_workflow(
        tmp_path, hlg_clip,
        ("transcode", transcode("SD"), "SD"),
        ("snapshot", SnapshotParams(offsets=["0.5s"], format="jpg"), "Shots"))
    assert_success(record)
    props = avcheck.video_props(output(subs["SD"]))
    assert (props.color_primaries, props.color_trc, props.colorspace) == ("bt709", "bt709", "bt709")
    reference = avcheck.luma_stats(sdr_reference(media), 0.5)
    assert avcheck.luma_stats(output(subs["SD"]), 0.5).stddev > 0.8 * reference.stddev
    assert avcheck.luma_stats(output(subs["Shots"])).stddev > 0.8 * reference.stddev


def test_portrait_hdr_phone_clip_keeps_its_orientation(tmp_path: Path, media: Path) -> None:
    clip = media_factory.make_hdr_video(media / "portrait.mp4", "hlg", seconds=0.6, width=320, height=180,
                                        rotation=90, audio=False)
    record, subs, _ = run_workflow(tmp_path, clip, ("transcode", transcode("SD"), "SD"),
                                   ("snapshot", SnapshotParams(offsets=["0.2s"]), "Shots"))
    assert_success(record)
    out = avcheck.video_props(output(subs["SD"]))
    assert (out.width, out.height, out.rotation) == (180, 320, 0)
    assert out.color_trc == "bt709"
    shot = avcheck.video_props(output(subs["Shots"]))
    assert (shot.width, shot.height) == (180, 320)


def test_without_zscale_the_lut_approximation_is_used_and_said(tmp_path: Path, pq_clip: Path, media: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real = ffmpeg_caps.capabilities

    def no_zscale(path, **kw):  # type: ignore[no-untyped-def]
        caps = real(path, **kw)
        return dataclasses.replace(caps, filters=caps.filters - {"zscale"})

    monkeypatch.setattr("mediaflow_gui.media.builders.common.capabilities", no_zscale)
    record, subs, rec = run_workflow(tmp_path, pq_clip, ("transcode", transcode("SD"), "SD"),
                                     ("snapshot", SnapshotParams(offsets=["0.5s"], format="png"), "Shots"))
    assert_success(record)
    assert "LUT approximation" in subs["SD"].message and "zscale" in subs["SD"].message
    command = rec.of(SubtaskStarted)[0].command
    assert not any("zscale=" in a for a in command) and any("lut3d=" in a for a in command), command
    props = avcheck.video_props(output(subs["SD"]))
    assert (props.color_primaries, props.color_trc, props.colorspace, props.color_range) == (
        "bt709", "bt709", "bt709", "tv")
    reference = avcheck.luma_stats(sdr_reference(media), 0.5)
    assert_looks_like(avcheck.luma_stats(output(subs["Shots"])), reference)


# -- interlacing -------------------------------------------------------------------------------------
def test_interlaced_broadcast_is_deinterlaced_once_for_every_output(tmp_path: Path, interlaced_ts: Path) -> None:
    assert not avcheck.mostly_progressive(interlaced_ts)
    record, subs, rec = run_workflow(
        tmp_path, interlaced_ts,
        ("transcode", transcode("SD"), "SD"),
        ("transcode", transcode("Woven", deinterlace="off"), "Woven"),
        ("snapshot", SnapshotParams(offsets=["0.5s"], format="png"), "Shots"))
    assert_success(record)
    sd = output(subs["SD"])
    props = avcheck.video_props(sd)
    assert props.field_order in ("progressive", "unknown") and not props.frame_interlaced
    assert avcheck.mostly_progressive(sd)
    assert props.fps == Fraction(25)  # one frame per frame (send_frame): the frame rate stays
    # each deinterlaced frame shows one solid marker bar: a single field's moment
    assert all(f.solid > 3 * f.blended for f in avcheck.marker_frames(sd))
    assert any(f.solid for f in avcheck.marker_frames(output(subs["Shots"]), frames=1))
    assert not avcheck.mostly_progressive(output(subs["Woven"]))  # deinterlace off: still combs
    graph = rec.of(SubtaskStarted)[0].command
    graph = graph[list(graph).index("-filter_complex") + 1]
    assert graph.count("bwdif=") == 1 and "parity=tff" in graph


def test_dv_camcorder_tape_is_detected_by_idet_and_deinterlaced(tmp_path: Path, media: Path) -> None:
    dv = media_factory.make_dv(media / "camcorder.dv", seconds=1.0)
    record, subs, rec = run_workflow(tmp_path, dv, ("transcode", transcode("SD"), "SD"))
    assert_success(record)
    out = output(subs["SD"])
    assert avcheck.mostly_progressive(out)
    assert all(f.solid > 3 * f.blended for f in avcheck.marker_frames(out))
    command = " ".join(rec.of(SubtaskStarted)[0].command)
    assert "parity=bff" in command and "deint=all" in command
    # DV's 720x576 at SAR 16:15 shows as 4:3
    props = avcheck.video_props(out)
    assert Fraction(props.width, props.height) == pytest.approx(Fraction(4, 3), rel=0.01)


# -- cameras and discs -------------------------------------------------------------------------------
def test_prores_camera_master(tmp_path: Path, media: Path) -> None:
    prores = media_factory.make_prores(media / "camera.mov", seconds=0.6, width=320, height=180)
    record, subs, _ = run_workflow(tmp_path, prores, ("transcode", transcode("SD"), "SD"),
                                   ("snapshot", SnapshotParams(offsets=["0.2s"]), "Shots"))
    assert_success(record)
    props = avcheck.video_props(output(subs["SD"]))
    assert (props.codec, props.pix_fmt, props.width, props.height) == ("h264", "yuv420p", 320, 180)
    assert avcheck.audio_tracks(output(subs["SD"]))[0].codec == "aac"


def test_webcam_mjpeg_full_range_becomes_limited(tmp_path: Path, media: Path) -> None:
    avi = media_factory.make_mjpeg_avi(media / "webcam.avi", seconds=0.6, width=320, height=240)
    record, subs, _ = run_workflow(tmp_path, avi, ("transcode", transcode("SD"), "SD"))
    assert_success(record)
    sd = output(subs["SD"])
    props = avcheck.video_props(sd)
    assert (props.pix_fmt, props.color_range) == ("yuv420p", "tv")
    stats = avcheck.luma_stats(sd, 0.2)
    source = avcheck.luma_stats(avi, 0.2)  # full range: 0–255 code values
    # limited range maps 0–255 onto 16–235: the same picture's extremes land there, not where they were
    assert stats.max == pytest.approx(16 + source.max * 219 / 255, abs=4), (stats, source)
    assert stats.min == pytest.approx(16 + source.min * 219 / 255, abs=4), (stats, source)
    assert abs(stats.max - source.max) > 12


def test_anamorphic_dvd_video_keeps_its_display_aspect(tmp_path: Path, media: Path) -> None:
    dvd = media_factory.make_anamorphic(media / "dvd.mp4", seconds=0.6)
    record, subs, _ = run_workflow(tmp_path, dvd, ("transcode", transcode("SD", short_side=480), "SD"),
                                   ("snapshot", SnapshotParams(offsets=["0.2s"], format="png"), "Shots"))
    assert_success(record)
    for path in (output(subs["SD"]), output(subs["Shots"])):
        props = avcheck.video_props(path)
        assert props.sar == 1
        assert (props.width, props.height) == (854, 480)
        assert props.dar == pytest.approx(Fraction(16, 9), rel=0.01)


# -- tracks -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def multitrack(media: Path) -> Path:
    return media_factory.make_multitrack(media / "film.mkv", seconds=1.0)


def test_multitrack_uses_the_default_audio_and_drops_subtitles(tmp_path: Path, multitrack: Path) -> None:
    record, subs, _ = run_workflow(
        tmp_path, multitrack,
        ("transcode", transcode("Default"), "Default"),
        ("transcode", transcode("First", audio_track="1"), "First"),
        ("transcode", transcode("French", audio_track="fra", container="mkv", subtitles="keep"), "French"))
    assert_success(record)
    default, first, french = (output(subs[n]) for n in ("Default", "First", "French"))
    for path in (default, first, french):
        assert len(avcheck.audio_tracks(path)) == 1
    assert avcheck.dominant_frequency(default) == pytest.approx(1000, rel=0.05)  # eng, the default track
    assert avcheck.dominant_frequency(first) == pytest.approx(440, rel=0.05)
    assert avcheck.dominant_frequency(french) == pytest.approx(440, rel=0.05)
    assert avcheck.subtitle_count(default) == 0 and avcheck.subtitle_count(first) == 0
    assert avcheck.subtitle_count(french) == 1


def test_missing_audio_track_fails_before_ffmpeg_naming_the_node(tmp_path: Path, multitrack: Path) -> None:
    record, subs, rec = run_workflow(tmp_path, multitrack,
                                     ("transcode", transcode("German", audio_track="deu"), "German"))
    assert record.result == RunResult.FAIL
    sub = subs["German"]
    assert sub.status == SubtaskStatus.FAIL and sub.error_code == "InputNotSupported"
    assert "'German'" in sub.message and "'deu'" in sub.message and "fra" in sub.message and "eng" in sub.message
    assert not rec.of(SubtaskStarted)  # FFmpeg never started


def test_audio_only_input(tmp_path: Path, audio_only: Path) -> None:
    record, subs, rec = run_workflow(
        tmp_path, audio_only,
        ("transcode", transcode("audio", container="m4a", video_codec="none"), "Audio"),
        ("transcode", transcode("SD"), "Video"))
    assert subs["Audio"].status == SubtaskStatus.SUCCESS
    assert avcheck.props(output(subs["Audio"]), count_frames=False).audio
    video = subs["Video"]
    assert video.status == SubtaskStatus.FAIL and video.error_code == "InputNotSupported"
    assert "'Video'" in video.message and "no video stream" in video.message
    assert all(video.step_id not in (e.step_id,) for e in rec.of(SubtaskStarted))


# -- what the FFmpeg in use lacks ---------------------------------------------------------------------
def test_missing_encoder_fails_before_ffmpeg_with_the_fix(tmp_path: Path, video_clip: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = ffmpeg_caps.capabilities

    def no_x265(path, **kw):  # type: ignore[no-untyped-def]
        caps = real(path, **kw)
        return dataclasses.replace(caps, encoders=caps.encoders - {"libx265"})

    monkeypatch.setattr("mediaflow_gui.media.builders.common.capabilities", no_x265)
    record, subs, rec = run_workflow(tmp_path, video_clip,
                                     ("transcode", transcode("HEVC", video_codec="h265"), "HEVC"),
                                     ("transcode", transcode("SD"), "SD"))
    sub = subs["HEVC"]
    assert sub.status == SubtaskStatus.FAIL and sub.error_code == "FFmpegLacksFeature"
    assert "'HEVC'" in sub.message and "libx265" in sub.message and "choose another video codec" in sub.message
    assert subs["SD"].status == SubtaskStatus.SUCCESS
    assert all(e.step_id != sub.step_id for e in rec.of(SubtaskStarted))


def test_time_points_in_a_transport_stream_come_from_a_decode(tmp_path: Path, interlaced_ts: Path) -> None:
    """MPEG-TS has no index: `-ss T -i` lands mid-GOP and decodes nothing usable (1080i H.264 gave no
    frame at all), so time points there are taken from one decode, fused or not.

    Fused and apart may differ by one frame here: FFmpeg (6.1+) starts an input's clock at the first
    *used* stream, and a fused process that also maps the audio (which starts 19 ms before the video
    in this TS) sees every video frame 19 ms later."""
    shots = SnapshotParams(offsets=["0.3s", "0.7s"], format="png")
    apart, subs_apart, rec = run_workflow(tmp_path / "apart", interlaced_ts, ("snapshot", shots, "Shots"),
                                          fusion=False)
    assert_success(apart)
    command = rec.of(SubtaskStarted)[0].command
    assert "-ss" not in command and any("select=" in a for a in command)
    assert len(subs_apart["Shots"].outputs) == 2
    fused, subs_fused, _ = run_workflow(tmp_path / "fused", interlaced_ts, ("snapshot", shots, "Shots"),
                                        ("transcode", transcode("SD"), "SD"))
    assert_success(fused)
    frame = 1 / 25
    for t, a, b in zip((0.3, 0.7), subs_apart["Shots"].outputs, subs_fused["Shots"].outputs):
        image = avcheck.frame_at(Path(a["path"]))
        # the deinterlaced frame at or after t, decoded on its own
        assert image.mean_abs_diff(_deinterlaced_frame(interlaced_ts, t, tmp_path)) < 0.5
        fused_image = avcheck.frame_at(Path(b["path"]))
        assert min(fused_image.mean_abs_diff(_deinterlaced_frame(interlaced_ts, t + d, tmp_path))
                   for d in (-frame, 0.0)) < 0.5


def _deinterlaced_frame(source: Path, t: float, tmp_path: Path) -> avcheck.RGB:
    out = tmp_path / f"reference_{t:.3f}.png"
    media_factory.run_ffmpeg(["-i", str(source), "-vf", f"bwdif=mode=send_frame:parity=tff:deint=interlaced,"
                              f"select='isnan(prev_selected_t)*gte(t,{t:.3f})'", "-frames:v", "1",
                              "-update", "1", str(out)])
    return avcheck.frame_at(out)
