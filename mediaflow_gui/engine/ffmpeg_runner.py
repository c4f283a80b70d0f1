"""Run one FFmpeg job as an asyncio subprocess, with progress, error capture and cancellation.

What it assumes and guarantees:
- the job's argv is a list (never a shell string); `-progress pipe:1 -nostats` is inserted right
  after the binary, so stdout carries FFmpeg's key=value progress blocks;
- stdout and stderr are drained concurrently, so neither pipe can fill and stall FFmpeg; only
  the last stderr lines are kept (the error message a person needs is at the end);
- on Linux the process is watched by event-loop readers on a pidfd and the two pipes (no watcher
  thread per process, see USE_PIDFD); elsewhere by asyncio's subprocess support; one parser serves both;
- the process starts in its own session (process group), so a cancel kills FFmpeg and anything
  it started; cancellation waits for the process to be gone before re-raising;
- on Linux FFmpeg also gets a parent-death signal (engine/spawn.py): if MediaFlow is killed
  (SIGKILL, a crash), the kernel kills its FFmpeg processes too. The pidfd way forks on the
  spawner thread (long-lived, so the signal comes only when the process dies); asyncio's way forks
  on the event-loop thread, which lives as long as the process in the CLI and the GUI;
- progress callbacks are throttled (default at most 5 per second per job), with the first and the
  final value always delivered, so that many parallel runs keep a GUI smooth.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from ..media.base import FFmpegJob
from .spawn import Spawner, pdeathsig_preexec

ProgressCallback = Callable[[float, "float | None"], None]  # (percent 0–100, speed factor or None)
# stderr lines kept of each process: what a failure quotes and what the run details' FFmpeg log shows
LOG_TAIL_LINES = 60

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
    log_tail: list[str] = field(default_factory=list)  # the last stderr lines, once the process ended


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
    """The last complete timestamp in a progress log, or None while there is none.

    Two formats: -stats_enc_pre's one number per line, and the metadata filter's print lines
    ("frame:12   pts:12288   pts_time:0.48" followed by "key=value")."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 256))
            lines = fh.read().split(b"\n")
    except OSError:
        return None
    for line in reversed(lines[:-1]):  # the last piece may be a line still being written
        _, tapped, value = line.rpartition(b"pts_time:")
        try:
            return float(value if tapped else line)
        except ValueError:
            continue
    return None


def _log_speed(media_seconds: float, wall_seconds: float) -> float | None:
    """FFmpeg's own "speed" (media time done ÷ wall time since the start) from a progress log, for
    the stretch where -progress has not spoken yet (a fused process's sprite or GIF output starts
    late): without it a fused run showed no speed until nearly its end. None in the first half
    second, when one frame more or less swings the ratio wildly."""
    if wall_seconds < 0.5 or media_seconds <= 0:
        return None
    return round(media_seconds / wall_seconds, 2)


def _progress_argv(args: list[str]) -> list[str]:
    # warnings and errors only: the stream listings FFmpeg prints at "info" are what a person never
    # reads, and draining/splitting ~50 such lines per process is most of the runner's own CPU cost
    # on short jobs (benchmarks/engine_overhead.py). A job that sets its own level keeps it.
    quiet = [] if any(a in ("-loglevel", "-v") for a in args[1:]) else ["-loglevel", "warning"]
    return [args[0], "-progress", "pipe:1", "-nostats", *quiet, *args[1:]]


def _kill_group(pid: int, fallback: Callable[[], None]) -> None:
    try:
        if sys.platform != "win32":
            os.killpg(pid, signal.SIGKILL)  # the whole session: FFmpeg and any child it spawned
        else:
            fallback()
    except ProcessLookupError:  # already gone
        pass


