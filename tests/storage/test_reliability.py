"""Nothing lost, nothing leaked (issue 10, points 1 and 10, and its crash loop), on the real SeaweedFS
and real FFmpeg: a binding without an id keeps its identity across restarts and resumes; a second
watcher of the same thing is refused; an event whose sending a crash interrupted is sent once; a run
that failed because a store was away runs again, bounded; and 20 SIGKILLs of `mediaflow watch` while
20 uploads arrive lose nothing, repeat nothing and leave nothing behind."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import psutil
import pytest

from mediaflow_gui.model.params import SnapshotParams
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.notify.sinks import EventTargets
from mediaflow_gui.storage.bindings import Binding, BindingBusyError
from mediaflow_gui.storage.connections import ConnectionRegistry
from mediaflow_gui.storage.watcher import Ledger, list_objects
from tests import media_factory
from tests.engine.helpers import fast_transcode, parallel_workflow
from tests.seaweed_fixture import READER_KEYS
from tests.storage.test_watch_runs import binding_for, harness, settle, small_clip, until  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow  # the real embedded store: crash loops, restarts, many uploads

ROOT = Path(__file__).resolve().parents[2]


# -- point 1: identity ---------------------------------------------------------------------------------

def test_a_binding_without_an_id_gets_the_same_id_from_what_it_watches(tmp_path: Path) -> None:
    base = {"version": 1, "name": "Clips", "workflow": "wf.mfw.json",
            "input": {"connection": "embedded", "bucket": "inbox", "prefix": "up/", "suffixes": [".mp4", ".mov"]},
            "output": {"bucket": "results", "prefix": "out/"}}
    source = str(tmp_path / "b.json")
    first, again = Binding.from_dict(base, source), Binding.from_dict(json.loads(json.dumps(base)), source)
    assert first.id == again.id == ""  # no id given: derived when it starts
    assert first.derived_id() == again.derived_id()
    # the same thing watched, written differently: the same binding
    reordered = {**base, "input": {**base["input"], "suffixes": ["MOV", ".mp4"], "prefix": "up"}}
    assert Binding.from_dict(reordered, source).derived_id() == first.derived_id()
    # where results go and how events are sent do not make another binding
    assert Binding.from_dict({**base, "output": {"bucket": "elsewhere"}}, source).derived_id() == first.derived_id()
    # each of connection, bucket, prefix, suffixes and workflow does
    others = [{**base, "input": {**base["input"], "connection": "cos"}},
              {**base, "input": {**base["input"], "bucket": "inbox2"}},
              {**base, "input": {**base["input"], "prefix": "other/"}},
              {**base, "input": {**base["input"], "suffixes": [".mp4"]}},
              {**base, "workflow": "other.mfw.json"}]
    ids = {Binding.from_dict(o, source).derived_id() for o in others}
    assert len(ids) == len(others) and first.derived_id() not in ids
    # a given id is kept
    assert Binding.from_dict({**base, "id": "mine"}, source).id == "mine"

    ledger = Ledger(tmp_path / "storage.sqlite3")
    try:
        identity = first.identity()
        assert ledger.binding_id_for(identity, first.derived_id(), "Clips") == first.derived_id()
        # recorded: a later version deriving ids differently still finds this binding's ledger
        assert ledger.binding_id_for(identity, "something-else", "Clips") == first.derived_id()
    finally:
        ledger.close()


def test_two_runners_of_one_binding_without_id_the_second_is_refused(harness, fresh_bucket) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        first = harness.runner(binding_for(fresh_bucket, output_prefix="out/", id=""))
        second = harness.runner(binding_for(fresh_bucket, output_prefix="out/", id=""))
        await first.start()
        assert first.binding.id == first.binding.derived_id()
        with pytest.raises(BindingBusyError, match=rf"already watching this binding \(s3://{fresh_bucket}/"):
            await second.start()
        assert second.binding.id == first.binding.id
        await first.stop()

    asyncio.run(scenario())


# -- subprocess helpers -----------------------------------------------------------------------------------

@pytest.fixture
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """1 s, 160x120, 25 fps, no audio: the smallest real input."""
    path = media_factory.make_video(tmp_path_factory.mktemp("tiny") / "t.mp4", width=160, height=120,
                                    seconds=1, audio=False)
    return path.read_bytes()


@pytest.fixture
def small_workflow_file(tmp_path: Path) -> Path:
    """A transcode and a time-point snapshot of the source (one fused FFmpeg process)."""
    path = tmp_path / "small.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Small", fast_transcode("SD", 120)),
                                    task_node("snapshot", "Snap", SnapshotParams(offsets=["0.5s"], format="jpg")),
                                    name="small"), path)
    return path


@pytest.fixture
def local_connection(seaweed, _private_data_dir: Path) -> str:  # type: ignore[no-untyped-def]
    conn = seaweed.connection()
    conn.name = "local"
    ConnectionRegistry(_private_data_dir / "connections.json").add(conn)
    return conn.name


class Watch:
    """One `mediaflow watch` process from flags, its output in a file (read without blocking)."""

    def __init__(self, data_dir: Path, workflow: Path, bucket: str, events: Path, log: Path) -> None:
        self.log = log
        env = {**os.environ, "MEDIAFLOW_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mediaflow_gui.cli", "watch", "--workflow", str(workflow), "--bucket", bucket,
                 "--connection", "local", "--output-prefix", "out/", "--interval", "0.2", "--jsonl", str(events),
                 "--no-embedded"], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_watching(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while "Watching s3://" not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the watcher did not start:\n" + self.text())
            time.sleep(0.02)

    def wait_for(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def ffmpeg_pids(self) -> list[int]:
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        out = []
        for child in children:
            try:
                if "ffmpeg" in child.name().lower():
                    out.append(child.pid)
            except psutil.NoSuchProcess:
                continue
        return out

    def kill(self) -> list[int]:
        """SIGKILL; returns the FFmpeg processes of this watcher still alive 2 s later."""
        ffmpeg = self.ffmpeg_pids()
        self.proc.kill()
        self.proc.wait(30)
        deadline = time.monotonic() + 2.0
        while True:
            alive = [p for p in ffmpeg if _alive(p)]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.05)

    def stop(self, timeout: float = 60.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def ensure_dead(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _events(path: Path) -> dict[str, list[str]]:
    """Object key → the results of its run-finished events, in order."""
    out: dict[str, list[str]] = defaultdict(list)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            task = json.loads(line)["WorkflowTaskEvent"]
            out[task["MediaFlow"]["Trigger"]["Key"]].append(task["MediaFlow"]["Result"])
    return out


def _wait_all_succeeded(events: Path, keys: list[str], watch: Watch, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        seen = _events(events)
        if all("SUCCESS" in seen.get(k, []) for k in keys):
            return
        if watch.proc.poll() is not None or time.monotonic() > deadline:
            missing = [k for k in keys if "SUCCESS" not in seen.get(k, [])]
            raise AssertionError(f"no SUCCESS event for {missing}; watcher output:\n{watch.text()}")
        time.sleep(0.1)


def _leftovers(data_dir: Path) -> list[str]:
    work = data_dir / "work"
    found = [str(p) for p in work.iterdir()] if work.exists() else []
    return found + [str(p) for p in data_dir.rglob(".mediaflow-*")]


def _orphans(data_dir: Path) -> list[str]:
    """Live processes whose command line names the data dir (FFmpeg reads and writes only in it here)."""
    out = []
    for p in psutil.process_iter(["cmdline", "name"]):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and any(str(data_dir) in a for a in p.info["cmdline"] or []):
                out.append(f"{p.pid} {p.info['name']}")
        except psutil.NoSuchProcess:
            continue
    return out


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# -- point 1: restarts resume; a second watcher is refused -------------------------------------------------

def test_watch_from_flags_resumes_after_sigkill_and_refuses_a_second_watcher(
        seaweed_client, fresh_bucket, tiny_clip, small_workflow_file, local_connection,  # type: ignore[no-untyped-def]
        _private_data_dir, tmp_path) -> None:
    events = tmp_path / "events.jsonl"
    first = Watch(_private_data_dir, small_workflow_file, fresh_bucket, events, tmp_path / "first.log")
    try:
        first.wait_watching()
        keys = [f"batch/clip-{i}.mp4" for i in range(5)]
        for i, key in enumerate(keys):
            seaweed_client.put_object(Bucket=fresh_bucket, Key=key, Body=tiny_clip + bytes([i]) * 8)
        deadline = time.monotonic() + 60
        while first.text().count("TaskId: ") < 5:  # all five are being processed …
            assert time.monotonic() < deadline, first.text()
            time.sleep(0.02)
        assert first.kill() == []  # … when it dies; its FFmpeg die with it
    finally:
        first.ensure_dead()
    seaweed_client.put_object(Bucket=fresh_bucket, Key="while-down.mp4", Body=tiny_clip + b"down")
    keys.append("while-down.mp4")

    second = Watch(_private_data_dir, small_workflow_file, fresh_bucket, events, tmp_path / "second.log")
    try:
        second.wait_watching()
        third = Watch(_private_data_dir, small_workflow_file, fresh_bucket, events, tmp_path / "third.log")
        try:
            assert third.proc.wait(60) == 1
        finally:
            third.ensure_dead()
        assert "already watching this binding" in third.text() and f"pid {second.proc.pid}" in third.text()
        _wait_all_succeeded(events, keys, second, 120)
        assert second.stop() == 0, second.text()
    finally:
        second.ensure_dead()
    seen = _events(events)
    assert {k: seen[k] for k in keys} == {k: ["SUCCESS"] for k in keys}  # 5 of 5 and 1 of 1, once each
    out_keys = {o.key for o in list_objects(seaweed_client, fresh_bucket, "out/")}
    assert len(out_keys) == 2 * len(keys)  # a transcode and a snapshot per object, uploads overwrite
    assert _leftovers(_private_data_dir) == []


# -- the ledger's states across a crash: an event is sent once --------------------------------------------

def test_events_a_crash_may_have_interrupted_are_sent_again_once(harness, seaweed_client, fresh_bucket,  # type: ignore[no-untyped-def]
                                                                small_clip, tmp_path) -> None:
    log_path = tmp_path / "events.jsonl"
    binding = binding_for(fresh_bucket, output_prefix="out/", events=EventTargets(jsonl=[str(log_path)]))

    async def first_life() -> None:
        runner = harness.runner(binding)
        await runner.start()
        seaweed_client.put_object(Bucket=fresh_bucket, Key="sent.mp4", Body=small_clip)
        seaweed_client.put_object(Bucket=fresh_bucket, Key="unsent.mp4", Body=small_clip + b"\0" * 4)
        await until(lambda: runner.status.runs_started == 2, what="both runs")
        await runner.wait_idle()
        await runner.stop()

    asyncio.run(first_life())
    assert harness.notifier.flush(30)
    runs = {c.input.rsplit("/", 1)[1]: c.task_id for c in harness.created}
    lines = log_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    # a crash after the run ended: "sent.mp4"'s event went out, "unsent.mp4"'s did not; the ledger knew
    # neither (one row left `finished`, the other still `submitted`, its end committed in the store)
    log_path.write_text("".join(line + "\n" for line in lines if runs["sent.mp4"] in line), encoding="utf-8")
    harness.ledger._exec("UPDATE processed SET state='finished' WHERE task_id=?", (runs["sent.mp4"],))
    harness.ledger._exec("UPDATE processed SET state='submitted', result=NULL WHERE task_id=?", (runs["unsent.mp4"],))

    async def second_life() -> None:
        runner = harness.runner(binding)
        await runner.start()
        await settle(runner, 2)
        await runner.stop()
        assert runner.status.runs_started == 0  # both ended before the "crash": nothing runs again

    asyncio.run(second_life())
    assert harness.notifier.flush(30)
    task_ids = [json.loads(line)["WorkflowTaskEvent"]["TaskId"] for line in log_path.read_text().splitlines()]
    assert sorted(task_ids) == sorted(runs.values())  # each once: the sent one was not written twice
    assert {(r["key"], r["state"], r["result"]) for r in harness.ledger.history(binding.id)} == {
        ("sent.mp4", "done", "SUCCESS"), ("unsent.mp4", "done", "SUCCESS")}


def test_a_re_sent_event_is_written_once_and_keeps_its_delivery_id(tmp_path: Path) -> None:
    from mediaflow_gui.notify.sinks import JsonLinesSink, delivery_id

    def event(task_id: str) -> dict[str, object]:
        return {"EventType": "WorkflowTask", "WorkflowTaskEvent": {"TaskId": task_id, "Result": "SUCCESS"}}

    sink = JsonLinesSink(tmp_path / "events.jsonl")
    sink.send(event("mf-20250101-0000000a"))
    sink.send_again(event("mf-20250101-0000000a"))  # sent before the crash: not written again
    sink.send_again(event("mf-20250101-0000000b"))  # never sent: written
    sink.send_again(event("mf-20250101-0000000"))  # a prefix of a written id is another run
    lines = [json.loads(line)["WorkflowTaskEvent"]["TaskId"] for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert lines == ["mf-20250101-0000000a", "mf-20250101-0000000b", "mf-20250101-0000000"]
    assert delivery_id(event("mf-20250101-0000000a")) == delivery_id(event("mf-20250101-0000000a"))
    assert delivery_id(event("mf-20250101-0000000a")) != delivery_id(event("mf-20250101-0000000b"))


# -- point 10: a delivery that failed runs again, bounded ---------------------------------------------------

def test_failed_deliveries_run_again_a_bounded_number_of_times_also_after_a_restart(
        harness, seaweed, seaweed_client, fresh_bucket, small_clip) -> None:  # type: ignore[no-untyped-def]
    # results go through keys that may only read another bucket: the output store answers (so a
    # retry is due each time), every upload is refused (DeliveryFailed)
    endpoint = seaweed.connection().endpoint_url
    reader = {"endpoint_url": endpoint, "access_key": READER_KEYS[0], "secret_key": READER_KEYS[1]}
    binding = binding_for(fresh_bucket, output_connection=reader, output_bucket=fresh_bucket, output_prefix="out/")

    async def life(retry_delays: tuple[float, ...], runs_expected: int) -> None:
        runner = harness.runner(binding, retry_delays=retry_delays)
        await runner.start()
        if not harness.created:
            seaweed_client.put_object(Bucket=fresh_bucket, Key="clip.mp4", Body=small_clip)
        await until(lambda: runner.status.runs_started == runs_expected, what=f"{runs_expected} run(s)")
        await runner.wait_idle()
        await settle(runner, 8)  # more polls than retry delays: no further run
        await runner.stop()
        assert runner.status.runs_started == runs_expected

    asyncio.run(life((0.2,), 2))  # the first run and one retry
    asyncio.run(life((0.2, 0.2), 1))  # after a restart: one more, up to the new bound of 3 runs
    records = [harness.tasks.get(c.task_id) for c in harness.created]
    assert [(r.result, r.error_code) for r in records] == [(RunResult.FAIL, "DeliveryFailed")] * 3
    assert "upload of" in records[0].message
    [row] = harness.ledger.history(binding.id)
    assert (row["state"], row["result"], row["error_code"], row["attempts"]) == ("done", "FAIL", "DeliveryFailed", 3)
    assert row["task_id"] == records[-1].task_id
    assert harness.notifier.flush(30)
    assert _leftovers(harness.data_dir) == []  # a failed bucket run removes its download and its outputs


# -- the crash loop ---------------------------------------------------------------------------------------

OBJECTS = 20
KILLS = 20


def test_crash_loop_twenty_sigkills_while_twenty_uploads_arrive(
        seaweed_client, fresh_bucket, tiny_clip, small_workflow_file, local_connection,  # type: ignore[no-untyped-def]
        _private_data_dir, tmp_path) -> None:
    """Every object processed exactly once (one run-finished event each, SUCCESS), no orphan FFmpeg, no
    staging or work-dir leftovers, both SQLite files intact. Kill moments are random with a fixed seed."""
    rng = random.Random(20250110)
    started = time.monotonic()
    events = tmp_path / "events.jsonl"
    keys = [f"up/{i:02d}/clip-{i:02d}.mp4" for i in range(OBJECTS)]
    gaps = [rng.uniform(0.8, 2.4) for _ in keys]  # spread over the kill loop: most lives find new work
    uploaded: list[str] = []

    def upload_all() -> None:
        for i, (key, gap) in enumerate(zip(keys, gaps)):
            time.sleep(gap)
            seaweed_client.put_object(Bucket=fresh_bucket, Key=key, Body=tiny_clip + i.to_bytes(2, "big") * 4)
            uploaded.append(key)

    uploader = threading.Thread(target=upload_all, name="uploads", daemon=True)
    orphans: list[int] = []
    kills_while_ffmpeg_ran = 0
    try:
        for n in range(KILLS):
            watch = Watch(_private_data_dir, small_workflow_file, fresh_bucket, events, tmp_path / f"w{n:02d}.log")
            try:
                if n == 0:
                    watch.wait_watching()  # the first start takes the baseline: uploads come after it
                    uploader.start()
                if n % 5 == 4:  # during start-up (reconcile, re-sent events, clean-up)
                    time.sleep(rng.uniform(0.2, 1.0))
                elif n % 5 == 0:  # anywhere while watching
                    watch.wait_watching()
                    time.sleep(rng.uniform(0.05, 1.0))
                else:  # inside a run (~0.2 s here): download, FFmpeg, upload, event, ledger
                    watch.wait_watching()
                    watch.wait_for("TaskId: ", 3.0)
                    time.sleep(rng.uniform(0.0, 0.25))
                kills_while_ffmpeg_ran += bool(watch.ffmpeg_pids())
                orphans += watch.kill()
            finally:
                watch.ensure_dead()
        uploader.join(60)
        assert uploaded == keys
        final = Watch(_private_data_dir, small_workflow_file, fresh_bucket, events, tmp_path / "final.log")
        try:
            final.wait_watching()
            _wait_all_succeeded(events, keys, final, 120)
            time.sleep(1.0)  # a few more polls: a repeated run would start now
            assert final.stop() == 0, final.text()  # 0: nothing was running, nothing had to be canceled
        finally:
            final.ensure_dead()
    finally:
        if uploader.ident is not None:  # a failure before the first start must show, not "cannot join"
            uploader.join(60)
    elapsed = time.monotonic() - started

    seen = _events(events)
    assert dict(seen) == {k: ["SUCCESS"] for k in keys}  # one event per object, and it is SUCCESS
    assert orphans == []
    assert _orphans(_private_data_dir) == []
    assert _leftovers(_private_data_dir) == []
    assert _integrity(_private_data_dir / "tasks.sqlite3") == "ok"
    assert _integrity(_private_data_dir / "storage.sqlite3") == "ok"
    ledger = Ledger(_private_data_dir / "storage.sqlite3")
    try:
        rows = ledger._exec("SELECT key, state, result FROM processed")
    finally:
        ledger.close()
    assert sorted((r["key"], r["state"], r["result"]) for r in rows) == [(k, "done", "SUCCESS") for k in keys]
    out_keys = {o.key for o in list_objects(seaweed_client, fresh_bucket, "out/")}
    assert len(out_keys) == 2 * OBJECTS
    conn = sqlite3.connect(_private_data_dir / "tasks.sqlite3")
    interrupted = conn.execute("SELECT COUNT(*) FROM runs WHERE error_code='Interrupted'").fetchone()[0]
    total = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    conn.close()
    print(f"\ncrash loop: {OBJECTS} objects, {KILLS} SIGKILLs ({kills_while_ffmpeg_ran} while FFmpeg ran), "
          f"{total} runs of which {interrupted} interrupted and run again, {elapsed:.1f} s")
