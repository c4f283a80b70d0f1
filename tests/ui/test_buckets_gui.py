"""The Buckets and Bindings pages against the real SeaweedFS server (the storage tests' session
fixture) and the real engine: embedded endpoint and keys shown, a wrong key diagnosed, a binding
made through the dialog starts a run on upload that shows in the task list and lands its results
under the output prefix; the app starts its own store (with first-start defaults) and stops it on
quit; a store that cannot start leaves the app running with the reason on the page."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import psutil
import pytest

from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import SnapshotParams
from mediaflow_gui.model.serialization import load_workflow, save_workflow
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from mediaflow_gui.storage.embedded import EmbeddedStore
from mediaflow_gui.storage.s3 import make_client
from mediaflow_gui.ui.buckets.bindings_page import COL_LAST, COL_MODE, COL_STATE
from tests import media_factory
from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401
from tests.ui.conftest import make_window, until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]  # the real embedded store, the whole app


def snapshot_workflow(path: Path) -> Path:
    wf = Workflow("one snapshot")
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    snap = wf.add_node(task_node("snapshot", "Snap", SnapshotParams(offsets=["0.5s"], format="jpg", width=160)))
    wf.connect(start, snap)
    wf.connect(snap, end)
    save_workflow(wf, path)
    return path


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media_factory.make_video(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=1.5, fps=10, audio=False)


def collect_here() -> None:
    """Collect the test's cyclic garbage on the GUI thread: left to chance, a pool thread may run the
    collector and delete Qt objects there (a crash in a later test)."""
    import gc
    from PySide6.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def make_context(tmp_path: Path, embedded: EmbeddedStore, **options: bool):  # noqa: ANN201
    from mediaflow_gui.ui.context import AppContext
    ctx = AppContext.create(embedded=embedded, **options)
    ctx.settings.output_dir = str(tmp_path / "results")
    return ctx


@pytest.fixture
def shared_ctx(qapp, seaweed: EmbeddedStore, tmp_path: Path):  # noqa: ANN001, ANN201, F811
    """The app's context on the session's store: never stopped by the app, no default buckets."""
    ctx = make_context(tmp_path, seaweed, stop_embedded_on_quit=False,
                       create_defaults=False)
    yield ctx
    ctx.close()
    collect_here()


def test_buckets_page_shows_endpoint_keys_and_uploads(shared_ctx, qtbot, run, seaweed, fresh_bucket,  # noqa: F811
                                                      seaweed_client, small_clip):  # noqa: F811
    window = make_window(shared_ctx, qtbot)
    page, storage = window.buckets_page, shared_ctx.storage
    shared_ctx.start()
    assert storage.embedded.state == "starting"  # returned at once: the start runs in a pool thread
    assert "starting…" in page.status_label.text()
    run(until(lambda: storage.embedded.state == "running", 60))
    conn = seaweed.connection()
    assert f"running at {conn.endpoint_url}" in page.status_label.text()
    assert page.endpoint.text() == conn.endpoint_url
    assert page.access_key.text() == conn.access_key
    assert page.secret.text() == conn.secret_key and not page.secret.revealed
    example = page.example.toPlainText()
    assert f"--endpoint-url {conn.endpoint_url}" in example and conn.access_key in example
    assert conn.secret_key not in example  # hidden until Show
    page.secret.show_button.click()
    assert page.secret.revealed and conn.secret_key in page.example.toPlainText()
    page.secret.copy_button.click()
    from PySide6.QtGui import QGuiApplication
    assert QGuiApplication.clipboard().text() == conn.secret_key
    page.example_kind.setCurrentIndex(page.example_kind.findData("boto3"))
    assert f'endpoint_url="{conn.endpoint_url}"' in page.example.toPlainText()

    dialog = page.upload([str(small_clip)], bucket=fresh_bucket)
    dialog.prefix.setText("incoming/")
    run(until(lambda: dialog.bucket.count() > 0, 30))  # bucket names listed in a thread
    dialog.bucket.setCurrentText(fresh_bucket)
    dialog.upload_button.click()
    run(until(lambda: bool(dialog.urls or dialog.error), 60))
    assert dialog.urls == [f"s3://{fresh_bucket}/incoming/clip.mp4"], dialog.error
    assert dialog.progress.value() == 1000
    head = seaweed_client.head_object(Bucket=fresh_bucket, Key="incoming/clip.mp4")
    assert head["ContentLength"] == small_clip.stat().st_size and head["ContentType"] == "video/mp4"
    dialog.close()


def test_an_in_window_notice_leaves_each_pages_buttons_free(shared_ctx, qtbot) -> None:  # noqa: ANN001
    """Without a notification daemon or a tray, a run's notice is a toast in the window's bottom-right
    corner: on the Bindings page it covered "Show last run", on the Buckets page Test and its diagnosis."""
    from PySide6.QtCore import QPoint, QRect
    window = make_window(shared_ctx, qtbot)
    qtbot.waitExposed(window)
    n = window.notifier

    def in_window(widget) -> QRect:  # noqa: ANN001
        return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())

    def clear_of(toast, widgets) -> bool:  # noqa: ANN001
        return all(not toast.geometry().intersects(in_window(w)) for w in widgets)

    bindings, buckets = window.bindings_page, window.buckets_page
    for page, keep_free in ((bindings, [bindings.run_button, bindings.stop_button]),
                            (buckets, [buckets.test_button, buckets.diagnosis_label])):
        window.pages.setCurrentWidget(page)
        n.notify("mf-x", "Done: clip.mp4", "Every subtask succeeded", "SUCCESS")
        toast = n.live_toasts()[-1]
        qtbot.waitExposed(toast)
        qtbot.waitUntil(lambda: clear_of(toast, keep_free), timeout=3000)
        assert in_window(page).contains(toast.geometry())  # still over the page, in its corner
        assert toast.geometry().right() > in_window(keep_free[0]).right() - 40
        toast.close_toast()
    window.pages.setCurrentIndex(0)  # the canvas has no controls there: the toast sits in its corner
    n.notify("mf-y", "Done: clip.mp4", "Every subtask succeeded", "SUCCESS")
    toast = n.live_toasts()[-1]
    qtbot.waitUntil(lambda: toast.geometry().bottom() >= in_window(window.pages).bottom() - 20, timeout=3000)
    toast.close_toast()


def test_connection_with_wrong_keys_shows_the_diagnosis(shared_ctx, qtbot, run, seaweed):  # noqa: F811
    window = make_window(shared_ctx, qtbot)
    page = window.buckets_page
    dialog = page.add_connection(modal=False)
    dialog.name.setText("wrong-keys")
    dialog.endpoint.setText(seaweed.endpoint_url)
    dialog.access_key.setText("NOSUCHKEY0000000000")
    dialog.secret.setText("not-the-secret")
    dialog.test_button.click()  # the dialog's own test, before saving
    run(until(lambda: dialog.diagnosis is not None, 30))
    assert dialog.diagnosis.code == "BAD_KEY"
    assert "does not know this access key" in dialog.result.text()
    dialog.accept()
    assert dialog.result  # accepted: saved
    run(until(lambda: "wrong-keys" in [c.name for c in page.connections], 30))
    page.select_connection("wrong-keys")
    assert page.edit_button.isEnabled() and page.remove_button.isEnabled()
    page.test_button.click()
    run(until(lambda: "wrong-keys" in page.diagnoses, 30))
    assert "BAD_KEY" in page.diagnosis_label.text()
    assert "does not know this access key" in page.diagnosis_label.text()
    row = [page.table.item(r, 0).text() for r in range(page.table.rowCount())].index("wrong-keys")
    assert page.table.item(row, 3).text() == "✖ BAD_KEY"

    refused = page.add_connection(modal=False)
    refused.name.setText("nobody-home")
    refused.endpoint.setText("http://127.0.0.1:9")  # discard port: nothing listens
    refused.access_key.setText("SOMEKEY")
    refused.secret.setText("some-secret")
    refused.test_button.click()
    run(until(lambda: refused.diagnosis is not None, 30))
    assert refused.diagnosis.code == "REFUSED" and "connection refused" in refused.result.text()
    refused.reject()

    page.select_connection("embedded")
    assert not page.edit_button.isEnabled() and not page.remove_button.isEnabled()


def test_binding_made_in_the_dialog_runs_uploads_and_shows_in_the_task_list(
        shared_ctx, qtbot, run, seaweed, fresh_bucket, seaweed_client, small_clip, tmp_path):  # noqa: F811
    window = make_window(shared_ctx, qtbot)
    page, storage = window.bindings_page, shared_ctx.storage
    shared_ctx.start()
    run(until(lambda: storage.embedded.state == "running", 60))
    workflow = snapshot_workflow(tmp_path / "snap.mfw.json")
    events = tmp_path / "events.jsonl"

    dialog = page.new_binding(modal=False)
    dialog.name.setText("Snapshots")
    dialog.workflow.setText(str(workflow))
    dialog.input.bucket.setCurrentText(fresh_bucket)
    dialog.input_prefix.setText("in/")
    dialog.suffixes.setText(".mp4, .mov")
    dialog.output_prefix.setText("")  # same bucket without an output prefix: refused with the reason
    dialog.events.jsonl_path.setText(str(events))
    dialog.accept()
    assert dialog.saved is None and "output prefix" in dialog.problems_label.text()
    dialog.output_prefix.setText("out/")
    dialog.poll.setValue(0.3)
    dialog.accept()
    assert dialog.saved is not None
    binding_id = dialog.saved.id
    assert page.selected_id() == binding_id
    row = page._row_of(binding_id)
    assert page.table.item(row, 2).text().startswith(f"{fresh_bucket}/in/")
    assert page.table.item(row, 3).text() == f"{fresh_bucket}/out/"
    assert "stopped" in page.table.item(row, 4).text()

    page.start_button.click()
    run(until(lambda: storage.status_of(binding_id).state == "watching", 30))
    assert "watching" in page.table.item(row, COL_STATE).text()
    # the embedded store is watched by its filer's event stream, and the page says so
    assert page.table.item(row, COL_MODE).text() == "events (filer stream)"
    assert "filer" in page.table.item(row, COL_MODE).toolTip()
    assert page.stop_button.isEnabled() and not page.start_button.isEnabled()

    seaweed_client.upload_file(str(small_clip), fresh_bucket, "in/day 1/clip.mp4")
    url = f"s3://{fresh_bucket}/in/day 1/clip.mp4"
    adapter = shared_ctx.adapter

    def the_run():  # noqa: ANN202
        return next((r for r in adapter.runs.values() if r.input == url), None)
    run(until(lambda: the_run() is not None, 60))
    live = the_run()
    row_in_list = window.tasks.model.row_of(live.task_id)
    assert row_in_list >= 0  # in the task list like a dropped file, with the object key
    shown_input = window.tasks.model.index(row_in_list, 1).data()
    assert shown_input == url, shown_input
    run(until(lambda: live.finished, 120))
    assert live.result == "SUCCESS", live.message
    keys = [o["Key"] for o in seaweed_client.list_objects_v2(Bucket=fresh_bucket, Prefix="out/").get("Contents", [])]
    assert keys and all(k.startswith("out/day 1/") and k.endswith(".jpg") for k in keys), keys
    run(until(lambda: "→ SUCCESS" in page.table.item(row, COL_LAST).text(), 30))
    assert "clip.mp4" in page.table.item(row, COL_LAST).text()
    run(until(lambda: events.exists() and events.read_text().strip() != "", 30))
    event = json.loads(events.read_text().splitlines()[-1])
    assert event["WorkflowTaskEvent"]["TaskId"] == live.task_id

    shown: list[str] = []
    page.show_run_requested.connect(shown.append)
    page.run_button.click()
    assert shown == [live.task_id]

    page.stop_button.click()
    run(until(lambda: storage.status_of(binding_id).state == "stopped", 30))
    assert "stopped" in page.table.item(row, COL_STATE).text() and page.start_button.isEnabled()
    assert page.table.item(row, COL_MODE).text() == ""

    page.confirm = lambda title, text: True
    page.delete_selected()
    run(until(lambda: page.table.rowCount() == 0, 30))
    assert storage.service.list_bindings() == []


def test_app_starts_its_store_with_defaults_and_stops_it_on_quit(qapp, qtbot, run, tmp_path):  # noqa: ANN001
    from mediaflow_gui.ui.buckets.controller import (DEFAULT_INPUT_BUCKET, DEFAULT_OUTPUT_BUCKET,
                                                     default_workflow_path)
    store = EmbeddedStore(prefer_default_ports=False)  # in the test's data dir
    ctx = make_context(tmp_path, store)
    try:
        window = make_window(ctx, qtbot)
        ctx.start()
        assert ctx.storage.embedded.state == "starting"
        window.pages.setCurrentWidget(window.bindings_page)  # the editor's docks step aside…
        assert not window.palette_dock.isVisible() and not window.inspector_dock.isVisible()
        window.pages.setCurrentIndex(0)  # …and come back on the Workflow page
        assert window.palette_dock.isVisible() and window.inspector_dock.isVisible()
        run(until(lambda: ctx.storage.embedded.state == "running", 60))
        assert window.buckets_page.endpoint.text() == store.endpoint_url
        run(until(lambda: window.bindings_page.table.rowCount() == 1, 30))
        binding = ctx.storage.service.list_bindings()[0]
        run(until(lambda: ctx.storage.status_of(binding.id).state == "watching", 30))
        assert (binding.input_bucket, binding.out_bucket, binding.enabled) == \
            (DEFAULT_INPUT_BUCKET, DEFAULT_OUTPUT_BUCKET, True)
        assert Path(binding.workflow) == default_workflow_path()
        copied = load_workflow(default_workflow_path())  # the standard workflow, copied into the data dir
        marks = [m for n in copied.nodes.values() for m in ([n.params] if n.task_kind == "watermark" else
                                                            getattr(n.params, "watermarks", None) or [])]
        images = [m.image_path for m in marks if m.type == "image"]
        assert images and all(Path(p).is_absolute() and Path(p).is_file() for p in images), images
        names = {b["Name"] for b in make_client(store.connection()).list_buckets()["Buckets"]}
        assert {DEFAULT_INPUT_BUCKET, DEFAULT_OUTPUT_BUCKET} <= names
        pid = store.pid
        assert pid is not None
        window.close()
        run(ctx.shutdown())
        assert ctx.storage.service.runner(binding.id) is None or not ctx.storage.service.runner(binding.id).running
        assert store.pid is None
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    finally:
        ctx.close()
        store.stop()
        collect_here()


def test_a_store_that_cannot_start_leaves_the_app_running(qapp, qtbot, run, tmp_path):  # noqa: ANN001
    fake = tmp_path / "weed"
    fake.write_text("#!/bin/sh\necho 'weed: cannot open the data dir' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    store = EmbeddedStore(tmp_path / "sw", binary=str(fake), prefer_default_ports=False)
    ctx = make_context(tmp_path, store)
    try:
        window = make_window(ctx, qtbot)
        page = window.buckets_page
        ctx.start()
        run(until(lambda: ctx.storage.embedded.state == "error", 60))
        assert page.error_label.isVisibleTo(page)
        assert "exited with code 3" in page.error_label.text()
        assert "cannot open the data dir" in page.error_label.text()
        assert "could not start" in page.status_label.text()
        assert page.start_button.isEnabled() and page.start_button.text() == "Start"
        assert window.isVisible() and window.pages.count() == 3
        run(ctx.shutdown())
    finally:
        ctx.close()
        collect_here()


def test_setting_keeps_the_store_off(qapp, qtbot, run, tmp_path):  # noqa: ANN001
    store = EmbeddedStore(prefer_default_ports=False)
    ctx = make_context(tmp_path, store)
    try:
        window = make_window(ctx, qtbot)
        page = window.buckets_page
        page.autostart.setChecked(False)
        assert ctx.storage.autostart is False
        ctx.start()
        run(until(lambda: bool(page.access_key.text()), 30))  # keys shown even while off
        assert ctx.storage.embedded.state == "off"
        assert "not started" in page.status_label.text()
        assert store.pid is None and ctx.storage.service.list_bindings() == []
        run(ctx.shutdown())
    finally:
        ctx.close()
        collect_here()
    assert not os.path.exists(store.state_path)
