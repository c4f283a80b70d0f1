"""Push and polling detection on the real SeaweedFS. The embedded store is watched by its filer's
metadata stream: a create and an overwrite (new ETag) start runs by event alone (no listing finds
them: the periodic reconcile is set to an hour), an overwrite with the same bytes does not; a store
restart mid-stream with an upload while the stream was down loses nothing (the new tail resumes
from the last event time). The polling fallback finds uploads by listing, at an interval that grows
while idle and shrinks after activity."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.storage.changes import ObjectChange, WatchSettings
from mediaflow_gui.storage.changes.filer_stream import FilerStreamSource
from mediaflow_gui.storage.changes.polling import PollingSource
from mediaflow_gui.storage.embedded import EmbeddedStore
from mediaflow_gui.storage.runner import BindingRunner
from mediaflow_gui.storage.s3 import make_client
from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401
from tests.storage.test_watch_runs import Harness, binding_for, harness, run_async, small_clip, until  # noqa: F401

pytestmark = pytest.mark.slow  # the real embedded store and real FFmpeg runs

AN_HOUR = WatchSettings(reconcile_every=3600.0)  # only the start's listing: whatever runs later came by event


def stream_seen(runner: BindingRunner, store: EmbeddedStore) -> Callable[[], str]:
    """What the runner and its filer stream saw, with the tail's own output: a timed-out wait says it."""
    def describe() -> str:
        source = runner.change_source
        lines = [f"runner: state={runner.status.state!r} message={runner.status.message!r} "
                 f"changes_seen={runner.changes_seen} runs_started={runner.status.runs_started} "
                 f"reconciles={runner.reconciles}"]
        if isinstance(source, FilerStreamSource):
            proc = source._proc
            lines.append(f"stream: connects={source.connects} events={source.events} "
                         f"last_event_ns={source.last_event_ns} resume_ns={source._resume_ns} "
                         f"now_ns={time.time_ns()} tail={'none' if proc is None else proc.poll()!r}")
        for name, keep in (("meta-tail.out", ""), ("weed.ERROR", ""), ("weed.INFO", "sub_meta")):
            path = store.logs_dir / name
            text = path.read_text(errors="replace") if path.exists() else "(none)"
            kept = [line for line in text.splitlines() if keep in line][-20:]
            lines.append(f"--- {name} (last 20 lines{' with ' + keep if keep else ''})\n" + "\n".join(kept))
        return "\n".join(lines)
    return describe


def test_create_and_overwrite_start_runs_by_event_and_the_same_bytes_do_not(
        harness: Harness, seaweed: EmbeddedStore, seaweed_client, fresh_bucket: str,  # type: ignore[no-untyped-def]
        small_clip: bytes) -> None:
    async def scenario() -> None:
        runner = harness.runner(binding_for(fresh_bucket, input_prefix="in/", output_prefix="out/", watch=AN_HOUR))
        await runner.start()
        source = runner.change_source
        assert isinstance(source, FilerStreamSource) and runner.status.mode == "events (filer stream)"
        assert runner.reconciles == 1  # the start's listing (the baseline)

        seen_by_stream = stream_seen(runner, seaweed)
        seaweed_client.put_object(Bucket=fresh_bucket, Key="in/clip.mp4", Body=small_clip)
        await until(lambda: runner.status.runs_started == 1, what="a run from the create event",
                    detail=seen_by_stream)
        await runner.wait_idle()
        seaweed_client.put_object(Bucket=fresh_bucket, Key="in/clip.mp4", Body=small_clip + b"\0" * 16)
        await until(lambda: runner.status.runs_started == 2, what="a run from the overwrite event (new ETag)",
                    detail=seen_by_stream)
        await runner.wait_idle()

        seen = runner.changes_seen
        seaweed_client.put_object(Bucket=fresh_bucket, Key="in/clip.mp4", Body=small_clip + b"\0" * 16)  # same ETag
        seaweed_client.put_object(Bucket=fresh_bucket, Key="elsewhere/other.mp4", Body=small_clip)  # outside the prefix
        await until(lambda: runner.changes_seen >= seen + 1, what="the same-bytes overwrite to be heard")
        await asyncio.sleep(1.0)  # time for a wrong run to start
        assert runner.status.runs_started == 2
        assert runner.reconciles == 1 and source.connects == 1 and source.events >= 3
        await runner.stop()
        assert source.stopping and source._proc is None  # the tail process is gone with the watcher

    run_async(scenario())
    records = [harness.tasks.get(c.task_id) for c in harness.created]
    assert [r.result for r in records] == [RunResult.SUCCESS, RunResult.SUCCESS], [r.message for r in records]
    assert all(c.input == f"s3://{fresh_bucket}/in/clip.mp4" for c in harness.created)


