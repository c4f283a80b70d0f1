"""Run one FFmpeg job as an asyncio subprocess, with progress, error capture and cancellation.

What it assumes and guarantees:
- the job's argv is a list (never a shell string); `-progress pipe:1 -nostats` is inserted right
  after the binary, so stdout carries FFmpeg's key=value progress blocks;
- stdout and stderr are drained concurrently, so neither pipe can fill and stall FFmpeg; only
  the last stderr lines are kept (the error message a person needs is at the end);
- the process starts in its own session (process group), so a cancel kills FFmpeg and anything
  it started; cancellation waits for the process to be gone before re-raising;
- progress callbacks are throttled (default at most 5 per second per job), with the first and the
  final value always delivered, so that many parallel runs keep a GUI smooth.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable

from ..media.base import FFmpegJob

ProgressCallback = Callable[[float, "float | None"], None]  # (percent 0–100, speed factor or None)

# stderr lines that carry the reason of a failure, as opposed to banner/stream listings
_ERROR_HINT = re.compile(
    r"error|invalid|no such|not found|failed|unable|cannot|could not|unknown|unsupported|"
    r"does not|not supported|permission denied|too many|out of|mismatch|conversion failed",
    re.IGNORECASE,
)
_NOISE = re.compile(r"^\s*(Stream #|Input #|Output #|Metadata:|Duration:|Stream mapping:|Press \[q\]|"
                    r"built with|configuration:|lib\w+\s+\d)")


class FFmpegError(RuntimeError):
    """FFmpeg ended with a non-zero exit code; carries the code, its last error lines and the argv."""

    def __init__(self, exit_code: int, stderr_tail: list[str], command: list[str]) -> None:
        self.exit_code = exit_code
        self.stderr_tail = list(stderr_tail)
        self.command = list(command)
        self.error_lines = meaningful_error_lines(self.stderr_tail)
        detail = " | ".join(self.error_lines) if self.error_lines else "no error output"
        super().__init__(f"FFmpeg exited with code {exit_code}: {detail}")


def meaningful_error_lines(lines: list[str], limit: int = 4) -> list[str]:
    """The lines of FFmpeg's stderr that say what went wrong (at most `limit`, in order)."""
    cleaned = [ln.strip() for ln in lines if ln.strip()]
    hits = [ln for ln in cleaned if _ERROR_HINT.search(ln) and not _NOISE.match(ln)]
    if not hits:
        hits = [ln for ln in cleaned if not _NOISE.match(ln)] or cleaned
    return hits[-limit:]


@dataclass
class ProgressState:
    """What the last complete progress block said."""

    out_time: float = 0.0  # seconds of output written
    speed: float | None = None
    ended: bool = False


def _parse_time_us(value: str) -> float | None:
    try:
        return int(value) / 1_000_000
    except ValueError:  # "N/A" before the first frame
        return None


def _parse_speed(value: str) -> float | None:
    value = value.strip().rstrip("x")
    try:
        return float(value)
    except ValueError:  # "N/A"
        return None


class _Throttle:
    def __init__(self, callback: ProgressCallback | None, min_interval: float) -> None:
        self.callback = callback
        self.min_interval = min_interval
        self._last_time = -1e9
        self._last_percent = -1.0

    def __call__(self, percent: float, speed: float | None, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        # two sources feed one bar (-progress and the encoder log): it only ever moves forward
        if not force and (now - self._last_time < self.min_interval or percent <= self._last_percent):
            return
        self._last_time = now
        self._last_percent = percent
        self.callback(percent, speed)


def _last_stats_time(path: str) -> float | None:
    """The last complete timestamp in an -stats_enc_pre log, or None while there is none."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 128))
            lines = fh.read().split(b"\n")
    except OSError:
        return None
    for line in reversed(lines[:-1]):  # the last piece may be a line still being written
        try:
            return float(line)
        except ValueError:
            continue
    return None


def _progress_argv(args: list[str]) -> list[str]:
    # warnings and errors only: the stream listings FFmpeg prints at "info" are what a person never
    # reads, and draining/splitting ~50 such lines per process is most of the runner's own CPU cost
    # on short jobs (benchmarks/engine_overhead.py). A job that sets its own level keeps it.
    quiet = [] if any(a in ("-loglevel", "-v") for a in args[1:]) else ["-loglevel", "warning"]
    return [args[0], "-progress", "pipe:1", "-nostats", *quiet, *args[1:]]


def _kill_tree(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)  # the whole session: FFmpeg and any child it spawned
        else:
            proc.kill()
    except ProcessLookupError:  # already gone
        pass


async def run_ffmpeg(job: FFmpegJob, on_progress: ProgressCallback | None = None, *,
                     min_interval: float = 0.2, keep_lines: int = 30) -> ProgressState:
    """Run `job` to completion. Raises FFmpegError on a non-zero exit, OSError if it cannot start.

    On cancellation the process (group) is killed and reaped before CancelledError propagates.
    """
    if not job.args:
        raise ValueError("an FFmpeg job needs at least the binary in args")
    argv = _progress_argv([str(a) for a in job.args])
    kwargs: dict = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    else:
        kwargs["start_new_session"] = True
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, **kwargs)
    tail: collections.deque[str] = collections.deque(maxlen=keep_lines)
    state = ProgressState()
    throttle = _Throttle(on_progress, min_interval)
    duration = job.duration if job.duration and job.duration > 0 else None

    async def read_progress() -> None:
        assert proc.stdout is not None
        block: dict[str, str] = {}
        async for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            key, sep, value = line.partition("=")
            if not sep:
                continue
            block[key] = value
            if key != "progress":
                continue
            # one block ends with progress=continue|end
            t = _parse_time_us(block.get("out_time_us", "")) if "out_time_us" in block else None
            if t is None and "out_time_ms" in block:  # FFmpeg writes microseconds under this name too
                t = _parse_time_us(block["out_time_ms"])
            if t is not None and t >= 0:
                state.out_time = t
            state.speed = _parse_speed(block.get("speed", "")) if "speed" in block else state.speed
            if value == "end":
                state.ended = True
            elif duration:
                throttle(min(99.9, 100.0 * state.out_time / duration), state.speed)
            block = {}

    async def read_stderr() -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            # FFmpeg ends some status lines with \r; keep the text only
            text = raw.decode("utf-8", "replace").replace("\r", "\n")
            for part in text.split("\n"):
                if part.strip():
                    tail.append(part.rstrip())

    async def read_stats_file(path: str) -> None:
        # -progress says nothing until every output has started; the encoder's own per-frame log
        # keeps the percentage moving meanwhile (only ever forward, never past what -progress says)
        while proc.returncode is None:
            await asyncio.sleep(max(min_interval, 0.25))
            t = _last_stats_time(path)
            if t is not None and duration and t > state.out_time:
                throttle(min(99.9, 100.0 * t / duration), state.speed)

    watchers = [read_progress(), read_stderr()]
    stats = asyncio.ensure_future(read_stats_file(job.stats_file)) if job.stats_file and duration else None
    readers = asyncio.gather(*watchers)
    try:
        await readers
        code = await proc.wait()
    except asyncio.CancelledError:
        _kill_tree(proc)
        readers.cancel()
        # reap the process even if a second cancel arrives, so no zombie or orphan is left
        await asyncio.shield(proc.wait())
        raise
    except BaseException:
        _kill_tree(proc)
        readers.cancel()
        await asyncio.shield(proc.wait())
        raise
    finally:
        if stats is not None:
            stats.cancel()
    if code != 0:
        raise FFmpegError(code, list(tail), [str(a) for a in job.args])
    throttle(100.0, state.speed, force=True)
    return state
