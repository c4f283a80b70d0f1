"""Fusion (media/fusion + the scheduler): one decode for sibling tasks, failures named, the off switch, the budget."""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from mediaflow_gui.cli import main as cli_main
from mediaflow_gui.engine import executor as executor_module
from mediaflow_gui.engine.events import SubtaskProgress, SubtaskStarted
from mediaflow_gui.media import fusion
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import SampleSnapshotParams, SnapshotParams, WatermarkParams
from mediaflow_gui.model.serialization import load_workflow, save_workflow
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.paths import sample_workflow_path
from tests.engine.helpers import (AnimatedImageParams, ImageSpriteParams, Recorder, chain_workflow, fast_transcode,
                                  make_engine, parallel_workflow, small_snapshots, task_node)
from tests.media.avcheck import props


@pytest.fixture
def ffmpeg_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every FFmpeg process the executor starts (its argv), through the real runner."""
    calls: list[list[str]] = []
    real = executor_module.run_ffmpeg

    async def counting(job: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append([str(a) for a in job.args])
        return await real(job, *args, **kwargs)

    monkeypatch.setattr(executor_module, "run_ffmpeg", counting)
    return calls


def _output_props(record: Any) -> dict[str, tuple]:
    found = {}
    for sub in record.subtasks:
        for out in sub.outputs:
            path = Path(out["path"])
            if path.suffix == ".vtt":
                found[f"{sub.name}/{path.name}"] = ("vtt", path.read_text(encoding="utf-8").count("-->"))
                continue
            p = props(path)
            video = p.video[0] if p.video else None
            found[f"{sub.name}/{path.name}"] = (
                p.format, round(p.duration, 1), video and (video.codec, video.width, video.height, video.frames),
                tuple((a.codec, a.sample_rate, a.channels) for a in p.audio))
    return found


@pytest.mark.slow  # the standard workflow twice on real FFmpeg
def test_standard_workflow_fused_and_apart_give_the_same_outputs(tmp_path: Path, video_clip: Path,
                                                                 ffmpeg_calls: list[list[str]]) -> None:
    workflow = load_workflow(sample_workflow_path("standard.mfw.json"))
    records = {}
    calls = {}
    events = {}
    for fusion in (True, False):
        engine = make_engine(tmp_path / f"f{fusion}", fusion=fusion, max_threads=2)
        rec = Recorder(engine.bus)
        ffmpeg_calls.clear()
        record = asyncio.run(engine.run(workflow, video_clip, tmp_path / f"out-{fusion}"))
        assert record.result == RunResult.SUCCESS, record.message
        records[fusion], calls[fusion], events[fusion] = record, list(ffmpeg_calls), rec
    fused, apart = _output_props(records[True]), _output_props(records[False])
    assert len(fused) >= 10 and fused == apart
    # the images, the GIF and the VTT are the very same bytes (only x264's threading makes the videos differ)
    def digests(record: Any) -> dict[str, str]:
        return {Path(o["path"]).name: hashlib.sha256(Path(o["path"]).read_bytes()).hexdigest()
                for s in record.subtasks for o in s.outputs if not o["path"].endswith(".mp4")}
    assert len(digests(records[True])) >= 10 and digests(records[True]) == digests(records[False])

    # apart: one process per task (snapshots: one per time point); fused: one process, one decode
    # split to the five full-pass tasks and to the three time points of the snapshots, which take
    # their frames from that decode (the images above are the bytes the seeking apart run made)
    assert len(calls[False]) == 5 + 4
    assert len(calls[True]) == 1
    shared = calls[True][0]
    assert "split=8" in " ".join(shared)  # 1s and 25% of 4 s are one point
    inputs = [i for i, a in enumerate(shared) if a == "-i"]
    assert len(inputs) == 2 and "-ss" not in shared  # the clip and the logo: no seeking input

    # every member says it started with the shared command and got the same progress
    rec = events[True]
    members = [s.step_id for s in records[True].subtasks if s.task_kind != "watermark"]
    assert len(members) == 6
    assert {rec.of(SubtaskStarted, sid)[0].command for sid in members} == {tuple(shared)}
    progress = {sid: [e.percent for e in rec.of(SubtaskProgress, sid)] for sid in members}
    assert all(p and p[-1] == 100.0 for p in progress.values())
    assert len({tuple(p) for p in progress.values()}) == 1
    # the store keeps the shared command per subtask, as the record of what ran
    assert all(tuple(records[True].subtask(sid).command) == tuple(shared) for sid in members)


def _sabotage_first_build(monkeypatch: pytest.MonkeyPatch, victim_name: str) -> None:
    """After the first fused build, turn one member's staging dir into a file: FFmpeg cannot write there."""
    real = fusion.build_fused
    done = {"n": 0}

    def sabotaged(ctxs: list, threads: int) -> Any:
        fused = real(ctxs, threads)
        if done["n"] == 0:
            done["n"] += 1
            victim = next(c for c in fused.members if c.step_name == victim_name)
            shutil.rmtree(victim.staging_dir)
            Path(victim.staging_dir).write_text("not a directory")
        return fused

    monkeypatch.setattr(fusion, "build_fused", sabotaged)