def test_an_upload_while_the_tail_is_still_starting_is_heard_and_nothing_from_before_the_start_is(
        seaweed: EmbeddedStore, seaweed_client, fresh_bucket: str) -> None:  # type: ignore[no-untyped-def]
    """-timeAgo counts from when the tail reads its clock, after it has started: a tail that takes 3 s
    to start (a loaded machine) must still replay an upload made just after the source started, and
    must not hand over an upload from before the start that its startup allowance replays too."""
    seaweed_client.put_object(Bucket=fresh_bucket, Key="in/before.mp4", Body=b"old")
    time.sleep(1.5)  # older than the start's one-second overlap

    async def scenario() -> list[str]:
        source = FilerStreamSource(seaweed, fresh_bucket, "in/", probe=lambda: None, describe_error=str)
        command = source.command
        source.command = lambda since_ns: ["sh", "-c", 'sleep 3; exec "$@"', "sh", *command(since_ns)]  # type: ignore[method-assign]
        await source.start()
        seaweed_client.put_object(Bucket=fresh_bucket, Key="in/during.mp4", Body=b"new")
        keys: list[str] = []

        async def collect() -> None:
            async for change in source.changes():
                if isinstance(change, ObjectChange):
                    keys.append(change.key)

        reading = asyncio.get_running_loop().create_task(collect())
        try:
            await until(lambda: "in/during.mp4" in keys, what="the upload made while the tail was starting",
                        detail=lambda: f"keys heard: {keys}; connects={source.connects}")
            seaweed_client.put_object(Bucket=fresh_bucket, Key="in/after.mp4", Body=b"live")
            await until(lambda: "in/after.mp4" in keys, what="a live upload")
        finally:
            source.stop()
            await asyncio.wait_for(reading, 10)
        return keys

    keys = run_async(scenario())
    assert "in/before.mp4" not in keys, keys
    assert keys.count("in/during.mp4") == 1, keys


def test_a_store_restart_mid_stream_with_an_upload_while_the_stream_was_down_loses_nothing(
        _private_data_dir: Path, small_clip: bytes, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "own-store", prefer_default_ports=False)
    store.start()
    h = Harness(_private_data_dir, store)
    make_client(store.connection()).create_bucket(Bucket="inbox")
    try:
        async def scenario() -> None:
            runner = h.runner(binding_for("inbox", output_prefix="out/", watch=AN_HOUR))
            await runner.start()
            source = runner.change_source
            assert isinstance(source, FilerStreamSource)
            # the upload below must land while no tail runs: once the store is back, the source's probe
            # (which comes before every new tail) holds until the upload is in. A long retry delay alone
            # raced with how long the store takes to start on a loaded machine.
            source.retry_delays = (0.5,)
            probe, store_back, upload_in = source.probe, threading.Event(), threading.Event()

            def probe_then_hold() -> None:
                probe()  # raises while the store is away: the source says "unreachable"
                if store_back.is_set():
                    upload_in.wait(60)

            source.probe = probe_then_hold
            make_client(store.connection()).put_object(Bucket="inbox", Key="before.mp4", Body=small_clip)
            await until(lambda: runner.status.runs_started == 1, what="the first run")
            await runner.wait_idle()

            store.stop()
            await until(lambda: runner.status.state == "unreachable", what="the stream to notice the store is away")
            assert "refused" in runner.status.message, runner.status.message
            store_back.set()
            try:
                store.start()  # the same ports and data, new certificates
                make_client(store.connection()).put_object(Bucket="inbox", Key="while-down.mp4",
                                                           Body=small_clip + b"\0" * 8)
                uploaded = time.monotonic()
                assert source.connects == 1  # uploaded before the stream came back
            finally:
                upload_in.set()  # (a failure above must not leave the probe's thread waiting)
            await until(lambda: runner.status.runs_started == 2, timeout=60, what="the run of the missed upload")
            assert source.connects == 2 and runner.reconciles == 1  # replayed by the new tail, not found by a listing
            assert runner.status.state == "watching"
            assert time.monotonic() - uploaded < 30
            await runner.wait_idle()
            await asyncio.sleep(1.0)  # a replayed event of before.mp4 must not run it again
            assert runner.status.runs_started == 2
            await runner.stop()

        run_async(scenario())
        inputs = sorted(c.input for c in h.created)
        assert inputs == ["s3://inbox/before.mp4", "s3://inbox/while-down.mp4"]
        assert all(h.tasks.get(c.task_id).result == RunResult.SUCCESS for c in h.created)
    finally:
        h.close()
        store.stop()


def test_the_polling_fallback_finds_uploads_by_listing_and_slows_down_while_idle(
        harness: Harness, seaweed_client, fresh_bucket: str, small_clip: bytes) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        runner = harness.runner(binding_for(fresh_bucket, output_prefix="out/",
                                            watch=WatchSettings(detection="polling", max_interval=2.0)))
        await runner.start()
        source = runner.change_source
        assert isinstance(source, PollingSource) and runner.status.mode == "polling every 0.2–2 s"
        await until(lambda: source.interval.current == 2.0, what="the idle interval to reach its bound")
        polls = source.polls
        await asyncio.sleep(4.5)
        assert source.polls - polls <= 3  # idle: about one listing per 2 s, not one per 0.2 s
        # each poll's outcome (found, interval after it): the run is counted inside the listing
        # pass, before the source hears how the pass went, so read the poll's own record
        outcomes: list[tuple[int, float]] = []
        reconciled = source.reconciled

        def recording(ok: bool, found: int, seconds: float = 0.0) -> None:
            reconciled(ok, found, seconds)
            outcomes.append((found, source.interval.current))

        source.reconciled = recording  # type: ignore[method-assign]
        seaweed_client.put_object(Bucket=fresh_bucket, Key="clip.mp4", Body=small_clip)
        await until(lambda: runner.status.runs_started == 1, what="a run found by a listing")
        found_poll = await until(lambda: next((o for o in outcomes if o[0] > 0), None),
                                 what="the listing that found the upload to end")
        assert found_poll[1] == source.interval.fastest  # activity: fast again
        await runner.wait_idle()
        await runner.stop()

    run_async(scenario())
    [created] = harness.created
    assert harness.tasks.get(created.task_id).result == RunResult.SUCCESS
