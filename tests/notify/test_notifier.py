"""The EventNotifier: RunFinished → payload → sinks on worker threads, never blocking the bus."""

from __future__ import annotations

import threading
from typing import Any

from mediaflow_gui.engine.events import EventBus, RunCreated, RunFinished
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.notify.notifier import EventNotifier
from mediaflow_gui.notify.sinks import Sink, SinkError
from tests.notify.test_sinks import task_query


class FakeStore:
    def task_query(self, task_id: str) -> dict[str, Any]:
        query = task_query()
        query["WorkflowTask"]["TaskId"] = task_id
        return query


class Recording(Sink):
    def __init__(self, name: str, gate: threading.Event | None = None, fail: bool = False) -> None:
        self.name = name
        self.gate = gate
        self.fail = fail
        self.events: list[dict[str, Any]] = []

    def send(self, event: dict[str, Any]) -> None:
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail:
            raise SinkError(f"{self.name} is down")
        self.events.append(event)


def test_slow_sink_does_not_block_the_bus_and_routes_apply_per_run() -> None:
    bus = EventBus()
    gate = threading.Event()
    slow, broken, per_run = Recording("slow", gate), Recording("broken", fail=True), Recording("per-run")
    notifier = EventNotifier(FakeStore(), [slow, broken]).attach(bus)
    notifier.route("mf-2", [per_run], {"Type": "BucketUpload", "Key": "k.mp4"})
    bus.emit(RunCreated("mf-1", "in.mp4", "wf", ()))  # ignored: only RunFinished is sent
    bus.emit(RunFinished("mf-1", RunResult.SUCCESS))
    bus.emit(RunFinished("mf-2", RunResult.FAIL, "FFmpegFailed", "boom"))
    # emit() returned while the slow sink is still held at its gate (a blocking notifier would have
    # waited the gate's 10 s timeout and recorded the events by now)
    assert not slow.events
    gate.set()
    assert notifier.flush(10)
    assert sorted(e["WorkflowTaskEvent"]["TaskId"] for e in slow.events) == ["mf-1", "mf-2"]
    assert [e["WorkflowTaskEvent"]["MediaFlow"]["Trigger"]["Key"] for e in per_run.events] == ["k.mp4"]
    failed = [o for o in notifier.outcomes if not o.ok]
    assert {o.sink for o in failed} == {"broken"} and "down" in failed[0].error
    notifier.close()
    bus.emit(RunFinished("mf-3", RunResult.SUCCESS))  # after close: unsubscribed
    assert len(slow.events) == 2


def test_the_event_comes_from_the_notifiers_own_record_whatever_the_order_of_subscribers(tmp_path) -> None:  # noqa: ANN001
    """The EventNotifier subscribes before the task store here: it builds the event from the record it kept
    with run_state.apply (outputs and the failed step included), and calls on_sent only once the
    store has committed the run's end."""
    from mediaflow_gui.engine.events import RunStarted, StepInfo, SubtaskFinished, SubtaskStarted
    from mediaflow_gui.engine.store import TaskStore
    from mediaflow_gui.model.statuses import SubtaskStatus

    bus = EventBus()
    sink = Recording("first")
    store = TaskStore(tmp_path / "t.sqlite3", work_root=tmp_path / "work")
    notifier = EventNotifier(store, [sink]).attach(bus)  # before the store
    store.attach(bus)
    seen_by_on_sent: list[object] = []
    tid = "mf-20260101-0000cafe"
    notifier.route(tid, on_sent=lambda t: seen_by_on_sent.append(store.get_stored(t)))
    steps = (StepInfo("a", "Shots", "snapshot"), StepInfo("b", "HD", "transcode"))
    bus.emit(RunCreated(tid, "/in/x.mp4", "wf", steps, out_dir="/out"))
    bus.emit(RunStarted(tid))
    bus.emit(SubtaskStarted(tid, "a"))
    bus.emit(SubtaskFinished(tid, "a", SubtaskStatus.SUCCESS, ({"path": "/out/x_1.jpg", "kind": "image", "size": 9},)))
    bus.emit(SubtaskFinished(tid, "b", SubtaskStatus.FAIL, (), "FFmpegFailed", "Task 'HD' failed"))
    bus.emit(RunFinished(tid, RunResult.FAIL, "FFmpegFailed", "Task 'HD' failed", failed_step="b"))
    try:
        assert notifier.flush(10)
        (event,) = sink.events
        task = event["WorkflowTaskEvent"]
        extras = task["MediaFlow"]
        assert (task["TaskId"], extras["Result"], task["ErrCode"], extras["FailedStepId"]) == (tid, "FAIL", 1007, "b")
        shots = task["MediaProcessResultSet"][0]["SnapshotByTimeOffsetTask"]
        assert shots["MediaFlow"]["Outputs"] == [{"Path": "/out/x_1.jpg", "Kind": "image", "Size": 9}]
        assert shots["Output"]["PicInfoSet"][0]["Path"] == "/out/x_1.jpg"
        (stored,) = seen_by_on_sent
        assert stored is not None and stored.finished and stored.failed_step == "b"  # type: ignore[attr-defined]
    finally:
        notifier.close(5)
        store.close()
