"""Settings → Execution (issue 16): the page saved and read back, its Test button against a real in-process
Dask LocalCluster, a closed port and a bad address (answers off the GUI thread, bounded in time), and the
app applying the page to its Runtime (AppContext.apply_cluster_settings) with the status bar saying
where runs go."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog

from mediaflow_gui.cluster.info import ClusterInfo, ClusterUnreachable, WorkerInfo
from mediaflow_gui.cluster.local import start_local_cluster
from mediaflow_gui.ui.execution_settings import ExecutionSettings
from mediaflow_gui.ui.settings import AppSettings
from mediaflow_gui.ui.settings_dialog import SettingsDialog
from tests.seaweed_fixture import seaweed  # noqa: F401


def plain(label) -> str:  # noqa: ANN001 - a rich-text QLabel
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def closed_port() -> int:
    """A loopback port nobody listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def page(qtbot, tmp_path: Path) -> ExecutionSettings:  # noqa: ANN001
    widget = ExecutionSettings(AppSettings(tmp_path / "s.ini"), connection_names=["studio-minio"])
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture(scope="module")
def threads_cluster():  # noqa: ANN201
    """Two in-process workers (threads) on a tcp:// address, as a user types it: enough for the Test
    button, much faster than processes. (Made here rather than by start_local_cluster(processes=False),
    which at the time of writing fails: Dask then picks its inproc:// protocol, which refuses host=.)"""
    from distributed import LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, host="127.0.0.1",
                           protocol="tcp://", dashboard_address=None)
    yield cluster
    cluster.close()


