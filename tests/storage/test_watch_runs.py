"""Watched buckets end to end on the real SeaweedFS and real FFmpeg: uploads start runs, results
land under the output prefix, replaced objects run again, restarts neither repeat nor miss, a
store that goes away mid-run fails the run with the reason, is recovered from, and the object whose
upload failed runs again (a new run) once the store is back."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

from mediaflow_gui.engine.engine import EngineSettings
from mediaflow_gui.engine.events import RunCreated, SubtaskStarted
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import SnapshotParams
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from mediaflow_gui.notify.sinks import EventTargets
from mediaflow_gui.runtime import Runtime, RuntimeSettings
from mediaflow_gui.storage.bindings import Binding, load_binding, save_binding
from mediaflow_gui.storage.embedded import EmbeddedStore
from mediaflow_gui.storage.runner import BindingRunner
from mediaflow_gui.storage.s3 import make_client
from mediaflow_gui.storage.watcher import list_objects
from tests import media_factory

pytestmark = pytest.mark.slow  # bucket runs on the real embedded store


def snapshot_workflow() -> Workflow:
    wf = Workflow("one snapshot")
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    snap = wf.add_node(task_node("snapshot", "Snap", SnapshotParams(offsets=["0.5s"], format="jpg", width=160)))
    wf.connect(start, snap)
    wf.connect(snap, end)
    return wf


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = media_factory.make_video(tmp_path_factory.mktemp("clip") / "c.mp4", seconds=1.5, fps=10, audio=False)
    return path.read_bytes()


class Harness:
    """The Runtime of the test's data dir (task store, ledger, notifier, engine) on the given store,
    which the test starts and stops itself."""

    def __init__(self, data_dir: Path, store: EmbeddedStore) -> None:
        self.data_dir = data_dir
        self.embedded = store
        self.runtime = Runtime(data_dir, RuntimeSettings(engine=EngineSettings(max_threads=2), storage=True,
                                                         embedded=store, stop_embedded=False, notify_timeout=60.0))
        self.tasks, self.engine, self.ledger = self.runtime.store, self.runtime.engine, self.runtime.ledger
        self.connections, self.notifier = self.runtime.connections, self.runtime.notifier
        self.created: list[RunCreated] = []
        self.engine.bus.subscribe(lambda e: self.created.append(e) if isinstance(e, RunCreated) else None)

    def runner(self, binding: Binding, **kw: Any) -> BindingRunner:
        return BindingRunner(binding, self.engine, connections=self.connections, ledger=self.ledger,
                             notifier=self.notifier, workflow=snapshot_workflow(), max_backoff=1.0, **kw)

    def close(self) -> None:
        self.runtime.close()


@pytest.fixture
def harness(_private_data_dir: Path, seaweed: EmbeddedStore):  # type: ignore[no-untyped-def]
    h = Harness(_private_data_dir, seaweed)
    yield h
    h.close()


async def until(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition",
                detail: Callable[[], str] | None = None) -> Any:
    """Wait for a condition (a deadline for a hung test, not a timing assertion); `detail` says
    what was seen when it times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{detail()}" if detail is not None else ""))


def binding_for(bucket: str, **kw: Any) -> Binding:
    return Binding(name=kw.pop("name", "test"), workflow="unused.mfw.json", input_bucket=bucket,
                   poll_interval=0.2, **kw)


async def settle(runner: BindingRunner, rounds: int = 3) -> None:
    """Let time pass and the watcher list the whole bucket a few more times (to show that nothing
    else starts: no repeated run, no retry beyond its bound)."""
    for _ in range(rounds):
        await asyncio.sleep(runner.binding.poll_interval)
        assert await runner.reconcile_now(), runner.status.message
    await runner.wait_idle()


def keys(client: Any, bucket: str, prefix: str = "") -> list[str]:
    return sorted(o.key for o in list_objects(client, bucket, prefix))


