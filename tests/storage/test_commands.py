"""Headless commands (`mediaflow storage serve`, `mediaflow watch`, `mediaflow run … s3://…`) and the
Qt-free StorageService the GUI calls, against the real SeaweedFS."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.engine.engine import EngineSettings
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.runtime import Runtime, RuntimeSettings
from mediaflow_gui.storage.bindings import Binding
from mediaflow_gui.storage.s3 import S3Connection, make_client
from mediaflow_gui.storage.watcher import list_objects
from tests.seaweed_fixture import save_connection
from tests.storage.test_watch_runs import snapshot_workflow, small_clip  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workflow_file(tmp_path: Path) -> Path:
    path = tmp_path / "snap.mfw.json"
    save_workflow(snapshot_workflow(), path)
    return path


@pytest.fixture
def saved_connection(seaweed, _private_data_dir: Path) -> S3Connection:  # type: ignore[no-untyped-def]
    return save_connection(seaweed, _private_data_dir, "local")


def _keys(client: Any, bucket: str, prefix: str = "") -> list[str]:
    return sorted(o.key for o in list_objects(client, bucket, prefix))


def _wait_for(check: Any, timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "MEDIAFLOW_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def test_run_s3_object_uploads_results(saved_connection, seaweed_client, fresh_bucket, small_clip, workflow_file,
                                       capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seaweed_client.put_object(Bucket=fresh_bucket, Key="in/ü clip.mp4", Body=small_clip)
    events = tmp_path / "events.jsonl"
    code = main(["run", str(workflow_file), f"s3://{fresh_bucket}/in/ü clip.mp4", "--connection", "local",
                 "--output-bucket", fresh_bucket, "--output-prefix", "done", "--jsonl", str(events)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "TaskId: mf-" in out.out
    expected = f"done/in/ü clip_snapshotByTimeOffset_160x120_01.jpg"
    assert f"s3://{fresh_bucket}/{expected}" in out.out
    assert _keys(seaweed_client, fresh_bucket, "done/") == [expected]
    [event] = [json.loads(line) for line in events.read_text().splitlines()]
    assert event["WorkflowTaskEvent"]["MediaFlow"]["Trigger"]["Type"] == "Explicit"
    assert event["WorkflowTaskEvent"]["MediaFlow"]["Result"] == "SUCCESS"


def test_run_s3_missing_object_fails_with_reason(saved_connection, fresh_bucket, workflow_file,
                                                 capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["run", str(workflow_file), f"s3://{fresh_bucket}/nope.mp4", "--connection", "local",
                 "--output-bucket", fresh_bucket])
    err = capsys.readouterr().err
    assert code == 1
    assert "FAIL" in err and "nope.mp4" in err and "failed" in err
    assert "Traceback" not in err


def test_run_s3_needs_an_output_bucket(workflow_file, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", str(workflow_file), "s3://b/k.mp4"]) == 2
    assert "--output-bucket" in capsys.readouterr().err


def test_watch_command_runs_uploads_and_stops_on_sigterm(seaweed, seaweed_client, fresh_bucket, small_clip,
                                                         workflow_file, _private_data_dir) -> None:  # type: ignore[no-untyped-def]
    conn = seaweed.connection()
    binding = {"version": 1, "name": "cli", "workflow": workflow_file.name,
               "input": {"connection": {"endpoint_url": conn.endpoint_url, "access_key_env": "T_AK",
                                        "secret_key_env": "T_SK"},
                         "bucket": fresh_bucket, "suffixes": [".mp4"]},
               "output": {"prefix": "out/"}, "poll_interval": 0.2}
    path = workflow_file.parent / "binding.json"
    path.write_text(json.dumps(binding))
    env = {**_env(_private_data_dir), "T_AK": conn.access_key, "T_SK": conn.secret_key}
    proc = subprocess.Popen([sys.executable, "-m", "mediaflow_gui.cli", "watch", str(path), "--no-embedded"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Watching s3://"), line + proc.stderr.read()
        seaweed_client.put_object(Bucket=fresh_bucket, Key="clip.mp4", Body=small_clip)
        _wait_for(lambda: _keys(seaweed_client, fresh_bucket, "out/"), what="the uploaded result")
        # the result is uploaded before the run ends: wait for its end (a SIGTERM in between cancels it: 130)
        seen = [line]
        while "SUCCESS" not in seen[-1]:
            seen.append(proc.stdout.readline())
            assert seen[-1], "watch ended before the run did: " + "".join(seen) + proc.stderr.read()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        out = "".join(seen) + out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "TaskId: mf-" in out and "SUCCESS" in out
    assert _keys(seaweed_client, fresh_bucket, "out/") == ["out/clip_snapshotByTimeOffset_160x120_01.jpg"]


@pytest.mark.slow  # the CLI as a process with the real store
def test_storage_serve_prints_keys_and_stops_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "mediaflow_gui.cli", "storage", "serve"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(data), cwd=ROOT)
    try:
        info: dict[str, str] = {}
        for line in proc.stdout:
            if ":" in line and line.startswith("  "):
                label, _, value = line.strip().partition(":")
                info[label] = value.strip()
            if line.startswith("Press Ctrl-C"):
                break
        conn = S3Connection("serve", info["Endpoint"], access_key=info["Access key"], secret_key=info["Secret key"])
        client = make_client(conn)
        client.create_bucket(Bucket="from-serve")
        assert "from-serve" in [b["Name"] for b in client.list_buckets()["Buckets"]]
        pid = int(info["PID"])
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Stopped." in out
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    secret = info["Secret key"]
    for log in (data / "seaweedfs" / "logs").iterdir():
        assert secret not in log.read_text(errors="replace")


def test_service_connections_bindings_and_status(seaweed, seaweed_client, fresh_bucket, small_clip,
                                                 workflow_file, _private_data_dir) -> None:  # type: ignore[no-untyped-def]
    runtime = Runtime(_private_data_dir, RuntimeSettings(engine=EngineSettings(max_threads=2), storage=True,
                                                         embedded=seaweed, stop_embedded=False))
    service = runtime.storage
    try:
        creds = service.embedded_credentials()
        assert creds["endpoint_url"] == seaweed.endpoint_url and creds["secret_key"]
        assert service.embedded_status().healthy
        remote = seaweed.connection()
        remote.name = "remote"
        service.add_connection(remote)
        assert [c.name for c in service.list_connections()] == ["embedded", "remote"]
        assert service.test_connection("remote", fresh_bucket).ok
        assert fresh_bucket in service.list_buckets("remote")
        assert service.test_connection(S3Connection("bad", remote.endpoint_url, access_key="x",
                                                    secret_key="y")).code == "BAD_KEY"
        with pytest.raises(ValueError, match="output prefix"):
            service.save_binding(Binding("loop", str(workflow_file), fresh_bucket, output_prefix=""))
        binding = service.save_binding(Binding("svc", str(workflow_file), fresh_bucket, input_connection="remote",
                                               output_prefix="o/", poll_interval=0.2))
        assert [b.id for b in service.list_bindings()] == [binding.id]
        clip = workflow_file.parent / "up.mp4"
        clip.write_bytes(small_clip)

        async def scenario() -> None:
            seen: list[str] = []
            service.binding_status_changed.subscribe(lambda s: seen.append(s.state))
            await service.start_binding(binding.id)
            assert "watching" in seen
            assert service.upload("remote", fresh_bucket, clip) == f"s3://{fresh_bucket}/up.mp4"
            deadline = time.monotonic() + 60
            while service.binding_status(binding.id).runs_started < 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            runner = service.runner(binding.id)
            assert runner is not None
            await runner.wait_idle()
            await service.stop_binding(binding.id)
            status = service.binding_status(binding.id)
            assert status.state == "stopped"
            assert status.last_activity["key"] == "up.mp4" and status.last_activity["result"] == "SUCCESS"
            assert await service.delete_binding(binding.id)
            assert service.list_bindings() == []
            await service.stop_watchers()

        asyncio.run(scenario())
        assert _keys(seaweed_client, fresh_bucket, "o/") == ["o/up_snapshotByTimeOffset_160x120_01.jpg"]
        assert oct(service.bindings_file.stat().st_mode & 0o777) == "0o600"
    finally:
        runtime.close()
