"""Helpers for the engine tests: small workflows built with the model API, event recording."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import psutil

from mediaflow_gui.engine.engine import Engine, EngineSettings
from mediaflow_gui.engine.events import Event, EventBus, SubtaskFinished, SubtaskProgress, SubtaskStarted
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import (AnimatedImageParams, ImageSpriteParams, SnapshotParams, TranscodeParams,
                                        transcode_preset)
from mediaflow_gui.model.workflow import Node, Workflow, task_node


def fast_transcode(definition: str = "SD", short_side: int = 240, preset: str = "ultrafast") -> TranscodeParams:
    params = transcode_preset("SD 540p")
    params.definition = definition
    params.short_side = short_side
    params.encoder_preset = preset
    return params


def small_snapshots() -> SnapshotParams:
    return SnapshotParams(offsets=["1s", "50%"], format="jpg")


def parallel_workflow(*tasks: Node, name: str = "parallel") -> Workflow:
    """start → split → each task → join → end (a single task skips split and join)."""
    wf = Workflow(name)
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    if len(tasks) == 1:
        wf.add_node(tasks[0])
        wf.connect(start, tasks[0])
        wf.connect(tasks[0], end)
        return wf
    split, join = wf.add_node(Node(NodeKind.SPLIT)), wf.add_node(Node(NodeKind.JOIN))
    wf.connect(start, split)
    wf.connect(join, end)
    for task in tasks:
        wf.add_node(task)
        wf.connect(split, task)
        wf.connect(task, join)
    return wf


def chain_workflow(*tasks: Node, name: str = "chain") -> Workflow:
    """start → t1 → t2 → … → end."""
    wf = Workflow(name)
    nodes = [wf.add_node(Node(NodeKind.START)), *(wf.add_node(t) for t in tasks), wf.add_node(Node(NodeKind.END))]
    for a, b in zip(nodes, nodes[1:]):
        wf.connect(a, b)
    return wf


class Recorder:
    """Keeps every event of a bus, in order."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        self.received: list[tuple[float, Event]] = []  # with the time each event arrived
        bus.subscribe(self._keep)

    def _keep(self, event: Event) -> None:
        self.events.append(event)
        self.received.append((time.time(), event))

    def last_progress_time(self, step_id: str) -> float:
        return max(t for t, e in self.received if isinstance(e, SubtaskProgress) and e.step_id == step_id)

    def of(self, kind: type, step_id: str | None = None) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind) and (step_id is None or e.step_id == step_id)]

    def interval(self, step_id: str) -> tuple[float, float]:
        return self.of(SubtaskStarted, step_id)[0].time, self.of(SubtaskFinished, step_id)[0].time


def make_engine(tmp_path: Path, **settings: Any) -> Engine:
    store = TaskStore(tmp_path / "tasks.sqlite3")
    return Engine(store, settings=EngineSettings(**settings))


def ffmpeg_children() -> list[psutil.Process]:
    """FFmpeg processes started by this test process (directly or not) that are still alive."""
    out = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "ffmpeg" in child.name().lower() and child.status() != psutil.STATUS_ZOMBIE:
                out.append(child)
        except psutil.NoSuchProcess:
            continue
    return out


def run(coro: Any) -> Any:
    return asyncio.run(coro)


__all__ = ["AnimatedImageParams", "ImageSpriteParams", "task_node"]
