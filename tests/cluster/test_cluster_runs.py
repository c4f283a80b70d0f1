"""Runs on a Dask cluster behave like local ones (issue 16): same outputs, live progress, the TaskId and
the record on the submitting machine, cancel stops FFmpeg on the worker, a worker lost mid-step is
replaced and the run still succeeds, recorded once; a bucket run's workers read the input bucket."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import av
import psutil
import pytest

from mediaflow_gui.cluster.info import ClusterUnreachable
from mediaflow_gui.cluster.settings import ClusterSettings
from mediaflow_gui.engine.events import RunFinished, SubtaskFinished, SubtaskProgress, SubtaskStarted
from mediaflow_gui.model.params import WatermarkParams
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.paths import sample_workflow_path
from mediaflow_gui.runtime import Runtime, RuntimeSettings
from mediaflow_gui.storage.s3 import S3Connection
from tests import media_factory
from tests.engine.helpers import Recorder, chain_workflow, fast_transcode, parallel_workflow

pytestmark = pytest.mark.timeout(180)


def _runtime(tmp_path: Path, seaweed: Any) -> Runtime:
    return Runtime(tmp_path / "data", RuntimeSettings(storage=True, embedded=seaweed, stop_embedded=False))


def _properties(folder: Path) -> dict[str, tuple[Any, ...]]:
    """Every file's name with what a person would compare: size in pixels, duration, frames' kind."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in (".vtt",):
            found[path.name] = ("text", path.read_text().count("-->"))
            continue
        with av.open(str(path)) as container:
            video = container.streams.video[0] if container.streams.video else None
            duration = round(float(container.duration or 0) / 1e6, 1)
            found[path.name] = (video.codec_context.name if video else "", video.width if video else 0,
                                video.height if video else 0, duration if duration > 0.5 else 0,
                                len(container.streams.audio))
    return found


def _worker_ffmpegs(cluster: Any) -> list[psutil.Process]:
    """FFmpeg processes running under the cluster's worker processes."""
    found = []
    for child in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if "ffmpeg" in child.name():
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


async def _on_cluster(rt: Runtime, cluster: Any, **settings: Any) -> Any:
    return await asyncio.to_thread(rt.use_cluster, ClusterSettings(cluster.scheduler_address, **settings))


def test_standard_workflow_on_the_cluster_gives_what_a_local_run_gives(tmp_path, seaweed, cluster, video_clip):
    workflow = load_workflow(sample_workflow_path("standard.mfw.json"))

    async def scenario() -> tuple[Any, Any, Recorder]:
        async with _runtime(tmp_path, seaweed) as rt:
            local = await rt.engine.run(workflow, video_clip, tmp_path / "local")
            info = await _on_cluster(rt, cluster)
            assert len(info.workers) == 2 and info.threads == 2
            recorder = Recorder(rt.bus)
            remote = await rt.engine.run(workflow, video_clip, tmp_path / "remote")
            stored = rt.store.get(remote.task_id)
            return local, remote, recorder, stored

    local, remote, recorder, stored = asyncio.run(scenario())
    assert local.result == RunResult.SUCCESS, local.message
    assert remote.result == RunResult.SUCCESS, remote.message
    assert _properties(tmp_path / "remote") == _properties(tmp_path / "local")
    # the record is on this machine, every step says where it ran, its outputs are in the folder asked for
    assert stored is not None and stored.result == RunResult.SUCCESS
    # every step that ran (a watermark folded into a transcode is settled here: "applied inside 'HD 720p'")
    tasks = [s for s in stored.subtasks if not s.message.startswith("applied inside")]
    assert len(tasks) == 6
    assert tasks and all("ran on worker tcp://127.0.0.1:" in s.message for s in tasks)
    for sub in tasks:
        assert all(Path(o["path"]).parent == tmp_path / "remote" for o in sub.outputs)
    # progress came live from the workers: every step started and moved before it finished
    for sub in tasks:
        assert recorder.of(SubtaskStarted, sub.step_id), sub.name
        assert recorder.of(SubtaskProgress, sub.step_id), sub.name
        assert len(recorder.of(SubtaskFinished, sub.step_id)) == 1
    # nothing left behind: no staging dirs in the output folder, the staging bucket's run prefix emptied
    assert not [p for p in (tmp_path / "remote").iterdir() if p.name.startswith(".mediaflow")]


