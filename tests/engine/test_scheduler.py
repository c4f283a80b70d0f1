"""Scheduling, skip, cancel and fusion rules in milliseconds: the pure ready-set rule (next_moves) and
whole runs through the Engine with a fake FFmpeg (tests/engine/fake_ffmpeg.py: the runner seam).
The real-FFmpeg tests of outputs stay in test_engine.py and test_fusion.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from mediaflow_gui.engine.engine import Engine, EngineSettings
from mediaflow_gui.engine.events import SubtaskStarted
from mediaflow_gui.engine.scheduler import next_moves
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.params import SampleSnapshotParams
from mediaflow_gui.model.plan import compile_plan
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.paths import sample_workflow_path
from tests.engine.fake_ffmpeg import FakeFFmpeg
from tests.engine.helpers import Recorder, chain_workflow, fast_transcode, parallel_workflow, task_node

S, F, C = SubtaskStatus.SUCCESS, SubtaskStatus.FAIL, SubtaskStatus.CANCELED


@pytest.fixture(scope="module")
def standard_plan():  # type: ignore[no-untyped-def]
    return compile_plan(load_workflow(sample_workflow_path("standard.mfw.json")))


def ids(plan, *names: str) -> list[str]:  # type: ignore[no-untyped-def]
    by_name = {s.name: sid for sid, s in plan.steps.items()}
    return [by_name[n] for n in names]


# -- the pure rule --------------------------------------------------------------------------------
def test_the_standard_workflow_starts_as_one_unit_when_fusion_is_on(standard_plan) -> None:  # type: ignore[no-untyped-def]
    moves = next_moves(standard_plan, {}, set(), fusion=True)
    assert not moves.settled and len(moves.units) == 1
    assert sorted(moves.units[0]) == sorted(ids(standard_plan, "SD 540p", "HD 720p", "Time-point snapshots",
                                                "Sampled snapshots", "Animated GIF", "Image sprite"))
    apart = next_moves(standard_plan, {}, set(), fusion=False)
    assert len(apart.units) == 6 and all(len(u) == 1 for u in apart.units)


def test_a_folded_watermark_reports_its_transcode(standard_plan) -> None:  # type: ignore[no-untyped-def]
    (logo, hd) = ids(standard_plan, "Logo watermark", "HD 720p")
    started = set(standard_plan.steps) - {logo}
    assert logo not in next_moves(standard_plan, {}, started, fusion=True).settled  # waits for HD 720p
    done = next_moves(standard_plan, {hd: S}, started, fusion=True).settled[logo]
    assert done.status == S and "applied inside 'HD 720p'" in done.message
    failed = next_moves(standard_plan, {hd: F}, started, fusion=True, error_codes={hd: "FFmpegFailed"}).settled[logo]
    assert (failed.status, failed.error_code) == (F, "FFmpegFailed") and "'HD 720p' failed" in failed.message


def test_dependants_of_a_failure_are_skipped_and_of_a_cancel_canceled() -> None:
    one, two, three = (task_node("transcode", n, fast_transcode(n)) for n in ("One", "Two", "Three"))
    plan = compile_plan(chain_workflow(one, two, three))
    moves = next_moves(plan, {one.id: F}, {one.id}, fusion=True)
    assert moves.settled[two.id].status == SubtaskStatus.SKIPPED and "'One' did not succeed" in moves.settled[two.id].message
    assert three.id not in moves.settled  # waits for Two's outcome first
    assert next_moves(plan, {one.id: C}, {one.id}, fusion=True).settled[two.id].status == C
    assert next_moves(plan, {}, set(), fusion=True, canceling=True).settled[one.id].status == C


def test_a_chain_runs_one_step_after_the_other() -> None:
    one, two = task_node("transcode", "One", fast_transcode("one")), task_node("image_sprite", "Two")
    plan = compile_plan(chain_workflow(one, two))
    assert plan.groups == []
    assert next_moves(plan, {}, set(), fusion=True).units == [(one.id,)]
    assert next_moves(plan, {one.id: S}, {one.id}, fusion=True).units == [(two.id,)]


# -- whole runs with a fake FFmpeg ----------------------------------------------------------------
def engine_with(tmp_path: Path, fake: FakeFFmpeg, **settings: object) -> Engine:
    return Engine(TaskStore(tmp_path / "tasks.sqlite3"), settings=EngineSettings(**settings), runner=fake)


def test_fusion_gives_the_standard_workflow_one_process(tmp_path: Path, video_clip: Path) -> None:
    wf = load_workflow(sample_workflow_path("standard.mfw.json"))
    fused, apart = FakeFFmpeg(), FakeFFmpeg()
    r1 = asyncio.run(engine_with(tmp_path / "a", fused).run(wf, video_clip, tmp_path / "out-a"))
    r2 = asyncio.run(engine_with(tmp_path / "b", apart, fusion=False).run(wf, video_clip, tmp_path / "out-b"))
    assert r1.result == r2.result == RunResult.SUCCESS, r1.message
    assert len(fused.jobs) == 1
    assert len(apart.jobs) == 9  # 5 tasks + 4 time points, each its own process without fusion
    # the same files either way
    assert sorted(o["path"].rsplit("/", 1)[1] for o in r1.outputs()) == \
        sorted(o["path"].rsplit("/", 1)[1] for o in r2.outputs())


def test_a_chain_reads_the_previous_output_and_a_failure_skips_only_its_dependants(tmp_path: Path,
                                                                                    video_clip: Path) -> None:
    first = task_node("transcode", "First", fast_transcode("first"))
    second = task_node("image_sprite", "Second")
    fake = FakeFFmpeg()
    engine = engine_with(tmp_path, fake)
    rec = Recorder(engine.bus)
    record = asyncio.run(engine.run(chain_workflow(first, second), video_clip, tmp_path / "out"))
    assert record.result == RunResult.SUCCESS
    started = rec.of(SubtaskStarted)
    assert [e.step_id for e in started] == [first.id, second.id]
    assert started[1].input == record.subtask(first.id).outputs[0]["path"]  # the transcode's output
    # the first of a chain fails: its dependant is skipped, an independent branch still succeeds
    side = task_node("sample_snapshot", "Side", SampleSnapshotParams(interval="1s"))
    wf = parallel_workflow(chain_step := task_node("transcode", "Broken", fast_transcode("broken")), side)
    failing = FakeFFmpeg(fail=lambda job: ["[out#0] Error: broken"] if "broken" in " ".join(job.args) else None)
    record = asyncio.run(engine_with(tmp_path / "f", failing, fusion=False).run(wf, video_clip, tmp_path / "out2"))
    assert record.subtask(chain_step.id).status == F and record.subtask(side.id).status == S
    wf = chain_workflow(broken := task_node("transcode", "Broken", fast_transcode("broken")),
                        after := task_node("image_sprite", "After"))
    record = asyncio.run(engine_with(tmp_path / "g", failing).run(wf, video_clip, tmp_path / "out3"))
    assert (record.subtask(broken.id).status, record.subtask(after.id).status) == (F, SubtaskStatus.SKIPPED)


def test_cancel_settles_every_step_and_starts_nothing_more(tmp_path: Path, video_clip: Path) -> None:
    one, after = task_node("transcode", "One", fast_transcode("one")), task_node("image_sprite", "After")
    wf = chain_workflow(one, after)
    fake = FakeFFmpeg(delay=30)
    engine = engine_with(tmp_path, fake, fusion=False)

    async def scenario():  # type: ignore[no-untyped-def]
        task_id = engine.submit(wf, video_clip, tmp_path / "out")
        while not fake.running:
            await asyncio.sleep(0.01)
        engine.cancel(task_id)
        return await asyncio.wait_for(engine.wait(task_id), 10)

    record = asyncio.run(scenario())
    assert record.result == RunResult.CANCELED
    assert {s.status for s in record.subtasks} == {C}
    assert len(fake.jobs) == 1 and fake.running == 0


def test_a_member_named_by_ffmpeg_fails_alone_and_the_others_run_again(tmp_path: Path, video_clip: Path) -> None:
    a, b = task_node("transcode", "A", fast_transcode("aaa")), task_node("transcode", "B", fast_transcode("bbb"))
    samples = task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="1s", width=128))
    calls: list[int] = []

    def fail(job):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:  # the fused process: output #1 (B's) is broken
            return ["[vost#1:0/libx264 @ 0x1] Error initializing output stream 1:0", "Conversion failed!"]
        return None

    fake = FakeFFmpeg(fail=fail)
    record = asyncio.run(engine_with(tmp_path, fake).run(parallel_workflow(a, b, samples), video_clip, tmp_path / "o"))
    statuses = {s.name: s.status for s in record.subtasks}
    culprit = next(n for n, st in statuses.items() if st == F)
    assert list(statuses.values()).count(F) == 1, statuses
    assert "ran again without it" in record.subtask_named(culprit).message
    assert len(fake.jobs) == 2  # the group, then the group without the culprit
    assert len(fake.outputs_of(fake.jobs[1])) == len(fake.outputs_of(fake.jobs[0])) - 1


def test_an_unattributed_failure_fails_every_member_naming_them(tmp_path: Path, video_clip: Path) -> None:
    a, b = task_node("transcode", "A", fast_transcode("aaa")), task_node("transcode", "B", fast_transcode("bbb"))
    fake = FakeFFmpeg(fail=lambda job: ["Segmentation fault"])
    record = asyncio.run(engine_with(tmp_path, fake).run(parallel_workflow(a, b), video_clip, tmp_path / "o"))
    assert {s.status for s in record.subtasks} == {F}
    assert all("'A', 'B'" in s.message for s in record.subtasks)
    assert len(fake.jobs) == 1


@dataclass
class PairedFFmpeg(FakeFFmpeg):
    """The first job waits (up to 5 s) for a second one to arrive before it runs its delay: whether the
    budget lets two run at once no longer hangs on how quickly a loaded machine builds the second job
    (a lone 50 ms job could end first: most_at_once 1). The second one wakes the first before it
    sleeps itself, so they overlap; a budget of one keeps the second out, and the first goes on alone."""

    arrived: int = 0
    second: asyncio.Event | None = None

    async def __call__(self, job, on_progress, min_interval=0.2, keep_lines=30):  # type: ignore[no-untyped-def]
        if self.second is None:
            self.second = asyncio.Event()  # made on the run's loop
        self.arrived += 1
        if self.arrived == 1:
            try:
                await asyncio.wait_for(self.second.wait(), 5)
            except asyncio.TimeoutError:
                pass
        elif self.arrived == 2:
            self.second.set()
        return await super().__call__(job, on_progress, min_interval, keep_lines)


def test_the_thread_budget_bounds_processes_at_once(tmp_path: Path, video_clip: Path) -> None:
    tasks = [task_node("transcode", f"T{i}", fast_transcode(f"t{i}")) for i in range(4)]
    fake = PairedFFmpeg(delay=0.05)
    record = asyncio.run(engine_with(tmp_path, fake, fusion=False, max_threads=2).run(
        parallel_workflow(*tasks), video_clip, tmp_path / "o"))
    assert record.result == RunResult.SUCCESS
    assert len(fake.jobs) == 4 and fake.most_at_once == 2
