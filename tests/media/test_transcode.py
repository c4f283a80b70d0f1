"""Transcode outputs checked with PyAV: codecs, sizes, durations, frames, audio, containers."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaflow_gui.media.base import TaskInputError
from mediaflow_gui.media.builders import build_step
from mediaflow_gui.model.params import TranscodeParams, transcode_preset
from tests.media.avcheck import props


def fast(**kwargs: object) -> TranscodeParams:
    kwargs.setdefault("encoder_preset", "ultrafast")
    return TranscodeParams(**kwargs)  # type: ignore[arg-type]


def test_h264_mp4_short_side(video_clip: Path, build_and_run) -> None:
    (out,) = build_and_run("transcode", fast(short_side=120, definition="SD"), video_clip, name="SD copy")
    assert out.path.name == "clip_SD.mp4" and out.kind == "video"
    p = props(out.path)
    assert "mp4" in p.format
    assert (p.video[0].codec, p.video[0].width, p.video[0].height) == ("h264", 160, 120)
    assert p.duration == pytest.approx(4.0, abs=0.1)
    assert abs(p.video[0].frames - 100) <= 1
    assert p.audio[0].codec == "aac"
    assert (out.width, out.height, out.size) == (160, 120, out.path.stat().st_size)
    data = out.path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "+faststart puts the index first"


@pytest.mark.parametrize("kw, size", [
    (dict(width=100, short_side=0), (100, 76)),  # 75 rounded to even
    (dict(height=90, short_side=0), (120, 90)),
    (dict(width=200, height=100, short_side=0), (134, 100)),  # fits inside the box
    (dict(short_side=720), (320, 240)),  # short_side never upscales
])
def test_sizes_keep_aspect_and_are_even(video_clip: Path, build_and_run, kw: dict, size: tuple[int, int]) -> None:
    (out,) = build_and_run("transcode", fast(audio_codec="none", **kw), video_clip)
    p = props(out.path, count_frames=False)
    assert (p.video[0].width, p.video[0].height) == size
    assert not p.audio


def test_rotated_input_gives_upright_output(rotated_clip: Path, build_and_run) -> None:
    (out,) = build_and_run("transcode", fast(short_side=120), rotated_clip)
    p = props(out.path, count_frames=False)
    assert (p.video[0].width, p.video[0].height) == (120, 160)
    assert (out.width, out.height) == (120, 160)


def test_fps_change(video_clip: Path, build_and_run) -> None:
    (out,) = build_and_run("transcode", fast(short_side=120, fps=10), video_clip)
    p = props(out.path)
    assert abs(p.video[0].frames - 40) <= 1


def test_vp9_opus_webm(video_clip: Path, build_and_run) -> None:
    params = fast(container="webm", video_codec="vp9", audio_codec="opus", short_side=120, audio_bitrate_kbps=48)
    (out,) = build_and_run("transcode", params, video_clip)
    p = props(out.path, count_frames=False)
    assert out.path.suffix == ".webm" and "webm" in p.format
    assert (p.video[0].codec, p.audio[0].codec) == ("vp9", "opus")
    assert (p.video[0].width, p.video[0].height) == (160, 120)


def test_av1_mkv_and_h265_mov(video_no_audio: Path, build_and_run) -> None:
    (av1,) = build_and_run("transcode", fast(container="mkv", video_codec="av1", short_side=120), video_no_audio)
    p = props(av1.path, count_frames=False)
    assert p.format == "matroska,webm" and p.video[0].codec == "av1"
    (hevc,) = build_and_run("transcode", fast(container="mov", video_codec="h265", short_side=120), video_no_audio)
    p = props(hevc.path, count_frames=False)
    assert p.video[0].codec == "hevc" and (p.video[0].width, p.video[0].height) == (160, 120)
    assert b"hvc1" in hevc.path.read_bytes()[:200_000]


def test_input_without_audio_gives_output_without_audio(video_no_audio: Path, build_and_run) -> None:
    (out,) = build_and_run("transcode", fast(short_side=120), video_no_audio)
    p = props(out.path, count_frames=False)
    assert p.video and not p.audio


def test_audio_only_outputs_of_a_video(video_clip: Path, build_and_run) -> None:
    (m4a,) = build_and_run("transcode", transcode_preset("Audio only (m4a)"), video_clip)
    p = props(m4a.path)
    assert m4a.path.name == "clip_audio.m4a" and m4a.kind == "audio"
    assert not p.video and p.audio[0].codec == "aac"
    assert p.duration == pytest.approx(4.0, abs=0.15)
    (mp3,) = build_and_run("transcode", fast(container="mp3", video_codec="none", audio_codec="mp3",
                                            sample_rate=22050, channels=2, definition="low"), video_clip)
    p = props(mp3.path)
    assert p.audio[0].codec == "mp3" and p.audio[0].sample_rate == 22050 and p.audio[0].channels == 2


def test_video_transcode_of_audio_only_input(audio_only: Path, make_ctx) -> None:
    ctx = make_ctx("transcode", fast(), audio_only, name="HD copy")
    with pytest.raises(TaskInputError) as err:
        build_step(ctx)
    assert "'tone.m4a'" in str(err.value) and "'HD copy'" in str(err.value)


def test_audio_transcode_of_silent_video(video_no_audio: Path, make_ctx) -> None:
    ctx = make_ctx("transcode", transcode_preset("Audio only (m4a)"), video_no_audio, name="Sound")
    with pytest.raises(TaskInputError, match="'silent.mp4' has no audio stream.*'Sound'"):
        build_step(ctx)


def test_argv_shape_bitrate_threads(video_clip: Path, make_ctx) -> None:
    ctx = make_ctx("transcode", fast(video_bitrate_kbps=300), video_clip, threads=2)
    (job,) = build_step(ctx).jobs
    args = job.args
    assert args[1:4] == ["-hide_banner", "-nostdin", "-y"]
    assert args[-1] == str(ctx.staging_dir.resolve() / "clip_HD.mp4"), "the output is the last argument"
    assert args[args.index("-b:v") + 1] == "300k" and "-crf" not in args
    assert args[args.index("-threads") + 1] == "2"
    assert job.duration == pytest.approx(4.0, abs=0.1)
    assert all(Path(a).is_absolute() for a in (args[args.index("-i") + 1], args[-1]))
