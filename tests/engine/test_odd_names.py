"""The engine on names at the file system's limit and names that are not UTF-8 (real FFmpeg, tiny
clips): every kind of output fits NAME_MAX and stays distinct, nothing hangs, and undecodable
bytes survive from the input to the events and the records."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

from mediaflow_gui.engine.events import RunCreated, SubtaskFinished
from mediaflow_gui.engine.run_state import RunRecord
from mediaflow_gui.engine.store import STAGING_PREFIX, task_query_dict
from mediaflow_gui.media.naming import name_max
from mediaflow_gui.model.params import AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams, SnapshotParams
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.workflow import Workflow
from tests import media_factory
from tests.engine.helpers import Recorder, fast_transcode, make_engine, parallel_workflow, task_node

DEADLINE = 90.0  # seconds; a run of these takes ~1 s


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = media_factory.make_video(tmp_path_factory.mktemp("clip") / "c.mp4", seconds=1, width=160, height=120)
    return path.read_bytes()


def every_kind() -> Workflow:
    return parallel_workflow(
        task_node("transcode", "SD", fast_transcode("SD", 96)),
        task_node("transcode", "HD", fast_transcode("HD", 120)),
        task_node("snapshot", "Points", SnapshotParams(offsets=["0.2s", "0.6s"], format="jpg", width=128)),
        task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="0.5s", width=128)),
        task_node("image_sprite", "Sprite", ImageSpriteParams(interval="0.25s", rows=1, columns=2, width=128)),
        task_node("animated_image", "Gif", AnimatedImageParams(format="gif", fps=5, width=128)),
        name="every kind")


def run_with_deadline(make: Callable[[], Awaitable[RunRecord]]) -> RunRecord:
    """asyncio.run in a thread: a run that never ends (the old endless listing ran in a worker thread,
    where no cancel reaches) fails the test instead of stopping the suite."""
    result: list[Any] = []

    def main() -> None:
        try:
            result.append(asyncio.run(make()))  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the test
            result.append(exc)

    worker = threading.Thread(target=main, daemon=True)
    worker.start()
    worker.join(DEADLINE)
    assert not worker.is_alive(), f"the run did not end within {DEADLINE} s"
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


@pytest.mark.parametrize("fusion", [True, False])
def test_a_name_at_the_limit_gives_fitting_distinct_outputs(tmp_path: Path, tiny_clip: bytes, fusion: bool) -> None:
    source = tmp_path / ("é" * 123 + ".mp4")  # 250 bytes
    source.write_bytes(tiny_clip)
    out = tmp_path / "out"
    engine = make_engine(tmp_path, max_threads=2, fusion=fusion)
    try:
        record = run_with_deadline(lambda: engine.run(every_kind(), source, out))
    finally:
        engine.store.close()
    assert record.result == RunResult.SUCCESS, record.message
    paths = [Path(o["path"]) for o in record.outputs()]
    assert len(paths) >= 9 and len(set(paths)) == len(paths)
    assert all(p.is_file() and len(os.fsencode(p.name)) <= name_max(out) for p in paths)
    assert all(p.name.startswith("é" * 40) for p in paths)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no staging left
    sd, hd = (record.subtask_named(n).outputs[0]["path"] for n in ("SD", "HD"))
    assert sd.endswith("_SD.mp4") and hd.endswith("_HD.mp4")


def test_undecodable_bytes_survive_into_events_and_records(tmp_path: Path, tiny_clip: bytes) -> None:
    source = os.fsdecode(os.fsencode(tmp_path) + b"/clip \xff.mp4")
    out = Path(os.fsdecode(os.fsencode(tmp_path) + b"/out \xe9"))
    Path(source).write_bytes(tiny_clip)
    engine = make_engine(tmp_path, max_threads=2)
    rec = Recorder(engine.bus)
    try:
        record = run_with_deadline(lambda: engine.run(every_kind(), source, out))
        stored = engine.store.get_stored(record.task_id)
    finally:
        engine.store.close()
    assert record.result == RunResult.SUCCESS, record.message
    assert rec.of(RunCreated)[0].input == source  # the lossless form: the real file's name
    assert stored is not None and asdict(stored) == asdict(record)
    assert os.path.isfile(stored.input) and stored.out_dir == str(out)
    finished = [o for e in rec.of(SubtaskFinished) if e.status == SubtaskStatus.SUCCESS for o in e.outputs]
    assert finished and all(os.path.isfile(o["path"]) for o in finished)
    assert all(Path(o["path"]).parent == out for o in stored.outputs())
    assert all(Path(o["path"]).name.startswith("clip \ufffd_") for o in stored.outputs())
    assert not [p for p in os.listdir(out) if p.startswith(STAGING_PREFIX)]
    query = task_query_dict(stored)
    assert query["WorkflowTask"]["MediaFlow"]["OutputDir"].endswith("/out \\xe9")
    json.dumps(query, ensure_ascii=False).encode("utf-8")  # raises on any lone surrogate left