def test_failing_output_fails_only_its_subtask(tmp_path: Path, video_clip: Path, monkeypatch: pytest.MonkeyPatch,
                                               ffmpeg_calls: list[list[str]]) -> None:
    small = task_node("transcode", "Small", fast_transcode("small", 120))
    samples = task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="1s", width=128))
    sprite = task_node("image_sprite", "Sprite", ImageSpriteParams(interval="1s", rows=2, columns=2, width=128))
    after = task_node("animated_image", "GIF of small", AnimatedImageParams(start="0s", end="1s", fps=5, width=128))
    wf = parallel_workflow(small, samples, sprite)
    # a task in series after "Small" (reads its video): it must be SKIPPED when Small fails
    join = wf.nodes_of_kind(NodeKind.JOIN)[0]
    wf.remove_edge(next(e for e in wf.edges if e.source == small.id))
    wf.add_node(after)
    wf.connect(small, after)
    wf.connect(after, join)
    _sabotage_first_build(monkeypatch, "Small")
    engine = make_engine(tmp_path)
    out = tmp_path / "out"
    record = asyncio.run(engine.run(wf, video_clip, out))
    assert record.result == RunResult.FAIL and record.subtasks, record.message
    failed = record.subtask(small.id)
    assert failed.status == SubtaskStatus.FAIL and failed.error_code == "FFmpegFailed"
    assert failed.message.startswith("Task 'Small' failed:") and "Not a directory" in failed.message
    assert "'Samples'" in failed.message and "'Sprite'" in failed.message  # says whom it shared the process with
    assert "'Small'" in record.message
    # the others ran again without it and succeeded; the dependant was skipped
    assert record.subtask(samples.id).status == SubtaskStatus.SUCCESS
    assert record.subtask(sprite.id).status == SubtaskStatus.SUCCESS
    assert all(Path(o["path"]).is_file() for o in record.subtask(sprite.id).outputs)
    assert record.subtask(after.id).status == SubtaskStatus.SKIPPED
    assert "'Small'" in record.subtask(after.id).message
    assert len(ffmpeg_calls) == 2 and "split=3" in " ".join(ffmpeg_calls[0]) and "split=2" in " ".join(ffmpeg_calls[1])
    staging_file = next(p for p in out.iterdir() if p.is_file() and p.name.startswith(".mediaflow-"))
    staging_file.unlink()  # the test's own sabotage; nothing else may be left behind
    assert not [p for p in out.iterdir() if p.name.startswith(".mediaflow-")]


