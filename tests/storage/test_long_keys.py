"""A bucket key near S3's 1024 bytes, with a last segment at the file name limit, run end to end on the
real SeaweedFS and real FFmpeg: the download gets a name the work dir can hold, the run succeeds,
and every result is uploaded under its own readable key within 1024 bytes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from mediaflow_gui.engine.engine import Engine, EngineSettings
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.params import ImageSpriteParams, SnapshotParams
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.storage.bindings import ObjectJob, run_object
from mediaflow_gui.storage.s3 import MAX_KEY_BYTES
from mediaflow_gui.storage.watcher import list_objects
from tests import media_factory
from tests.engine.helpers import fast_transcode, parallel_workflow, task_node


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = media_factory.make_video(tmp_path_factory.mktemp("clip") / "c.mp4", seconds=1, width=160, height=120)
    return path.read_bytes()


def test_a_key_near_the_limit_runs_and_uploads(seaweed, seaweed_client, fresh_bucket, tmp_path: Path,
                                               tiny_clip: bytes) -> None:  # type: ignore[no-untyped-def]
    # SeaweedFS takes segments of up to 255 bytes (KeyTooLongError beyond), so the last one is 250:
    # with ".part" for its download, and "_SD.mp4" for a result, it does not fit a file name as it is
    last = "é" * 123 + ".mp4"
    key = "in/" + "/".join(["d" * 120] * 6 + ["e" * 40]) + "/" + last
    assert 1000 < len(key.encode()) <= MAX_KEY_BYTES
    seaweed_client.put_object(Bucket=fresh_bucket, Key=key, Body=tiny_clip)
    workflow = parallel_workflow(
        task_node("transcode", "SD", fast_transcode("SD", 96)), task_node("transcode", "HD", fast_transcode("HD", 120)),
        task_node("snapshot", "Points", SnapshotParams(offsets=["0.2s", "0.6s"], format="jpg", width=128)),
        task_node("image_sprite", "Sprite", ImageSpriteParams(interval="0.25s", rows=1, columns=2, width=128)),
        name="long key")
    connection = seaweed.connection()
    job = ObjectJob(connection, fresh_bucket, key, connection, fresh_bucket, "results/", in_prefix="in/")
    store = TaskStore(tmp_path / "tasks.sqlite3", work_root=tmp_path / "work")
    engine = Engine(store, settings=EngineSettings(max_threads=2, work_dir=tmp_path / "work"))
    try:
        record = asyncio.run(asyncio.wait_for(run_object(engine, workflow, job), 120))
    finally:
        store.close()
    assert record.result == RunResult.SUCCESS, record.message
    uploaded = sorted(o.key for o in list_objects(seaweed_client, fresh_bucket, "results/"))
    names = sorted(Path(o["path"]).name for o in record.outputs())
    assert len(names) == 7 and len(uploaded) == len(names)  # one key per result: none replaced another
    assert all(len(k.encode()) <= MAX_KEY_BYTES for k in uploaded)
    assert sorted(k.rsplit("/", 1)[1] for k in uploaded) == names
    assert all(k.startswith("results/" + "d" * 120 + "/") for k in uploaded)  # the input's folders, readable
    assert len({k.rsplit("/", 1)[0] for k in uploaded}) == 1  # all in one folder, whatever their names' length
    assert all(n.startswith("é" * 40) for n in names)
