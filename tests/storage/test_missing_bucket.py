"""A binding started on a bucket that does not exist yet, on the real SeaweedFS: its first listing
fails with NoSuchBucket, which takes an empty baseline (nothing was there "before the first start"),
so an object uploaded right after the bucket is created gets a run. The counter-checks: an object
that was in an existing bucket before the first start is still left alone (`skipped`), and a listing
that fails for another reason (a wrong secret) still defers the baseline."""

from __future__ import annotations

import uuid

import pytest

from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.storage.runner import BindingRunner
from tests.storage.test_watch_runs import (Harness, binding_for, harness, run_async, settle, small_clip,  # noqa: F401
                                           until)
from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401

pytestmark = pytest.mark.slow  # the real embedded store (and one real FFmpeg snapshot run)


def test_an_upload_into_a_bucket_created_after_the_start_gets_a_run(
        harness: Harness, seaweed_client, small_clip: bytes) -> None:  # type: ignore[no-untyped-def]
    bucket = f"test-later-{uuid.uuid4().hex[:10]}"
    binding = binding_for(bucket, output_prefix="out/")

    async def scenario() -> tuple[BindingRunner, str]:
        runner = harness.runner(binding)
        await runner.start()
        state = runner.status.state, runner.status.message
        # created and filled with no await in between: no listing of this runner can start between the
        # two, so without the empty baseline the first listing that works would see clip.mp4 as "there before"
        seaweed_client.create_bucket(Bucket=bucket)
        seaweed_client.put_object(Bucket=bucket, Key="clip.mp4", Body=small_clip)
        await until(lambda: runner.status.runs_started == 1, timeout=20.0, what="a run for clip.mp4")
        await runner.wait_idle()
        await until(lambda: runner.status.state == "watching", timeout=10.0, what="the binding to say watching")
        await settle(runner, 2)
        await runner.stop()
        return runner, f"{state[0]}: {state[1]}"

    runner, state = run_async(scenario())
    assert state.startswith("unreachable: ") and "does not exist" in state, state
    assert runner.status.runs_started == 1
    [created] = harness.created
    assert created.input == f"s3://{bucket}/clip.mp4"
    record = harness.tasks.get(created.task_id)
    assert record.result == RunResult.SUCCESS, record.message
    assert [(r["key"], r["state"]) for r in harness.ledger.history(binding.id)] == [("clip.mp4", "done")]


def test_an_object_in_an_existing_bucket_before_the_first_start_is_left_alone(
        harness: Harness, seaweed_client, fresh_bucket: str) -> None:  # type: ignore[no-untyped-def]
    seaweed_client.put_object(Bucket=fresh_bucket, Key="old.mp4", Body=b"there before the first start")
    binding = binding_for(fresh_bucket, output_prefix="out/")

    async def scenario() -> BindingRunner:
        runner = harness.runner(binding)
        await runner.start()
        await settle(runner, 2)
        await runner.stop()
        return runner

    runner = run_async(scenario())
    assert runner.status.runs_started == 0 and harness.created == []
    etag = seaweed_client.head_object(Bucket=fresh_bucket, Key="old.mp4")["ETag"].strip('"')
    assert harness.ledger.state_of(binding.id, fresh_bucket, "old.mp4", etag) == "skipped"


def test_a_listing_refused_for_another_reason_still_defers_the_baseline(
        harness: Harness, fresh_bucket: str) -> None:  # type: ignore[no-untyped-def]
    conn = harness.embedded.connection()
    bad = {"endpoint_url": conn.endpoint_url, "access_key": conn.access_key, "secret_key": "wrong-secret"}

    async def scenario() -> tuple[str, bool]:
        runner = harness.runner(binding_for(fresh_bucket, input_connection=bad, output_prefix="out/"))
        await runner.start()
        await until(lambda: runner.status.state == "unreachable", what="the error state")
        assert not await runner.reconcile_now()
        message = runner.status.message
        baselined = harness.ledger.has_baseline(runner.binding.id, runner._signature)
        await runner.stop()
        return message, baselined

    message, baselined = run_async(scenario())
    assert "secret key is wrong" in message
    assert not baselined  # the bucket may hold objects from before: the first listing that works decides