def test_a_chain_with_an_image_watermark_ships_the_image_and_reads_the_previous_output(
        tmp_path, seaweed, seaweed_client, cluster, video_clip, watermark_png):
    logo = tmp_path / "my logo é.png"  # a name with a space and unicode, outside any shared folder
    logo.write_bytes(watermark_png.read_bytes())
    workflow = chain_workflow(task_node("transcode", "small", fast_transcode()),
                              task_node("watermark", "logo", WatermarkParams(type="image", image_path=str(logo))))

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            record = await rt.engine.run(workflow, video_clip, tmp_path / "out")
            # the staged files go in the background once the run ended: waited for (a fixed 0.5 s was
            # not always enough on a loaded machine)
            await _until(lambda: not staged(record.task_id), 20, "the run's staged files removed")
            return record

    def staged(task_id: str) -> list[str]:
        listed = seaweed_client.list_objects_v2(Bucket="mediaflow-staging", Prefix=f"{task_id}/")
        return [o["Key"] for o in listed.get("Contents", [])]

    record = asyncio.run(scenario())
    assert record.result == RunResult.SUCCESS, record.message
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 2, names
    assert staged(record.task_id) == []


def test_a_step_that_fails_on_a_worker_names_the_node_and_the_worker(tmp_path, seaweed, cluster, audio_only):
    workflow = parallel_workflow(task_node("snapshot", "frames"))

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            return await rt.engine.run(workflow, audio_only, tmp_path / "out")

    record = asyncio.run(scenario())
    assert record.result == RunResult.FAIL
    failed = [s for s in record.subtasks if s.status == SubtaskStatus.FAIL]
    assert len(failed) == 1
    assert "'frames'" in failed[0].message and "(on worker tcp://127.0.0.1:" in failed[0].message


def _slow_input(tmp_path: Path) -> Path:
    path = tmp_path / "long.mkv"
    media_factory.run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=30", "-c:v", "mpeg2video", "-q:v", "4",
                              str(path)])
    return path


def _slow_workflow() -> Any:
    return parallel_workflow(task_node("transcode", "slow HD", fast_transcode("HD", 360, preset="medium")))


async def _until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.05)


def test_cancel_stops_ffmpeg_on_the_worker(tmp_path, seaweed, cluster):
    source = _slow_input(tmp_path)

    async def scenario() -> tuple[Any, float, Recorder]:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            recorder = Recorder(rt.bus)
            task_id = rt.engine.submit(_slow_workflow(), source, tmp_path / "out")
            await _until(lambda: recorder.of(SubtaskProgress) and _worker_ffmpegs(cluster), 60, "FFmpeg on a worker")
            canceled_at = time.monotonic()
            rt.engine.cancel(task_id)
            await _until(lambda: not _worker_ffmpegs(cluster), 10, "end of the worker's FFmpeg")
            gone_after = time.monotonic() - canceled_at
            return await rt.engine.wait(task_id), gone_after, recorder

    record, gone_after, recorder = asyncio.run(scenario())
    print(f"worker FFmpeg gone {gone_after:.2f} s after cancel")
    assert record.result == RunResult.CANCELED
    assert gone_after < 3.0  # the worker looks at the cancel event every 0.25 s (the bound is 1 s)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_worker_killed_mid_step_is_replaced_and_the_run_succeeds_once(tmp_path, seaweed, own_cluster):
    from distributed import Client

    source = _slow_input(tmp_path)
    address = own_cluster.scheduler_address

    async def scenario() -> tuple[Any, Recorder, str]:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, own_cluster)
            recorder = Recorder(rt.bus)
            task_id = rt.engine.submit(_slow_workflow(), source, tmp_path / "out")
            await _until(lambda: recorder.of(SubtaskProgress), 60, "progress")
            with Client(address, set_as_default=False, timeout=10) as spy:
                busy = [w for w, keys in spy.processing().items() if keys]
                assert len(busy) == 1, busy
                pids = spy.run(os.getpid)
            os.kill(pids[busy[0]], signal.SIGKILL)  # the worker dies mid-step, its FFmpeg with it
            return await asyncio.wait_for(rt.engine.wait(task_id), 120), recorder, busy[0]

    record, recorder, killed = asyncio.run(scenario())
    assert record.result == RunResult.SUCCESS, record.message
    (step,) = [s for s in record.subtasks if s.status == SubtaskStatus.SUCCESS]
    assert "ran on worker" in step.message and killed not in step.message
    assert len(recorder.of(SubtaskFinished, step.step_id)) == 1
    assert len(recorder.of(RunFinished)) == 1
    assert len(list((tmp_path / "out").iterdir())) == 1