class _OutputParser:
    """Turns FFmpeg's stdout (-progress blocks) and stderr (log lines) into state, tail and callbacks.

    Fed raw chunks as they arrive, by either way of watching the process below; it owns no I/O.
    """

    def __init__(self, throttle: _Throttle, duration: float | None, keep_lines: int,
                 percent_from_out_time: bool = True) -> None:
        self.state = ProgressState()
        self._percent_from_out_time = percent_from_out_time
        self.tail: collections.deque[str] = collections.deque(maxlen=keep_lines)
        self._throttle = throttle
        self._duration = duration
        self._block: dict[str, str] = {}
        self._out_rest = b""
        self._err_rest = b""

    def feed_stdout(self, data: bytes) -> None:
        lines = (self._out_rest + data).split(b"\n")
        self._out_rest = lines.pop()
        for raw in lines:
            self._progress_line(raw.decode("utf-8", "replace").strip())

    def feed_stderr(self, data: bytes) -> None:
        # FFmpeg ends some status lines with \r; keep the text only
        lines = (self._err_rest + data).replace(b"\r", b"\n").split(b"\n")
        self._err_rest = lines.pop()
        for raw in lines:
            if raw.strip():
                self.tail.append(raw.decode("utf-8", "replace").rstrip())

    def close(self) -> None:
        if self._out_rest:
            self._progress_line(self._out_rest.decode("utf-8", "replace").strip())
        if self._err_rest.strip():
            self.tail.append(self._err_rest.decode("utf-8", "replace").rstrip())
        self._out_rest = self._err_rest = b""

    def _progress_line(self, line: str) -> None:
        key, sep, value = line.partition("=")
        if not sep:
            return
        block = self._block
        block[key] = value
        if key != "progress":
            return
        # one block ends with progress=continue|end
        state = self.state
        t = _parse_time_us(block.get("out_time_us", "")) if "out_time_us" in block else None
        if t is None and "out_time_ms" in block:  # FFmpeg writes microseconds under this name too
            t = _parse_time_us(block["out_time_ms"])
        if t is not None and t >= 0:
            state.out_time = t
        state.speed = _parse_speed(block.get("speed", "")) if "speed" in block else state.speed
        if value == "end":
            state.ended = True
        elif self._duration and self._percent_from_out_time:
            self._throttle(min(99.9, 100.0 * state.out_time / self._duration), state.speed)
        self._block = {}


def _popen_kwargs() -> dict:
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    kwargs: dict = {"start_new_session": True}
    preexec = pdeathsig_preexec()
    if preexec is not None:  # Linux: FFmpeg dies with us (the forking thread must outlive it)
        kwargs["preexec_fn"] = preexec
    return kwargs


def _reap_unwanted(future: "concurrent.futures.Future[subprocess.Popen[bytes]]") -> None:
    """A spawn whose caller was canceled while the fork ran: kill and reap what it started."""
    if future.cancelled() or future.exception() is not None:
        return
    proc = future.result()
    _kill_group(proc.pid, proc.kill)
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _can_use_pidfd() -> bool:
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:  # a kernel older than 5.3, or a sandbox that forbids it
        return False
    return True


# Python < 3.12 watches every asyncio child with a thread of its own (ThreadedChildWatcher):
# starting that thread cost ~1.5 ms of event-loop time per FFmpeg process on a busy 2-core machine
# (benchmarks/engine_overhead.py). On Linux the runner instead watches a pidfd and both pipes with
# plain loop readers: no thread, no stream objects, one callback per chunk.
USE_PIDFD = _can_use_pidfd()


_devnull: tuple[int, int] | None = None  # (pid, fd): opened once per process, not once per FFmpeg


def _devnull_fd() -> int:
    global _devnull
    if _devnull is None or _devnull[0] != os.getpid():
        _devnull = (os.getpid(), os.open(os.devnull, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)))
    return _devnull[1]


