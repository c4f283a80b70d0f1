"""The tkhd reader gives the rotation FFmpeg puts on decoded frames, without decoding."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from mediaflow_gui.media.mp4_rotation import mp4_rotation, rotation_from_matrix
from mediaflow_gui.media.probe import probe
from tests.media_factory import make_video, run_ffmpeg


def _decoded_rotation(path: Path) -> int:
    with av.open(str(path)) as container:
        frame = next(container.decode(container.streams.video[0]))
        return int(round(float(frame.rotation or 0))) % 360


@pytest.fixture(scope="module")
def base_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("rot") / "base.mp4", width=96, height=64, fps=10, seconds=0.5)


@pytest.mark.parametrize("suffix", [".mp4", ".mov"])
@pytest.mark.parametrize("flags", [["-display_rotation", "90"], ["-display_rotation", "180"],
                                   ["-display_rotation", "270"], ["-display_rotation", "-45"],
                                   ["-display_rotation", "90", "-display_hflip"], ["-display_vflip"], []])
def test_header_matches_the_decoded_frame(tmp_path: Path, base_clip: Path, flags: list[str], suffix: str) -> None:
    out = tmp_path / f"turned{suffix}"
    run_ffmpeg([*flags, "-i", str(base_clip), "-c", "copy", str(out)])
    read = mp4_rotation(out, video_tracks=1)
    assert read is not None
    assert read % 360 == _decoded_rotation(out)
    assert probe(out).rotation == _decoded_rotation(out)


def test_a_moov_after_the_media_data_is_found(tmp_path: Path, base_clip: Path) -> None:
    out = tmp_path / "late-moov.mp4"  # no faststart: mdat first, moov last
    run_ffmpeg(["-display_rotation", "90", "-i", str(base_clip), "-c", "copy", "-movflags", "-faststart", str(out)])
    assert mp4_rotation(out, video_tracks=1) % 360 == _decoded_rotation(out)


def test_what_it_cannot_read_is_left_to_the_decode(tmp_path: Path, base_clip: Path) -> None:
    mkv = tmp_path / "clip.mkv"
    run_ffmpeg(["-i", str(base_clip), "-c", "copy", str(mkv)])
    assert mp4_rotation(mkv, video_tracks=1) is None  # not ISO-BMFF
    assert mp4_rotation(base_clip, video_tracks=2) is None  # the demuxer saw another video stream
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x00\x00\x01moov" + b"\xff" * 40)
    assert mp4_rotation(garbage, video_tracks=1) is None
    assert mp4_rotation(tmp_path / "missing.mp4", video_tracks=1) is None


def test_matrix_arithmetic_follows_ffmpeg() -> None:
    one = 0x10000
    assert rotation_from_matrix((one, 0, 0, 0, one, 0, 0, 0, 1 << 30)) == 0
    assert rotation_from_matrix((0, one, 0, -one, 0, 0, 0, 0, 1 << 30)) % 360 == 270
    assert rotation_from_matrix((0, -one, 0, one, 0, 0, 0, 0, 1 << 30)) % 360 == 90
    assert rotation_from_matrix((-one, 0, 0, 0, -one, 0, 0, 0, 1 << 30)) % 360 == 180
    assert rotation_from_matrix((0, 0, 0, 0, 0, 0, 0, 0, 0)) == 0
