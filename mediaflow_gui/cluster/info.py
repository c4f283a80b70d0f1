"""What a Dask cluster offers: its workers, their threads, memory and FFmpeg (Settings' Test button,
`mediaflow cluster info`, the dispatcher's capacity)."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from .settings import DEFAULT_PORT

log = logging.getLogger(__name__)


class ClusterUnreachable(RuntimeError):
    """The scheduler did not answer (the message names the address and the reason)."""


@dataclass
class WorkerInfo:
    address: str
    name: str
    threads: int
    memory: int  # bytes the worker may use (0: no limit)
    ffmpeg: str = ""  # the worker's FFmpeg in one line (its choice's summary), or why it has none


@dataclass
class ClusterInfo:
    address: str
    workers: list[WorkerInfo] = field(default_factory=list)

    @property
    def threads(self) -> int:
        return sum(w.threads for w in self.workers)

    def summary(self) -> str:
        """"2 workers · 2 threads · 23.5 GB" (what the settings and the status bar show)."""
        if not self.workers:
            return "no workers yet"
        memory = sum(w.memory for w in self.workers)
        parts = [f"{len(self.workers)} worker{'s' if len(self.workers) != 1 else ''}",
                 f"{self.threads} thread{'s' if self.threads != 1 else ''}"]
        if memory:
            parts.append(f"{memory / 1e9:.1f} GB")
        return " · ".join(parts)


def workers_of(scheduler_info: dict[str, Any]) -> list[WorkerInfo]:
    """Client.scheduler_info()'s workers, by name (numbered ones by number: a LocalCluster's 0, 1, 2 …
    listed in address order came out as 1, 0), then address."""
    out = []
    for address, w in (scheduler_info or {}).get("workers", {}).items():
        out.append(WorkerInfo(address=address, name=str(w.get("name", address)),
                              threads=int(w.get("nthreads", 1) or 1), memory=int(w.get("memory_limit") or 0)))
    return sorted(out, key=lambda w: (not w.name.isdigit(), int(w.name) if w.name.isdigit() else 0, w.name, w.address))


def worker_ffmpeg_summary() -> str:
    """Runs on a worker: its FFmpeg as MediaFlow would choose it there (the same rules as locally)."""
    from ..media.ffmpeg_choice import choose_ffmpeg
    from ..media.ffmpeg_locate import FFmpegNotFoundError

    try:
        return choose_ffmpeg(None).summary()
    except FFmpegNotFoundError as exc:
        return f"no usable FFmpeg: {exc}"


def check_reachable(address: str, timeout: float) -> None:
    """A plain TCP connect to a tcp:// or tls:// scheduler: a closed port or an unknown host fails here
    at once (Dask's own connect retries until its timeout, 10 s by default, whatever the reason).
    Other schemes are left to Dask. Raises ClusterUnreachable naming the address and the reason."""
    parsed = urlparse(address)
    if parsed.scheme not in ("tcp", "tls") or not parsed.hostname:
        return
    port = parsed.port or DEFAULT_PORT
    try:
        socket.create_connection((parsed.hostname, port), timeout=timeout).close()
    except ConnectionRefusedError:
        raise ClusterUnreachable(f"no Dask scheduler at {address}: the connection was refused (is one running "
                                 "there? `mediaflow cluster local` starts one on this machine)") from None
    except socket.gaierror as exc:
        raise ClusterUnreachable(f"no Dask scheduler at {address}: the host {parsed.hostname!r} is unknown "
                                 f"({exc.strerror or exc})") from None
    except (TimeoutError, socket.timeout):
        raise ClusterUnreachable(f"the Dask scheduler at {address} did not answer within {timeout:g} s") from None
    except OSError as exc:
        raise ClusterUnreachable(f"no Dask scheduler at {address}: {exc.strerror or exc}") from None


def connect_problem(host: str, port: int, timeout: float = 3.0) -> str:
    """Runs on a worker (Client.run): "" when a TCP connection to host:port opens, else why not."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return ""
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"


def describe_cluster(address: str, timeout: float = 5.0, with_ffmpeg: bool = True) -> ClusterInfo:
    """Connect, list the workers (and ask each for its FFmpeg), disconnect. Blocking: call it off the
    GUI thread. Raises ClusterUnreachable with the address and the reason."""
    from distributed import Client

    check_reachable(address, timeout)
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a bad address …
        raise ClusterUnreachable(f"the Dask scheduler at {address} did not answer within {timeout:g} s: "
                                 f"{type(exc).__name__}: {exc}") from exc
    try:
        workers = workers_of(client.scheduler_info(n_workers=-1))
        if with_ffmpeg and workers:
            try:
                found = client.run(worker_ffmpeg_summary, on_error="return")
            except Exception as exc:  # a worker without MediaFlow cannot run it: say so per worker
                found = {w.address: f"cannot tell ({type(exc).__name__}: {exc})" for w in workers}
            for w in workers:
                value = found.get(w.address, "")
                w.ffmpeg = value if isinstance(value, str) else f"cannot tell ({type(value).__name__}: {value})"
        return ClusterInfo(address=address, workers=workers)
    finally:
        client.close()
