"""Child processes that die with this process: the parent-death signal (Linux) and where to fork.

A FFmpeg left behind by a killed MediaFlow keeps a CPU busy and holds files in a folder that the
next start cleans up; on Linux the kernel can kill it for us: PR_SET_PDEATHSIG, set in the child
between fork and exec, sends SIGKILL to the child when its parent dies. Two facts shape this:

- the signal follows the death of the *thread* that forked, not of the process: forking from a
  short-lived worker thread would kill FFmpeg when that thread ends. `Spawner` forks from one
  long-lived daemon thread per process (it lives until the process exits);
- a `preexec_fn` makes CPython fork instead of vfork, and the fork of a 150 MB process blocks the
  caller for ~16 ms (measured: 0.6 ms without it). On the spawner thread the event loop only pays
  for the fork call itself while the GIL is held (a few ms), not for the child's way to exec.

The preexec function only makes one foreign call (prctl, looked up before the fork) and checks
that the parent did not die between fork and prctl; nothing else runs between fork and exec.
Elsewhere (macOS, Windows) `pdeathsig_preexec()` is None and nothing changes: the runner's own
cancel (process group kill) still applies, a SIGKILL of the app does not reach FFmpeg there.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import sys
import threading
from concurrent.futures import Future
from typing import Any, Callable

_PR_SET_PDEATHSIG = 1


_prctl: Any = None  # libc's prctl, looked up once (False: not available)


def _libc_prctl() -> Any:
    global _prctl
    if _prctl is None:
        try:
            _prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):  # no libc prctl (an unusual libc): run without it
            _prctl = False
    return _prctl


def pdeathsig_preexec(sig: int = signal.SIGKILL) -> Callable[[], None] | None:
    """A preexec_fn that asks Linux to send `sig` to the child when its parent (thread) dies.

    Make one per spawn: it remembers the pid of the process that forks.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = _libc_prctl()
    if not prctl:
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl: the signal would never come
            os._exit(1)

    return preexec


class Spawner:
    """One long-lived daemon thread that runs the forks of this process (see the module docstring)."""

    _lock = threading.Lock()
    _instance: "Spawner | None" = None

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._loop, name="mediaflow-spawner", daemon=True)
        self._thread.start()

    @classmethod
    def get(cls) -> "Spawner":
        with cls._lock:
            me = cls._instance
            # a forked child (multiprocessing, tests) has no thread of its parent's: make its own
            if me is None or me._pid != os.getpid() or not me._thread.is_alive():
                me = cls._instance = Spawner()
            return me

    def _loop(self) -> None:
        while True:
            fn, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller, who raises it
                future.set_exception(exc)

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        """Run `fn` (e.g. a subprocess.Popen call) on the spawner thread; a concurrent Future."""
        future: Future[Any] = Future()
        self._jobs.put((fn, future))
        return future