def test_a_bucket_runs_workers_read_the_input_bucket_itself(tmp_path, seaweed, seaweed_client, fresh_bucket,
                                                          cluster, video_clip):
    seaweed_client.upload_file(str(video_clip), fresh_bucket, "in/clip.mp4")
    conn = S3Connection("embedded", seaweed.endpoint_url, access_key=seaweed.credentials()[0],
                        secret_key=seaweed.credentials()[1])
    workflow = parallel_workflow(task_node("snapshot", "frames"))
    staged_inputs: list[str] = []

    async def fetch(work_dir: Path) -> Path:
        work_dir.mkdir(parents=True, exist_ok=True)
        local = work_dir / "clip.mp4"
        await asyncio.to_thread(seaweed_client.download_file, fresh_bucket, "in/clip.mp4", str(local))
        return local

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            units = rt._cluster
            original = units._input_of
            units._input_of = lambda request: staged_inputs.append(original(request)[1]) or original(request)
            return await rt.engine.run(workflow, f"s3://{fresh_bucket}/in/clip.mp4", tmp_path / "out",
                                       input_label=f"s3://{fresh_bucket}/in/clip.mp4", fetch_input=fetch,
                                       source_object=(conn, fresh_bucket, "in/clip.mp4"))

    record = asyncio.run(scenario())
    assert record.result == RunResult.SUCCESS, record.message
    assert staged_inputs and set(staged_inputs) == {"in/clip.mp4"}  # the object's own key: nothing staged
    assert seaweed_client.head_object(Bucket=fresh_bucket, Key="in/clip.mp4")["ContentLength"] == video_clip.stat().st_size


def test_an_unreachable_cluster_is_refused_with_its_address_and_runs_stay_local(tmp_path, seaweed, video_clip):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            with pytest.raises(ClusterUnreachable, match=f"tcp://127.0.0.1:{port}"):
                await asyncio.to_thread(rt.use_cluster, ClusterSettings(f"127.0.0.1:{port}", connect_timeout=2))
            assert rt.engine.remote is None and rt.cluster_info() is None
            return await rt.engine.run(parallel_workflow(task_node("snapshot", "frames")), video_clip, tmp_path / "o")

    assert asyncio.run(scenario()).result == RunResult.SUCCESS


def test_a_worker_without_a_usable_ffmpeg_fails_the_steps_naming_it(tmp_path, seaweed, video_clip):
    """Each worker chooses its FFmpeg like this computer does; one that has none fails the unit with
    ClusterFailed and the worker's own reason — and the run is recorded, nothing hangs."""
    import dask
    from distributed import LocalCluster

    from mediaflow_gui.cluster.local import PRELOAD
    from mediaflow_gui.cluster.tuning import QUIET_CONFIG

    with dask.config.set(QUIET_CONFIG):
        broken = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                              protocol="tcp://", dashboard_address=None, preload=[PRELOAD],
                              env={"MEDIAFLOW_FFMPEG": str(tmp_path / "no-such-ffmpeg")})
    odd = tmp_path / "ünïcode 'clip' (1).mp4"  # an odd name travels as an S3 key and back
    odd.write_bytes(video_clip.read_bytes())
    try:
        async def scenario() -> Any:
            async with _runtime(tmp_path, seaweed) as rt:
                await _on_cluster(rt, broken)
                return await rt.engine.run(parallel_workflow(task_node("snapshot", "frames")), odd, tmp_path / "out")

        record = asyncio.run(scenario())
    finally:
        broken.close()
    assert record.result == RunResult.FAIL and record.error_code == "ClusterFailed"
    (step,) = record.subtasks
    assert "'frames'" in step.message and "no usable FFmpeg" in step.message and "no-such-ffmpeg" in step.message
    assert "tcp://127.0.0.1:" in step.message  # which worker
    assert odd.read_bytes() == video_clip.read_bytes()  # the source is never touched


