"""A stand-in for engine.ffmpeg_runner.run_ffmpeg: the one seam a test may replace (DESIGN.md).

It records each job, reports progress, and writes the output files the argv names (a video output
is a copy of the job's input, so a later step of a chain can probe it; other files are empty; an
image2 pattern's `%d` becomes 1), so the builders' finalize and the executor's publishing run for
real while no FFmpeg starts. `fail(job)` may return stderr lines to fail a job with, `delay`
keeps a job "running" (for cancel tests).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mediaflow_gui.engine.executor import STAGING_PREFIX
from mediaflow_gui.engine.ffmpeg_runner import FFmpegError, ProgressState
from mediaflow_gui.media.base import FFmpegJob

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm", ".m4a", ".mp3")
_NOT_OUTPUTS = ("-stats_enc_pre", "-stats_enc_pre_fmt", "-i", "-filter_complex", "-progress")


def output_files(args: list[str]) -> list[str]:
    """The output files of an argv: every argument inside a staging dir that no option takes as its value."""
    out = []
    for i, arg in enumerate(args[1:], 1):
        previous = args[i - 1]
        if STAGING_PREFIX in arg and not any(previous.startswith(o) for o in _NOT_OUTPUTS):
            out.append(arg)
    return out


@dataclass
class FakeFFmpeg:
    delay: float = 0.0
    fail: Callable[[FFmpegJob], list[str] | None] = lambda job: None
    jobs: list[FFmpegJob] = field(default_factory=list)
    running: int = 0
    most_at_once: int = 0

    async def __call__(self, job: FFmpegJob, on_progress: Callable[[float, float | None], None],
                       min_interval: float = 0.2, keep_lines: int = 30) -> ProgressState:
        self.jobs.append(job)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            on_progress(50.0, 1.0)
            if self.delay:
                await asyncio.sleep(self.delay)
            lines = self.fail(job)
            if lines:
                raise FFmpegError(1, lines, list(job.args))
            source = Path(job.args[job.args.index("-i") + 1]) if "-i" in job.args else None
            for name in output_files(list(job.args)):
                path = Path(re.sub(r"%0?\d*d", "1", name))
                path.parent.mkdir(parents=True, exist_ok=True)
                if path.suffix.lower() in VIDEO_SUFFIXES and source is not None and source.is_file():
                    shutil.copyfile(source, path)
                else:
                    path.write_bytes(b"")
            on_progress(100.0, 1.0)
            return ProgressState(out_time=job.duration or 0.0, ended=True)
        finally:
            self.running -= 1

    def outputs_of(self, job: FFmpegJob) -> list[str]:
        return [Path(p).name for p in output_files(list(job.args))]
