"""The queue of runs, with a fake FFmpeg (milliseconds): runs that wait for CPU are queued (WAITING in
the task query, not "running 0 %"), start in the order given, can be moved and canceled while they
wait, and a paused queue starts nothing new while started runs finish."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mediaflow_gui.engine.events import RunStarted
from mediaflow_gui.model.statuses import RunResult
from tests.engine.fake_ffmpeg import FakeFFmpeg
from tests.engine.helpers import Recorder, fast_transcode, parallel_workflow, task_node
from tests.engine.test_scheduler import engine_with


def one_step_workflow():  # type: ignore[no-untyped-def]
    return parallel_workflow(task_node("transcode", "T", fast_transcode("t")))


async def until(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_runs_wait_queued_start_in_order_and_can_be_moved(tmp_path: Path, video_clip: Path) -> None:
    fake = FakeFFmpeg(delay=0.3)
    engine = engine_with(tmp_path, fake, max_threads=1, fusion=False)  # one run at a time
    rec = Recorder(engine.bus)

    async def scenario() -> tuple[list[str], str, list[str]]:
        ids = [engine.submit(one_step_workflow(), video_clip, tmp_path / f"out{i}") for i in range(4)]
        await until(lambda: fake.running == 1 and len(engine.queued()) == 3)
        # the first to reach the CPU runs (runs probe their inputs side by side); the rest wait in the
        # order they were given
        [running] = [t for t in ids if t not in engine.queued()]
        waiting = [t for t in ids if t != running]
        assert engine.queued() == waiting and engine.queue_position(waiting[2]) == 2
        engine.store.flush()
        # what the task query says: the running one PROCESSING, the waiting ones WAITING (not started)
        assert engine.store.get(running).status.value == "PROCESSING"
        assert [engine.store.get(t).status.value for t in waiting] == ["WAITING"] * 3
        a, b, c = waiting
        assert engine.move(c, "top") and engine.queued() == [c, a, b]
        assert engine.move(a, "down") and engine.queued() == [c, b, a]
        assert not engine.move(running, "up")  # started: it keeps its place
        assert not engine.move(c, "up")  # already first
        engine.cancel(b)  # a queued run canceled: it never starts
        for task_id in ids:
            await engine.wait(task_id)
        return ids, running, [c, b, a]

    ids, running, (c, b, a) = asyncio.run(scenario())
    started = [e.task_id for e in rec.of(RunStarted)]
    assert started == [running, c, a]  # the order after the moves; the canceled one never started
    assert engine.store.get(b).result == RunResult.CANCELED
    assert all(engine.store.get(t).result == RunResult.SUCCESS for t in (running, c, a))
    assert engine.queued() == []


def test_a_paused_queue_starts_nothing_new_and_resumes(tmp_path: Path, video_clip: Path) -> None:
    fake = FakeFFmpeg(delay=0.2)
    engine = engine_with(tmp_path, fake, max_threads=1, fusion=False)

    async def scenario() -> None:
        first = engine.submit(one_step_workflow(), video_clip, tmp_path / "a")
        await until(lambda: fake.running == 1)
        engine.pause_queue()
        second = engine.submit(one_step_workflow(), video_clip, tmp_path / "b")
        assert (await engine.wait(first)).result == RunResult.SUCCESS  # a started run goes on to its end
        await asyncio.sleep(0.5)
        assert engine.queue_paused and engine.queued() == [second] and len(fake.jobs) == 1  # nothing new
        engine.resume_queue()
        assert (await asyncio.wait_for(engine.wait(second), 10)).result == RunResult.SUCCESS

    asyncio.run(scenario())


def test_a_started_run_s_next_steps_go_before_queued_runs(tmp_path: Path, video_clip: Path) -> None:
    """Runs finish in the order they started: a started run's later steps are not stuck behind the
    first steps of runs queued after it (and a paused queue does not hold them either)."""
    from tests.engine.helpers import chain_workflow
    fake = FakeFFmpeg(delay=0.1)
    engine = engine_with(tmp_path, fake, max_threads=1, fusion=False)

    async def scenario() -> tuple[str, str]:
        chain = chain_workflow(task_node("transcode", "One", fast_transcode("one")),
                               task_node("image_sprite", "Two"))
        first = engine.submit(chain, video_clip, tmp_path / "a")
        await until(lambda: fake.running == 1)
        second = engine.submit(one_step_workflow(), video_clip, tmp_path / "b")
        engine.pause_queue()
        assert (await asyncio.wait_for(engine.wait(first), 10)).result == RunResult.SUCCESS
        engine.resume_queue()
        await engine.wait(second)
        return first, second

    first, second = asyncio.run(scenario())
    assert engine.store.get(first).finish_time <= engine.store.get(second).begin_time


def test_with_one_token_a_batch_of_chains_runs_one_run_after_the_other(tmp_path: Path, video_clip: Path) -> None:
    """Without a pause: when a run's first step ends, its next step gets the token, not the next queued
    run's first step (served at once, the runs of a batch went step by step side by side and every
    result came at the very end)."""
    from tests.engine.helpers import chain_workflow
    fake = FakeFFmpeg(delay=0.1)
    engine = engine_with(tmp_path, fake, max_threads=1, fusion=False)

    async def scenario() -> list[str]:
        chain = chain_workflow(task_node("transcode", "One", fast_transcode("one")),
                               task_node("image_sprite", "Two"))
        ids = [engine.submit(chain, video_clip, tmp_path / name) for name in ("a", "b", "c")]
        for task_id in ids:
            assert (await asyncio.wait_for(engine.wait(task_id), 20)).result == RunResult.SUCCESS
        return ids

    a, b, c = asyncio.run(scenario())
    # in the order they started (a run whose probe ends first may start first: runs start in the order
    # given among those ready), each run's steps all start before the next run's first step (the next
    # may start while the one before publishes its last outputs: its tokens are free by then)
    runs = sorted((engine.store.get(t) for t in (a, b, c)), key=lambda r: r.begin_time)
    for before, after in zip(runs, runs[1:]):
        assert max(s.begin_time for s in before.subtasks) <= min(s.begin_time for s in after.subtasks), \
            [[(s.name, s.begin_time) for s in r.subtasks] for r in runs]


def test_a_batch_starts_in_the_order_given(tmp_path: Path, video_clip: Path) -> None:
    """Runs probe their input one at a time in queue order, so they become ready — and start — in the
    order given (twenty probes at once finished in any order, and the first to finish started first)."""
    fake = FakeFFmpeg(delay=0.02)
    engine = engine_with(tmp_path, fake, max_threads=1, fusion=False)

    async def scenario() -> list[str]:
        ids = [engine.submit(one_step_workflow(), video_clip, tmp_path / f"out{i}") for i in range(8)]
        for task_id in ids:
            assert (await asyncio.wait_for(engine.wait(task_id), 30)).result == RunResult.SUCCESS
        return ids

    ids = asyncio.run(scenario())
    begins = [engine.store.get(t).begin_time for t in ids]
    assert begins == sorted(begins)


def test_a_later_run_does_not_overtake_a_prepared_run_that_has_not_asked_yet() -> None:
    """The budget's side of starting in order: a run prepared first (ready) but still building its first
    step in a worker thread keeps its place; a run that ends without asking lets the others go."""
    from mediaflow_gui.engine.budget import ThreadBudget

    async def scenario() -> list[str]:
        budget = ThreadBudget(1)
        order: list[str] = []
        for owner in ("first", "second", "third"):
            budget.enqueue(owner)
        budget.ready("first")

        async def ask(owner: str) -> None:
            async with budget.hold(1, owner):
                order.append(owner)
                await asyncio.sleep(0.01)

        second = asyncio.ensure_future(ask("second"))
        await asyncio.sleep(0.05)
        assert order == []  # "first" is ready and has not asked: "second" waits although a token is free
        await ask("first")
        await second
        budget.ready("third")
        budget.enqueue("fourth")
        fourth = asyncio.ensure_future(ask("fourth"))
        await asyncio.sleep(0.05)
        assert order == ["first", "second"]
        budget.forget("third")  # it ended without asking (every step settled without FFmpeg)
        await asyncio.wait_for(fourth, 1)
        return order

    assert asyncio.run(scenario()) == ["first", "second", "fourth"]
