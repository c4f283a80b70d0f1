"""The weed process: starting it so that it dies with us, finding it again by PID, stopping it, and
the tail of its log.

No orphan: the child gets PR_SET_PDEATHSIG (Linux) through engine/spawn.py, the same spawner FFmpeg
is started from — the signal follows the death of the *thread* that forked, so the fork happens on
that long-lived thread, never on a short-lived worker. weed gets SIGTERM rather than FFmpeg's SIGKILL,
so that it can still remove its unix sockets. The store adds an atexit stop and its PID file
(weed.json), so that a crashed app's weed is found and stopped on the next start.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from pathlib import Path
from typing import Mapping

import psutil

from ...engine.spawn import Spawner, pdeathsig_preexec

log = logging.getLogger(__name__)


def spawn_weed(argv: list[str], *, cwd: Path, env: Mapping[str, str], out_path: Path) -> subprocess.Popen[bytes]:
    """Start weed with stdout and stderr appended to `out_path` (0600), in its own session, with umask
    077 (its volumes, logs and unix sockets, also those in /tmp, are the user's alone), forked from the
    spawner thread with the parent-death signal. Raises OSError when it cannot be started."""
    preexec = pdeathsig_preexec(signal.SIGTERM)
    posix = os.name == "posix"

    def spawn() -> subprocess.Popen[bytes]:
        out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_fd, stderr=subprocess.STDOUT,
                                    cwd=cwd, env=dict(env), preexec_fn=preexec, start_new_session=True,
                                    **({"umask": 0o077} if posix else {}))
        finally:
            os.close(out_fd)

    return Spawner.get().submit(spawn).result()


def same_process(pid: int, started: float | None) -> psutil.Process | None:
    """The process `pid` if it is still the weed we started (pid reuse is checked by start time)."""
    try:
        proc = psutil.Process(pid)
        if started is not None and abs(proc.create_time() - started) > 1.0:
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        name = proc.name()
        if "weed" not in name:
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def start_time(pid: int) -> float | None:
    """When process `pid` started (what same_process compares), None if it is gone already."""
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def terminate_pid(pid: int, started: float | None = None, timeout: float = 10.0) -> bool:
    """SIGTERM the weed process `pid`, then SIGKILL after `timeout`. True if it was running."""
    proc = same_process(pid, started)
    if proc is None:
        return False
    try:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except psutil.TimeoutExpired:
            log.warning("weed (pid %d) did not stop within %.0f s: killing it", pid, timeout)
            proc.kill()
            proc.wait(5)
    except psutil.NoSuchProcess:
        pass
    return True


def stop_child(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> bool:
    """SIGTERM a weed this process started, SIGKILL after `timeout`; reap it. True if it was running."""
    if proc.poll() is not None:
        proc.wait()
        return False
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        log.warning("the embedded store did not stop within %.0f s: killing it", timeout)
        proc.kill()
        proc.wait(5)
    return True


def tail(path: Path, lines: int = 20) -> str:
    """The last `lines` lines of a log file (of its last 8 KB), "" if it cannot be read."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 8192))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
