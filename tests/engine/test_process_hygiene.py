"""Process hygiene (issue "Nothing lost, nothing leaked", point 4), with real FFmpeg and real processes:
FFmpeg dies with a killed MediaFlow (parent-death signal, both ways the runner watches a process),
SIGTERM and SIGHUP cancel a CLI run as Ctrl-C does, and the next MediaFlow process that opens the task
store removes what interrupted runs left: staging dirs in their output folders and their work dirs."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from mediaflow_gui.engine import ffmpeg_runner
from mediaflow_gui.engine.store import STAGING_PREFIX, TaskStore
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.workflow import task_node
from tests import media_factory
from tests.engine.helpers import fast_transcode, parallel_workflow
from tests.media_factory import ffmpeg_exe

TASK_ID = re.compile(r"^TaskId: (mf-\d{8}-[0-9a-f]{8})$", re.MULTILINE)
WATCHERS = ["pidfd", "asyncio"] if ffmpeg_runner._can_use_pidfd() else ["asyncio"]
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow,  # kills processes and waits for what they leave behind
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="the parent-death signal and these process checks are Linux-only")]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _gone_within(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive (not zombies) after waiting up to `seconds` for them to go."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        if not alive:
            return []
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _ffmpeg_descendants(pid: int) -> list[int]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for child in children:
        try:
            if "ffmpeg" in child.name().lower() and child.status() != psutil.STATUS_ZOMBIE:
                out.append(child.pid)
        except psutil.NoSuchProcess:
            continue
    return out


def _wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _kill(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(30)


_RUNNER_SCRIPT = """
import asyncio, sys
from mediaflow_gui.engine import ffmpeg_runner
from mediaflow_gui.media.base import FFmpegJob
ffmpeg_runner.USE_PIDFD = sys.argv[1] == "pidfd"
# a slow encode writes little: without the parent-death signal it outlives its parent (checked), while
# a fast one would die of its closed pipes anyway
job = FFmpegJob([sys.argv[2], "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "600",
                 "-c:v", "libx264", "-preset", "veryslow", "-f", "null", "-"], duration=600)
