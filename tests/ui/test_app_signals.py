"""The real app as a process (`python -m mediaflow_gui.app`, offscreen, a private data dir): SIGTERM,
SIGINT and SIGHUP during a run end it by the same clean shutdown as File ▸ Quit — exit status 0 within
seconds, the run recorded CANCELED in the task store, no FFmpeg or weed left, the task store and the
embedded store's PID file (weed.json) released — and a second start given files the way a file
manager passes them (a name with a space and non-ASCII letters, a file:// URI) hands them to the
first, which starts a run for each. The first start's own files (no --process, a path or a file:// URI) are
run by it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest


from .conftest import REFERENCE

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # each starts the app (and its embedded store) as a process: seconds


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip the standard workflow takes minutes to transcode (its outputs are scaled up; a 60 s clip was
    sometimes done before a loaded machine sent the signal), cheap to make: 10 min, 96x64 at 5 fps, ~2 s."""
    path = tmp_path_factory.mktemp("long") / "long clip é.mp4"
    subprocess.run([os.environ["MEDIAFLOW_FFMPEG"], "-v", "error", "-y", "-f", "lavfi",
                    "-i", "testsrc=size=96x64:rate=5", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000",
                    "-t", "600", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-ac", "1",
                    "-b:a", "16k", "-shortest", str(path)], check=True, timeout=60)
    return path


def _start_app(*arguments: str, data_dir: Path, log: Path | None = None) -> subprocess.Popen[bytes]:
    """The app as a process; its output goes to `log` (read while it runs) or a pipe."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MEDIAFLOW_DATA_DIR": str(data_dir)}
    out = open(log, "wb") if log is not None else subprocess.PIPE  # noqa: SIM115 - the child holds it
    try:
        return subprocess.Popen([sys.executable, "-m", "mediaflow_gui.app", *arguments], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    finally:
        if log is not None:
            out.close()


def _wait_for(what: str, condition, timeout: float = 30.0):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _ffmpeg_children(proc: subprocess.Popen[bytes], reading: Path) -> list[psutil.Process]:
    """The app's FFmpeg processes reading `reading` (a run's; not the version probes at start)."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "ffmpeg" in child.name() and str(reading) in child.cmdline():
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _runs(data_dir: Path) -> list[tuple[str, str, str | None]]:
    """(input, status, result) of every run in the app's task store."""
    path = data_dir / "tasks.sqlite3"
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    try:
        return conn.execute("SELECT input, status, result FROM runs ORDER BY create_time").fetchall()
    except sqlite3.OperationalError:  # the app is still making its tables
        return []
    finally:
        conn.close()


def _assert_released(data_dir: Path, before: list[psutil.Process]) -> None:
    """Nothing the app started is left, and its stores can be taken by the next app."""
    assert not [p for p in before if _alive(p)], "a child of the app outlived it"
    assert not (data_dir / "seaweedfs" / "weed.json").exists()  # the embedded store's PID file
    left = []
    for p in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(p.info.get("cmdline") or [])
        if str(data_dir) in cmdline and _alive(p):
            left.append(cmdline)
    assert not left, f"processes on the app's data dir are left: {left}"
    conn = sqlite3.connect(data_dir / "tasks.sqlite3", timeout=0)
    try:
        conn.execute("BEGIN EXCLUSIVE")  # no other connection holds the task store
        conn.rollback()
    finally:
        conn.close()


# the first start's files on its command line, without --process (as a .desktop file's %F passes them),
# once as a file:// URI (as some file managers pass them): the app itself runs them once the window is up
@pytest.mark.parametrize(("signal_name", "as_uri"), [("SIGTERM", False), ("SIGINT", False), ("SIGHUP", True)])
def test_a_quit_signal_during_a_run_cancels_records_and_exits_cleanly(
        signal_name: str, as_uri: bool, long_clip: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    argument = "file://" + quote(str(long_clip), encoding="utf-8") if as_uri else str(long_clip)
    log = tmp_path / "app.log"
    app = _start_app(str(REFERENCE), argument, data_dir=data_dir, log=log)
    try:
        # the signal comes once the embedded store is up (a store still starting is waited for, then
        # stopped: seconds more on a loaded machine), so that stopping it is part of what is tested
        _wait_for("the embedded store to start", lambda: b"embedded store ready" in log.read_bytes(), 60)
        _wait_for("the run recorded as processing",
                  lambda: [(i, s) for i, s, _r in _runs(data_dir)] == [(str(long_clip), "PROCESSING")])
        ffmpeg = _wait_for("the run's FFmpeg", lambda: _ffmpeg_children(app, long_clip))
        children = psutil.Process(app.pid).children(recursive=True)  # FFmpeg, and weed once started
        started = time.monotonic()
        app.send_signal(getattr(signal, signal_name))
        code = app.wait(timeout=20)
        took = time.monotonic() - started
        output = log.read_text(encoding="utf-8", errors="replace")
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert code == 0, output
    assert took < 10, f"the shutdown took {took:.1f} s:\n{output}"
    assert f"{signal_name}: quitting" in output
    assert [(i, s, r) for i, s, r in _runs(data_dir)] == [(str(long_clip), "FINISH", "CANCELED")]
    assert ffmpeg and not [p for p in ffmpeg if _alive(p)]
    _assert_released(data_dir, children)


def test_files_from_the_file_manager_go_to_the_running_window(video_clip: Path, tmp_path: Path) -> None:
    from mediaflow_gui.ui.single_instance import server_name
    from PySide6.QtCore import QDir
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    inputs = tmp_path / "from the file manager"
    inputs.mkdir()
    spaced = inputs / "clip one 视频 é.mp4"
    uri_file = inputs / "second clip ü.mp4"
    for target in (spaced, uri_file):
        target.write_bytes(video_clip.read_bytes())
    first = _start_app(data_dir=data_dir)  # the standard workflow, nothing to run
    second = None
    try:
        socket = Path(QDir.tempPath()) / server_name(data_dir)
        _wait_for("the first app to listen", socket.exists)
        uri = "file://" + quote(str(uri_file), encoding="utf-8")  # as Nautilus passes %U: percent-encoded
        second = _start_app(str(spaced), uri, data_dir=data_dir)
        out, _ = second.communicate(timeout=30)
        assert second.returncode == 0, out
        assert b"handed 2 file(s)" in out
        runs = _wait_for("two runs in the first app", lambda: len(_runs(data_dir)) == 2 and _runs(data_dir))
        assert sorted(i for i, _s, _r in runs) == sorted([str(spaced), str(uri_file)])
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert all(s == "FINISH" for _i, s, _r in _runs(data_dir))