def test_the_page_saves_and_reads_back(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    settings = AppSettings(tmp_path / "s.ini")
    assert not settings.cluster_enabled and settings.cluster_settings().enabled is False  # this computer by default
    dialog = SettingsDialog(settings, connection_names=["studio-minio"])
    qtbot.addWidget(dialog)
    page = dialog.execution
    assert page.on_local.isChecked() and not page.address.isEnabled() and not page.test_button.isEnabled()
    assert [page.staging.itemData(i) for i in range(page.staging.count())] == ["", "studio-minio"]
    assert page.staging.itemText(0) == "Embedded store (this computer only)"
    page.on_cluster.setChecked(True)
    assert page.address.isEnabled() and page.test_button.isEnabled()
    assert page.worker_command.text() == "mediaflow worker --scheduler tcp://host:8786"
    page.address.setText("render-farm:8786")
    assert page.worker_command.text() == "mediaflow worker --scheduler tcp://render-farm:8786"  # ready to copy
    page.staging.setCurrentIndex(page.staging.findData("studio-minio"))
    page.staging_bucket.setText("farm-staging")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted

    again = AppSettings(tmp_path / "s.ini")  # from the INI file
    cs = again.cluster_settings()
    assert (cs.address, cs.staging_connection, cs.staging_bucket) == ("render-farm:8786", "studio-minio", "farm-staging")
    assert cs.normalized_address() == "tcp://render-farm:8786"
    reopened = ExecutionSettings(again, connection_names=["studio-minio"])
    qtbot.addWidget(reopened)
    assert reopened.on_cluster.isChecked() and reopened.address.text() == "render-farm:8786"
    assert reopened.staging.currentData() == "studio-minio" and reopened.staging_bucket.text() == "farm-staging"

    reopened.on_local.setChecked(True)  # back to this computer: the address is kept for next time
    reopened.save(again)
    assert again.cluster_settings().enabled is False and again.cluster_address == "render-farm:8786"
    # a staging connection removed since is still offered (by name), not silently replaced by the embedded store
    gone = ExecutionSettings(again, connection_names=[])
    qtbot.addWidget(gone)
    assert gone.staging.currentData() == "studio-minio" and "missing" in gone.staging.currentText()


def test_ok_is_refused_with_a_bad_address_and_says_why(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    settings = AppSettings(tmp_path / "s.ini")
    dialog = SettingsDialog(settings, connection_names=[])
    qtbot.addWidget(dialog)
    dialog.show()
    page = dialog.execution
    page.on_cluster.setChecked(True)
    dialog.accept()  # a cluster without an address
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert page.test_error.isVisible() and "scheduler's address" in page.test_error.text()
    page.address.setText("http://render-farm:8786")
    dialog.accept()
    assert dialog.isVisible() and "must look like tcp://host:8786" in page.test_error.text()
    assert AppSettings(tmp_path / "s.ini").cluster_enabled is False  # nothing was saved


def test_test_lists_the_workers_of_a_real_cluster(page: ExecutionSettings, qtbot, threads_cluster) -> None:  # noqa: ANN001
    page.on_cluster.setChecked(True)
    page.address.setText(threads_cluster.scheduler_address)
    page.test_button.click()
    assert not page.test_button.isEnabled()  # asked once at a time
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=20000)
    text = plain(page.test_result)
    assert not page.test_error.isVisible(), page.test_error.text()
    assert text.startswith(f"Connected to {threads_cluster.scheduler_address}: 2 workers · 2 threads")
    for address in threads_cluster.scheduler_info["workers"]:
        assert address in text  # each worker, with its threads and FFmpeg line
    assert text.count("1 thread ·") == 2 and text.count("FFmpeg") >= 2


def test_a_closed_port_says_so_without_freezing(page: ExecutionSettings, qtbot) -> None:  # noqa: ANN001
    port = closed_port()
    page.on_cluster.setChecked(True)
    page.address.setText(f"127.0.0.1:{port}")
    page.test_timeout = 1.5
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    started = time.monotonic()
    page.test_button.click()
    assert time.monotonic() - started < 0.5  # the click returns at once: the waiting is on a pool thread
    assert "Asking tcp://127.0.0.1:" in plain(page.test_result)
    qtbot.waitUntil(lambda: page.test_error.isVisible(), timeout=15000)
    took = time.monotonic() - started
    timer.stop()
    assert took < 10, f"the Test took {took:.1f} s with a {page.test_timeout} s timeout"
    assert len(ticks) >= int(took / 0.05 / 3)  # the GUI thread kept turning meanwhile
    # a closed port is refused at once (a plain connect first, cluster/info.check_reachable)
    assert f"tcp://127.0.0.1:{port}" in page.test_error.text() and "refused" in page.test_error.text()
    assert not page.test_result.isVisible() and page.test_button.isEnabled()


def test_a_bad_address_shows_the_problem_without_connecting(page: ExecutionSettings, qtbot) -> None:  # noqa: ANN001
    page.on_cluster.setChecked(True)
    page.address.setText("")
    page.test_button.click()
    assert page.test_error.isVisible() and "Type the scheduler's address" in page.test_error.text()
    page.address.setText("ftp://render-farm")
    page.test_button.click()
    assert page.test_error.isVisible() and "'ftp://render-farm' must look like tcp://host:8786" in page.test_error.text()
    assert page.test_button.isEnabled()  # nothing is under way


# -- applying the page: AppContext.apply_cluster_settings → Runtime.use_cluster; the status bar ------------

def two_workers(address: str) -> ClusterInfo:
    return ClusterInfo(address, [WorkerInfo("tcp://10.1.0.5:40001", "render-a", 2, 8 * 10**9, "FFmpeg 6.1 (PATH)"),
                                 WorkerInfo("tcp://10.1.0.6:40001", "render-b", 2, 8 * 10**9, "FFmpeg 6.1 (PATH)")])


def test_applying_the_page_moves_runs_to_the_cluster_and_back(context, qtbot, run, monkeypatch) -> None:  # noqa: ANN001
    """The wiring from the dialog's OK to the runtime and the status bar (the connecting itself is
    Runtime.use_cluster's: stood in for here by a recorder that blocks like a connect)."""
    from mediaflow_gui.ui import main_window
    from .conftest import make_window, until
    window = make_window(context, qtbot)
    calls = []
    using: list[ClusterInfo | None] = [None]  # what the stand-in runtime runs steps on
    # the first connect is held until the test has seen "Connecting…" (a 0.3 s connect alone raced
    # with a GUI thread that a loaded machine stalls for longer than that)
    first_may_end = threading.Event()

    def use_cluster(settings):  # noqa: ANN001, ANN202 - on a worker thread, as the real one must be
        calls.append(settings)
        first_may_end.wait(10)
        time.sleep(0.3)
        if settings is not None and "down" in settings.address:  # refused: the runtime keeps what it had
            raise ClusterUnreachable(f"the Dask scheduler at {settings.normalized_address()} did not answer")
        using[0] = None if settings is None else two_workers(settings.normalized_address())
        return using[0]

    monkeypatch.setattr(context.runtime, "use_cluster", use_cluster)
    monkeypatch.setattr(context.runtime, "cluster_info", lambda: using[0])
    messages: list[str] = []
    context.signals.status_message.connect(messages.append)
    edits = []

    class Accepting(SettingsDialog):  # the dialog as a person fills it in (exec() would wait for them)
        def exec(self) -> int:  # noqa: A003
            for edit in edits:
                edit(self.execution)
            self.accept()
            return self.result()

    monkeypatch.setattr(main_window, "SettingsDialog", Accepting)
    assert not window.cluster_label.isVisible()  # this computer: nothing extra in the status bar

    async def ok(*change) -> None:  # noqa: ANN002
        edits[:] = change
        window.show_settings()

    async def scenario() -> None:
        await ok(lambda p: p.on_cluster.setChecked(True), lambda p: p.address.setText("render-farm"))
        await asyncio.sleep(0.1)  # the connect blocks a worker thread, not this one
        assert window.cluster_label.isVisible()
        assert window.cluster_label.summary == "Connecting to Dask cluster tcp://render-farm:8786…"
        assert not context.execution.on_cluster  # the connect is under way meanwhile
        first_may_end.set()
        await until(lambda: context.execution.on_cluster, 10)
        assert [c.normalized_address() for c in calls] == ["tcp://render-farm:8786"]
        assert window.cluster_label.summary == "Runs on Dask cluster tcp://render-farm:8786 · 2 workers"
        tip = window.cluster_label.toolTip()
        assert "2 workers · 4 threads · 16.0 GB" in tip and "render-b (tcp://10.1.0.6:40001): 2 threads" in tip
        assert "Runs now go to the Dask cluster at tcp://render-farm:8786" in messages
        using[0] = ClusterInfo(using[0].address, using[0].workers[:1])  # a worker left (as the runtime saw it)
        context.refresh_execution()  # what the window's timer calls
        assert window.cluster_label.summary == "Runs on Dask cluster tcp://render-farm:8786 · 1 worker"
        await ok()  # OK without a change: not connected again
        await asyncio.sleep(0.5)
        assert len(calls) == 1
        # another cluster that does not answer: said, and the first one is let go too (runs stay here)
        await ok(lambda p: p.address.setText("down-farm"))
        await until(lambda: len(calls) == 3, 10)
        await until(lambda: bool(context.execution.error), 10)
        assert calls[1].address == "down-farm" and calls[2] is None and using[0] is None
        assert window.cluster_label.summary == "⚠ Dask cluster not used: runs on this computer"
        assert "did not answer" in window.cluster_label.toolTip()
        assert messages[-1] == ("Could not use the Dask cluster at tcp://down-farm:8786: the Dask scheduler at "
                                "tcp://down-farm:8786 did not answer. Runs stay on this computer.")
        await ok(lambda p: p.address.setText("render-farm"))  # the first again: connected again
        await until(lambda: context.execution.on_cluster, 10)
        await ok(lambda p: p.on_local.setChecked(True))  # back to this computer
        await until(lambda: len(calls) == 5 and not context.execution.address, 10)
        assert calls[-1] is None and not window.cluster_label.isVisible() and using[0] is None
        assert messages[-1] == "Runs now go to this computer"

    run(scenario(), 30)


def test_an_unreachable_cluster_is_said_and_runs_stay_here(context, qtbot, run) -> None:  # noqa: ANN001
    """The real Runtime.use_cluster against a closed port: a message, a warning in the status bar,
    the engine still running steps here."""
    from mediaflow_gui.storage.s3 import S3Connection
    from .conftest import make_window
    if not hasattr(context.runtime, "use_cluster"):
        pytest.fail("Runtime.use_cluster is missing (issue 16's runtime part)")
    window = make_window(context, qtbot)
    # a staging store by name, so nothing starts the embedded one: the scheduler is refused first
    context.runtime.connections.add(S3Connection("farm-s3", endpoint_url="http://127.0.0.1:9"))
    s = context.settings
    port = closed_port()
    s.cluster_enabled, s.cluster_address, s.cluster_staging_connection = True, f"127.0.0.1:{port}", "farm-s3"
    s.cluster_connect_timeout = 1
    messages: list[str] = []
    context.signals.status_message.connect(messages.append)
    started = time.monotonic()
    state = run(context.apply_cluster_settings(), 20)
    assert time.monotonic() - started < 12
    assert not state.on_cluster and f"tcp://127.0.0.1:{port}" in state.error and "refused" in state.error
    assert context.runtime.cluster_info() is None and context.runtime.engine.remote is None  # runs stay here
    assert any(m.startswith(f"Could not use the Dask cluster at tcp://127.0.0.1:{port}: ")
               and m.endswith("Runs stay on this computer.") for m in messages), messages
    label = window.cluster_label
    assert label.isVisible() and label.summary == "⚠ Dask cluster not used: runs on this computer"
    assert "refused" in label.toolTip()


# -- end to end: the GUI's runtime on a two-worker LocalCluster, a file run through the normal path -------

@pytest.fixture
def lavfi_clip(tmp_path: Path) -> Path:
    """1 s of 160x120 testsrc (10 fps), made here with the suite's FFmpeg."""
    path = tmp_path / "tiny clip.mp4"
    subprocess.run([os.environ["MEDIAFLOW_FFMPEG"], "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    "-preset", "ultrafast", str(path)], check=True, timeout=30)
    return path


@pytest.fixture
def seaweed_context(qapp, seaweed, tmp_path: Path):  # noqa: ANN001, ANN201, F811
    """The app's context on the session's SeaweedFS (the embedded staging store; never stopped by the app)."""
    from mediaflow_gui.ui.context import AppContext
    ctx = AppContext.create(embedded=seaweed, stop_embedded_on_quit=False, create_defaults=False)
    ctx.settings.output_dir = str(tmp_path / "results")
    yield ctx
    ctx.close()


def test_a_dropped_file_runs_on_a_two_worker_cluster(seaweed_context, qtbot, run, lavfi_clip: Path,  # noqa: ANN001
                                                     tmp_path: Path) -> None:
    from mediaflow_gui.model.workflow import task_node
    from tests.engine.helpers import fast_transcode, parallel_workflow
    from .conftest import make_window, until
    context = seaweed_context
    cluster = start_local_cluster(2)  # worker processes, as a real cluster has
    try:
        window = make_window(context, qtbot, load_history=False)
        s = context.settings
        s.cluster_enabled, s.cluster_address, s.cluster_staging_bucket = True, cluster.scheduler_address, "mf-e2e-staging"

        async def start() -> None:  # as the app starts: the store, then the cluster (AppContext.start)
            context.start()
            await until(lambda: context.execution.on_cluster or bool(context.execution.error), 60)

        run(start(), 90)
        state = context.execution
        assert state.on_cluster, state.error
        assert [w.threads for w in state.info.workers] == [1, 1]
        assert window.cluster_label.summary == f"Runs on Dask cluster {cluster.scheduler_address} · 2 workers"
        window.controller.set_workflow(parallel_workflow(task_node("transcode", "SD", fast_transcode(short_side=96)),
                                                         name="on the cluster"))

        async def scenario() -> str:
            [task_id] = window.process_files([str(lavfi_clip)])
            await until(lambda: window.adapter.run(task_id) is not None and window.adapter.run(task_id).finished, 60)
            return task_id

        task_id = run(scenario(), 90)
        record = window.adapter.run(task_id)
        assert record.result == "SUCCESS", record.message
        results = Path(s.output_dir)
        written = sorted(p.name for p in results.iterdir())
        assert written and all(p.stat().st_size > 0 for p in results.iterdir()), written
        assert any(name.startswith("tiny clip") and name.endswith(".mp4") for name in written), written
        assert context.runtime.cluster_info() is not None  # still on the cluster after the run
        # the step did go out: the scheduler (in this process; its workers are not) saw MediaFlow's unit
        assert any(name.startswith("mediaflow") for name in cluster.scheduler.task_prefixes), \
            list(cluster.scheduler.task_prefixes)
    finally:
        context.close()  # the runtime's cluster client goes before the cluster does
        cluster.close()


def test_a_local_clusters_numbered_workers_are_listed_in_order_and_named_as_workers() -> None:
    """A LocalCluster names its workers 0, 1 …: listed by address they came out as "1", "0", and a bare
    "0 (tcp://…)" read like a count."""
    from mediaflow_gui.cluster.info import workers_of
    from mediaflow_gui.ui.execution import cluster_report
    info = {"workers": {"tcp://127.0.0.1:41965": {"name": 1, "nthreads": 1, "memory_limit": 10**9},
                        "tcp://127.0.0.1:42613": {"name": 0, "nthreads": 1, "memory_limit": 10**9},
                        "tcp://10.0.0.9:40000": {"name": "render-a", "nthreads": 2, "memory_limit": 0}}}
    workers = workers_of(info)
    assert [w.name for w in workers] == ["0", "1", "render-a"]
    report = cluster_report(ClusterInfo("tcp://127.0.0.1:8786", workers))
    assert "worker 0 (tcp://127.0.0.1:42613)" in report and "worker 1 (tcp://127.0.0.1:41965)" in report
    assert "render-a (tcp://10.0.0.9:40000)" in report
    assert report.index("worker 0") < report.index("worker 1") < report.index("render-a")
