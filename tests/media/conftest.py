"""Fixtures for media tests: a BuildContext factory and a tiny synchronous job runner.

The real runner (async, with progress and cancellation) is the engine's; here each job's
argv runs with subprocess.run, in order, which is all a builder promises.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable

import pytest

from mediaflow_gui.media.base import BuildContext, BuildResult, OutputFile
from mediaflow_gui.media.builders import build_step
from mediaflow_gui.media.probe import probe
from mediaflow_gui.model.params import TaskParams
from tests.media_factory import ffmpeg_exe


def run_jobs(result: BuildResult) -> list[OutputFile]:
    """Run every job in order (failing with FFmpeg's stderr), then finalize."""
    for job in result.jobs:
        assert Path(job.args[0]).name.startswith("ffmpeg")
        proc = subprocess.run(job.args, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{job.label} failed: {proc.stderr[-3000:]}"
    return result.finalize()


def make_context(kind: str, params: TaskParams, input_path: Path, staging: Path, name: str = "Task",
                 source_name: str | None = None, threads: int = 0) -> BuildContext:
    staging.mkdir(parents=True, exist_ok=True)
    return BuildContext(step_id=f"step-{staging.name}", step_name=name, task_kind=kind, params=params,
                        input_path=Path(input_path), probe=probe(input_path),
                        source_name=source_name if source_name is not None else Path(input_path).stem,
                        staging_dir=staging, ffmpeg=ffmpeg_exe(), threads=threads)


MakeCtx = Callable[..., BuildContext]


@pytest.fixture
def make_ctx(tmp_path: Path) -> MakeCtx:
    """make_ctx(kind, params, input_path, name="Task", source_name=None) -> BuildContext with a fresh staging dir."""
    counter = {"n": 0}

    def make(kind: str, params: TaskParams, input_path: Path, name: str = "Task",
             source_name: str | None = None, threads: int = 0) -> BuildContext:
        counter["n"] += 1
        return make_context(kind, params, input_path, tmp_path / f"staging{counter['n']}", name, source_name, threads)

    return make


@pytest.fixture
def build_and_run(make_ctx: MakeCtx) -> Callable[..., list[OutputFile]]:
    """build_and_run(kind, params, input_path, **ctx_kwargs) -> outputs of the finished step."""

    def run(kind: str, params: TaskParams, input_path: Path, **kwargs: object) -> list[OutputFile]:
        return run_jobs(build_step(make_ctx(kind, params, input_path, **kwargs)))

    return run
