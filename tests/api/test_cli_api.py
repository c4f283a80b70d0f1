"""`mediaflow api keys` and `mediaflow api serve` as a process: it prints the endpoint and SecretId,
answers MpsClient, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.api.conftest import PROXY_VARS


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env["MEDIAFLOW_DATA_DIR"] = str(data_dir)
    return env


def test_keys_and_serve(_private_data_dir: Path) -> None:
    env = _env(_private_data_dir)
    out = subprocess.run([sys.executable, "-m", "mediaflow_gui.cli", "api", "keys", "--json"], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    keys = json.loads(out)
    assert keys["SecretId"].startswith("AKID")
    proc = subprocess.Popen([sys.executable, "-m", "mediaflow_gui.cli", "api", "serve", "--no-embedded"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "MPS API at" not in line:
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"http://(127\.0\.0\.1:\d+) \(SecretId (\S+);", line)
        assert match and match.group(2) == keys["SecretId"], line

        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.mps.v20190612 import models, mps_client
        client = mps_client.MpsClient(credential.Credential(keys["SecretId"], keys["SecretKey"]), "ap-guangzhou",
                                      ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=match.group(1))))
        assert client.DescribeTasks(models.DescribeTasksRequest()).TotalCount == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
