"""Dry-run preview: an excerpt of the input (stream copy, else a re-encode) run through the same Engine
into a temporary folder; the original is untouched and the run is recognisable as a preview."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from mediaflow_gui.engine import preview
from mediaflow_gui.engine.preview import PreviewFolders, make_excerpt, run_preview
from mediaflow_gui.media import excerpt
from mediaflow_gui.media.excerpt import ExcerptRange, ExcerptRangeError, parse_range
from mediaflow_gui.media.probe import probe
from mediaflow_gui.model.statuses import RunResult
from tests import media_factory
from tests.engine.helpers import fast_transcode, make_engine, parallel_workflow, task_node


@pytest.fixture(scope="module")
def eight_seconds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An 8 s clip, one keyframe a second, tiny (the excerpt's length is what is measured)."""
    return media_factory.make_video(tmp_path_factory.mktemp("preview") / "clip.mov", width=160, height=120,
                                    fps=25, seconds=8.0)


def _digest(path: Path) -> tuple[int, float, str]:
    return path.stat().st_size, path.stat().st_mtime, hashlib.sha256(path.read_bytes()).hexdigest()


def test_ranges_parse_label_and_clip() -> None:
    assert parse_range("") == ExcerptRange(0.0, 5.0)
    assert parse_range("10,5") == ExcerptRange(10.0, 5.0)
    assert parse_range("3") == ExcerptRange(0.0, 3.0)
    assert parse_range("2.5s, 5s") == ExcerptRange(2.5, 5.0)
    assert ExcerptRange().label("/m/clip.mov") == "/m/clip.mov [preview 0–5 s]"
    assert ExcerptRange(2.5, 5).describe() == "preview 2.5–7.5 s"
    assert ExcerptRange(6, 5).clipped(8.0) == ExcerptRange(6, 2)
    assert excerpt.split_label(ExcerptRange(2.5, 5).label("/m/a [b].mov")) == ("/m/a [b].mov", ExcerptRange(2.5, 5))
    assert excerpt.split_label("/m/clip.mov") is None
    for bad in ("x", "1,2,3", "-1,5", "0,0"):
        with pytest.raises(ExcerptRangeError):
            parse_range(bad)
    with pytest.raises(ExcerptRangeError, match="only 8.0 s long"):
        ExcerptRange(9, 5).clipped(8.0)


def test_preview_runs_the_workflow_on_five_seconds(tmp_path: Path, eight_seconds: Path) -> None:
    before = _digest(eight_seconds)
    engine = make_engine(tmp_path, work_dir=tmp_path / "work")
    folders = PreviewFolders(preview.default_preview_root(engine))
    out = folders.new()
    wf = parallel_workflow(task_node("transcode", "Small", fast_transcode(short_side=96)), name="prev")

    record = asyncio.run(run_preview(engine, wf, eight_seconds, out))

    assert record.result == RunResult.SUCCESS, record.message
    assert record.input == f"{eight_seconds} [preview 0–5 s]"  # recognisable in lists and history
    assert record.workflow is not None and record.workflow["name"] == "prev"  # its snapshot, as any run
    (sub,) = record.subtasks
    (output,) = sub.outputs
    produced = Path(output["path"])
    assert produced.parent == out and produced.name.startswith("clip_")  # named after the source
    assert produced.exists()
    assert probe(produced).duration == pytest.approx(5.0, abs=0.3)
    assert _digest(eight_seconds) == before  # the original is untouched
    assert not any((tmp_path / "work").glob("*/input"))  # the excerpt went with the run's work dir
    assert engine.store.get(record.task_id) is not None  # previews are in the task history
    folders.new()  # the next preview removes this one's outputs
    assert not out.exists()
    folders.clear()
    assert not any(folders.root.iterdir())
    engine.store.close()


def test_excerpt_by_copy_keeps_hdr_tags(tmp_path: Path) -> None:
    hdr = media_factory.make_hdr_video(tmp_path / "hdr.mp4", seconds=2.0, width=160, height=96, audio=False)
    ffmpeg = media_factory.ffmpeg_exe()
    cut = asyncio.run(make_excerpt(ffmpeg, hdr, tmp_path / "cut", ExcerptRange(0, 1)))
    assert cut.suffix == ".mp4"  # the input's own container
    src, got = probe(hdr), probe(cut)
    assert got.video.codec == src.video.codec == "hevc"  # copied, not re-encoded
    assert (got.video.color_transfer, got.video.color_primaries, got.video.color_space) == \
        ("smpte2084", "bt2020", "bt2020nc")
    assert got.hdr is not None and got.hdr.max_cll == src.hdr.max_cll > 0
    assert got.duration == pytest.approx(1.0, abs=0.15)


def test_excerpt_falls_back_to_reencoding(tmp_path: Path, eight_seconds: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_copy(ffmpeg, source, target, rng):  # noqa: ANN001, ANN202 - a copy FFmpeg refuses
        return excerpt.copy_argv(ffmpeg, source, target, rng)[:-1] + ["-c:v", "no_such_codec", str(target)]

    monkeypatch.setattr(preview, "copy_argv", broken_copy)
    cut = asyncio.run(make_excerpt(media_factory.ffmpeg_exe(), eight_seconds, tmp_path, ExcerptRange(2, 3)))
    assert cut.suffix == ".mkv"
    info = probe(cut)
    assert info.video.codec == "h264" and info.duration == pytest.approx(3.0, abs=0.2)


def test_a_preview_past_the_end_fails_as_a_recorded_run(tmp_path: Path, eight_seconds: Path) -> None:
    engine = make_engine(tmp_path, work_dir=tmp_path / "work")
    wf = parallel_workflow(task_node("transcode", "Small", fast_transcode(short_side=96)))
    record = asyncio.run(run_preview(engine, wf, eight_seconds, tmp_path / "out", ExcerptRange(20, 5)))
    assert record.result == RunResult.FAIL and record.error_code == "FetchFailed"
    assert "starts at 20 s but the input is only 8.0 s long" in record.message
    engine.store.close()
