"""find_ffmpeg: setting, then PATH, then imageio-ffmpeg; clear errors for bad settings."""

from __future__ import annotations

import os
import re
from pathlib import Path

import imageio_ffmpeg
import pytest

from mediaflow_gui.media.ffmpeg_locate import FFMPEG_ENV, FFmpegNotFoundError, ffmpeg_version, find_ffmpeg


@pytest.fixture(autouse=True)
def _no_pinned_ffmpeg(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite pins the bundled FFmpeg through MEDIAFLOW_FFMPEG; these tests check the lookup itself."""
    monkeypatch.delenv(FFMPEG_ENV, raising=False)


def test_found_binary_reports_a_version() -> None:
    found = find_ffmpeg()
    assert found.path.is_file()
    assert re.match(r"^\d+(\.\d+)*", found.version), found.version
    assert found.source in ("PATH", "imageio-ffmpeg")
    assert ffmpeg_version(found.path)[0] >= 4


def test_bundled_binary_when_path_has_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no ffmpeg on PATH
    found = find_ffmpeg()
    assert found.source == "imageio-ffmpeg"
    assert found.path == Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve()


def test_path_beats_bundled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    link = tmp_path / "ffmpeg"
    link.symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_ffmpeg().source == "PATH"


def test_setting_wins_file_or_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    assert find_ffmpeg(exe).source == "setting"
    folder = tmp_path / "tools"
    folder.mkdir()
    (folder / "ffmpeg").symlink_to(exe)
    found = find_ffmpeg(str(folder))
    assert found.source == "setting" and found.path == Path(exe).resolve()


def test_environment_beats_path_but_not_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    (tmp_path / "ffmpeg").symlink_to(exe)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(FFMPEG_ENV, exe)
    assert find_ffmpeg().source == "environment"
    assert find_ffmpeg(exe).source == "setting"
    monkeypatch.setenv(FFMPEG_ENV, str(tmp_path / "missing"))
    with pytest.raises(FFmpegNotFoundError, match=FFMPEG_ENV):
        find_ffmpeg()


def test_missing_setting_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ffmpeg"
    with pytest.raises(FFmpegNotFoundError, match="no-such-ffmpeg"):
        find_ffmpeg(str(missing))


def test_setting_that_is_not_ffmpeg(tmp_path: Path) -> None:
    script = tmp_path / "fake-ffmpeg"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)
    if os.name == "nt":
        pytest.skip("shell scripts are not executables on Windows")
    with pytest.raises(FFmpegNotFoundError, match="does not answer like ffmpeg"):
        find_ffmpeg(str(script))
