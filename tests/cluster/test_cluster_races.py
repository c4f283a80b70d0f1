"""Cluster runs at awkward moments: the settings switched away from the cluster while a run is on it (or
queued for it), a cancel while the input is being staged or while the worker uploads its outputs, a
watermark image missing on the submitting machine, a worker killed mid-step leaving its folder behind."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import pytest

from mediaflow_gui.engine.events import SubtaskStarted
from mediaflow_gui.model.params import WatermarkParams
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.workflow import task_node
from tests.cluster.test_cluster_runs import _on_cluster, _runtime, _until
from tests.engine.helpers import Recorder, chain_workflow, fast_transcode, parallel_workflow

pytestmark = pytest.mark.timeout(180)


def test_switching_to_this_computer_mid_run_keeps_the_cluster_for_the_runs_next_step(
        tmp_path, seaweed, cluster, video_clip):
    """The second step of a chain is submitted after the first came back: the client must still be
    there (it was closed as soon as no unit was out, and the step failed 'not connected')."""
    workflow = chain_workflow(task_node("transcode", "small", fast_transcode()), task_node("snapshot", "frames"))

    async def scenario() -> tuple[Any, Any]:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            old = rt._cluster
            recorder = Recorder(rt.bus)
            task_id = rt.engine.submit(workflow, video_clip, tmp_path / "out")
            await _until(lambda: recorder.of(SubtaskStarted), 60, "a step started on the cluster")
            await asyncio.to_thread(rt.use_cluster, None)  # Settings → "This computer"
            record = await rt.engine.wait(task_id)
            await _until(lambda: old._client is None, 10, "the old cluster's client closed once the run ended")
            return record, rt.engine.remote

    record, remote = asyncio.run(scenario())
    assert record.result == RunResult.SUCCESS, record.message
    assert all("ran on worker" in s.message for s in record.subtasks), [s.message for s in record.subtasks]
    assert remote is None


def test_a_run_submitted_before_the_switch_still_runs_on_the_cluster(tmp_path, seaweed, cluster, video_clip):
    """Submitted (its input being probed, its first unit not out yet) when Settings switched to this
    computer: it keeps the cluster it began with (the client was closed under it: 'not connected')."""

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            task_id = rt.engine.submit(parallel_workflow(task_node("snapshot", "frames")), video_clip, tmp_path / "o")
            for _ in range(3):
                await asyncio.sleep(0)  # the run's task starts: it takes the engine's remote now
            await asyncio.to_thread(rt.use_cluster, None)
            return await rt.engine.wait(task_id)

    record = asyncio.run(scenario())
    assert record.result == RunResult.SUCCESS, record.message
    assert "ran on worker" in record.subtasks[0].message


def test_a_missing_watermark_image_fails_that_step_alone(tmp_path, seaweed, cluster, video_clip):
    """As on this computer: the watermark step fails naming the image, its fused siblings succeed."""
    missing = tmp_path / "gone logo.png"
    workflow = parallel_workflow(task_node("transcode", "small", fast_transcode()), task_node("snapshot", "frames"),
                                 task_node("watermark", "logo", WatermarkParams(type="image", image_path=str(missing))))

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            return await rt.engine.run(workflow, video_clip, tmp_path / "out")

    record = asyncio.run(scenario())
    status = {s.name: (s.status, s.error_code) for s in record.subtasks}
    assert status["small"][0] == SubtaskStatus.SUCCESS and status["frames"][0] == SubtaskStatus.SUCCESS, status
    assert status["logo"] == (SubtaskStatus.FAIL, "InputNotSupported"), status
    (logo,) = [s for s in record.subtasks if s.name == "logo"]
    assert "gone logo.png" in logo.message and "does not exist" in logo.message


def test_a_cancel_while_the_input_is_staged_leaves_nothing_in_the_staging_bucket(
        tmp_path, seaweed, seaweed_client, cluster, video_clip):
    """The upload goes on in a pool thread after the cancel: the run's staged files are removed after it."""
    uploading, uploaded = threading.Event(), threading.Event()

    async def scenario() -> tuple[Any, str]:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            units = rt._cluster
            upload = units._s3.upload_file

            def slow_upload(*args: Any, **kwargs: Any) -> Any:
                uploading.set()
                time.sleep(1.5)  # a big input on a slow link
                try:
                    return upload(*args, **kwargs)
                finally:
                    uploaded.set()
            units._s3.upload_file = slow_upload
            task_id = rt.engine.submit(parallel_workflow(task_node("snapshot", "frames")), video_clip, tmp_path / "o")
            await _until(uploading.is_set, 30, "the input's upload")
            rt.engine.cancel(task_id)
            record = await rt.engine.wait(task_id)

            def staged() -> list[str]:
                listed = seaweed_client.list_objects_v2(Bucket="mediaflow-staging", Prefix=f"{task_id}/")
                return [o["Key"] for o in listed.get("Contents", [])]
            # the upload's end itself (a fixed wait could end before it on a loaded machine, and an
            # empty listing then proved nothing)
            await _until(uploaded.is_set, 30, "the input's upload to end")
            await _until(lambda: not staged(), 10, "the staged input removed")
            return record, task_id

    record, _ = asyncio.run(scenario())
    assert record.result == RunResult.CANCELED


