"""Shared fixtures: a private data dir for every test, and small generated media.

The media fixtures are session-scoped (made once, read-only for tests: copy a file
before changing it). Helpers to make more media live in tests/media_factory.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import imageio_ffmpeg
import pytest

from tests import media_factory

# The suite runs the bundled FFmpeg whatever is on PATH (CI installs Debian's 5.1 for the
# compatibility tests, which pass it explicitly); MEDIAFLOW_TEST_FFMPEG runs the suite on another.
os.environ["MEDIAFLOW_FFMPEG"] = os.environ.get("MEDIAFLOW_TEST_FFMPEG") or imageio_ffmpeg.get_ffmpeg_exe()

# fixtures of the real SeaweedFS test server (tests/seaweed_fixture.py): a test that uses one is slow
SEAWEED_FIXTURES = {"seaweed", "seaweed_client", "fresh_bucket"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test on the real SeaweedFS server, wherever it is (the fast lane is
    `-m "not slow"`; the `slow` marker is registered in pyproject.toml)."""
    for item in items:
        if SEAWEED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the user's real data dir (task store, settings)."""
    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("MEDIAFLOW_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def video_clip(media_dir: Path) -> Path:
    """320x240, 25 fps, 4 s, H.264 + AAC mp4."""
    return media_factory.make_video(media_dir / "clip.mp4")


@pytest.fixture(scope="session")
def video_no_audio(media_dir: Path) -> Path:
    """320x240, 25 fps, 4 s, H.264 only."""
    return media_factory.make_video(media_dir / "silent.mp4", audio=False)


@pytest.fixture(scope="session")
def rotated_clip(media_dir: Path) -> Path:
    """320x240 coded, shown as 240x320 (display matrix of 90°), 2 s."""
    return media_factory.make_video(media_dir / "rotated.mp4", seconds=2, rotation=90)


@pytest.fixture(scope="session")
def audio_only(media_dir: Path) -> Path:
    """3 s AAC in an m4a."""
    return media_factory.make_audio(media_dir / "tone.m4a")


@pytest.fixture(scope="session")
def corrupt_file(media_dir: Path) -> Path:
    """Bytes that are not media, named like an mp4."""
    return media_factory.make_corrupt(media_dir / "corrupt.mp4")


@pytest.fixture(scope="session")
def truncated_file(media_dir: Path, video_clip: Path) -> Path:
    """The first 30 % of video_clip (its index is lost)."""
    return media_factory.make_truncated(video_clip, media_dir / "truncated.mp4")


@pytest.fixture(scope="session")
def watermark_png(media_dir: Path) -> Path:
    """A 64x32 opaque red PNG with an alpha channel."""
    return media_factory.make_png(media_dir / "logo.png")
