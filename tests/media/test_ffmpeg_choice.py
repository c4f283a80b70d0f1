"""Which FFmpeg MediaFlow runs: explicit → PATH's if it can do the job → bundled, said in words."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import imageio_ffmpeg
import pytest

from mediaflow_gui.media.ffmpeg_caps import capabilities
from mediaflow_gui.media.ffmpeg_choice import candidates, choose_ffmpeg
from mediaflow_gui.media.ffmpeg_locate import FFMPEG_ENV, FFmpegNotFoundError
from mediaflow_gui.media.ffmpeg_requirements import assess
from tests.ffmpeg_fakes import make_old_ffmpeg

DEBIAN_FFMPEG = Path("/usr/bin/ffmpeg")
BUNDLED = Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve()


@pytest.fixture(autouse=True)
def _automatic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite pins the bundled FFmpeg through MEDIAFLOW_FFMPEG; these tests check the choice itself."""
    monkeypatch.delenv(FFMPEG_ENV, raising=False)


def _path_with_ffmpeg(monkeypatch: pytest.MonkeyPatch, folder: Path, target: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if target is not None:
        (folder / "ffmpeg").symlink_to(target)
    monkeypatch.setenv("PATH", str(folder))


@pytest.mark.skipif(not DEBIAN_FFMPEG.is_file(),
                    reason="/usr/bin/ffmpeg is missing (CI installs Debian's FFmpeg 5.1 with apt)")
def test_debian_ffmpeg_on_path_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _path_with_ffmpeg(monkeypatch, tmp_path / "bin", DEBIAN_FFMPEG)
    choice = choose_ffmpeg()
    caps = capabilities(DEBIAN_FFMPEG)
    if caps.version < (5, 1):
        pytest.skip(f"/usr/bin/ffmpeg is FFmpeg {caps.version_text}, older than the 5.1 this test is about")
    assert choice.binary.source == "PATH" and choice.binary.path == DEBIAN_FFMPEG.resolve()
    assert choice.fusion and choice.binary.version == caps.version_text
    assert choice.summary().startswith(f"FFmpeg {caps.version_text} from {DEBIAN_FFMPEG.resolve()} (on PATH): ")
    if not caps.has_option("stats_enc_pre"):  # 5.1 and 6.0
        assert any("stats_enc_pre" in n for n in choice.notes), choice.notes
        assert "fused progress is read from a filter (no -stats_enc_pre)" in choice.summary()


def test_old_ffmpeg_on_path_is_passed_over(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = make_old_ffmpeg(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(fake.parent))
    choice = choose_ffmpeg()
    assert choice.binary.source == "imageio-ffmpeg" and choice.binary.path == BUNDLED
    assert "older than 5.1" in choice.reason and "libx264" in choice.reason and str(fake) in choice.reason
    summary = choice.summary()
    assert summary.startswith(f"using the bundled FFmpeg {choice.binary.version} because FFmpeg 4.2.7 on PATH "
                              "is older than 5.1 and lacks libx264"), summary
    assert choice.notes == () and choice.fusion  # the bundled one lacks nothing


def test_no_ffmpeg_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _path_with_ffmpeg(monkeypatch, tmp_path / "empty", None)
    choice = choose_ffmpeg()
    assert choice.binary.path == BUNDLED
    assert choice.summary() == f"using the bundled FFmpeg {choice.binary.version} because there is no ffmpeg on PATH"


def test_explicit_choice_is_used_with_notes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = make_old_ffmpeg(tmp_path / "tools")
    _path_with_ffmpeg(monkeypatch, tmp_path / "bin", BUNDLED)  # a better one on PATH does not matter
    for choice, source, where in ((choose_ffmpeg(str(fake)), "setting", "chosen explicitly"),
                                  (choose_ffmpeg(str(fake.parent)), "setting", "chosen explicitly")):
        assert choice.binary.path == fake and choice.binary.source == source
        assert choice.summary().startswith(f"FFmpeg 4.2.7 from {fake} ({where}): older than 5.1")
        assert "No libx264 encoder: H.264 transcodes fail." in choice.notes
        assert "No -fps_mode option: -vsync is used instead." in choice.notes
        assert choice.fusion  # split/asplit/select and the metadata filter are there
    monkeypatch.setenv(FFMPEG_ENV, str(fake))
    choice = choose_ffmpeg()
    assert choice.binary.source == "environment" and FFMPEG_ENV in choice.reason
    assert f"({'from ' + FFMPEG_ENV})" in choice.summary()


def test_explicit_choice_that_is_not_ffmpeg(tmp_path: Path) -> None:
    script = tmp_path / "not-ffmpeg"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)
    with pytest.raises(FFmpegNotFoundError, match="does not answer like ffmpeg"):
        choose_ffmpeg(str(script))
    with pytest.raises(FFmpegNotFoundError, match="not an executable"):
        choose_ffmpeg(str(tmp_path / "missing"))


def test_fusion_needs_its_filters_and_a_way_to_follow_progress() -> None:
    caps = capabilities(BUNDLED)
    without_stats = dataclasses.replace(caps, options=caps.options - {"stats_enc_pre"})
    a = assess(without_stats)
    assert a.fusion and not a.degrading  # the metadata filter tap is a lossless fallback
    assert [f.phrase for f in a.missing] == ["fused progress is read from a filter (no -stats_enc_pre)"]
    neither = dataclasses.replace(without_stats, filters=caps.filters - {"metadata"})
    assert not assess(neither).fusion
    assert not assess(dataclasses.replace(caps, filters=caps.filters - {"asplit"})).fusion
    no_bwdif = assess(dataclasses.replace(caps, filters=caps.filters - {"bwdif"}))
    assert [f.effect for f in no_bwdif.missing] == ["interlaced sources are deinterlaced with yadif (a little softer)"]
    assert no_bwdif.degrading  # yadif is a fallback, not a lossless one: PATH's would be passed over
    no_svt = assess(dataclasses.replace(caps, encoders=caps.encoders - {"libsvtav1"}))
    assert not no_svt.degrading and no_svt.runs_standard


def test_candidates_name_every_binary_looked_at(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = make_old_ffmpeg(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(fake.parent))
    found = candidates(str(tmp_path / "nowhere"))
    assert [c.where for c in found] == ["setting", "PATH", "bundled"]
    assert "not an executable" in found[0].describe()
    assert found[1].describe() == f"FFmpeg 4.2.7 at {fake}"
    assert found[2].caps is not None and found[2].caps.path == BUNDLED
