"""Issue 16's "Done when", from the GUI: a bucket binding processed by a two-worker Dask LocalCluster.

The app (main window + AppContext) runs on the session's real SeaweedFS server as its embedded store;
Settings → Execution names the cluster (as test_cluster_settings.py's end-to-end test sets it) and the
app connects at start. A binding made and started through the GUI's storage controller watches an input
bucket and writes to an output bucket; a tiny clip uploaded into the input bucket is run on the cluster:
recorded SUCCESS with each step saying which worker ran it, its outputs in the output bucket, the source
object untouched, and the workers reading the object in place (nothing staged for the input)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from mediaflow_gui.cluster.local import start_local_cluster
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.storage.bindings import Binding
from tests.engine.helpers import fast_transcode, parallel_workflow
from tests.seaweed_fixture import seaweed, seaweed_client  # noqa: F401
from tests.ui.conftest import make_window, until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]  # the real store, a real cluster, the whole app

STAGING_BUCKET = "mf-binding-e2e-staging"


@pytest.fixture
def clip_with_sound(tmp_path: Path) -> Path:
    """1 s of 160x120 testsrc (10 fps) with a sine tone, made here with the suite's FFmpeg."""
    path = tmp_path / "tiny clip.mp4"
    subprocess.run([os.environ["MEDIAFLOW_FFMPEG"], "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=duration=1:size=160x120:rate=10", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
                    str(path)], check=True, timeout=30)
    return path


@pytest.fixture
def two_workers(request: pytest.FixtureRequest) -> Any:
    """Two worker processes with one thread each (as a real cluster has), closed when the test ends,
    after the app's context (which depends on this fixture, so its cluster client goes first)."""
    cluster = start_local_cluster(2, threads_per_worker=1)
    request.addfinalizer(cluster.close)
    return cluster


@pytest.fixture
def cluster_context(qapp, seaweed, two_workers, tmp_path: Path) -> Iterator[Any]:  # noqa: ANN001, F811
    """The app's context on the session's SeaweedFS (never stopped by the app), set to the cluster."""
    from mediaflow_gui.ui.context import AppContext
    ctx = AppContext.create(embedded=seaweed, stop_embedded_on_quit=False, create_defaults=False)
    s = ctx.settings
    s.output_dir = str(tmp_path / "results")
    s.cluster_enabled, s.cluster_address, s.cluster_staging_bucket = True, two_workers.scheduler_address, STAGING_BUCKET
    yield ctx
    ctx.close()


def new_buckets(client: Any, *names: str) -> None:
    for name in names:
        client.create_bucket(Bucket=name)


def test_a_bucket_binding_runs_on_a_two_worker_cluster(cluster_context, two_workers, qtbot, run,  # noqa: ANN001
                                                       seaweed_client, clip_with_sound: Path,  # noqa: F811
                                                       tmp_path: Path) -> None:
    context, cluster = cluster_context, two_workers
    window = make_window(context, qtbot, load_history=False)
    storage = context.storage
    suffix = os.urandom(3).hex()  # buckets of this test only: the session's store is shared
    in_bucket, out_bucket = f"bind-in-{suffix}", f"bind-out-{suffix}"
    new_buckets(seaweed_client, in_bucket, out_bucket)

    async def start() -> None:  # as the app starts: the store, then the cluster (AppContext.start)
        context.start()
        await until(lambda: storage.embedded.state == "running", 60)
        await until(lambda: context.execution.on_cluster or bool(context.execution.error), 60)

    run(start(), 90)
    assert context.execution.on_cluster, context.execution.error
    assert [w.threads for w in context.execution.info.workers] == [1, 1]
    assert window.cluster_label.summary == f"Runs on Dask cluster {cluster.scheduler_address} · 2 workers"

    # where the workers read each unit's input: recorded around the dispatcher's own choice
    units = context.runtime._cluster
    assert units is not None and context.runtime.engine.remote is units
    inputs_read: list[tuple[str, str]] = []
    original = units._input_of

    def recording_input_of(request: Any) -> Any:
        store, key = original(request)
        inputs_read.append((store.bucket, key))
        return store, key
    units._input_of = recording_input_of

    workflow = tmp_path / "small on the cluster.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "SD", fast_transcode(short_side=96)),
                                    name="small on the cluster"), workflow)
    binding = storage.save_binding(Binding("On the cluster", str(workflow), in_bucket, output_bucket=out_bucket,
                                           input_prefix="in/", output_prefix="results/", suffixes=[".mp4"],
                                           poll_interval=0.3))
    assert window.bindings_page._row_of(binding.id) >= 0  # listed on the Bindings page
    storage.start_binding(binding.id)
    run(until(lambda: storage.status_of(binding.id).state == "watching", 30))

    key = "in/day 1/tiny clip.mp4"
    url = f"s3://{in_bucket}/{key}"
    source_bytes = clip_with_sound.read_bytes()
    seaweed_client.upload_file(str(clip_with_sound), in_bucket, key)
    source_etag = seaweed_client.head_object(Bucket=in_bucket, Key=key)["ETag"]

    def the_run() -> Any:
        return next((r for r in context.adapter.runs.values() if r.input == url), None)

    def outputs() -> list[str]:
        listed = seaweed_client.list_objects_v2(Bucket=out_bucket, Prefix="results/").get("Contents", [])
        return sorted(o["Key"] for o in listed if o.get("Size", 0) > 0)

    run(until(lambda: the_run() is not None, 30))
    live = the_run()
    assert window.tasks.model.row_of(live.task_id) >= 0  # in the task list like a dropped file
    run(until(lambda: live.finished, 60))
    assert live.result == "SUCCESS", live.message
    # the binding uploads the outputs as the run delivers them: bounded wait for the listing to show them
    run(until(lambda: bool(outputs()), 20))

    # recorded on this machine, each step saying which of the cluster's workers ran it
    record = context.runtime.store.get(live.task_id)
    assert record is not None and record.result == RunResult.SUCCESS, record and record.message
    steps = [s for s in record.subtasks if s.name == "SD"]
    assert len(steps) == 1 and "ran on worker tcp://" in steps[0].message, [s.message for s in record.subtasks]
    workers = set(cluster.scheduler_info["workers"])
    assert any(address in steps[0].message for address in workers), (steps[0].message, workers)

    written = outputs()
    assert written and all(k.startswith("results/day 1/") for k in written), written
    assert any(k.endswith(".mp4") and "tiny clip" in k for k in written), written
    # the source object is what was uploaded, and it stayed where it was
    assert seaweed_client.head_object(Bucket=in_bucket, Key=key)["ETag"] == source_etag
    assert seaweed_client.get_object(Bucket=in_bucket, Key=key)["Body"].read() == source_bytes
    # the workers read the object itself from the input bucket: no input was staged
    assert inputs_read and set(inputs_read) == {(in_bucket, key)}, inputs_read
    # the step did go out: the scheduler (in this process; its workers are not) saw MediaFlow's unit
    assert any(name.startswith("mediaflow") for name in cluster.scheduler.task_prefixes), \
        list(cluster.scheduler.task_prefixes)
    assert context.runtime.cluster_info() is not None  # still on the cluster after the run