asyncio.run(ffmpeg_runner.run_ffmpeg(job))
"""


@pytest.mark.parametrize("watcher", WATCHERS)
def test_ffmpeg_dies_with_a_killed_parent(watcher: str) -> None:
    """SIGKILL of the process running FFmpeg (either way of watching it): FFmpeg is gone within 2 s."""
    proc = subprocess.Popen([sys.executable, "-c", _RUNNER_SCRIPT, watcher, ffmpeg_exe()], cwd=ROOT)
    try:
        [ffmpeg] = _wait_for(lambda: _ffmpeg_descendants(proc.pid), 30, "FFmpeg to start")
        proc.kill()
        proc.wait(30)
        assert _gone_within([ffmpeg], 2.0) == [], "FFmpeg outlived the killed process"
    finally:
        _kill(proc)


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "mediaflow"
    assert script.exists(), f"the console script is not installed next to {sys.executable}"
    return [str(script)]


@pytest.fixture(scope="module")
def long_clip(media_dir: Path) -> Path:
    """30 s 320x240 (the clip test_cli's Ctrl-C test uses; made once per session)."""
    clip = media_dir / "long-for-cli-cancel.mp4"
    if not clip.exists():
        media_factory.make_video(clip, seconds=30, audio=False)
    return clip


def _start_slow_run(tmp_path: Path, clip: Path) -> tuple[subprocess.Popen[str], dict[str, str], Path, str]:
    """`mediaflow run` of a slow transcode, returned once its FFmpeg runs (proc, env, out dir, TaskId)."""
    wf_path = tmp_path / "slow.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Slow", fast_transcode("slow", 480, "veryslow")),
                                    name="Slow"), wf_path)
    env = {**os.environ, "MEDIAFLOW_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    out = tmp_path / "results"
    proc = subprocess.Popen([*_console_script(), "run", str(wf_path), str(clip), "--out", str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "Slow: started" in line:
            break
    match = TASK_ID.search("".join(lines))
    assert match, "".join(lines)
    return proc, env, out, match.group(1)


def test_sigkill_of_a_cli_run_leaves_no_ffmpeg_and_the_next_start_removes_its_staging(
        tmp_path: Path, long_clip: Path) -> None:
    proc, env, out, task_id = _start_slow_run(tmp_path, long_clip)
    try:
        ffmpeg = _wait_for(lambda: _ffmpeg_descendants(proc.pid), 30, "FFmpeg to start")
        staging = _wait_for(lambda: list(out.glob(f"{STAGING_PREFIX}{task_id}-*")), 30, "the staging dir")
        proc.kill()
        proc.wait(30)
        assert _gone_within(ffmpeg, 2.0) == [], "FFmpeg outlived the killed CLI"
        assert all(p.exists() for p in staging)  # what the kill left …
        # … until any MediaFlow process opens the task store
        status = subprocess.run([*_console_script(), "status", task_id], env=env, capture_output=True, text=True,
                                timeout=60)
        assert "Interrupted" in status.stdout, status.stdout + status.stderr
        assert list(out.glob(f"{STAGING_PREFIX}*")) == []
        assert not (tmp_path / "data" / "work").exists() or list((tmp_path / "data" / "work").iterdir()) == []
    finally:
        _kill(proc)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_cancel_a_cli_run_like_ctrl_c(tmp_path: Path, long_clip: Path, sig: int) -> None:
    proc, env, out, task_id = _start_slow_run(tmp_path, long_clip)
    try:
        ffmpeg = _wait_for(lambda: _ffmpeg_descendants(proc.pid), 30, "FFmpeg to start")
        proc.send_signal(sig)
        _rest, err = proc.communicate(timeout=120)
    finally:
        _kill(proc)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert _gone_within(ffmpeg, 2.0) == []
    status = subprocess.run([*_console_script(), "status", task_id], env=env, capture_output=True, text=True,
                            timeout=60)
    assert "FINISH (CANCELED)" in status.stdout, status.stdout + status.stderr
    assert not out.exists() or list(out.iterdir()) == []  # staging removed, nothing published


def _insert_run(db: Path, task_id: str, out_dir: str, status: str, result: str | None, owner_pid: int,
                owner_started: float) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO runs (task_id, workflow_name, input, out_dir, status, result, create_time, "
                     "owner_pid, owner_started) VALUES (?,?,?,?,?,?,?,?,?)",
                     (task_id, "wf", "/in.mp4", out_dir, status, result, time.time(), owner_pid, owner_started))
    conn.close()


def test_opening_the_store_removes_only_what_dead_or_failed_runs_left(tmp_path: Path) -> None:
    db, work, out = tmp_path / "tasks.sqlite3", tmp_path / "work", tmp_path / "out"
    TaskStore(db, work_root=work).close()  # the schema
    me = psutil.Process()
    dead, live, failed, ok = "mf-20250101-0000dead", "mf-20250101-0000a11e", "mf-20250101-0000fa11", \
        "mf-20250101-000000ac"
    # a process that is gone: this pid with another start time (how a recycled pid looks)
    _insert_run(db, dead, str(out), "PROCESSING", None, me.pid, me.create_time() - 1000)
    _insert_run(db, live, str(out), "PROCESSING", None, me.pid, me.create_time())  # this process: alive
    _insert_run(db, failed, "", "FINISH", "FAIL", me.pid, me.create_time())
    _insert_run(db, ok, "", "FINISH", "SUCCESS", me.pid, me.create_time())
    for task_id in (dead, live):
        staged = out / f"{STAGING_PREFIX}{task_id}-abcdef012345"
        staged.mkdir(parents=True)
        (staged / "complete_but_unpublished.mp4").write_bytes(b"x" * 100)
    for task_id in (dead, live, failed, ok):
        (work / task_id / "input").mkdir(parents=True)
        (work / task_id / "input" / "download.mp4").write_bytes(b"y" * 100)
    unclaimed_old, unclaimed_new = work / "mf-20240101-0000beef", work / "mf-20240101-0000f00d"
    for folder in (unclaimed_old, unclaimed_new):
        folder.mkdir()
    os.utime(unclaimed_old, (time.time() - 7200, time.time() - 7200))
    (out / "published.mp4").write_bytes(b"z")
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / f"{STAGING_PREFIX}{dead}-symlinked").symlink_to(outside, target_is_directory=True)

    store = TaskStore(db, work_root=work)
    try:
        assert store.wait_cleanup(30)
        assert store.get(dead).error_code == "Interrupted"
        assert store.get(live).status.value == "PROCESSING"
    finally:
        store.close()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["published.mp4", f"{STAGING_PREFIX}{live}-abcdef012345", f"{STAGING_PREFIX}{dead}-symlinked"])
    assert outside.is_dir()  # a symlink is never followed
    assert sorted(p.name for p in work.iterdir()) == sorted([live, ok, unclaimed_new.name])
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT task_id FROM runs WHERE cleanup_pending=1").fetchall() == []
    conn.close()


def test_a_store_of_an_older_version_gets_the_new_column(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE runs (task_id TEXT PRIMARY KEY, workflow_name TEXT NOT NULL, workflow_json TEXT, "
                 "input TEXT NOT NULL, out_dir TEXT, status TEXT NOT NULL, result TEXT, error_code TEXT NOT NULL "
                 "DEFAULT '', message TEXT NOT NULL DEFAULT '', create_time REAL NOT NULL, begin_time REAL, "
                 "finish_time REAL, metadata_json TEXT, owner_pid INTEGER, owner_started REAL)")
    conn.commit()
    conn.close()
    _insert_run(db, "mf-20250101-0000dead", str(tmp_path / "out"), "PROCESSING", None, 1, 1.0)
    store = TaskStore(db, work_root=tmp_path / "work")
    try:
        assert store.wait_cleanup(30)
        assert store.get("mf-20250101-0000dead").error_code == "Interrupted"
    finally:
        store.close()