def test_broken_watermark_image_fails_its_transcode_only(tmp_path: Path, video_clip: Path) -> None:
    bad_logo = tmp_path / "logo.png"
    bad_logo.write_bytes(b"\x89PNG\r\n\x1a\n but not really a PNG")
    marked = fast_transcode("marked", 120)
    marked.watermarks.append(WatermarkParams(type="image", image_path=str(bad_logo), width="20%"))
    plain = task_node("transcode", "Plain", fast_transcode("plain", 120))
    with_logo = task_node("transcode", "With logo", marked)
    samples = task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="1s", width=128))
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(parallel_workflow(plain, with_logo, samples), video_clip, tmp_path / "out"))
    bad = record.subtask(with_logo.id)
    assert bad.status == SubtaskStatus.FAIL and bad.message.startswith("Task 'With logo' failed:")
    assert "logo.png" in bad.message or "in#" in bad.message
    assert record.subtask(plain.id).status == SubtaskStatus.SUCCESS
    assert record.subtask(samples.id).status == SubtaskStatus.SUCCESS


def test_unattributed_failure_fails_the_group_naming_everyone(tmp_path: Path, video_clip: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "source.mp4"
    shutil.copyfile(video_clip, source)
    real = fusion.build_fused

    def input_replaced(ctxs: list, threads: int) -> Any:
        fused = real(ctxs, threads)
        source.write_bytes(b"the file was replaced while the run was starting")  # the shared input is gone
        return fused

    monkeypatch.setattr(fusion, "build_fused", input_replaced)
    a = task_node("transcode", "Alpha", fast_transcode("a", 120))
    b = task_node("sample_snapshot", "Beta", SampleSnapshotParams(interval="1s", width=128))
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(parallel_workflow(a, b), source, tmp_path / "out"))
    assert record.result == RunResult.FAIL
    for node in (a, b):
        sub = record.subtask(node.id)
        assert sub.status == SubtaskStatus.FAIL and sub.error_code == "FFmpegFailed"
        assert sub.message.startswith(f"Task '{node.label}' failed:")
        assert "'Alpha', 'Beta'" in sub.message and "names none of them" in sub.message


def test_builder_rejection_in_a_group_fails_alone(tmp_path: Path, audio_only: Path) -> None:
    video = task_node("transcode", "Video", fast_transcode("v", 120))
    audio1 = task_node("transcode", "Audio 1", fast_transcode("a1", 120))
    audio1.params.video_codec = "none"
    audio1.params.container = "m4a"
    audio2 = task_node("transcode", "Audio 2", fast_transcode("a2", 120))
    audio2.params.video_codec, audio2.params.container, audio2.params.audio_bitrate_kbps = "none", "m4a", 64
    engine = make_engine(tmp_path)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(parallel_workflow(video, audio1, audio2), audio_only, tmp_path / "out"))
    assert record.subtask(video.id).status == SubtaskStatus.FAIL
    assert record.subtask(video.id).error_code == "InputNotSupported"
    assert record.subtask(audio1.id).status == record.subtask(audio2.id).status == SubtaskStatus.SUCCESS
    # the two audio transcodes shared one process (asplit), the video one never started FFmpeg
    (s1,), (s2,) = rec.of(SubtaskStarted, audio1.id), rec.of(SubtaskStarted, audio2.id)
    assert s1.command == s2.command and "asplit=2" in " ".join(s1.command)
    assert rec.of(SubtaskStarted, video.id) == []


@pytest.mark.slow  # the CLI as a process on real FFmpeg
def test_fusion_off_from_the_cli_starts_one_process_per_task(tmp_path: Path, video_clip: Path,
                                                             ffmpeg_calls: list[list[str]]) -> None:
    wf = parallel_workflow(task_node("transcode", "One", fast_transcode("one", 120)),
                           task_node("transcode", "Two", fast_transcode("two", 96)),
                           task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="1s", width=128)))
    path = tmp_path / "three.mfw.json"
    save_workflow(wf, path)
    counts = {}
    for flag in ([], ["--no-fusion"]):
        ffmpeg_calls.clear()
        code = cli_main(["run", str(path), str(video_clip), "--out", str(tmp_path / f"out{len(flag)}"), *flag])
        assert code == 0
        counts[bool(flag)] = len(ffmpeg_calls)
    assert counts == {False: 1, True: 3}


