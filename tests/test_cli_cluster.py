"""The Dask cluster on the command line (issue 16): `mediaflow cluster local`, `mediaflow worker`,
`mediaflow cluster info` as real processes, and `run`/`watch --cluster` refusing what cannot work in
one line (an unreachable scheduler, a bad address) before anything runs.

Every process a test starts is stopped by its PID (and checked gone with its children); every wait
has a deadline."""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import psutil
import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.cli.cluster import add_cluster_flags, cluster_settings_from_args, worker_argv
from mediaflow_gui.media.probe import probe
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.storage.s3 import S3Connection
from mediaflow_gui.storage.watcher import list_objects
from tests import media_factory
from tests.engine.helpers import fast_transcode, parallel_workflow, small_snapshots
from tests.seaweed_fixture import fresh_bucket, save_connection, seaweed, seaweed_client  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = re.compile(r"^tcp://127\.0\.0\.1:\d+$")

pytestmark = pytest.mark.slow  # Dask schedulers and workers as processes


class Proc:
    """A `mediaflow …` process whose stdout and stderr lines are read by threads (waits have deadlines)."""

    def __init__(self, args: list[str], env: dict[str, str], *, own_group: bool = False) -> None:
        # own_group: a process group of its own, as a terminal's foreground job is (Ctrl-C reaches all of it)
        self.popen = subprocess.Popen([sys.executable, "-m", "mediaflow_gui.cli", *args], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      start_new_session=own_group)
        self.out: "queue.Queue[str]" = queue.Queue()
        self.err_lines: list[str] = []
        readers = ((self.popen.stdout, self.out.put), (self.popen.stderr, self.err_lines.append))
        self._pumps = [threading.Thread(target=self._pump, args=reader, daemon=True) for reader in readers]
        for pump in self._pumps:
            pump.start()

    @staticmethod
    def _pump(stream: Any, put: Any) -> None:
        for line in stream:
            put(line)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stdout_line(self, timeout: float) -> str:
        try:
            return self.out.get(timeout=timeout).rstrip("\n")
        except queue.Empty:
            raise AssertionError(f"no line on stdout within {timeout} s; stderr: {self.stderr}") from None

    @property
    def stderr(self) -> str:
        return "".join(self.err_lines)

    def wait_stderr(self, text: str, timeout: float = 10.0) -> bool:
        """Whether `text` shows on stderr within `timeout` s (its reader thread is not in step with
        stdout's: a line written to stderr first may be read after a later stdout line)."""
        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def tree(self) -> list[psutil.Process]:
        """The process and all its descendants (a worker's nanny starts the worker process)."""
        me = psutil.Process(self.pid)
        return [me] + me.children(recursive=True)

    def terminate_and_check(self, timeout: float = 40.0, *, ctrl_c: bool = False) -> int:
        """SIGTERM (or, with ctrl_c, SIGINT to its whole process group: a terminal's Ctrl-C), wait for the
        exit, and check that no process of its tree is left."""
        tree = self.tree()
        if ctrl_c:
            os.killpg(self.pid, signal.SIGINT)
        else:
            self.popen.send_signal(signal.SIGTERM)
        code = self.popen.wait(timeout=timeout)
        _gone, alive = psutil.wait_procs(tree, timeout=10)
        assert not alive, f"left behind: {[p.pid for p in alive]}"
        for pump in self._pumps:  # the last lines may still be in the pipes when the process is gone
            pump.join(10)
        return code

    def kill(self) -> None:
        """The test's last resort (a failed test must not leave processes either)."""
        if self.popen.poll() is None:
            try:
                tree = self.tree()
            except psutil.NoSuchProcess:
                tree = []
            for p in reversed(tree):
                try:
                    p.kill()
                except psutil.NoSuchProcess:
                    pass
            self.popen.wait(timeout=10)


