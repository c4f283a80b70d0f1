"""The Runtime (mediaflow_gui/runtime.py) and the event targets of every run (notify/global_targets.py):
the parts are made in the stated order and closed in the reverse one — a run still in flight is canceled
and recorded before the notifier closes, so its event still goes out; a broken targets file is refused
before anything opens; the targets file round-trips; and a CLI run of a local file sends its event to a
real local webhook and a JSON-lines file set in the global targets, plus the one-off --jsonl target."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any, Iterator

import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.engine.engine import EngineSettings
from mediaflow_gui.engine.events import RunFinished
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.notify.global_targets import (EventTargetsFileError, global_targets_path, load_global_targets,
                                                 save_global_targets)
from mediaflow_gui.notify.sinks import SIGNATURE_HEADER, EventTargets, WebhookTarget, verify_signature
from mediaflow_gui.runtime import Runtime, RuntimeSettings
from tests.engine.helpers import parallel_workflow, small_snapshots, task_node
from tests.notify.test_sinks import HookServer

OPEN_ORDER = ["embedded store", "task store", "event bus", "ledger", "notifier", "cluster", "engine", "storage service"]


@pytest.fixture
def hook() -> Iterator[HookServer]:
    server = HookServer()
    yield server
    server.close()


def snapshot_workflow() -> Any:
    return parallel_workflow(task_node("snapshot", "Shot", small_snapshots()), name="one shot")


class HeldInput:
    """A fetch_input hook that never hands the input over: the run stays in flight until canceled."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()

    async def fetch_input(self, work_dir: Path) -> Path:
        self.asked.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_close_goes_in_reverse_and_a_run_in_flight_still_sends_its_event(tmp_path: Path, video_clip: Path) -> None:
    events = tmp_path / "events.jsonl"
    save_global_targets(EventTargets(jsonl=["events.jsonl"]), global_targets_path(tmp_path))
    rt = Runtime(tmp_path, RuntimeSettings(engine=EngineSettings(max_threads=2), storage=True))
    assert rt.parts == OPEN_ORDER
    calls: list[str] = []

    def record(name: str, original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return original(*args, **kwargs)
        return wrapper

    async def stop_watchers(original: Any = rt.storage.stop_watchers) -> None:
        calls.append("stop watchers")
        await original()

    rt.storage.stop_watchers = stop_watchers
    rt.engine.cancel = record("cancel run", rt.engine.cancel)
    rt.notifier.close = record("close notifier", rt.notifier.close)
    rt.ledger.close = record("close ledger", rt.ledger.close)
    rt.store.close = record("close task store", rt.store.close)
    rt.embedded.stop = record("stop embedded store", rt.embedded.stop)
    rt.bus.subscribe(lambda e: calls.append(f"run {e.result.value}") if isinstance(e, RunFinished) else None)

    async def scenario() -> str:
        held = HeldInput()
        task_id = rt.engine.submit(snapshot_workflow(), str(video_clip), tmp_path / "out", fetch_input=held.fetch_input)
        await held.asked.wait()
        assert rt.engine.running() == [task_id]
        await rt.aclose()
        await rt.aclose()  # a second close does nothing
        return task_id

    task_id = asyncio.run(scenario())
    assert calls == ["stop watchers", "cancel run", "run CANCELED", "close notifier", "close ledger",
                     "close task store", "stop embedded store"]
    assert rt.closed == list(reversed(OPEN_ORDER))
    [event] = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    assert event["WorkflowTaskEvent"]["TaskId"] == task_id
    assert event["WorkflowTaskEvent"]["MediaFlow"]["Result"] == "CANCELED"
    with Runtime(tmp_path) as again:  # the store recorded the end before it closed
        record_ = again.store.get(task_id)
        assert record_ is not None and record_.result is not None and record_.result.value == "CANCELED"


def test_a_runtime_without_storage_and_its_synchronous_close(tmp_path: Path) -> None:
    with Runtime(tmp_path) as rt:
        assert rt.parts == ["task store", "event bus", "notifier", "cluster", "engine"]
        assert rt.storage is None and rt.ledger is None and rt.embedded is None
        assert rt.notifier.sinks == []  # no event_targets.json: no targets
    assert rt.closed == ["engine", "cluster", "notifier", "event bus", "task store"]
    assert rt.is_closed


def test_a_broken_targets_file_is_refused_before_anything_opens(tmp_path: Path) -> None:
    path = global_targets_path(tmp_path)
    path.write_text('{"version": 1, "events": {"webhooks": [{"url": "ftp://nowhere"}]}}', encoding="utf-8")
    with pytest.raises(EventTargetsFileError, match=r"event_targets\.json.*webhook URL 'ftp://nowhere'"):
        Runtime(tmp_path)
    assert not (tmp_path / "tasks.sqlite3").exists()
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(EventTargetsFileError, match="is not JSON"):
        load_global_targets(path)
    path.write_text('{"version": 2, "events": {}}', encoding="utf-8")
    with pytest.raises(EventTargetsFileError, match="version 2"):
        load_global_targets(path)


def test_targets_file_round_trip_private_and_compact(tmp_path: Path) -> None:
    path = global_targets_path(tmp_path)
    assert load_global_targets(path) == EventTargets()  # no file: no targets
    targets = EventTargets(webhooks=[WebhookTarget("https://example.com/hook", secret_env="HOOK_SECRET"),
                                     WebhookTarget("http://127.0.0.1:9/h", secret="inline")],
                           jsonl=["logs/events.jsonl"])
    save_global_targets(targets, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"version": 1, "events": {
        "webhooks": [{"url": "https://example.com/hook", "secret_env": "HOOK_SECRET"},
                     {"url": "http://127.0.0.1:9/h", "secret": "inline"}],
        "sqs": [], "jsonl": ["logs/events.jsonl"]}}
    assert load_global_targets(path, resolve_paths=False) == targets
    assert load_global_targets(path).jsonl == [str(tmp_path / "logs" / "events.jsonl")]
    with pytest.raises(ValueError, match="SQS queue URL"):
        save_global_targets(EventTargets.from_dict({"sqs": ["queue-without-scheme"]}), path)
    assert load_global_targets(path, resolve_paths=False) == targets  # the refused save wrote nothing


def test_set_global_targets_applies_to_runs_that_end_later(tmp_path: Path) -> None:
    with Runtime(tmp_path, RuntimeSettings(extra_targets=EventTargets(jsonl=[str(tmp_path / "once.jsonl")]))) as rt:
        assert [s.name for s in rt.notifier.sinks] == [f"log {tmp_path / 'once.jsonl'}"]
        save_global_targets(EventTargets(jsonl=["all.jsonl"]), rt.targets_path)
        assert rt.reload_global_targets().jsonl == [str(tmp_path / "all.jsonl")]
        # the global ones first, then the one-off ones of this process
        assert [s.name for s in rt.notifier.sinks] == [f"log {tmp_path / 'all.jsonl'}", f"log {tmp_path / 'once.jsonl'}"]


def test_cli_run_of_a_local_file_reaches_the_global_webhook_and_json_lines(
        tmp_path: Path, _private_data_dir: Path, hook: HookServer, video_clip: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MF_TEST_HOOK_SECRET", "s3cret")
    events = tmp_path / "events.jsonl"
    once = tmp_path / "once.jsonl"
    save_global_targets(EventTargets(webhooks=[WebhookTarget(hook.url, secret_env="MF_TEST_HOOK_SECRET")],
                                     jsonl=[str(events)]), global_targets_path(_private_data_dir))
    wf_path = tmp_path / "shot.mfw.json"
    save_workflow(snapshot_workflow(), wf_path)
    # --jsonl names the global file again (sent once) and a one-off file of this run
    code = main(["run", str(wf_path), str(video_clip), "--out", str(tmp_path / "out"),
                 "--jsonl", str(events), "--jsonl", str(once)])
    out = capsys.readouterr()
    assert code == 0, out.err
    task_id = out.out.split("TaskId: ", 1)[1].split()[0]
    [line] = events.read_text(encoding="utf-8").splitlines()
    [line_once] = once.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == json.loads(line_once)
    event = json.loads(line)
    assert event["EventType"] == "WorkflowTask"
    assert event["WorkflowTaskEvent"]["TaskId"] == task_id
    assert event["WorkflowTaskEvent"]["MediaFlow"]["Result"] == "SUCCESS"
    [request] = hook.requests  # the CLI exits only once the event was sent
    assert request["path"] == "/hook"
    assert json.loads(request["body"]) == event
    assert verify_signature(request["body"], "s3cret", request["headers"][SIGNATURE_HEADER.lower()])


def test_cli_refuses_a_broken_targets_file_and_runs_nothing(tmp_path: Path, _private_data_dir: Path,
                                                             video_clip: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    global_targets_path(_private_data_dir).write_text("[]", encoding="utf-8")
    wf_path = tmp_path / "shot.mfw.json"
    save_workflow(snapshot_workflow(), wf_path)
    code = main(["run", str(wf_path), str(video_clip), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"mediaflow: the event targets file {global_targets_path(_private_data_dir)}" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert not os.path.exists(_private_data_dir / "tasks.sqlite3")
