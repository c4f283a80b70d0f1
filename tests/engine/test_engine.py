"""The engine end to end with the real builders and FFmpeg: workflows, parallelism, failures, cancel, naming."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from mediaflow_gui.engine.events import RunFinished, SubtaskProgress, SubtaskStarted
from mediaflow_gui.engine.executor import STAGING_PREFIX
from mediaflow_gui.media.probe import probe
from mediaflow_gui.model.params import ImageSpriteParams, transcode_preset
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.model.statuses import RunResult, RunStatus, SubtaskStatus
from mediaflow_gui.model.workflow import Node, Workflow
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.paths import sample_workflow_path
from tests import media_factory
from tests.engine.helpers import (Recorder, chain_workflow, fast_transcode, ffmpeg_children, make_engine,
                                  parallel_workflow, small_snapshots, task_node)


def _staging_left(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)] if out.exists() else []


@pytest.mark.slow  # the standard workflow on real FFmpeg
def test_standard_workflow_end_to_end(tmp_path: Path, video_clip: Path) -> None:
    workflow = load_workflow(sample_workflow_path("standard.mfw.json"))
    engine = make_engine(tmp_path)
    rec = Recorder(engine.bus)
    out = tmp_path / "out"
    record = asyncio.run(engine.run(workflow, video_clip, out))
    assert record.status == RunStatus.FINISH and record.result == RunResult.SUCCESS, record.message
    kinds = {s.task_kind for s in record.subtasks}
    assert kinds == {"transcode", "watermark", "snapshot", "sample_snapshot", "animated_image", "image_sprite"}
    for sub in record.subtasks:
        assert sub.status == SubtaskStatus.SUCCESS, (sub.name, sub.message)
        if sub.task_kind == "watermark":
            assert sub.message.startswith("applied inside") and not sub.outputs
            continue
        assert sub.outputs, sub.name
        for output in sub.outputs:
            path = Path(output["path"])
            assert path.parent == out.resolve() and path.is_file() and path.stat().st_size == output["size"] > 0
    assert _staging_left(out) == []
    hd = next(s for s in record.subtasks if s.task_kind == "transcode" and s.name.startswith("HD"))
    assert any("logo.png" in arg for arg in hd.command)  # the folded watermark is inside the HD transcode
    sd = next(s for s in record.subtasks if s.task_kind == "transcode" and s.name.startswith("SD"))
    info = probe(Path(sd.outputs[0]["path"]))
    assert info.has_video and info.duration == pytest.approx(4.0, abs=0.3)
    assert record.metadata["Width"] == 320 and record.metadata["Height"] == 240
    # progress reached the bus, between 0 and 100
    assert all(0 <= e.percent <= 100 for e in rec.of(SubtaskProgress))
    assert engine.store.task_query(record.task_id)["WorkflowTask"]["ErrCode"] == 0


def test_serial_chain_reads_the_previous_output(tmp_path: Path, video_clip: Path) -> None:
    transcode = task_node("transcode", "Small", fast_transcode("small", 160))
    sprite = task_node("image_sprite", "Sprite of small", ImageSpriteParams(interval="1s", rows=2, columns=2, width=80))
    engine = make_engine(tmp_path)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(chain_workflow(transcode, sprite), video_clip, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    small, sheet = record.subtask(transcode.id), record.subtask(sprite.id)
    assert small.input == str(video_clip.resolve())
    assert sheet.input == small.outputs[0]["path"]  # the sprite read the transcoded file
    assert rec.interval(transcode.id)[1] <= rec.interval(sprite.id)[0]
    assert any(o["path"].endswith(".vtt") for o in sheet.outputs)


def test_independent_branches_overlap(tmp_path: Path, video_clip: Path) -> None:
    a = task_node("transcode", "A", fast_transcode("A", 240, "medium"))
    b = task_node("transcode", "B", fast_transcode("B", 240, "medium"))
    engine = make_engine(tmp_path, max_threads=2, threads_per_step=1)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(parallel_workflow(a, b), video_clip, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    (a0, a1), (b0, b1) = rec.interval(a.id), rec.interval(b.id)
    assert a0 < b1 and b0 < a1  # both were running at the same time


def test_thread_budget_limits_concurrency(tmp_path: Path, video_clip: Path) -> None:
    tasks = [task_node("snapshot", f"S{i}", small_snapshots()) for i in range(3)]
    engine = make_engine(tmp_path, max_threads=1)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(parallel_workflow(*tasks), video_clip, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    # FFmpeg runs while the step holds its token; its last progress (100 %) comes before the token goes
    spans = sorted((rec.interval(t.id)[0], rec.last_progress_time(t.id)) for t in tasks)
    for (_, ffmpeg_done), (next_start, _) in zip(spans, spans[1:]):
        assert ffmpeg_done <= next_start  # one token: one FFmpeg at a time
    assert all(e.threads == 1 for e in rec.of(SubtaskStarted))


def test_corrupt_input_fails_every_reader_and_skips_dependants(tmp_path: Path, corrupt_file: Path) -> None:
    transcode = task_node("transcode", "Small", fast_transcode())
    sprite = task_node("image_sprite", "Sprite", ImageSpriteParams(interval="1s", rows=2, columns=2, width=80))
    wf = chain_workflow(transcode, sprite)
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(wf, corrupt_file, tmp_path / "out"))
    assert record.result == RunResult.FAIL and record.error_code == "ProbeFailed"
    assert "'Small'" in record.message and corrupt_file.name in record.message
    assert record.subtask(transcode.id).status == SubtaskStatus.FAIL
    assert record.subtask(sprite.id).status == SubtaskStatus.SKIPPED
    assert "'Small'" in record.subtask(sprite.id).message
    assert _staging_left(tmp_path / "out") == []


def test_audio_only_input_fails_video_task_while_independent_branch_succeeds(tmp_path: Path,
                                                                             audio_only: Path) -> None:
    wf = Workflow("audio test")
    start, split, join, end = (wf.add_node(Node(k)) for k in
                               (NodeKind.START, NodeKind.SPLIT, NodeKind.JOIN, NodeKind.END))
    snaps = wf.add_node(task_node("snapshot", "Thumbs", small_snapshots()))
    audio = wf.add_node(task_node("transcode", "Audio", transcode_preset("Audio only (m4a)")))
    after = wf.add_node(task_node("sample_snapshot", "After join"))
    for s, t in ((start, split), (split, snaps), (split, audio), (snaps, join), (audio, join), (join, after),
                 (after, end)):
        wf.connect(s, t)
    engine = make_engine(tmp_path)
    finished = Recorder(engine.bus)
    record = asyncio.run(engine.run(wf, audio_only, tmp_path / "out"))
    assert record.result == RunResult.FAIL
    # the run names the node to blame: on the RunFinished event, in the record and in the task query
    assert [e.failed_step for e in finished.of(RunFinished)] == [snaps.id] == [record.failed_step]
    assert engine.store.task_query(record.task_id)["WorkflowTask"]["MediaFlow"]["FailedStepId"] == snaps.id
    thumbs = record.subtask(snaps.id)
    assert thumbs.status == SubtaskStatus.FAIL and thumbs.error_code == "InputNotSupported"
    assert "Thumbs" in thumbs.message and "Thumbs" in record.message
    assert record.subtask(audio.id).status == SubtaskStatus.SUCCESS
    assert Path(record.subtask(audio.id).outputs[0]["path"]).is_file()
    assert record.subtask(after.id).status == SubtaskStatus.SKIPPED
    # the record the engine hands back (from memory) is the one SQLite holds
    assert asdict(record) == asdict(engine.store.get_stored(record.task_id))


def test_cancel_kills_ffmpeg_and_leaves_no_partial_files(tmp_path: Path, media_dir: Path) -> None:
    long_clip = media_dir / "long-for-cancel.mp4"
    if not long_clip.exists():
        media_factory.make_video(long_clip, seconds=30, fps=25, audio=False)
    slow = [task_node("transcode", f"Slow {i}", fast_transcode(f"slow{i}", 480, "veryslow")) for i in range(2)]
    waiting = task_node("snapshot", "Waits for a token", small_snapshots())
    out = tmp_path / "out"
    engine = make_engine(tmp_path, max_threads=2)

    async def scenario() -> object:
        running = asyncio.Event()
        engine.bus.subscribe(lambda e: running.set() if isinstance(e, SubtaskProgress) else None)
        task_id = engine.submit(parallel_workflow(*slow, waiting), long_clip, out)
        await asyncio.wait_for(running.wait(), 120)
        assert ffmpeg_children()
        assert engine.cancel(task_id)
        return await engine.wait(task_id)

    record = asyncio.run(scenario())
    assert record.status == RunStatus.FINISH and record.result == RunResult.CANCELED
    assert {record.subtask(t.id).status for t in slow} == {SubtaskStatus.CANCELED}
    assert record.subtask(waiting.id).status in (SubtaskStatus.CANCELED, SubtaskStatus.SUCCESS)
    assert ffmpeg_children() == []
    assert _staging_left(out) == []
    leftovers = [p.name for p in out.iterdir()] if out.exists() else []
    assert not any("slow" in name for name in leftovers), leftovers


def test_existing_outputs_are_never_overwritten(tmp_path: Path, video_clip: Path) -> None:
    wf = parallel_workflow(task_node("transcode", "Small", fast_transcode()), task_node("snapshot", "Thumbs",
                                                                                        small_snapshots()))
    out = tmp_path / "out"
    engine = make_engine(tmp_path)
    first = asyncio.run(engine.run(wf, video_clip, out))
    assert first.result == RunResult.SUCCESS, first.message
    digests = {o["path"]: hashlib.sha256(Path(o["path"]).read_bytes()).hexdigest() for o in first.outputs()}
    second = asyncio.run(engine.run(wf, video_clip, out))
    assert second.result == RunResult.SUCCESS, second.message
    second_paths = {o["path"] for o in second.outputs()}
    assert not second_paths & set(digests)  # new names, e.g. "clip_SD (1).mp4"
    assert all(Path(p).is_file() for p in second_paths)
    for path, digest in digests.items():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest


def test_renamed_sprite_sheets_keep_the_vtt_right(tmp_path: Path, video_clip: Path) -> None:
    wf = chain_workflow(task_node("image_sprite", "Sprite", ImageSpriteParams(interval="1s", rows=1, columns=2,
                                                                              width=80)))
    out = tmp_path / "out"
    engine = make_engine(tmp_path)
    asyncio.run(engine.run(wf, video_clip, out))
    record = asyncio.run(engine.run(wf, video_clip, out))
    assert record.result == RunResult.SUCCESS, record.message
    outputs = record.outputs()
    vtt = next(Path(o["path"]) for o in outputs if o["path"].endswith(".vtt"))
    text = vtt.read_text(encoding="utf-8")
    sheets = [Path(o["path"]).name for o in outputs if not o["path"].endswith(".vtt")]
    assert sheets and all(" (1)" in name for name in sheets)
    from urllib.parse import quote
    assert all(name in text or quote(name) in text for name in sheets)


def test_awkward_input_name(tmp_path: Path, video_clip: Path) -> None:
    odd = tmp_path / "-my clip ü é.mp4"
    shutil.copyfile(video_clip, odd)
    wf = parallel_workflow(task_node("transcode", "Small", fast_transcode()), task_node("snapshot", "Thumbs",
                                                                                        small_snapshots()))
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(wf, odd, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    assert record.input == str(odd)
    for output in record.outputs():
        assert Path(output["path"]).name.startswith("-my clip ü é") and Path(output["path"]).is_file()


def test_missing_input_is_a_recorded_failure(tmp_path: Path) -> None:
    wf = parallel_workflow(task_node("snapshot", "Thumbs", small_snapshots()))
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(wf, tmp_path / "nope.mp4", tmp_path / "out"))
    assert record.result == RunResult.FAIL and record.error_code == "InputNotFound"
    assert "nope.mp4" in record.message
    assert [s.status for s in record.subtasks] == [SubtaskStatus.SKIPPED]
    assert record.failed_step == ""  # the run failed before its steps: no step to blame
    # recorded: SQLite holds exactly the failed run the engine handed back
    assert asdict(engine.store.get_stored(record.task_id)) == asdict(record)


def test_invalid_workflow_is_a_recorded_failure(tmp_path: Path, video_clip: Path) -> None:
    wf = Workflow("broken")
    wf.add_node(Node(NodeKind.START))
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(wf, video_clip, tmp_path / "out"))
    assert record.result == RunResult.FAIL and record.error_code == "InvalidWorkflow"
    assert "end" in record.message


def test_fetch_and_deliver_hooks(tmp_path: Path, video_clip: Path) -> None:
    wf = parallel_workflow(task_node("snapshot", "Thumbs", small_snapshots()))
    engine = make_engine(tmp_path, work_dir=tmp_path / "work")
    delivered: list[object] = []

    async def fetch(work: Path) -> Path:
        assert work.is_dir()
        local = work / "downloaded.mp4"
        shutil.copyfile(video_clip, local)
        return local

    async def deliver(record: object) -> None:
        delivered.append(record)

    async def failing_deliver(record: object) -> None:
        raise ConnectionError("bucket unreachable")

    ok = asyncio.run(engine.run(wf, "s3://in/videos/holiday.mp4", None, fetch_input=fetch, deliver=deliver))
    assert ok.result == RunResult.SUCCESS, ok.message
    assert ok.input == "s3://in/videos/holiday.mp4"
    assert len(delivered) == 1 and all(s.status == SubtaskStatus.SUCCESS for s in delivered[0].subtasks)
    assert all(Path(o["path"]).name.startswith("holiday") and Path(o["path"]).is_file() for o in ok.outputs())
    assert not (tmp_path / "work" / ok.task_id / "input").exists()  # the download is cleaned up

    bad = asyncio.run(engine.run(wf, "s3://in/videos/holiday.mp4", tmp_path / "out", fetch_input=fetch,
                                 deliver=failing_deliver))
    assert bad.result == RunResult.FAIL and bad.error_code == "DeliveryFailed"
    assert "bucket unreachable" in bad.message


def test_fetch_failure_is_recorded(tmp_path: Path) -> None:
    wf = parallel_workflow(task_node("snapshot", "Thumbs", small_snapshots()))
    engine = make_engine(tmp_path, work_dir=tmp_path / "work")

    async def fetch(work: Path) -> Path:
        raise PermissionError("access denied to s3://in/x.mp4")

    record = asyncio.run(engine.run(wf, "s3://in/x.mp4", None, fetch_input=fetch))
    assert record.result == RunResult.FAIL and record.error_code == "FetchFailed"
    assert "access denied" in record.message


def test_cancel_while_fetching_the_input(tmp_path: Path) -> None:
    wf = parallel_workflow(task_node("snapshot", "Thumbs", small_snapshots()))
    engine = make_engine(tmp_path, work_dir=tmp_path / "work")

    async def scenario() -> object:
        fetching = asyncio.Event()

        async def slow_fetch(work: Path) -> Path:
            fetching.set()
            await asyncio.sleep(3600)
            raise AssertionError("not reached")

        task_id = engine.submit(wf, "s3://in/slow.mp4", None, fetch_input=slow_fetch)
        await asyncio.wait_for(fetching.wait(), 30)
        assert engine.cancel(task_id)
        return await engine.wait(task_id)

    record = asyncio.run(scenario())
    assert record.result == RunResult.CANCELED
    assert [s.status for s in record.subtasks] == [SubtaskStatus.CANCELED]
    assert not engine.cancel(record.task_id)  # finished runs cannot be canceled
