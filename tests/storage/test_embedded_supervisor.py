"""The embedded store restarts itself when weed dies while MediaFlow runs it, within bounds, with
the reason shown (issue "Nothing lost, nothing leaked", point 10), and never after a deliberate stop."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import psutil
import pytest

from mediaflow_gui.storage.embedded import EmbeddedStore
from mediaflow_gui.storage.s3 import S3Connection, make_client
from mediaflow_gui.storage.embedded.supervisor import RestartPolicy, SupervisionState, describe_exit

ROOT = Path(__file__).resolve().parents[2]
QUICK = RestartPolicy(max_restarts=2, window=600.0, first_delay=0.2, max_delay=1.0)
BACK_WITHIN = 20.0  # seconds: back-off (0.2 s) + a weed start (~1 s; more on a loaded machine)


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _weeds_of(root: Path) -> list[psutil.Process]:
    """weed processes working on `root` (however they were started)."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            if "weed" in (proc.info["name"] or "") and f"-dir={root / 'store'}" in (proc.info["cmdline"] or []):
                if proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False, restart_policy=QUICK)
    try:
        yield store
    finally:
        store.stop()
        assert _wait(lambda: not _weeds_of(store.root), 10), "a weed was left running"


def test_describe_exit() -> None:
    assert describe_exit(2) == "exited with code 2"
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(0) == "exited with code 0"


@pytest.mark.slow  # kills the real store and waits for it back
def test_a_killed_store_comes_back_on_the_same_ports_with_its_data(store: EmbeddedStore) -> None:
    store.start()
    client = make_client(store.connection())
    client.create_bucket(Bucket="kept")
    client.put_object(Bucket="kept", Key="clip.mp4", Body=b"x" * 200_000)
    ports, first_pid = store.ports, store.pid
    heard: list[SupervisionState] = []
    store.supervision_changed.subscribe(heard.append)

    killed = time.monotonic()
    os.kill(first_pid, signal.SIGKILL)
    # wait for the restart's announcement itself: the supervisor sets `restarts` first and tells its
    # subscribers after (the store's own, which writes the notice to weed.json, then `heard`)
    assert _wait(lambda: store.supervision.restarts == 1 and len(heard) >= 2 and store.health_check(), BACK_WITHIN)
    took = time.monotonic() - killed

    assert store.pid not in (None, first_pid)
    assert store.ports == ports and store.endpoint_url.endswith(f":{ports['s3']}")
    body = make_client(store.connection()).get_object(Bucket="kept", Key="clip.mp4")["Body"].read()
    assert body == b"x" * 200_000
    status = store.status()
    assert status.healthy and status.restarts == 1
    assert "after it was killed by SIGKILL" in status.notice and status.notice.startswith("restarted at ")
    assert [s.notice for s in heard] == ["restarting after it was killed by SIGKILL…", status.notice]
    # another process (`mediaflow storage status`) reads the same from weed.json
    other = EmbeddedStore(store.root).status()
    assert other.running and other.notice == status.notice and other.restarts == 1
    assert took < BACK_WITHIN
    print(f"back after {took:.2f} s")  # shown with -s: the measured restart time


@pytest.mark.slow  # the real store
def test_a_deliberate_stop_is_not_restarted(store: EmbeddedStore) -> None:
    store.start()
    pid = store.pid
    assert store.stop()
    time.sleep(QUICK.first_delay * 4)  # longer than the back-off before a restart
    assert store.pid is None and not _weeds_of(store.root)
    assert store.supervision.restarts == 0 and not store.supervision.restarting and store.supervision.notice == ""
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert store.status().message == "stopped"


@pytest.mark.slow  # a crash loop of the real store
def test_a_store_that_keeps_dying_is_given_up_with_the_reason(store: EmbeddedStore, tmp_path: Path) -> None:
    store.start()
    # from now on weed cannot start: each restart dies at once, as a broken disk or binary would
    fake = tmp_path / "weed"
    fake.write_text("#!/bin/sh\necho 'fatal: volume directory is gone' >&2\nexit 3\n")
    fake.chmod(0o755)
    store.binary_override = str(fake)
    os.kill(store.pid, signal.SIGKILL)
    assert _wait(lambda: store.gave_up, BACK_WITHIN)
    state = store.supervision
    assert state.restarts == 0 and not state.restarting
    assert state.notice == ("stopped restarting: it could not be restarted (the embedded store (weed) exited "
                            "with code 3 while starting.), 3 times within 10 min")
    assert [line.split(" ", 1)[1] for line in state.history] == [
        "was killed by SIGKILL",
        "could not be restarted (the embedded store (weed) exited with code 3 while starting.)",
        "could not be restarted (the embedded store (weed) exited with code 3 while starting.)"]
    assert "volume directory is gone" in state.log_tail
    status = store.status()
    assert not status.running and status.message == "stopped: it kept exiting"
    assert not _weeds_of(store.root)
    # an explicit start begins afresh
    store.binary_override = None
    assert store.start().healthy
    assert not store.gave_up and store.supervision.notice == ""


def test_restarts_are_bounded_within_the_window() -> None:
    policy = RestartPolicy(max_restarts=5, window=600.0, first_delay=1.0, max_delay=30.0)
    assert [policy.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]


@pytest.mark.slow  # the CLI as a process, a killed store
def test_storage_serve_restarts_the_store_and_says_why(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "MEDIAFLOW_DATA_DIR": str(data)}
    proc = subprocess.Popen([sys.executable, "-m", "mediaflow_gui.cli", "storage", "serve"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    root = data / "seaweedfs"
    try:
        info: dict[str, str] = {}
        for line in proc.stdout:  # type: ignore[union-attr]
            if ":" in line and line.startswith("  "):
                label, _, value = line.strip().partition(":")
                info[label] = value.strip()
            if line.startswith("Press Ctrl-C"):
                break
        pid = int(info["PID"])
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True).start()  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
        said = []
        deadline = time.monotonic() + BACK_WITHIN
        while not any("restarted at" in x for x in said) and time.monotonic() < deadline:
            try:
                said.append(lines.get(timeout=0.5).rstrip("\n"))
            except queue.Empty:
                pass
        assert "mediaflow: the embedded store restarting after it was killed by SIGKILL…" in said, said
        assert any(x.startswith("mediaflow: the embedded store restarted at ") and
                   x.endswith("after it was killed by SIGKILL") for x in said), said
        state: dict[str, Any] = json.loads((root / "weed.json").read_text())
        assert state["pid"] != pid and state["restarts"] == 1
        shown = subprocess.run([sys.executable, "-m", "mediaflow_gui.cli", "storage", "status"], capture_output=True,
                               text=True, env=env, cwd=ROOT, timeout=60)
        assert "Embedded store: running" in shown.stdout
        assert "restarted at " in shown.stdout and "after it was killed by SIGKILL" in shown.stdout
        conn = S3Connection("serve", info["Endpoint"], access_key=info["Access key"], secret_key=info["Secret key"])
        make_client(conn).create_bucket(Bucket="after-restart")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Stopped." in out
    assert _wait(lambda: not _weeds_of(root), 10)
