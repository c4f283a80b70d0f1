"""EmbeddedStore: start, health-check, supervise and stop one `weed mini` rooted at `root`.

Layout under `<data dir>/seaweedfs/` (the root):
  store/        weed's -dir (volumes, filer db, mini.options)
  logs/         weed's glog files (-logdir) and weed.out (its stdout/stderr)
  sockets/      the filer and S3 local sockets (-filer.localSocket, -s3.localSocket)
  tls/          the certificates of the current start (security.py)
  security.toml weed's security settings (JWT keys, mutual TLS), made at each start, 0600
  s3.json       the S3 identities with the generated keys, mode 0600 (never logged; credentials.py)
  weed.json     the running process: pid, its start time, the ports (the "PID file")
  ports.json    the ports of the last start, tried first next time (a stable endpoint for S3 tools)

The weed process itself (spawned so that it dies with us, found by PID, stopped) is process.py's;
the ports ports.py's; this class decides when: start or adopt, wait until ready, stop, stop an
orphan, restart when the supervisor (supervisor.py) asks.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import ssl
import subprocess
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ...paths import data_dir, private_dir, write_private
from ..s3 import S3Connection, make_client
from .binary import find_weed
from .credentials import load_or_make_keys
from .errors import EmbeddedStoreError
from .ports import DEFAULT_PORTS, HOST, choose_ports, port_flags, remove_grpc_sockets
from .process import same_process, spawn_weed, start_time, stop_child, tail, terminate_pid
from .security import WeedSecurity, WeedSecurityError, child_environment, prepare
from .supervisor import RestartPolicy, Supervisor, SupervisionState

log = logging.getLogger(__name__)

EMBEDDED_CONNECTION_NAME = "embedded"
PORT_ATTEMPTS = 3  # starts on fresh ports after a port conflict (_launch)
# weed mini's -idleTimeout (seconds): how long its volume server keeps a connection that sends nothing.
# On SIGTERM the volume server waits for every connection that has not sent its first request (weed's own
# S3/filer HTTP client leaves such spare connections after parallel transfers, more on a busy machine)
# until this timeout closes it: with weed's default of 30 s the stop took ~29 s, past stop_child's 10 s,
# and weed was SIGKILLed before closing its volumes. 5 s keeps its graceful stop within ~5 s.
VOLUME_IDLE_TIMEOUT = 5


class _PortTaken(Exception):
    """weed could not bind a port it was given: another program took it since choose_ports looked."""


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


class EmbeddedStore:
    """Start, health-check and stop one `weed mini` rooted at `root`."""

    def __init__(self, root: str | os.PathLike[str] | None = None, *, binary: str | None = None,
                 prefer_default_ports: bool = True, s3_port: int | None = None,
                 restart_policy: RestartPolicy | None = None) -> None:
        if root is None:
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
        # a SupervisionState after each exit, restart or give-up, on the supervisor's thread
        self.supervision_changed = self._supervisor.state_changed
        self.supervision_changed.subscribe(self._record_supervision)

    # -- credentials ---------------------------------------------------------------------------
    def credentials(self) -> tuple[str, str]:
        """(access key, secret key), generated and saved (0600) on first use."""
        with self._lock:
            return load_or_make_keys(self.config_path)

    # -- state -----------------------------------------------------------------------------------
    def _read_state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict[str, Any]) -> None:
        private_dir(self.root)
        write_private(self.state_path, json.dumps(state, indent=2))

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
        if state.get("pid") and same_process(int(state["pid"]), state.get("started")) is not None:
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
        if not pid or not owner or same_process(int(pid), state.get("started")) is None:
            return None
        started = start_time(int(owner))
        if started is not None and abs(started - float(state.get("owner_started", 0))) < 1.0:
            return int(owner)
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
        remove_grpc_sockets(state.get("ports", {}))
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
            f"-idleTimeout={VOLUME_IDLE_TIMEOUT}",  # bounds weed's own graceful stop (see VOLUME_IDLE_TIMEOUT)
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={self.config_path}",
            f"-filer.localSocket={self.sockets_dir / 'filer.sock'}",
            f"-s3.localSocket={self.sockets_dir / 's3.sock'}",
        ]
        return args + port_flags(ports)

    def start(self, timeout: float = 30.0) -> EmbeddedStatus:
        """Start weed (or adopt the one this app already runs) and wait until S3 answers.

        A weed started here is supervised until `stop()`: if it exits, it is started again
        (see supervisor.py); an explicit start forgets earlier restarts and a given-up state.
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
        last: Exception | None = None
        for attempt in range(PORT_ATTEMPTS):
            # the first try: weed's defaults or the last ports, when free; after a port conflict (another
            # program — another user's store, a test's — took a port between our check and weed's bind)
            # ports from the OS, which nobody else is handed
            ports = choose_ports(self._preferred_ports() if attempt == 0 else None)
            try:
                return self._launch_on(binary, ports, timeout)
            except _PortTaken as exc:
                log.warning("the embedded store could not have a port (%s); trying other ports", exc)
                last = exc
        raise EmbeddedStoreError(f"the embedded store found no free ports in {PORT_ATTEMPTS} tries: {last}")

    def _launch_on(self, binary: Path, ports: dict[str, int], timeout: float) -> subprocess.Popen[bytes]:
        """Start weed on `ports` and wait until it serves (lock held); _PortTaken when one was taken."""
        remove_grpc_sockets(ports)  # stale files of a killed weed on the same ports
        argv = self.command(binary, ports)
        log.info("starting the embedded store: %s", " ".join(argv))  # paths only, no secrets
        try:
            # weed reads ./security.toml: it runs in the root; WEED_* variables would override that file
            proc = spawn_weed(argv, cwd=self.root, env=child_environment(), out_path=self.out_path)
        except OSError as exc:
            raise EmbeddedStoreError(f"the embedded store could not start {binary}: {exc}") from exc
        self._proc = proc
        self._ports = ports
        write_private(self.last_ports_path, json.dumps(ports))
        self._write_state({"pid": proc.pid, "started": start_time(proc.pid), "ports": ports, "binary": str(binary),
                           "owner_pid": os.getpid(), "owner_started": start_time(os.getpid())})
        if not self._atexit_registered:
            atexit.register(self._atexit_stop)
            self._atexit_registered = True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                code = proc.returncode
                self._forget()
                last_lines = self.log_tail()
                taken = next((line for line in last_lines.splitlines() if "is not available" in line), "")
                if taken:
                    raise _PortTaken(taken.strip())
                raise EmbeddedStoreError(
                    f"the embedded store (weed) exited with code {code} while starting.\n"
                    f"Last lines of {self.out_path}:\n{last_lines}")
            if self.health_check() and self._volume_registered():
                log.info("embedded store ready at %s (pid %d)", self.endpoint_url, proc.pid)
                return proc
            time.sleep(0.1)
        last_lines = self.log_tail()
        self._halt()
        raise EmbeddedStoreError(f"the embedded store did not answer S3 requests within {timeout:.0f} s.\n"
                                 f"Last lines of {self.out_path}:\n{last_lines}")

    def log_tail(self, lines: int = 20) -> str:
        parts = [tail(self.out_path, lines)]
        error_log = self.logs_dir / "weed.ERROR"
        if error_log.exists():
            parts.append(tail(error_log, lines))
        return "\n".join(p for p in parts if p)

    def _volume_registered(self, timeout: float = 1.0) -> bool:
        """True when weed's master lists a volume server.

        S3 (ListBuckets) answers as soon as the filer is up; after a restart on a loaded machine a
        GetObject in that moment failed with InternalError until the volume server had registered.
        A status of another shape (another weed version) does not hold the start up. The master
        answers HTTPS to holders of this start's certificate only (security.py).
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
        remove_grpc_sockets(ports)
        self.state_path.unlink(missing_ok=True)

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
                stopped = stop_child(self._proc, timeout)
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
                remove_grpc_sockets(self._ports)
            current = self._read_state()
            if self._supervisor.state is state and current.get("owner_pid") == os.getpid():
                current.update(notice=state.notice, restarts=state.restarts)
                self._write_state(current)