def run_async(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_upload_starts_a_run_and_results_land_under_the_output_prefix(harness, seaweed_client, fresh_bucket,
                                                                      small_clip) -> None:  # type: ignore[no-untyped-def]
    out_bucket = fresh_bucket + "-out"
    seaweed_client.create_bucket(Bucket=out_bucket)
    seaweed_client.put_object(Bucket=fresh_bucket, Key="old.mp4", Body=small_clip)  # before the first start

    async def scenario() -> None:
        runner = harness.runner(binding_for(fresh_bucket, output_bucket=out_bucket, output_prefix="results",
                                            input_prefix="incoming/"))
        await runner.start()
        await settle(runner, 1)
        seaweed_client.put_object(Bucket=fresh_bucket, Key="incoming/2024/clip.mp4", Body=small_clip)
        seaweed_client.put_object(Bucket=fresh_bucket, Key="incoming/notes.txt", Body=b"not media")
        await until(lambda: runner.status.runs_started == 1, what="the run to start")
        await runner.wait_idle()
        await settle(runner)
        await runner.stop()
        assert runner.status.runs_started == 1  # old.mp4 (there before) and notes.txt (suffix) left alone

    run_async(scenario())
    [created] = harness.created
    assert created.input == f"s3://{fresh_bucket}/incoming/2024/clip.mp4"
    record = harness.tasks.get(created.task_id)
    assert record.result == RunResult.SUCCESS, record.message
    out_keys = keys(seaweed_client, out_bucket)
    assert out_keys == ["results/2024/clip_snapshotByTimeOffset_160x120_01.jpg"]
    head = seaweed_client.head_object(Bucket=out_bucket, Key=out_keys[0])
    assert head["ContentType"] == "image/jpeg"
    assert head["ContentLength"] > 1000
    [delivery] = harness.ledger.deliveries(created.task_id)
    assert delivery.url == f"s3://{out_bucket}/{out_keys[0]}"
    assert not Path(delivery.path).exists()  # the engine's local copy was removed after the upload
    # the source objects are untouched
    assert keys(seaweed_client, fresh_bucket) == ["incoming/2024/clip.mp4", "incoming/notes.txt", "old.mp4"]


def test_same_bucket_for_input_and_output_does_not_loop(harness, seaweed_client, fresh_bucket,
                                                        small_clip) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> BindingRunner:
        # suffix filter lets images in too: only the excluded output prefix prevents a loop
        runner = harness.runner(binding_for(fresh_bucket, output_prefix="out/", suffixes=[".mp4", ".jpg"]))
        await runner.start()
        seaweed_client.put_object(Bucket=fresh_bucket, Key="clip.mp4", Body=small_clip)
        await until(lambda: runner.status.runs_started == 1, what="the run to start")
        await runner.wait_idle()
        await settle(runner, 5)
        await runner.stop()
        return runner

    runner = run_async(scenario())
    assert runner.status.runs_started == 1
    assert keys(seaweed_client, fresh_bucket, "out/") == ["out/clip_snapshotByTimeOffset_160x120_01.jpg"]


def test_loop_prone_layouts_are_refused() -> None:
    assert binding_for("b", output_prefix="").problems()
    assert binding_for("b", output_prefix="out/", input_prefix="out/in/").problems()
    assert not binding_for("b", output_prefix="out/", input_prefix="in/").problems()
    assert not binding_for("b", output_bucket="other", output_prefix="").problems()


def test_replaced_object_runs_again_and_restart_neither_repeats_nor_misses(
        harness, seaweed_client, fresh_bucket, small_clip) -> None:  # type: ignore[no-untyped-def]
    binding = binding_for(fresh_bucket, output_prefix="out/")

    async def first() -> None:
        runner = harness.runner(binding)
        await runner.start()
        seaweed_client.put_object(Bucket=fresh_bucket, Key="a.mp4", Body=small_clip)
        await until(lambda: runner.status.runs_started == 1, what="a.mp4's run")
        await runner.wait_idle()
        # replaced: new content, new ETag → runs again
        seaweed_client.put_object(Bucket=fresh_bucket, Key="a.mp4", Body=small_clip + b"\0" * 16)
        await until(lambda: runner.status.runs_started == 2, what="the replaced object's run")
        await runner.wait_idle()
        await runner.stop()

    run_async(first())
    assert len(harness.created) == 2
    # while nobody watches
    seaweed_client.put_object(Bucket=fresh_bucket, Key="b.mp4", Body=small_clip + b"\0" * 32)

    async def second() -> BindingRunner:
        runner = harness.runner(binding)  # a new runner: state comes from the ledger only
        await runner.start()
        await until(lambda: runner.status.runs_started == 1, what="b.mp4's run")
        await runner.wait_idle()
        await settle(runner, 5)
        await runner.stop()
        return runner

    runner = run_async(second())
    assert runner.status.runs_started == 1
    assert [c.input.rsplit("/", 1)[1] for c in harness.created] == ["a.mp4", "a.mp4", "b.mp4"]
    assert all(harness.tasks.get(c.task_id).result == RunResult.SUCCESS for c in harness.created)
    assert {r["state"] for r in harness.ledger.history(binding.id)} == {"done"}


def test_interrupted_run_is_run_again_after_restart(harness, seaweed_client, fresh_bucket,
                                                    small_clip) -> None:  # type: ignore[no-untyped-def]
    """At-least-once: a run recorded as submitted whose process died (task store: Interrupted)."""
    binding = binding_for(fresh_bucket, output_prefix="out/")
    seaweed_client.put_object(Bucket=fresh_bucket, Key="x.mp4", Body=small_clip)
    obj = list_objects(seaweed_client, fresh_bucket)[0]
    harness.ledger.set_baseline(binding.id, f"embedded|{fresh_bucket}|")
    harness.ledger.mark_submitted(binding.id, obj, "mf-20990101-deadbeef")  # no such run: its process died

    async def scenario() -> BindingRunner:
        runner = harness.runner(binding)
        await runner.start()
        await until(lambda: runner.status.runs_started == 1, what="the rerun")
        await runner.wait_idle()
        await runner.stop()
        return runner

    run_async(scenario())
    [created] = harness.created
    assert harness.tasks.get(created.task_id).result == RunResult.SUCCESS
    assert [r["task_id"] for r in harness.ledger.history(binding.id)] == [created.task_id]


def test_store_stopped_mid_run_fails_the_run_recovers_and_runs_the_object_again(
        _private_data_dir: Path, small_clip: bytes, tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "own-store", prefer_default_ports=False)
    store.start()
    h = Harness(_private_data_dir, store)
    client = make_client(store.connection())
    client.create_bucket(Bucket="inbox")
    stopped: list[bool] = []

    def stop_store_when_ffmpeg_runs(event: Any) -> None:
        # the input is downloaded and FFmpeg runs: take the store away before the upload
        if isinstance(event, SubtaskStarted) and not stopped:
            store.stop()
            stopped.append(True)

    unsubscribe = h.engine.bus.subscribe(stop_store_when_ffmpeg_runs)
    try:
        async def scenario() -> BindingRunner:
            runner = h.runner(binding_for("inbox", output_prefix="out/"))
            states: list[str] = []
            runner.status_changed.subscribe(lambda s: states.append(s.state))
            await runner.start()
            client.put_object(Bucket="inbox", Key="first.mp4", Body=small_clip)
            await until(lambda: runner.status.runs_started == 1, what="the first run")
            await runner.wait_idle()
            unsubscribe()
            await until(lambda: runner.status.state == "unreachable", what="the watcher to notice")
            assert "refused" in runner.status.message
            store.start()
            await until(lambda: runner.status.state == "watching", what="recovery")
            client2 = make_client(store.connection())
            client2.put_object(Bucket="inbox", Key="second.mp4", Body=small_clip + b"\0" * 8)
            # second.mp4's run, and a new run of first.mp4 whose upload failed
            await until(lambda: runner.status.runs_started == 3, what="the second run and the retry")
            await runner.wait_idle()
            await settle(runner, 3)
            await runner.stop()
            transitions = [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]
            assert transitions.count("unreachable") == 1  # one outage reported once, not on every poll
            return runner

        runner = run_async(scenario())
        assert runner.status.runs_started == 3  # one retry, not one per poll
        runs = {c.task_id: (c.input.rsplit("/", 1)[1], h.tasks.get(c.task_id)) for c in h.created}
        first = [r for name, r in runs.values() if name == "first.mp4"]
        assert [r.result for r in first] == [RunResult.FAIL, RunResult.SUCCESS]  # the failed run stays failed
        assert first[0].error_code == "DeliveryFailed"
        assert "upload of" in first[0].message and "refused" in first[0].message
        [second] = [r for name, r in runs.values() if name == "second.mp4"]
        assert second.result == RunResult.SUCCESS, second.message
        assert keys(make_client(store.connection()), "inbox", "out/") == [
            "out/first_snapshotByTimeOffset_160x120_01.jpg", "out/second_snapshotByTimeOffset_160x120_01.jpg"]
        [row] = [r for r in h.ledger.history(runner.binding.id) if r["key"] == "first.mp4"]
        assert (row["state"], row["result"], row["attempts"], row["task_id"]) == ("done", "SUCCESS", 2,
                                                                                 first[1].task_id)
    finally:
        h.close()
        store.stop()


def test_wrong_keys_give_a_clear_state(harness, fresh_bucket) -> None:  # type: ignore[no-untyped-def]
    conn = harness.embedded.connection()
    bad = {"endpoint_url": conn.endpoint_url, "access_key": conn.access_key, "secret_key": "wrong-secret"}

    async def scenario() -> tuple[str, list[tuple[str, str]]]:
        runner = harness.runner(binding_for(fresh_bucket, input_connection=bad, output_prefix="out/"))
        heard: list[tuple[str, str]] = []
        runner.status_changed.subscribe(lambda status: heard.append((status.state, status.message)))
        await runner.start()
        await until(lambda: runner.status.state == "unreachable", what="the error state")
        message = runner.status.message  # what the Bindings page shows while it is unreachable
        await runner.stop()
        return message, heard

    message, heard = run_async(scenario())
    assert "secret key is wrong" in message
    assert ("unreachable", message) in heard and heard[-1] == ("stopped", "")


def test_unicode_and_dotted_keys_run(harness, seaweed_client, fresh_bucket, small_clip) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        runner = harness.runner(binding_for(fresh_bucket, output_prefix="out/"))
        await runner.start()
        seaweed_client.put_object(Bucket=fresh_bucket, Key="ü dir/..ñ 视频.mp4", Body=small_clip)
        await until(lambda: runner.status.runs_started == 1, what="the run")
        await runner.wait_idle()
        await runner.stop()

    run_async(scenario())
    [created] = harness.created
    record = harness.tasks.get(created.task_id)
    assert record.result == RunResult.SUCCESS, record.message
    assert keys(seaweed_client, fresh_bucket, "out/") == ["out/ü dir/ñ 视频_snapshotByTimeOffset_160x120_01.jpg"]  # naming drops leading dots


def test_binding_json_round_trip(tmp_path: Path) -> None:
    save_workflow(snapshot_workflow(), tmp_path / "wf.mfw.json")
    binding = Binding(name="Clips", workflow="wf.mfw.json", input_bucket="in", output_bucket="out",
                      input_prefix="up/", suffixes=[".mp4", ".MOV"], output_prefix="res/",
                      events=EventTargets.from_dict({"webhooks": [{"url": "http://127.0.0.1:1/h",
                                                                   "secret_env": "HOOK"}],
                                                     "jsonl": ["ev.jsonl"]}))
    save_binding(binding, tmp_path / "b.json")
    loaded = load_binding(tmp_path / "b.json")
    assert loaded.to_dict() == {**binding.to_dict(), "input": {**binding.to_dict()["input"],
                                                               "suffixes": [".mp4", ".mov"]}}
    assert loaded.workflow_path() == tmp_path / "wf.mfw.json"
    data = json.loads((tmp_path / "b.json").read_text())
    assert data["version"] == 1 and data["events"]["webhooks"][0]["secret_env"] == "HOOK"
    with pytest.raises(ValueError, match="version"):
        Binding.from_dict({**data, "version": 9})


def test_events_reach_a_webhook_and_a_log_for_success_and_failure(harness, seaweed_client, fresh_bucket,
                                                                  small_clip, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.notify.test_sinks import HookServer
    from mediaflow_gui.notify.sinks import sign

    hook = HookServer()
    log_path = tmp_path / "events.jsonl"
    try:
        events = EventTargets.from_dict({"webhooks": [{"url": hook.url, "secret": "hook-secret"}],
                                         "jsonl": [str(log_path)]})

        async def scenario() -> None:
            runner = harness.runner(binding_for(fresh_bucket, output_prefix="out/", events=events, name="hooks"))
            await runner.start()
            seaweed_client.put_object(Bucket=fresh_bucket, Key="good.mp4", Body=small_clip)
            await until(lambda: runner.status.runs_started == 1, what="the good run")
            seaweed_client.put_object(Bucket=fresh_bucket, Key="broken.mp4", Body=b"this is not a video")
            await until(lambda: runner.status.runs_started == 2, what="the broken run")
            await runner.wait_idle()
            await runner.stop()

        run_async(scenario())
        assert harness.notifier.flush(30)
        bodies = {json.loads(r["body"])["WorkflowTaskEvent"]["InputInfo"]["S3InputInfo"]["S3Object"].rsplit("/", 1)[-1]:
                  (r, json.loads(r["body"])) for r in hook.requests}
        assert set(bodies) == {"good.mp4", "broken.mp4"}
        for request, _ in bodies.values():
            assert request["headers"]["x-mediaflow-signature"] == sign(request["body"], "hook-secret")

        good = bodies["good.mp4"][1]
        assert good["EventType"] == "WorkflowTask"
        task = good["WorkflowTaskEvent"]
        extras = task["MediaFlow"]  # MediaFlow's own fields, beside the service's (README "Event notifications")
        assert (task["Status"], extras["Result"], task["ErrCode"]) == ("FINISH", "SUCCESS", 0)
        assert task["TaskId"].startswith("mf-") and extras["WorkflowName"] == "one snapshot"
        assert extras["Trigger"]["Type"] == "BucketUpload" and extras["Trigger"]["Binding"] == "hooks"
        assert task["InputInfo"]["Type"] == "AWS-S3" and isinstance(good["Timestamp"], int)
        [result] = task["MediaProcessResultSet"]
        assert result["Type"] == "SnapshotByTimeOffset"
        [pic] = result["SnapshotByTimeOffsetTask"]["Output"]["PicInfoSet"]
        [out] = result["SnapshotByTimeOffsetTask"]["MediaFlow"]["Outputs"]
        assert pic["Path"] == out["Path"] and pic["TimeOffset"] == out["TimeOffset"]
        assert out["Url"] == f"s3://{fresh_bucket}/out/good_snapshotByTimeOffset_160x120_01.jpg"
        assert out["HttpUrl"].startswith(harness.embedded.endpoint_url)
        assert extras["FinishTime"] and extras["CreateTime"]

        bad = bodies["broken.mp4"][1]["WorkflowTaskEvent"]
        assert (bad["Status"], bad["MediaFlow"]["Result"]) == ("FINISH", "FAIL")
        assert bad["ErrCode"] != 0 and bad["MediaFlow"]["ErrorCode"] and bad["Message"]
        assert bad["MediaProcessResultSet"][0]["SnapshotByTimeOffsetTask"]["Status"] in ("FAIL", "SKIPPED")

        lines = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
        assert sorted(e["WorkflowTaskEvent"]["TaskId"] for e in lines) == sorted(
            b[1]["WorkflowTaskEvent"]["TaskId"] for b in bodies.values())
    finally:
        hook.close()


def test_one_watcher_per_binding(harness, fresh_bucket) -> None:  # type: ignore[no-untyped-def]
    binding = binding_for(fresh_bucket, output_prefix="out/")

    async def scenario() -> None:
        first, second = harness.runner(binding), harness.runner(binding)
        await first.start()
        with pytest.raises(ValueError, match="already watching"):
            await second.start()
        assert second.status.state == "error"
        await first.stop()
        await second.start()  # the lock is free again
        await second.stop()

    run_async(scenario())
