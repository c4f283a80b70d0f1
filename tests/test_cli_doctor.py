"""`mediaflow doctor` (the FFmpeg in use, every requirement, the candidates, the exit code) and the
one "FFmpeg: …" line `mediaflow run` says before its runs."""

from __future__ import annotations

import re
from pathlib import Path

import imageio_ffmpeg
import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.media.ffmpeg_caps import capabilities
from mediaflow_gui.media.ffmpeg_locate import FFMPEG_ENV
from mediaflow_gui.media.ffmpeg_requirements import REQUIREMENTS
from mediaflow_gui.model.serialization import save_workflow
from tests.engine.helpers import parallel_workflow, small_snapshots, task_node
from tests.ffmpeg_fakes import make_old_ffmpeg

BUNDLED = Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve()
DEBIAN_FFMPEG = Path("/usr/bin/ffmpeg")


def _doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["doctor", *args])
    return code, capsys.readouterr().out


def _requirement_rows(out: str) -> dict[str, str]:
    """{"kind name": state} from the requirement table ("encoder libx264": "ok")."""
    rows = re.findall(r"^  (ok|MISSING|missing) +(encoder|filter|muxer|option) +(\S+) ", out, re.MULTILINE)
    return {f"{kind} {name.lstrip('-')}": state for state, kind, name in rows}


def test_doctor_on_the_bundled_ffmpeg(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _doctor(capsys, "--ffmpeg", str(BUNDLED))
    assert code == 0, out
    version = capabilities(BUNDLED).version_text
    assert out.startswith(f"FFmpeg in use: {BUNDLED}\n  version   {version} ")
    assert "  how       chosen explicitly with the FFmpeg setting (or --ffmpeg)" in out
    assert f"  summary   FFmpeg {version} from {BUNDLED} (chosen explicitly): has everything MediaFlow uses" in out
    rows = _requirement_rows(out)
    assert len(rows) == len(REQUIREMENTS) and set(rows.values()) == {"ok"}
    assert re.search(rf"^  --ffmpeg +FFmpeg {re.escape(version)} at {re.escape(str(BUNDLED))}  \(in use\)$", out,
                     re.MULTILINE)
    assert re.search(r"^  PATH +", out, re.MULTILINE) and re.search(r"^  bundled +FFmpeg ", out, re.MULTILINE)
    assert out.rstrip().endswith("Result: this FFmpeg can run the standard workflow.")


@pytest.mark.skipif(not DEBIAN_FFMPEG.is_file(),
                    reason="/usr/bin/ffmpeg is missing (CI installs Debian's FFmpeg 5.1 with apt)")
def test_doctor_on_debian_ffmpeg(capsys: pytest.CaptureFixture[str]) -> None:
    caps = capabilities(DEBIAN_FFMPEG)
    code, out = _doctor(capsys, "--ffmpeg", str(DEBIAN_FFMPEG))
    assert code == (0 if caps.version >= (5, 1) else 1), out
    rows = _requirement_rows(out)
    assert rows["encoder libx264"] == "ok" and rows["option fps_mode"] == "ok"
    if not caps.has_option("stats_enc_pre"):
        assert rows["option stats_enc_pre"] == "MISSING"
        assert re.search(r"^  MISSING  option   -stats_enc_pre .*\n +→ fused progress is read from a filter$", out,
                         re.MULTILINE), out


def test_doctor_on_an_old_ffmpeg_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fake = make_old_ffmpeg(tmp_path)
    code, out = _doctor(capsys, "--ffmpeg", str(fake))
    assert code == 1
    rows = _requirement_rows(out)
    assert rows["encoder libx264"] == "MISSING" and rows["encoder mjpeg"] == "ok" and rows["filter yadif"] == "missing"
    assert re.search(r"^  MISSING  encoder  libx264 .*\n +→ H\.264 transcodes fail$", out, re.MULTILINE)
    assert "  version   4.2.7 (MediaFlow supports 5.1 and newer; this one is older)" in out
    assert "Result: this FFmpeg cannot run the standard workflow: it is older than 5.1 and lacks libx264" in out


def test_doctor_explains_the_automatic_choice(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FFMPEG_ENV, raising=False)
    fake = make_old_ffmpeg(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(fake.parent))
    code, out = _doctor(capsys)
    assert code == 0, out
    assert out.startswith(f"FFmpeg in use: {BUNDLED}\n")
    assert f"  how       the bundled FFmpeg is used because FFmpeg 4.2.7 on PATH ({fake}) is older than 5.1" in out
    assert re.search(rf"^  PATH +FFmpeg 4\.2\.7 at {re.escape(str(fake))}$", out, re.MULTILINE)
    assert re.search(rf"^  bundled +FFmpeg \S+ at {re.escape(str(BUNDLED))}  \(in use\)$", out, re.MULTILINE)


def test_doctor_without_a_usable_ffmpeg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = _doctor(capsys, "--ffmpeg", str(tmp_path / "missing"))
    assert code == 1
    assert out.startswith("FFmpeg in use: none — the FFmpeg setting points to")
    assert "Result: no usable FFmpeg" in out


def test_run_says_which_ffmpeg_once(tmp_path: Path, video_clip: Path, video_no_audio: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    workflow = tmp_path / "thumbs.mfw.json"
    save_workflow(parallel_workflow(task_node("snapshot", "Thumbs", small_snapshots()), name="Thumbs"), workflow)
    code = main(["run", str(workflow), str(video_clip), str(video_no_audio), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = [line for line in captured.err.splitlines() if line.startswith("FFmpeg: ")]
    version = capabilities(BUNDLED).version_text
    assert lines == [f"FFmpeg: FFmpeg {version} from {BUNDLED} (from {FFMPEG_ENV}): has everything MediaFlow uses"]
    assert "FFmpeg:" not in captured.out and captured.out.startswith("TaskId: ")
    assert len(re.findall(r"^TaskId: ", captured.out, re.MULTILINE)) == 2
