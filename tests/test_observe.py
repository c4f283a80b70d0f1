"""observe.Topic, the one observer type: order, isolation, unsubscribe, changes during an emit, strong
references, and the four places that use it (model, engine bus, notifier, storage)."""

from __future__ import annotations

import ast
import gc
import logging
import sys

import pytest

from mediaflow_gui.engine.events import EventBus, RunFinished
from mediaflow_gui.model.statuses import RunResult
from mediaflow_gui.model.workflow import Workflow
from mediaflow_gui import observe
from mediaflow_gui.observe import Topic


def test_subscribers_run_in_subscription_order_with_the_emitted_values() -> None:
    topic: Topic[[str, int]] = Topic("t")
    heard: list[tuple[str, str, int]] = []
    topic.subscribe(lambda s, n: heard.append(("first", s, n)))
    topic.subscribe(lambda s, n: heard.append(("second", s, n)))
    topic.subscribe(lambda s, n: heard.append(("third", s, n)))
    topic.emit("x", 1)
    assert heard == [("first", "x", 1), ("second", "x", 1), ("third", "x", 1)]


def test_a_failing_subscriber_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    topic: Topic[[int]] = Topic("numbers")
    heard: list[int] = []
    topic.subscribe(heard.append)
    topic.subscribe(lambda n: 1 // 0)
    topic.subscribe(lambda n: heard.append(n * 10))
    with caplog.at_level(logging.ERROR, logger="mediaflow_gui.observe"):
        topic.emit(3)  # does not raise
    assert heard == [3, 30]
    assert "a subscriber of numbers failed" in caplog.text and "ZeroDivisionError" in caplog.text


def test_keyboard_interrupt_is_not_swallowed() -> None:
    topic: Topic[[]] = Topic()

    def stop() -> None:
        raise KeyboardInterrupt

    topic.subscribe(stop)
    with pytest.raises(KeyboardInterrupt):
        topic.emit()


def test_unsubscribe_by_callable_or_by_callback_and_twice_is_harmless() -> None:
    topic: Topic[[int]] = Topic()
    heard: list[str] = []

    def a(n: int) -> None:
        heard.append(f"a{n}")

    stop_a = topic.subscribe(a)
    topic.subscribe(a)  # twice: runs twice
    topic.emit(1)
    stop_a()
    stop_a()  # idempotent
    topic.emit(2)
    assert topic.unsubscribe(a) is True and topic.unsubscribe(a) is False
    topic.emit(3)
    assert heard == ["a1", "a1", "a2"] and len(topic) == 0


def test_changes_during_an_emit_take_effect_from_the_next_one() -> None:
    topic: Topic[[]] = Topic()
    heard: list[str] = []
    stops: list = []

    def first() -> None:
        heard.append("first")
        stops[0]()  # the second one is stopped, but this emit already started with it
        topic.subscribe(lambda: heard.append("late"))

    topic.subscribe(first)
    stops.append(topic.subscribe(lambda: heard.append("second")))
    topic.emit()
    assert heard == ["first", "second"]
    heard.clear()
    topic.emit()
    assert heard == ["first", "late"]


def test_a_bound_method_is_held_strongly_until_unsubscribed() -> None:
    class View:
        def __init__(self) -> None:
            self.heard: list[int] = []

        def on(self, n: int) -> None:
            self.heard.append(n)

    topic: Topic[[int]] = Topic()
    view = View()
    stop = topic.subscribe(view.on)
    heard = view.heard
    del view
    gc.collect()
    topic.emit(5)  # no weak reference: the view still hears it
    assert heard == [5]
    stop()
    topic.emit(6)
    assert heard == [5]


def test_the_model_the_engine_bus_the_notifier_and_storage_all_use_it(tmp_path) -> None:  # noqa: ANN001
    from mediaflow_gui.notify.notifier import EventNotifier
    from mediaflow_gui.storage.bindings import Binding
    from mediaflow_gui.storage.runner import BindingRunner
    from mediaflow_gui.storage.embedded import EmbeddedStore
    from mediaflow_gui.storage.service import StorageService
    from mediaflow_gui.storage.watcher import Ledger

    wf = Workflow()
    assert all(isinstance(getattr(wf, name), Topic) for name in (
        "node_added", "node_removed", "edge_added", "edge_removed", "node_changed", "node_moved", "info_changed",
        "changed"))
    bus = EventBus()
    assert isinstance(bus, Topic)
    heard: list[str] = []
    bus.subscribe(lambda e: 1 // 0)  # a broken subscriber never stops the engine
    bus.subscribe(lambda e: heard.append(e.task_id))
    bus.emit(RunFinished("mf-1", RunResult.SUCCESS))
    assert heard == ["mf-1"]
    assert isinstance(EventNotifier(store=None).tried, Topic)
    embedded = EmbeddedStore(tmp_path / "seaweedfs")
    assert isinstance(embedded.supervision_changed, Topic)
    ledger = Ledger(tmp_path / "storage.sqlite3")
    try:
        service = StorageService(embedded=embedded, ledger=ledger, bindings_file=tmp_path / "bindings.json")
        runner = BindingRunner(Binding(name="b", workflow="w.mfw.json", input_bucket="in"), None, ledger=ledger)
        # the service re-announces what its runners say (start_binding/watch subscribe it so)
        runner.status_changed.subscribe(service.binding_status_changed.emit)
        states: list[str] = []
        service.binding_status_changed.subscribe(lambda status: states.append(status.state))
        runner._set("watching")
        assert states == ["watching"]
    finally:
        ledger.close()


def test_the_observer_sits_below_every_layer() -> None:
    """model/ imports it, so it imports nothing from the package (nor Qt): only the standard library."""
    tree = ast.parse(open(observe.__file__, encoding="utf-8").read())
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    modules = [a.name for n in imports if isinstance(n, ast.Import) for a in n.names] + \
              [n.module or "" for n in imports if isinstance(n, ast.ImportFrom)]
    assert all(getattr(n, "level", 0) == 0 for n in imports)  # no relative import
    assert all(m.split(".")[0] in sys.stdlib_module_names for m in modules), modules
