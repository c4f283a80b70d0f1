"""The Buckets page says so when the embedded store died and was restarted, or stays down."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from mediaflow_gui.storage.embedded import EmbeddedStore
from mediaflow_gui.storage.embedded.supervisor import RestartPolicy
from tests.ui.conftest import make_window, until
from tests.ui.test_buckets_gui import collect_here, make_context

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]  # kills and restarts the embedded store


def test_buckets_page_shows_a_restart_and_giving_up(qapp, qtbot, run, tmp_path: Path):  # noqa: ANN001
    store = EmbeddedStore(prefer_default_ports=False,
                          restart_policy=RestartPolicy(max_restarts=1, first_delay=0.2, max_delay=0.5))
    ctx = make_context(tmp_path, store, create_defaults=False)
    try:
        window = make_window(ctx, qtbot)
        page, storage = window.buckets_page, ctx.storage
        ctx.start()
        run(until(lambda: storage.embedded.state == "running", 60))
        os.kill(store.pid, signal.SIGKILL)
        run(until(lambda: "restarted at" in page.status_label.text(), 60))
        assert storage.embedded.state == "running"
        assert "after it was killed by SIGKILL" in page.status_label.text()
        assert store.health_check()

        os.kill(store.pid, signal.SIGKILL)  # a second death within the window: more than allowed
        run(until(lambda: storage.embedded.state == "error", 60))
        assert "stopped restarting: it was killed by SIGKILL, 2 times within 10 min" in page.error_label.text()
        assert page.error_label.isVisibleTo(page) and page.start_button.text() == "Start"
        assert store.pid is None
        run(ctx.shutdown())
    finally:
        ctx.close()
        store.stop()
        collect_here()
