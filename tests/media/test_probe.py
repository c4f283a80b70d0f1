"""probe(): real properties of generated media, rotation, and clear errors for bad files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mediaflow_gui.media.probe import MediaProbeError, media_info_dict, probe
from tests.media_factory import ffmpeg_exe, make_truncated


def test_video_clip(video_clip: Path) -> None:
    info = probe(video_clip)
    assert "mp4" in info.container
    assert info.duration == pytest.approx(4.0, abs=0.1)
    assert (info.width, info.height) == (320, 240)
    assert info.fps == pytest.approx(25.0)
    assert info.rotation == 0
    assert info.size == video_clip.stat().st_size
    assert info.bitrate > 0
    assert [s.codec for s in info.video_streams] == ["h264"]
    assert [s.codec for s in info.audio_streams] == ["aac"]
    assert info.audio_streams[0].sample_rate == 44100
    assert info.video_streams[0].frames == 100


def test_rotation_is_applied_to_display_size(rotated_clip: Path) -> None:
    info = probe(rotated_clip)
    assert info.rotation in (90, 270)
    assert (info.width, info.height) == (240, 320)
    # the stream keeps its coded size
    assert (info.video_streams[0].width, info.video_streams[0].height) == (320, 240)


def test_audio_only(audio_only: Path) -> None:
    info = probe(audio_only)
    assert not info.has_video and info.has_audio
    assert info.duration == pytest.approx(3.0, abs=0.1)
    assert (info.width, info.height) == (0, 0)


def test_media_info_dict_has_the_service_shape(video_clip: Path) -> None:
    d = media_info_dict(probe(video_clip))
    for key in ("Duration", "Size", "Bitrate", "Container", "Width", "Height", "Rotate", "VideoStreamSet",
                "AudioStreamSet"):
        assert key in d
    assert d["Width"] == 320 and d["Height"] == 240 and d["Size"] == video_clip.stat().st_size
    assert d["VideoStreamSet"][0]["Codec"] == "h264" and d["VideoStreamSet"][0]["Fps"] == 25.0
    assert d["AudioStreamSet"][0]["SamplingRate"] == 44100


def test_corrupt_file_names_the_file(corrupt_file: Path) -> None:
    with pytest.raises(MediaProbeError, match="'corrupt.mp4' is not a readable media file"):
        probe(corrupt_file)


def test_truncated_without_index(truncated_file: Path) -> None:
    with pytest.raises(MediaProbeError, match="'truncated.mp4'"):
        probe(truncated_file)


def test_truncated_with_index_at_front(video_clip: Path, tmp_path: Path) -> None:
    faststart = tmp_path / "fast.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video_clip), "-c", "copy", "-movflags", "+faststart",
                    str(faststart)], check=True)
    probe(faststart)  # the whole file is fine
    cut = make_truncated(faststart, tmp_path / "cut.mp4", keep=0.5)
    with pytest.raises(MediaProbeError, match="'cut.mp4'.*truncated"):
        probe(cut)


def test_empty_text_missing_and_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaProbeError, match="'empty.mp4'.*empty"):
        probe(empty)
    text = tmp_path / "notes.txt"
    text.write_text("Shopping list:\n- milk\n- eggs\n" * 50)
    with pytest.raises(MediaProbeError, match="'notes.txt'"):
        probe(text)
    with pytest.raises(MediaProbeError, match="'nothing.mp4' does not exist"):
        probe(tmp_path / "nothing.mp4")
    with pytest.raises(MediaProbeError, match="folder"):
        probe(tmp_path)


def test_odd_file_names(video_clip: Path, tmp_path: Path) -> None:
    odd = tmp_path / "-leading dash ünïcødé 100% 'q'.mp4"
    shutil.copy(video_clip, odd)
    assert probe(odd).width == 320
