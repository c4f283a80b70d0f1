"""The distribution's FFmpeg (Debian 12: 5.1) runs the same workflows as the bundled one, fused, with
the same output properties — on a plain clip, an HDR phone clip and an interlaced broadcast clip.

CI installs Debian's `ffmpeg` package (.ci/run); the rest of the suite keeps the bundled FFmpeg
(tests/conftest.py pins it), these tests pass /usr/bin/ffmpeg explicitly. Elsewhere they are
skipped with the reason shown.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from mediaflow_gui.engine.events import SubtaskProgress, SubtaskStarted
from mediaflow_gui.media.ffmpeg_caps import capabilities
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.paths import sample_workflow_path
from tests import media_factory
from tests.engine.helpers import Recorder, make_engine
from tests.media import avcheck

SYSTEM_FFMPEG = os.environ.get("MEDIAFLOW_TEST_SYSTEM_FFMPEG", "/usr/bin/ffmpeg")

pytestmark = [pytest.mark.slow,  # whole runs of the standard workflow on two FFmpegs
              pytest.mark.skipif(
                  not os.access(SYSTEM_FFMPEG, os.X_OK),
                  reason=f"no distribution FFmpeg at {SYSTEM_FFMPEG} (CI installs Debian's with apt-get install ffmpeg)")]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("system_ffmpeg")
    return {
        "plain": media_factory.make_video(d / "plain.mp4", seconds=3.0),
        "hdr": media_factory.make_hdr_video(d / "hdr.mp4", "pq", seconds=1.5, width=480, height=270),
        "interlaced": media_factory.make_interlaced(d / "interlaced.ts", width=360, height=288, seconds=1.5),
    }


def run_standard(tmp_path: Path, source: Path, ffmpeg: str | None) -> tuple[object, Recorder]:
    workflow = load_workflow(sample_workflow_path("standard.mfw.json"))
    for node in workflow.nodes.values():  # keep CI fast: the fastest x264 preset, same everything else
        if node.task_kind == "transcode":
            node.params.encoder_preset = "ultrafast"
    engine = make_engine(tmp_path, ffmpeg_path=ffmpeg)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(workflow, source, tmp_path / "out"))
    return record, rec


def describe(record) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    """Per output file name: the properties that must not depend on which FFmpeg made it."""
    out: dict[str, tuple] = {}
    for sub in record.subtasks:
        for o in sub.outputs:
            path = Path(o["path"])
            if path.suffix in (".vtt",):
                out[path.name] = ("vtt",)
                continue
            p = avcheck.video_props(path)
            out[path.name] = (p.codec, p.pix_fmt, p.width, p.height, p.color_primaries, p.color_trc,
                              p.color_range if path.suffix == ".mp4" else "")
    return out


def test_the_system_ffmpeg_is_51_without_stats_enc_pre() -> None:
    caps = capabilities(SYSTEM_FFMPEG)
    assert caps.version[:2] >= (5, 1)
    if caps.version[:2] == (5, 1):  # what makes 5.1 special for media/fusion
        assert not caps.has_option("stats_enc_pre") and caps.has_filter("metadata")


@pytest.mark.parametrize("kind", ["plain", "hdr", "interlaced"])
def test_standard_workflow_with_the_system_ffmpeg_matches_the_bundled(tmp_path: Path, sources: dict[str, Path],
                                                                      kind: str) -> None:
    system, rec = run_standard(tmp_path / "system", sources[kind], SYSTEM_FFMPEG)
    assert system.result == RunResult.SUCCESS, [(s.name, s.message) for s in system.subtasks]
    started = rec.of(SubtaskStarted)
    assert {e.command[0] for e in started} == {str(Path(SYSTEM_FFMPEG).resolve())}
    assert len({e.command for e in started}) == 1  # fused: one process for every task
    if not capabilities(SYSTEM_FFMPEG).has_option("stats_enc_pre"):
        assert any("metadata=" in a for a in started[0].command)  # the progress tap instead
    if capabilities(SYSTEM_FFMPEG).version < (7, 0):  # the logo read inside the graph, not as a 2nd input
        graph = started[0].command[list(started[0].command).index("-filter_complex") + 1]
        assert "movie=" in graph and started[0].command.count("-i") == 1
    # progress moved through the run, not only 0 → 100
    percents = {round(e.percent) for e in rec.of(SubtaskProgress)}
    assert any(0 < p < 100 for p in percents), percents
    bundled, _ = run_standard(tmp_path / "bundled", sources[kind], None)
    assert bundled.result == RunResult.SUCCESS
    assert describe(system) == describe(bundled)
    if kind == "interlaced":
        hd = next(Path(o["path"]) for s in system.subtasks for o in s.outputs if o["path"].endswith("_HD.mp4"))
        assert avcheck.mostly_progressive(hd, ffmpeg=SYSTEM_FFMPEG)
    if kind == "hdr":
        sd = next(Path(o["path"]) for s in system.subtasks for o in s.outputs if o["path"].endswith("_SD.mp4"))
        assert avcheck.video_props(sd).color_trc == "bt709"