def test_thread_budget_is_never_exceeded(tmp_path: Path, video_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(tmp_path, max_threads=2)
    budget = engine.budget
    over: list[int] = []
    real_acquire = budget.acquire

    async def checked(n: int, owner: str = "") -> int:
        got = await real_acquire(n, owner)
        if budget.in_use > budget.total:
            over.append(budget.in_use)
        return got

    monkeypatch.setattr(budget, "acquire", checked)
    rec = Recorder(engine.bus)

    def workflow(i: int) -> Any:
        return parallel_workflow(task_node("transcode", f"T{i}", fast_transcode(f"t{i}", 120)),
                                 task_node("snapshot", f"S{i}", small_snapshots()),
                                 task_node("animated_image", f"G{i}", AnimatedImageParams(end="1s", fps=5, width=128)),
                                 task_node("image_sprite", f"P{i}", ImageSpriteParams(interval="1s", rows=2,
                                                                                     columns=2, width=128)))

    async def three_runs() -> list[Any]:
        ids = [engine.submit(workflow(i), video_clip, tmp_path / f"out{i}") for i in range(3)]
        return [await engine.wait(t) for t in ids]

    records = asyncio.run(three_runs())
    assert all(r.result == RunResult.SUCCESS for r in records), [r.message for r in records]
    assert over == [] and 1 <= budget.peak <= 2 and budget.in_use == 0
    # each process was given as many FFmpeg threads as the tokens it held
    for event in rec.of(SubtaskStarted):
        values = {int(event.command[i + 1]) for i, a in enumerate(event.command) if a == "-threads"}
        assert values == {event.threads}, (event.command, event.threads)
    # small frames: one thread per fused process, so three runs' processes share the two tokens
    fused = [e for e in rec.of(SubtaskStarted) if "split=" in " ".join(e.command)]
    assert fused and all(e.threads == 1 for e in fused)


def test_group_share_grows_with_encoders_for_large_frames(tmp_path: Path) -> None:
    from mediaflow_gui.engine.budget import ThreadBudget
    from mediaflow_gui.media.base import BuildContext, MediaInfo, StreamInfo

    def ctx(kind: str, params: Any, width: int, height: int) -> BuildContext:
        info = MediaInfo(tmp_path / "in.mp4", duration=10.0, width=width, height=height, fps=30,
                         video_streams=[StreamInfo(0, "video", "h264", width, height, 30)])
        return BuildContext("s-" + kind, kind, kind, params, tmp_path / "in.mp4", info, "in", tmp_path, "ffmpeg")

    big = [ctx("transcode", fast_transcode("a"), 1920, 1080), ctx("transcode", fast_transcode("b"), 1920, 1080),
           ctx("sample_snapshot", SampleSnapshotParams(), 1920, 1080)]
    small = [ctx("transcode", fast_transcode("a"), 320, 240), ctx("sample_snapshot", SampleSnapshotParams(), 320, 240)]
    assert fusion.group_weight(big) == 3 and fusion.group_weight(small) == 1
    budget = ThreadBudget(2)
    assert budget.threads_for(1, fusion.group_weight(big)) == 2  # capped at the budget
    assert budget.threads_for(1, fusion.group_weight(small)) == budget.threads_for(1) == 1
    assert ThreadBudget(8).threads_for(1, fusion.group_weight(big)) == 3


def test_culprit_mapping_from_ffmpeg_lines(tmp_path: Path, video_clip: Path) -> None:
    from mediaflow_gui.media.probe import probe
    from tests.media.conftest import make_context

    ctxs = [make_context("transcode", fast_transcode("a", 120), video_clip, tmp_path / "a", name="A"),
            make_context("sample_snapshot", SampleSnapshotParams(interval="1s"), video_clip, tmp_path / "b", name="B"),
            make_context("image_sprite", ImageSpriteParams(interval="1s", rows=2, columns=2), video_clip,
                         tmp_path / "c", name="C")]
    assert probe(video_clip).has_video
    fused = fusion.build_fused(ctxs, threads=1)
    a, b, c = (x.step_id for x in ctxs)
    argv = fused.job.args
    outputs = [arg for prev, arg in zip(argv, argv[1:]) if not prev.startswith("-stats_enc")]  # not the log
    order = [next(x.step_id for x in ctxs if arg.startswith(str(x.staging_dir.resolve())))
             for arg in outputs if any(arg.startswith(str(x.staging_dir.resolve())) for x in ctxs)]
    assert fused.job.stats_file and fused.job.stats_file.startswith(str(ctxs[0].staging_dir.resolve()))
    assert fused.output_owner == order and sorted(order) == sorted([a, b, c])
    idx = {sid: order.index(sid) for sid in (a, b, c)}
    assert fused.culprits([f"[vost#{idx[b]}:0/mjpeg @ 0x1] Error while opening encoder"]) == [b]
    assert fused.culprits([f"[out#{idx[c]}/image2 @ 0x1] Error opening output: No space left on device"]) == [c]
    assert fused.culprits(["Conversion failed!"]) == []
    # filters: the tile filter is the sprite's alone; the split feeding everyone is nobody's
    graph = argv[argv.index("-filter_complex") + 1]
    names = [re.match(r"(?:\[[^\]]*\])*([a-z0-9_]+)", f).group(1)
             for chain in graph.split(";") for f in re.split(r"(?<!\\),", chain)]  # '\,' is inside an expression
    tile, split = names.index("tile"), names.index("split")
    assert fused.culprits([f"[Parsed_tile_{tile} @ 0x2] Invalid layout"]) == [c]
    assert fused.culprits([f"[Parsed_split_{split} @ 0x2] Invalid argument"]) == []
    # a passenger fed by the shared decode: its select filter and its output are its own
    shot = make_context("snapshot", SnapshotParams(offsets=["2s"], width=128), video_clip, tmp_path / "d", name="D")
    fused = fusion.build_fused(ctxs + [shot], threads=1)
    argv = fused.job.args
    assert "-ss" not in argv
    graph = argv[argv.index("-filter_complex") + 1]
    names = [re.match(r"(?:\[[^\]]*\])*([a-z0-9_]+)", f).group(1)
             for chain in graph.split(";") for f in re.split(r"(?<!\\),", chain)]
    owned = [i for i, n in enumerate(names) if n == "select" and fused.filter_owner.get(i) == shot.step_id]
    assert len(owned) == 1
    assert fused.culprits([f"[Parsed_select_{owned[0]} @ 0x3] Error while filtering"]) == [shot.step_id]
    assert fused.culprits([f"Error opening output {shot.staging_dir.resolve()}/x.jpg: Not a directory"]) == [
        shot.step_id]
    # a group that decodes no video (an audio-only transcode): the passenger seeks with its own input,
    # which is its own; the shared input is nobody's
    from mediaflow_gui.model.params import transcode_preset
    audio = make_context("transcode", transcode_preset("Audio only (m4a)"), video_clip, tmp_path / "e", name="E")
    fused = fusion.build_fused([audio, shot], threads=1)
    argv = fused.job.args
    inputs = [i for i, a in enumerate(argv) if a == "-i"]
    seek_index = next(n for n, (prev, i) in enumerate(zip([0] + inputs, inputs)) if "-ss" in argv[prev + 1:i])
    assert fused.culprits([f"[in#{seek_index}/mov,mp4 @ 0x3] Error during demuxing: I/O error"]) == [shot.step_id]
    other = next(n for n in range(len(inputs)) if n != seek_index)
    assert fused.culprits([f"[in#{other}/mov,mp4 @ 0x3] Error during demuxing: I/O error"]) == []
    assert fused.culprits([f"Error opening output {shot.staging_dir.resolve()}/x.jpg: Not a directory"]) == [
        shot.step_id]
    fused = fusion.build_fused(ctxs, threads=1)
    # the first attributable error line wins: later lines are consequences
    assert fused.culprits([f"[out#{idx[a]}/mp4 @ 0x1] Error: Permission denied",
                           f"[out#{idx[b]}/image2 @ 0x1] Error: Nothing was written"]) == [a]


def test_windowed_task_joins_only_a_group_with_a_full_pass(tmp_path: Path, video_clip: Path) -> None:
    from tests.media.conftest import make_context

    gif1 = make_context("animated_image", AnimatedImageParams(end="1s", fps=5, width=128), video_clip, tmp_path / "g1")
    gif2 = make_context("animated_image", AnimatedImageParams(start="2s", end="3s", fps=5, width=128), video_clip,
                        tmp_path / "g2")
    shot = make_context("snapshot", small_snapshots(), video_clip, tmp_path / "s")
    samples = make_context("sample_snapshot", SampleSnapshotParams(), video_clip, tmp_path / "p")
    groups, apart = fusion.plan_groups([gif1, gif2, shot])
    assert groups == [] and {c.step_id for c in apart} == {gif1.step_id, gif2.step_id, shot.step_id}
    groups, apart = fusion.plan_groups([gif1, shot, samples, gif2])
    # the snapshots ride along (own seeking inputs); the windowed ones join because a full pass exists
    assert [[c.step_id for c in g] for g in groups] == [[samples.step_id, gif1.step_id, gif2.step_id, shot.step_id]]
    assert apart == []


def test_serial_chain_is_not_fused_across_inputs(tmp_path: Path, video_clip: Path,
                                                 ffmpeg_calls: list[list[str]]) -> None:
    first = task_node("transcode", "First", fast_transcode("first", 120))
    second = task_node("image_sprite", "Sprite of first", ImageSpriteParams(interval="1s", rows=2, columns=2,
                                                                            width=128))
    engine = make_engine(tmp_path)
    record = asyncio.run(engine.run(chain_workflow(first, second), video_clip, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    assert len(ffmpeg_calls) == 2 and not any("split=" in " ".join(c) for c in ffmpeg_calls)


def test_budget_follows_a_changed_setting(tmp_path: Path, video_clip: Path) -> None:
    engine = make_engine(tmp_path, max_threads=1)
    engine.settings.max_threads = 3  # what the GUI does when its settings change
    rec = Recorder(engine.bus)
    wf = parallel_workflow(task_node("snapshot", "A", small_snapshots()), task_node("snapshot", "B", small_snapshots()))
    record = asyncio.run(engine.run(wf, video_clip, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS, record.message
    assert engine.budget.total == 3 and engine.budget.in_use == 0 and engine.budget.peak >= 2
    assert len(rec.of(SubtaskStarted)) == 2


def test_budget_resize_keeps_held_tokens() -> None:
    from mediaflow_gui.engine.budget import ThreadBudget

    async def scenario() -> None:
        budget = ThreadBudget(4)
        held = await budget.acquire(3)
        budget.resize(2)  # shrink below what is held: nothing new until enough comes back
        waiter = asyncio.ensure_future(budget.acquire(2))
        await asyncio.sleep(0)
        assert not waiter.done() and budget.in_use > budget.total
        budget.release(held)
        assert await asyncio.wait_for(waiter, 1) == 2 and budget.in_use == 2
        budget.release(2)
        assert budget.in_use == 0

    asyncio.run(scenario())


def test_time_points_from_the_shared_decode_match_seeking_at_the_edges(tmp_path: Path, video_clip: Path) -> None:
    # the first frame, a point between two frames, the last frame and one past the end (clamped)
    shots = SnapshotParams(offsets=["0", "1.01s", "100%", "999s"], width=128, format="png")
    digests = {}
    for fusion in (True, False):
        wf = parallel_workflow(task_node("snapshot", "Edges", shots),
                               task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="1s", width=128)))
        engine = make_engine(tmp_path / f"e{fusion}", fusion=fusion)
        record = asyncio.run(engine.run(wf, video_clip, tmp_path / f"out-{fusion}"))
        assert record.result == RunResult.SUCCESS, record.message
        images = record.subtask_named("Edges").outputs
        assert len(images) == 4
        digests[fusion] = [hashlib.sha256(Path(o["path"]).read_bytes()).hexdigest() for o in images]
    assert digests[True] == digests[False]
    assert digests[True][2] == digests[True][3]  # 100 % and past the end: both the last frame