def test_a_cancel_while_the_worker_uploads_its_outputs_leaves_nothing_in_the_staging_bucket(
        tmp_path, seaweed, seaweed_client, video_clip, monkeypatch):
    """FFmpeg is done, the worker uploads; the run is canceled and its staging prefix removed meanwhile:
    the worker removes what it uploaded after that (a cluster in threads, so its S3 client can be slowed)."""
    from mediaflow_gui.cluster import worker_side
    from mediaflow_gui.cluster.local import start_local_cluster

    uploading = threading.Event()
    s3_for = worker_side._s3_for

    class SlowUploads:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def upload_file(self, *args: Any, **kwargs: Any) -> Any:
            uploading.set()
            time.sleep(0.5)
            return self.inner.upload_file(*args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    monkeypatch.setattr(worker_side, "_s3_for", lambda connection: SlowUploads(s3_for(connection)))
    threads = start_local_cluster(1, processes=False)

    def staged(task_id: str) -> list[str]:
        listed = seaweed_client.list_objects_v2(Bucket="mediaflow-staging", Prefix=f"{task_id}/")
        return [o["Key"] for o in listed.get("Contents", [])]

    async def scenario() -> tuple[Any, str]:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, threads)
            task_id = rt.engine.submit(parallel_workflow(task_node("snapshot", "frames")), video_clip, tmp_path / "o")
            await _until(uploading.is_set, 60, "the worker's first upload")
            rt.engine.cancel(task_id)
            record = await rt.engine.wait(task_id)
            await asyncio.sleep(3.0)  # the worker's uploads (4 × 0.5 s) end meanwhile
            await _until(lambda: not staged(task_id), 10, "the canceled unit's outputs removed")
            return record, task_id

    try:
        record, _ = asyncio.run(scenario())
    finally:
        threads.close()
    assert record.result == RunResult.CANCELED


def test_a_starting_worker_removes_the_unit_folders_of_workers_that_were_killed(tmp_path):
    """A worker killed mid-step skips its clean-up: its folder (a copy of the input) would stay for good."""
    import subprocess
    import sys

    from mediaflow_gui.cluster.worker_side import UNIT_DIR_PREFIX, sweep_orphan_folders

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a PID nobody has now
    dead = tmp_path / f"{UNIT_DIR_PREFIX}{gone.pid}-abc"
    alive = tmp_path / f"{UNIT_DIR_PREFIX}{os.getppid()}-def"  # a running process's (our parent's)
    unnamed = tmp_path / f"{UNIT_DIR_PREFIX}xyz12345"  # an older folder without a PID in its name
    for folder in (dead, alive, unnamed):
        (folder / "input").mkdir(parents=True)
        (folder / "input" / "clip.mp4").write_bytes(b"x")
    assert sweep_orphan_folders(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and unnamed.exists()


def test_a_step_fails_naming_the_cluster_when_it_has_had_no_workers_and_runs_again_once_one_is_back(
        tmp_path, seaweed, own_cluster, video_clip):
    """The last worker went away: Dask would keep the unit queued for ever. After the no-workers timeout
    the step fails (ClusterFailed, naming the scheduler and the command that starts a worker); a worker
    that comes back takes the next run."""
    from distributed import Client


    address = own_cluster.scheduler_address
    workflow = parallel_workflow(task_node("snapshot", "frames"))

    def worker_count() -> int:
        with Client(address, set_as_default=False, timeout=10) as spy:
            return len(spy.scheduler_info(n_workers=-1)["workers"])

    async def scenario() -> tuple[Any, float, Any]:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, own_cluster, no_workers_timeout=2.0)
            await asyncio.to_thread(own_cluster.scale, 0)
            await _until(lambda: worker_count() == 0, 60, "the workers to leave")
            # what the status bar reads (Runtime.cluster_info) follows while nothing runs
            await _until(lambda: not rt.cluster_info().workers, 30, "the runtime to see no workers")
            began = time.monotonic()
            stranded = await asyncio.wait_for(rt.engine.wait(rt.engine.submit(workflow, video_clip, tmp_path / "a")),
                                              60)
            waited = time.monotonic() - began
            await asyncio.to_thread(own_cluster.scale, 1)
            await _until(lambda: worker_count() == 1, 60, "a worker to come back")
            again = await asyncio.wait_for(rt.engine.wait(rt.engine.submit(workflow, video_clip, tmp_path / "b")), 120)
            return stranded, waited, again

    stranded, waited, again = asyncio.run(scenario())
    assert stranded.result == RunResult.FAIL and stranded.error_code == "ClusterFailed"
    (step,) = stranded.subtasks
    assert step.status == SubtaskStatus.FAIL, step
    assert "has had no workers for 2 s" in step.message and f"mediaflow worker --scheduler {address}" in step.message
    assert waited >= 2.0
    assert again.result == RunResult.SUCCESS, again.message
    assert "ran on worker" in again.subtasks[0].message
