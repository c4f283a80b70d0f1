"""The existing-file policy (EngineSettings.on_existing): keep both, overwrite or skip when an output's
name is taken in the output folder; never the run's own input, whatever the policy. FFmpeg is the fake
(tests/engine/fake_ffmpeg.py): what is tested is how the executor publishes."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from mediaflow_gui.model.statuses import RunResult
from tests.engine.fake_ffmpeg import FakeFFmpeg
from tests.engine.helpers import fast_transcode, parallel_workflow, small_snapshots, task_node
from tests.engine.test_scheduler import engine_with


def run_once(tmp_path: Path, source: Path, out: Path, policy: str, workflow=None):  # type: ignore[no-untyped-def]
    workflow = workflow or parallel_workflow(task_node("transcode", "Small", fast_transcode("SD")),
                                             task_node("snapshot", "Shots", small_snapshots()))
    engine = engine_with(tmp_path / f"store-{policy}-{len(list(tmp_path.iterdir()))}", FakeFFmpeg(),
                         on_existing=policy, fusion=False)
    record = asyncio.run(engine.run(workflow, source, out))
    assert record.result == RunResult.SUCCESS, record.message
    return record


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_keep_both_adds_a_number_and_never_overwrites(tmp_path: Path, video_clip: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "clip_SD.mp4").write_bytes(b"older")
    record = run_once(tmp_path, video_clip, out, "keep-both")
    assert (out / "clip_SD.mp4").read_bytes() == b"older"
    assert "clip_SD (1).mp4" in names(out)
    assert str(out / "clip_SD (1).mp4") in [o["path"] for o in record.outputs()]


def test_overwrite_replaces_the_file_there(tmp_path: Path, video_clip: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "clip_SD.mp4").write_bytes(b"older")
    run_once(tmp_path, video_clip, out, "overwrite")
    assert (out / "clip_SD.mp4").read_bytes() == video_clip.read_bytes()  # the fake's "transcode" is a copy
    assert not any("(1)" in n for n in names(out))
    assert names(out) == ["clip_SD.mp4", "clip_snapshotByTimeOffset_320x240_01.jpg",
                          "clip_snapshotByTimeOffset_320x240_02.jpg"]  # no staging dir left


def test_skip_keeps_the_file_there_and_says_so(tmp_path: Path, video_clip: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    kept = out / "clip_snapshotByTimeOffset_320x240_01.jpg"
    kept.write_bytes(b"older")  # one of the two time points: the step runs, its other file is new
    record = run_once(tmp_path, video_clip, out, "skip")
    assert kept.read_bytes() == b"older"
    small, shots = record.subtask_named("Small"), record.subtask_named("Shots")
    assert "skipped 1 existing file(s), kept as they were: clip_snapshotByTimeOffset_320x240_01.jpg" in shots.message
    assert [o["path"] for o in shots.outputs] == [str(kept), str(out / "clip_snapshotByTimeOffset_320x240_02.jpg")]
    assert [o.get("kept_existing") for o in shots.outputs] == [True, None]
    assert "skipped" not in small.message  # new files are written as usual
    assert names(out) == ["clip_SD.mp4", "clip_snapshotByTimeOffset_320x240_01.jpg",
                          "clip_snapshotByTimeOffset_320x240_02.jpg"]


@pytest.mark.parametrize("policy", ["overwrite", "skip"])
def test_the_input_itself_is_never_replaced(tmp_path: Path, video_clip: Path, policy: str) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    source = folder / "clip.mp4"
    shutil.copy(video_clip, source)
    source.write_bytes(source.read_bytes() + b"\0")  # its own bytes, told apart from any output
    original = source.read_bytes()
    params = fast_transcode("SD")
    params.output_name = "{inputName}.{ext}"  # the same name as the input, in the input's own folder
    record = run_once(tmp_path, source, folder, policy, parallel_workflow(task_node("transcode", "Same", params)))
    assert source.read_bytes() == original
    assert [Path(o["path"]).name for o in record.outputs()] == ["clip (1).mp4"]


def test_skip_does_not_run_a_step_again_when_all_its_files_are_there(tmp_path: Path, video_clip: Path) -> None:
    from mediaflow_gui.model.params import AnimatedImageParams
    from tests.engine.helpers import chain_workflow
    workflow = parallel_workflow(task_node("transcode", "Small", fast_transcode("SD")),
                                 task_node("snapshot", "Shots", small_snapshots()),
                                 task_node("animated_image", "GIF", AnimatedImageParams(end="1s")))
    for fusion in (False, True):  # steps run apart, and steps grouped to share one process
        out = tmp_path / f"out-{fusion}"
        first = FakeFFmpeg()
        engine = engine_with(tmp_path / f"store-a{fusion}", first, on_existing="skip", fusion=fusion)
        assert asyncio.run(engine.run(workflow, video_clip, out)).result == RunResult.SUCCESS
        assert len(first.jobs) == (1 if fusion else 4)  # one fused process; or 1 + 2 time points + 1
        made = names(out)
        again = FakeFFmpeg()
        engine = engine_with(tmp_path / f"store-b{fusion}", again, on_existing="skip", fusion=fusion)
        record = asyncio.run(engine.run(workflow, video_clip, out))
        assert record.result == RunResult.SUCCESS, record.message
        assert again.jobs == [] and names(out) == made  # nothing ran, nothing new
        shots = record.subtask_named("Shots")
        assert shots.status == "SUCCESS" and "was not run again: its 2 file(s) are already in" in shots.message
        assert "clip_snapshotByTimeOffset_320x240_01.jpg" in shots.message
        assert sorted(Path(o["path"]).name for o in shots.outputs) == [n for n in made if "snapshot" in n]

    # one file missing: that step runs (and only it makes a new file); a step after a kept one reads the kept file
    (out / "clip_snapshotByTimeOffset_320x240_02.jpg").unlink()
    chained = chain_workflow(task_node("transcode", "Small", fast_transcode("SD")),
                             task_node("snapshot", "Shots", small_snapshots()))
    fake = FakeFFmpeg()
    record = asyncio.run(engine_with(tmp_path / "store-c", fake, on_existing="skip", fusion=False)
                         .run(chained, video_clip, out))
    assert record.result == RunResult.SUCCESS, record.message
    assert "was not run again" in record.subtask_named("Small").message
    assert len(fake.jobs) == 2 and all(str(out / "clip_SD.mp4") in job.args for job in fake.jobs)  # 2 time points
    assert "clip_snapshotByTimeOffset_320x240_02.jpg" in names(out)
    assert "kept as they were: clip_snapshotByTimeOffset_320x240_01.jpg" in record.subtask_named("Shots").message
