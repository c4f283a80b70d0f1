"""The engine's remote seam (engine/remote.py) with a stand-in for the cluster: units go there, the
budget follows the capacity it reports (workers joining wake queued runs), and each run is announced
and ended once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

from mediaflow_gui.engine.engine import Engine, EngineSettings
from mediaflow_gui.engine.events import Event
from mediaflow_gui.engine.remote import RemoteOutcome, UnitRequest
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.workflow import task_node
from tests.engine.helpers import parallel_workflow, small_snapshots


class GrowingCluster:
    """One slot until its first unit came back, then three (as when two workers join)."""

    label = "the stand-in cluster"

    def __init__(self) -> None:
        self.slots = 1
        self.out = 0
        self.most_at_once = 0
        self.began: list[str] = []
        self.ended: list[str] = []

    def capacity(self) -> int:
        return self.slots

    def run_began(self, task_id: str) -> None:
        self.began.append(task_id)

    def run_ended(self, task_id: str) -> None:
        self.ended.append(task_id)

    async def run(self, request: UnitRequest, emit: Callable[[Event], None]) -> dict[str, RemoteOutcome]:
        self.out += 1
        self.most_at_once = max(self.most_at_once, self.out)
        try:
            await asyncio.sleep(0.3)
        finally:
            self.out -= 1
        self.slots = 3
        outcomes = {}
        for ctx in request.contexts:  # one made-up output per step, in its staging dir as the seam promises
            Path(ctx.staging_dir).mkdir(parents=True, exist_ok=True)
            made = Path(ctx.staging_dir) / f"{ctx.step_id}.jpg"
            made.write_bytes(b"jpg")
            from mediaflow_gui.media.base import OutputFile
            outcomes[ctx.step_id] = RemoteOutcome(SubtaskStatus.SUCCESS, [OutputFile(made, "image", 3)],
                                                  where="worker stand-in")
        return outcomes


def test_the_budget_follows_the_clusters_capacity_and_runs_are_announced_once(tmp_path: Path, video_clip: Path) -> None:
    cluster = GrowingCluster()
    engine = Engine(TaskStore(tmp_path / "tasks.sqlite3"), settings=EngineSettings(max_threads=8))
    engine.remote = cluster
    workflow = parallel_workflow(task_node("snapshot", "frames", small_snapshots()))

    async def scenario() -> list[Any]:
        ids = [engine.submit(workflow, video_clip, tmp_path / f"out{i}") for i in range(6)]
        return [await engine.wait(t) for t in ids]

    records = asyncio.run(scenario())
    assert all(r.result == RunResult.SUCCESS for r in records), [r.message for r in records]
    assert cluster.most_at_once == 3  # one at first; three once the "workers joined"
    assert sorted(cluster.began) == sorted(cluster.ended) == sorted(r.task_id for r in records)
    assert all("ran on worker stand-in" in r.subtasks[0].message for r in records)


def test_a_run_executing_remotely_fetches_its_probe_copy_and_a_local_one_the_whole_input(
        tmp_path: Path, video_clip: Path) -> None:
    """Which hook fetches a bucket run's input is decided as the run starts: the probe copy when it
    executes on the cluster (the workers read the object themselves), the whole object here — also for
    a run submitted while the cluster was chosen that starts after the switch to this computer."""
    import shutil

    engine = Engine(TaskStore(tmp_path / "tasks.sqlite3"), settings=EngineSettings(max_threads=2))
    workflow = parallel_workflow(task_node("snapshot", "frames", small_snapshots()))
    fetched: list[str] = []

    def hook(kind: str) -> Any:
        async def fetch(work_dir: Path) -> Path:
            fetched.append(kind)
            work_dir.mkdir(parents=True, exist_ok=True)
            return Path(shutil.copy(video_clip, work_dir / "clip.mp4"))
        return fetch

    async def one(remote: Any) -> Any:
        engine.remote = remote
        return await engine.run(workflow, "s3://in/clip.mp4", tmp_path / f"out{len(fetched)}",
                                input_label="s3://in/clip.mp4", fetch_input=hook("whole"),
                                source_object=("conn", "in", "clip.mp4"), fetch_probe_copy=hook("probe copy"))

    remote_run = asyncio.run(one(GrowingCluster()))
    local_run = asyncio.run(one(None))
    assert remote_run.result == local_run.result == RunResult.SUCCESS, (remote_run.message, local_run.message)
    assert fetched == ["probe copy", "whole"]
    assert "ran on worker stand-in" in remote_run.subtasks[0].message
    assert "ran on worker" not in local_run.subtasks[0].message


def test_a_probe_copy_that_cannot_be_probed_is_replaced_by_the_whole_input(tmp_path: Path, video_clip: Path) -> None:
    """An index in the middle of a file (neither in the copy's head nor its tail): the whole object is
    fetched and probed, and the run goes on on the cluster."""
    import shutil

    engine = Engine(TaskStore(tmp_path / "tasks.sqlite3"), settings=EngineSettings(max_threads=2))
    engine.remote = GrowingCluster()
    fetched: list[str] = []

    async def probe_copy(work_dir: Path) -> Path:
        fetched.append("probe copy")
        work_dir.mkdir(parents=True, exist_ok=True)
        broken = work_dir / "clip.mp4"
        broken.write_bytes(b"\0" * video_clip.stat().st_size)  # what a copy without the index probes as
        return broken

    async def whole(work_dir: Path) -> Path:
        fetched.append("whole")
        return Path(shutil.copy(video_clip, work_dir / "clip.mp4"))

    record = asyncio.run(engine.run(parallel_workflow(task_node("snapshot", "frames", small_snapshots())),
                                    "s3://in/clip.mp4", tmp_path / "out", input_label="s3://in/clip.mp4",
                                    fetch_input=whole, source_object=("conn", "in", "clip.mp4"),
                                    fetch_probe_copy=probe_copy))
    assert record.result == RunResult.SUCCESS, record.message
    assert fetched == ["probe copy", "whole"]
    assert record.metadata and record.metadata.get("Duration")  # the whole input's probe
