"""The engine's FFmpeg: the choice it makes (reused, following the setting), the fusion that choice
allows, and a setting that is not ffmpeg ending as a recorded failure."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import imageio_ffmpeg
import pytest

from mediaflow_gui.engine import engine as engine_module
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from tests.engine.helpers import fast_transcode, make_engine, parallel_workflow, small_snapshots, task_node
from tests.ffmpeg_fakes import make_old_ffmpeg

BUNDLED = Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve()


def _two_siblings():  # noqa: ANN202 - Workflow
    return parallel_workflow(task_node("transcode", "Small", fast_transcode()),
                             task_node("snapshot", "Thumbs", small_snapshots()), name="siblings")


def test_choice_is_reused_and_follows_the_setting(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    choice = engine.ffmpeg_choice()
    assert choice.binary.path == BUNDLED and choice.binary.source == "environment"  # the suite's pin
    assert engine.ffmpeg_choice() is choice  # reused (FFMPEG_RECHECK), not chosen again per run
    fake = make_old_ffmpeg(tmp_path / "tools")
    engine.settings.ffmpeg_path = str(fake)
    other = engine.ffmpeg_choice()
    assert other.binary.path == fake and other.binary.source == "setting"
    assert any("libx264" in n for n in other.notes)


@pytest.mark.parametrize("choice_fusion", [True, False])
def test_fusion_needs_the_setting_and_the_ffmpeg(tmp_path: Path, video_clip: Path, choice_fusion: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine_module.choose_ffmpeg
    monkeypatch.setattr(engine_module, "choose_ffmpeg",
                        lambda setting=None: dataclasses.replace(real(setting), fusion=choice_fusion))
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(_two_siblings(), video_clip, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    commands = {tuple(s.command) for s in record.subtasks}
    # fused: both tasks name the one FFmpeg process that served them; unfused: one process each
    assert len(commands) == (1 if choice_fusion else 2), commands


def test_a_setting_that_is_not_ffmpeg_fails_the_run(tmp_path: Path, video_clip: Path) -> None:
    script = tmp_path / "not-ffmpeg"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)
    engine = make_engine(tmp_path, ffmpeg_path=str(script))
    record = asyncio.run(engine.run(_two_siblings(), video_clip, tmp_path / "out"))
    assert record.result == RunResult.FAIL and record.error_code == "FFmpegNotFound"
    assert "does not answer like ffmpeg" in record.message and str(script) in record.message
    assert all(s.status == SubtaskStatus.SKIPPED for s in record.subtasks)