class _PidfdChild:
    """One FFmpeg process watched by event-loop readers on its pidfd, stdout and stderr."""

    @classmethod
    async def start(cls, argv: list[str], parser: _OutputParser) -> "_PidfdChild":
        kwargs = _popen_kwargs()

        def spawn() -> subprocess.Popen[bytes]:
            return subprocess.Popen(argv, stdin=_devnull_fd(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    close_fds=True, **kwargs)

        if "preexec_fn" not in kwargs:  # vfork: cheap enough on the loop, and no thread to outlive
            return cls(spawn(), parser)
        future = Spawner.get().submit(spawn)
        try:
            proc = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.add_done_callback(_reap_unwanted)  # the fork may be under way: never leave it behind
            raise
        return cls(proc, parser)

    def __init__(self, proc: subprocess.Popen[bytes], parser: _OutputParser) -> None:
        self._loop = asyncio.get_running_loop()
        self._parser = parser
        self.proc = proc
        self.done: asyncio.Future[int] = self._loop.create_future()  # exited and both pipes at EOF
        self._exited: asyncio.Future[None] = self._loop.create_future()
        self._open = 3  # stdout, stderr, exit
        self._code: int | None = None
        self._fds: list[int] = []
        try:
            self._pidfd = os.pidfd_open(self.proc.pid)
        except OSError:
            self.kill()
            self.proc.wait()
            raise
        for stream, feed in ((self.proc.stdout, parser.feed_stdout), (self.proc.stderr, parser.feed_stderr)):
            assert stream is not None
            fd = stream.fileno()
            os.set_blocking(fd, False)
            self._fds.append(fd)
            self._loop.add_reader(fd, self._on_readable, fd, feed)
        self._loop.add_reader(self._pidfd, self._on_exit)

    def _on_readable(self, fd: int, feed: Callable[[bytes], None]) -> None:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            feed(data)
            return
        self._loop.remove_reader(fd)
        self._closed_one()

    def _on_exit(self) -> None:
        self._loop.remove_reader(self._pidfd)
        os.close(self._pidfd)
        self._pidfd = -1
        self._code = self.proc.wait()  # already exited: reaps at once
        self._exited.set_result(None)
        self._closed_one()

    def _closed_one(self) -> None:
        self._open -= 1
        if self._open == 0 and not self.done.done():
            self._cleanup()
            self.done.set_result(self._code if self._code is not None else -1)

    def _cleanup(self) -> None:
        for fd in self._fds:
            self._loop.remove_reader(fd)
        self._fds.clear()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        self._parser.close()

    @property
    def returncode(self) -> int | None:
        return self._code

    def kill(self) -> None:
        if self._code is None:
            _kill_group(self.proc.pid, self.proc.kill)

    async def wait_exit(self) -> None:
        """After kill(): until the process is reaped (pipes may stay open in a grandchild)."""
        await self._exited
        if not self.done.done():
            self._cleanup()
            self.done.cancel()


class _AsyncioChild:
    """The portable way: asyncio's own subprocess support (its child watcher, stream readers)."""

    def __init__(self, proc: asyncio.subprocess.Process, parser: _OutputParser) -> None:
        self.proc = proc
        self._parser = parser
        self.done = asyncio.ensure_future(self._run())

    @classmethod
    async def start(cls, argv: list[str], parser: _OutputParser) -> "_AsyncioChild":
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, **_popen_kwargs())
        return cls(proc, parser)

    async def _run(self) -> int:
        async def pump(stream: asyncio.StreamReader | None, feed: Callable[[bytes], None]) -> None:
            assert stream is not None
            while data := await stream.read(65536):
                feed(data)

        await asyncio.gather(pump(self.proc.stdout, self._parser.feed_stdout),
                             pump(self.proc.stderr, self._parser.feed_stderr))
        self._parser.close()
        return await self.proc.wait()

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.returncode is None:
            _kill_group(self.proc.pid, self.proc.kill)

    async def wait_exit(self) -> None:
        self.done.cancel()
        await self.proc.wait()


async def run_ffmpeg(job: FFmpegJob, on_progress: ProgressCallback | None = None, *,
                     min_interval: float = 0.2, keep_lines: int = LOG_TAIL_LINES) -> ProgressState:
    """Run `job` to completion. Raises FFmpegError on a non-zero exit, OSError if it cannot start.

    On cancellation the process (group) is killed and reaped before CancelledError propagates.
    """
    if not job.args:
        raise ValueError("an FFmpeg job needs at least the binary in args")
    argv = _progress_argv([str(a) for a in job.args])
    throttle = _Throttle(on_progress, min_interval)
    duration = job.duration if job.duration and job.duration > 0 else None
    parser = _OutputParser(throttle, duration, keep_lines, percent_from_out_time=not job.stats_only)
    child: _PidfdChild | _AsyncioChild = (await _PidfdChild.start(argv, parser) if USE_PIDFD
                                          else await _AsyncioChild.start(argv, parser))
    state = parser.state
    began = time.monotonic()

    async def read_stats_file(path: str) -> None:
        # -progress says nothing until every output has started; the encoder's own per-frame log
        # keeps the percentage moving meanwhile (only ever forward, never past what -progress says)
        while child.returncode is None:
            await asyncio.sleep(max(min_interval, 0.25))
            t = _last_stats_time(path)
            if t is not None and duration and (job.stats_only or t > state.out_time):
                throttle(min(99.9, 100.0 * t / duration), state.speed or _log_speed(t, time.monotonic() - began))

    stats = asyncio.ensure_future(read_stats_file(job.stats_file)) if job.stats_file and duration else None
    try:
        code = await asyncio.shield(child.done)
    except BaseException:  # canceled (or worse): kill, and reap even if a second cancel arrives
        child.kill()
        await asyncio.shield(child.wait_exit())
        raise
    finally:
        if stats is not None:
            stats.cancel()
    if code != 0:
        raise FFmpegError(code, list(parser.tail), [str(a) for a in job.args])
    state.log_tail = list(parser.tail)
    throttle(100.0, state.speed, force=True)
    return state
