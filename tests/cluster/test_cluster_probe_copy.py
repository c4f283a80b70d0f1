"""A bucket run on the cluster: this machine fetches only a probe copy of the object (its head and tail
in a sparse file), the workers read the whole object from its bucket, and the results are those of the
whole input (a transcode as long as the source, snapshots across all of it)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import av
import pytest

from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.storage import bindings, s3
from mediaflow_gui.storage.bindings import ObjectJob, submit_object
from tests import media_factory
from tests.cluster.test_cluster_runs import _on_cluster, _runtime
from tests.engine.helpers import fast_transcode, parallel_workflow

pytestmark = pytest.mark.timeout(180)


def test_a_bucket_run_on_the_cluster_fetches_a_probe_copy_and_its_results_cover_the_whole_input(
        tmp_path, seaweed, seaweed_client, fresh_bucket, cluster, monkeypatch) -> None:  # noqa: ANN001
    source = media_factory.make_interlaced(tmp_path / "broadcast.ts", width=720, height=576, seconds=5)
    size = source.stat().st_size
    seaweed_client.upload_file(str(source), fresh_bucket, "in/broadcast.ts")
    # the production sizes scaled to a 3.5 MB clip (tests/storage/test_probe_copy.py says why these)
    monkeypatch.setattr(s3, "PROBE_HEAD", 1024 * 1024)
    monkeypatch.setattr(s3, "PROBE_TAIL", 256 * 1024)
    monkeypatch.setattr(s3, "PROBE_WHOLE_UP_TO", 0)
    copies: list[tuple[int, int]] = []  # (size, bytes on disk) of each probe copy made
    made = bindings.download_probe_copy

    def recording(*args: Any, **kw: Any) -> Path:
        path = made(*args, **kw)
        copies.append((path.stat().st_size, path.stat().st_blocks * 512))
        return path

    monkeypatch.setattr(bindings, "download_probe_copy", recording)
    workflow = parallel_workflow(task_node("transcode", "small", fast_transcode()), task_node("snapshot", "frames"))

    async def scenario() -> Any:
        async with _runtime(tmp_path, seaweed) as rt:
            await _on_cluster(rt, cluster)
            conn = rt.connections.get("")
            job = ObjectJob(conn, fresh_bucket, "in/broadcast.ts", conn, fresh_bucket, "out/")
            return await rt.engine.wait(submit_object(rt.engine, workflow, job))

    record = asyncio.run(scenario())
    assert record.result == RunResult.SUCCESS, record.message
    assert all("ran on worker" in s.message for s in record.subtasks), [s.message for s in record.subtasks]
    [(copy_size, on_disk)] = copies
    assert copy_size == size and on_disk < size / 2  # the middle never came to this machine
    keys = [o["Key"] for o in seaweed_client.list_objects_v2(Bucket=fresh_bucket, Prefix="out/")["Contents"]]
    [video_key] = [k for k in keys if k.endswith(".mp4")]
    local = tmp_path / "result.mp4"
    seaweed_client.download_file(fresh_bucket, video_key, str(local))
    with av.open(str(local)) as result:
        assert abs(float(result.duration) / 1e6 - 5.0) < 0.3  # the whole input, not the probe copy's ends
        frames = sum(1 for _ in result.decode(video=0))
    assert frames >= 100  # 5 s at 25 fps or more (deinterlaced to 50p): real pictures all the way
    assert len([k for k in keys if k.endswith(".jpg")]) >= 2
    assert seaweed_client.head_object(Bucket=fresh_bucket, Key="in/broadcast.ts")["ContentLength"] == size
    assert os.path.getsize(source) == size