def test_an_odd_input_name_runs_on_the_cluster(tmp_path, seaweed, cluster, video_clip):
    odd = tmp_path / "ünïcode 'clip' (1) #2.mp4"
    odd.write_bytes(video_clip.read_bytes())

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            return await rt.engine.run(parallel_workflow(task_node("snapshot", "frames")), odd, tmp_path / "out")

    record = asyncio.run(scenario())
    assert record.result == RunResult.SUCCESS, record.message
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names and all(n.startswith("ünïcode 'clip' (1) #2") for n in names), names


def test_a_staging_store_the_workers_cannot_reach_is_refused_naming_the_worker(tmp_path, seaweed, cluster):
    import socket

    from mediaflow_gui.storage.s3 import S3Connection

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens there

    async def scenario() -> None:
        async with _runtime(tmp_path, seaweed) as rt:
            rt.connections.add(S3Connection("gone", f"http://127.0.0.1:{port}", access_key="k", secret_key="s"))
            with pytest.raises(ClusterUnreachable) as refused:
                await _on_cluster(rt, cluster, staging_connection="gone")
            message = str(refused.value)
            assert "cannot reach the staging store" in message and f"127.0.0.1:{port}" in message
            assert "worker tcp://127.0.0.1:" in message and "this computer only" in message
            assert rt.engine.remote is None  # runs stay here

    asyncio.run(scenario())


def test_a_finished_unit_releases_its_workers_cancel_watch_at_once(tmp_path, seaweed, video_clip, monkeypatch,
                                                                   caplog):
    """The worker's cancel watch long-polls the unit's event; once the submitter has the unit's result it
    wakes the watch, which ends, and the scheduler forgets the event. Before, the watch outlived its unit
    by up to its wait, and a cluster closed meanwhile logged a CancelledError traceback (the benchmark
    did). Here the wait is a minute long, so only the release can end it in time."""
    import logging
    import threading

    from distributed import Client

    from mediaflow_gui.cluster.local import start_local_cluster

    monkeypatch.setenv("DASK_MEDIAFLOW__CANCEL_WAIT", "60")  # read by the worker processes as they start
    made = start_local_cluster(1, threads_per_worker=1)
    try:
        async def scenario() -> Any:
            async with _runtime(tmp_path, seaweed) as rt:
                await _on_cluster(rt, made)
                return await rt.engine.run(parallel_workflow(task_node("snapshot", "frames")), video_clip,
                                           tmp_path / "out")

        record = asyncio.run(scenario())
        assert record.result == RunResult.SUCCESS, record.message
        events = made.scheduler.extensions["events"]

        def watching() -> list[str]:
            with Client(made.scheduler_address, set_as_default=False, timeout=10) as spy:
                found = spy.run(lambda: [t.name for t in threading.enumerate() if t.name.startswith("mediaflow-cancel-")])
            return [name for names in found.values() for name in names]

        def cancel_wait() -> Any:  # run on the worker (a nested function travels by value)
            import dask
            return dask.config.get("mediaflow.cancel-wait")

        with Client(made.scheduler_address, set_as_default=False, timeout=10) as spy:
            # the long wait is in force on the worker
            assert spy.run(cancel_wait) == {w: 60 for w in spy.scheduler_info()["workers"]}
        deadline = time.monotonic() + 10
        while (watching() or any(str(n).startswith("mediaflow-cancel-") for n in list(events._events))) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert watching() == [] and not [n for n in list(events._events) if str(n).startswith("mediaflow-cancel-")]
    finally:
        with caplog.at_level(logging.ERROR, logger="distributed.event"):
            made.close()
    assert not [r for r in caplog.records if r.name == "distributed.event"], caplog.text