@pytest.fixture
def env(_private_data_dir: Path) -> dict[str, str]:
    return {**os.environ, "MEDIAFLOW_DATA_DIR": str(_private_data_dir), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for p in reversed(started):
        p.kill()


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 s of 160x120 testsrc2 + a sine (lavfi), H.264 + AAC."""
    return media_factory.make_video(tmp_path_factory.mktemp("cluster") / "tiny.mp4", width=160, height=120,
                                    fps=10, seconds=1.0)


@pytest.fixture
def workflow_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Small", fast_transcode(short_side=120)),
                                    task_node("snapshot", "Thumbs", small_snapshots()), name="Small"), path)
    return path


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_workers(address: str, count: int, timeout: float = 60.0) -> None:
    from mediaflow_gui.cluster.info import describe_cluster

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(describe_cluster(address, timeout=5, with_ffmpeg=False).workers) == count:
            return
        time.sleep(0.3)
    raise AssertionError(f"the cluster at {address} did not reach {count} worker(s) within {timeout} s")


# -- processes ---------------------------------------------------------------------------------------------------

def test_local_scheduler_a_worker_joins_and_both_stop_cleanly(env: dict[str, str], procs: list[Proc], tmp_path: Path,
                                                             workflow_file: Path, tiny_clip: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    scheduler = Proc(["cluster", "local", "--workers", "0", "--port", "0"], env)
    procs.append(scheduler)
    address = scheduler.stdout_line(timeout=60)
    assert ADDRESS.match(address), address + scheduler.stderr
    worker = Proc(["worker", "--scheduler", address, "--name", "mf-test-worker"], env)
    procs.append(worker)
    _wait_for_workers(address, 1)

    assert main(["cluster", "info", address]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.match(rf"^Dask cluster at {re.escape(address)}: 1 worker · 1 thread · [\d.]+ GB$", lines[0]), lines
    assert re.match(r"^  tcp://127\.0\.0\.1:\d+ \(mf-test-worker\): 1 thread, ", lines[1]), lines
    # the worker's FFmpeg as MediaFlow chose it there (the suite's MEDIAFLOW_FFMPEG reached the worker)
    assert lines[2].startswith("    FFmpeg: FFmpeg ") and os.environ["MEDIAFLOW_FFMPEG"] in lines[2], lines

    # the worker is `dask worker` itself (exec: the same PID) with MediaFlow's preload
    assert "distributed.cli.dask_worker" in " ".join(psutil.Process(worker.pid).cmdline())
    assert worker.terminate_and_check() == 0, worker.stderr
    assert "Received signal SIGTERM" in worker.stderr and "Traceback" not in worker.stderr
    _wait_for_workers(address, 0, timeout=20)  # it left the scheduler (it did not just vanish)

    # a scheduler without workers: `run --cluster` says so in one line and runs nothing
    code = main(["run", str(workflow_file), str(tiny_clip), "--out", str(tmp_path / "o"), "--cluster", address,
                 "--cluster-timeout", "1"])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.err.strip() == (f"mediaflow: the Dask scheduler at {address} has no workers: start one with "
                                    f"`mediaflow worker --scheduler {address}`")
    assert "TaskId" not in captured.out

    assert scheduler.terminate_and_check() == 0, scheduler.stderr
    assert "Use it: mediaflow run WORKFLOW FILE --out DIR --cluster " + address in scheduler.stderr
    assert "Stopping the cluster" in scheduler.stderr and "Traceback" not in scheduler.stderr


def test_ctrl_c_stops_a_local_cluster_and_its_workers_quietly(env: dict[str, str], procs: list[Proc]) -> None:
    """Ctrl-C reaches the worker processes too: they leave the closing to `cluster local` (no
    KeyboardInterrupt traceback from each of them)."""
    cluster = Proc(["cluster", "local", "--workers", "1", "--port", "0"], env, own_group=True)
    procs.append(cluster)
    address = cluster.stdout_line(timeout=60)
    _wait_for_workers(address, 1)
    assert len(cluster.tree()) >= 2  # the worker is a process of its own
    assert cluster.terminate_and_check(ctrl_c=True) == 0, cluster.stderr
    assert "Stopping the cluster" in cluster.stderr
    assert "Traceback" not in cluster.stderr and "KeyboardInterrupt" not in cluster.stderr, cluster.stderr


# -- refusals ------------------------------------------------------------------------------------------------------

def test_run_on_a_closed_port_fails_fast_in_one_line(tmp_path: Path, workflow_file: Path, tiny_clip: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    out = tmp_path / "out"
    began = time.monotonic()
    code = main(["run", str(workflow_file), str(tiny_clip), "--out", str(out), "--cluster", address])
    took = time.monotonic() - began
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert took < 5, f"took {took:.1f} s"  # refused at once, not after Dask's 10 s of retries
    [line] = captured.err.strip().splitlines()
    assert line == (f"mediaflow: no Dask scheduler at {address}: the connection was refused (is one running there? "
                    "`mediaflow cluster local` starts one on this machine)")
    assert "TaskId" not in captured.out and not (out.exists() and any(out.iterdir()))  # nothing ran


def test_cluster_info_unreachable_and_host_without_port(capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    assert main(["cluster", "info", f"127.0.0.1:{port}"]) == 1  # a bare host:port gets tcp://
    assert capsys.readouterr().err.strip() == (
        f"mediaflow: no Dask scheduler at tcp://127.0.0.1:{port}: the connection was refused (is one running "
        "there? `mediaflow cluster local` starts one on this machine)")
    assert main(["cluster", "info", "tcp://no-such-host.invalid", "--timeout", "2"]) == 1
    assert capsys.readouterr().err.startswith(
        "mediaflow: no Dask scheduler at tcp://no-such-host.invalid:8786: the host 'no-such-host.invalid' is unknown")


@pytest.mark.parametrize("flags, message", [
    (["--cluster", "http://host:8786"], "--cluster: the cluster address 'http://host:8786' must look like "
                                        "tcp://host:8786"),
    (["--cluster", "tcp://:8786"], "--cluster: the cluster address 'tcp://:8786' has no host: tcp://host:8786"),
    (["--cluster", "tcp://h:8786", "--staging-bucket", " "], "--cluster: the staging bucket needs a name"),
    (["--staging-connection", "s3"], "--staging-connection needs --cluster ADDRESS"),
])
def test_bad_cluster_settings_are_refused_before_anything_runs(flags: list[str], message: str, tmp_path: Path,
                                                               workflow_file: Path, tiny_clip: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(workflow_file), str(tiny_clip), "--out", str(tmp_path / "o"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mediaflow: " + message) and "Traceback" not in err
    assert not (tmp_path / "o").exists()
    assert main(["watch", "--workflow", str(workflow_file), "--bucket", "b", *flags]) == 2
    assert capsys.readouterr().err.startswith("mediaflow: " + message)


def test_bad_flags_of_the_cluster_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--scheduler", "ftp://h"]) == 2
    assert "must look like tcp://host:8786" in capsys.readouterr().err
    for argv in (["cluster", "local", "--workers", "-1"], ["cluster", "local", "--port", "70000"],
                 ["run", "wf", "in", "--cluster", "tcp://h", "--cluster-timeout", "0"],
                 ["watch", "--workflow", "wf", "--bucket", "b", "--cluster", "tcp://h", "--no-workers-timeout", "-5"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2, argv
    assert "70000 is not a port" in capsys.readouterr().err


def test_the_cluster_flags_make_the_settings_the_runs_use() -> None:
    parser = argparse.ArgumentParser()
    add_cluster_flags(parser)
    settings = cluster_settings_from_args(parser.parse_args(
        ["--cluster", "10.0.0.5", "--staging-bucket", "stage", "--cluster-timeout", "3", "--no-workers-timeout", "30"]))
    assert settings is not None and settings.normalized_address() == "tcp://10.0.0.5:8786"
    assert (settings.staging_bucket, settings.connect_timeout, settings.no_workers_timeout) == ("stage", 3.0, 30.0)
    default = cluster_settings_from_args(parser.parse_args(["--cluster", "tcp://h:1"]))
    assert default is not None and default.no_workers_timeout == 120.0
    assert cluster_settings_from_args(parser.parse_args([])) is None


def test_cluster_local_says_when_its_port_is_taken(env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "mediaflow_gui.cli", "cluster", "local", "--workers", "0",
                                 "--port", str(port)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert f"mediaflow: cannot start a Dask scheduler on 127.0.0.1:{port}: the port is taken (another cluster?); " \
           "--port 0 picks a free one" in result.stderr


def test_worker_command_line() -> None:
    args = argparse.Namespace(scheduler="10.0.0.5", nthreads=3, name="gpu-1", memory_limit="4GB")
    assert worker_argv(args, python="/py") == [
        "/py", "-m", "distributed.cli.dask_worker", "tcp://10.0.0.5:8786", "--preload", "mediaflow_gui.cluster.preload",
        "--nthreads", "3", "--name", "gpu-1", "--memory-limit", "4GB"]
    args = argparse.Namespace(scheduler="tcp://h:9000", nthreads=1, name=None, memory_limit=None)
    assert worker_argv(args)[:4] == [sys.executable, "-m", "distributed.cli.dask_worker", "tcp://h:9000"]


# -- runs on a two-worker LocalCluster -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mediaflow cluster local --workers 2` for the module's runs; its address."""
    data = tmp_path_factory.mktemp("cluster-data")  # module scope: before the per-test data dir exists
    proc = Proc(["cluster", "local", "--workers", "2", "--port", "0"],
                {**os.environ, "MEDIAFLOW_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"})
    try:
        address = proc.stdout_line(timeout=90)
        assert ADDRESS.match(address), address + proc.stderr
        _wait_for_workers(address, 2)
        yield address
        assert proc.terminate_and_check() == 0, proc.stderr
    finally:
        proc.kill()


@pytest.fixture
def staging(seaweed, _private_data_dir: Path) -> S3Connection:  # type: ignore[no-untyped-def]
    """The session's SeaweedFS as the saved connection "staging" (what --staging-connection names)."""
    return save_connection(seaweed, _private_data_dir, "staging")


def _properties(folder: Path) -> dict[str, Any]:
    """Each output's name with what matters of it: container, duration to 0.1 s, streams (codec, size, frames)."""
    out = {}
    for path in sorted(folder.iterdir()):
        info = probe(path)
        out[path.name] = (info.container, round(info.duration or 0, 1),
                          [(s.kind, s.codec, s.width, s.height, s.frames, s.sample_rate, s.channels)
                           for s in info.video_streams + info.audio_streams])
    return out


def test_run_on_the_cluster_gives_the_outputs_of_a_local_run(two_workers: str, staging: S3Connection,
                                                              tmp_path: Path, workflow_file: Path, tiny_clip: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    local_out, cluster_out = tmp_path / "local", tmp_path / "cluster"
    assert main(["run", str(workflow_file), str(tiny_clip), "--out", str(local_out)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    code = main(["run", str(workflow_file), str(tiny_clip), "--out", str(cluster_out), "--cluster", two_workers,
                 "--staging-connection", "staging", "--staging-bucket", "mf-staging-run"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert re.search(rf"^Running on the Dask cluster at {re.escape(two_workers)} \(2 workers · 2 threads · "
                     rf"[\d.]+ GB\)$", captured.err, re.MULTILINE), captured.err
    assert "SUCCESS: 2/2 tasks" in captured.out
    [task_id] = re.findall(r"^TaskId: (mf-\S+)$", captured.out, re.MULTILINE)
    assert main(["status", task_id]) == 0
    status = capsys.readouterr().out
    assert "ran on worker tcp://127.0.0.1:" in status, status  # the steps really went to the cluster
    local = _properties(local_out)
    assert len(local) == 3  # the transcode and two snapshots
    assert _properties(cluster_out) == local


def test_watch_on_the_cluster_processes_an_uploaded_object(two_workers: str, staging: S3Connection, seaweed_client,
                                                            fresh_bucket: str, workflow_file: Path, tiny_clip: Path,
                                                            env: dict[str, str], procs: list[Proc],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    watch = Proc(["watch", "--workflow", str(workflow_file), "--bucket", fresh_bucket, "--connection", "staging",
                  "--output-prefix", "out/", "--suffixes", ".mp4", "--interval", "0.2", "--no-embedded",
                  "--cluster", two_workers, "--staging-connection", "staging"], env)
    procs.append(watch)
    line = watch.stdout_line(timeout=60)
    assert line.startswith(f"Watching s3://{fresh_bucket}/"), line + watch.stderr
    assert watch.wait_stderr(f"Running on the Dask cluster at {two_workers} (2 workers · 2 threads"), watch.stderr
    seaweed_client.put_object(Bucket=fresh_bucket, Key="in/clip.mp4", Body=tiny_clip.read_bytes())
    seen = [line]
    while "SUCCESS" not in seen[-1]:
        seen.append(watch.stdout_line(timeout=90))
    keys = sorted(o.key for o in list_objects(seaweed_client, fresh_bucket, "out/"))
    assert len(keys) == 3 and all(k.startswith("out/in/clip") for k in keys), keys
    assert watch.terminate_and_check() == 0, watch.stderr
    assert "Traceback" not in watch.stderr
    [task_id] = {m for line in seen for m in re.findall(r"(mf-\d{8}-[0-9a-f]{8})", line)}
    assert main(["status", task_id]) == 0  # the watcher's task store: the steps ran on the cluster
    assert "ran on worker tcp://127.0.0.1:" in capsys.readouterr().out


def test_an_unknown_staging_connection_is_refused(two_workers: str, tmp_path: Path, workflow_file: Path,
                                                  tiny_clip: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(workflow_file), str(tiny_clip), "--out", str(tmp_path / "o"), "--cluster", two_workers,
                 "--staging-connection", "nope"])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.err.startswith("mediaflow: --staging-connection: ") and "'nope'" in captured.err, captured.err
    assert "Traceback" not in captured.err and "TaskId" not in captured.out


def test_cluster_info_names_a_local_clusters_numbered_workers_as_workers(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from mediaflow_gui.cluster import info as cluster_info
    from mediaflow_gui.cluster.info import ClusterInfo, WorkerInfo

    def described(address: str, timeout: float, with_ffmpeg: bool) -> ClusterInfo:
        return ClusterInfo(address, [WorkerInfo("tcp://127.0.0.1:4001", "0", 1, 0),
                                     WorkerInfo("tcp://10.0.0.9:4000", "render-a", 2, 8 * 10**9)])

    monkeypatch.setattr(cluster_info, "describe_cluster", described)
    assert main(["cluster", "info", "tcp://127.0.0.1:8786", "--no-ffmpeg"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "  tcp://127.0.0.1:4001 (worker 0): 1 thread, no memory limit", lines
    assert lines[2] == "  tcp://10.0.0.9:4000 (render-a): 2 threads, 8.0 GB", lines
