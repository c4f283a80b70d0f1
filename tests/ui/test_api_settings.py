"""Settings → MPS API: the switch and port saved, the keys shown, and the app starting and stopping the
server on its own loop (AppContext.apply_api_settings), answering the official SDK meanwhile."""

from __future__ import annotations

import asyncio
import os
import socket

from mediaflow_gui.api.keys import load_or_make_keys
from mediaflow_gui.ui.settings_dialog import SettingsDialog

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_switch_starts_and_stops_the_api(context, qtbot, run, monkeypatch) -> None:  # noqa: ANN001
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    dialog = SettingsDialog(context.settings)
    qtbot.addWidget(dialog)
    keys = load_or_make_keys()
    assert not dialog.api_enabled.isChecked()  # off by default
    assert dialog.api_keys["SecretId"].text() == keys.secret_id
    assert dialog.api_keys["SecretKey"].text() == keys.secret_key and dialog.api_keys["SecretKey"].isReadOnly()
    port = free_port()
    dialog.api_enabled.setChecked(True)
    dialog.api_port.setValue(port)
    dialog.accept()
    assert context.settings.api_enabled and context.settings.api_port == port

    assert "answers on" in run(context.apply_api_settings())
    assert context.api is not None and context.api.server.port == port

    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.mps.v20190612 import models, mps_client
    client = mps_client.MpsClient(credential.Credential(keys.secret_id, keys.secret_key), "ap-guangzhou",
                                  ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=f"127.0.0.1:{port}")))
    answer = run(asyncio.to_thread(client.DescribeTasks, models.DescribeTasksRequest()))
    assert answer.TotalCount == 0 and answer.RequestId

    context.settings.api_enabled = False
    assert "stopped" in run(context.apply_api_settings())
    assert context.api is None
    with socket.socket() as s:  # nothing listens there any more
        assert s.connect_ex(("127.0.0.1", port)) != 0
    assert os.environ.get("MEDIAFLOW_DATA_DIR")  # the keys came from the test's private data dir
