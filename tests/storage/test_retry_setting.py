"""How often a bucket run that failed on an unreachable store is tried again: the back-off of the
setting's tries, the storage service handing it to the runners it starts, and the CLI's --retries."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from mediaflow_gui.storage import service as service_module
from mediaflow_gui.storage.runner import RETRY_DELAYS, retry_delays_for


def test_retry_delays_back_off_and_are_bounded() -> None:
    assert retry_delays_for(0) == ()
    assert retry_delays_for(3) == RETRY_DELAYS == (2.0, 10.0, 30.0)
    assert retry_delays_for(5) == (2.0, 10.0, 30.0, 60.0, 120.0)
    assert retry_delays_for(8)[-3:] == (300.0, 300.0, 300.0)  # then every five minutes
    assert len(retry_delays_for(99)) == 10 and retry_delays_for(-1) == ()


def test_the_service_gives_its_runners_the_set_number_of_tries(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    made: list[tuple[float, ...]] = []

    class Recorder:
        def __init__(self, binding, engine, **kwargs) -> None:  # noqa: ANN001
            made.append(kwargs["retry_delays"])
            self.status = None
            self.running = True
            self.status_changed = type("T", (), {"subscribe": lambda self, f: None})()

        async def start(self) -> None:
            return None

    monkeypatch.setattr(service_module, "BindingRunner", Recorder)
    from mediaflow_gui.storage.bindings import Binding
    from mediaflow_gui.storage.watcher import Ledger
    service = service_module.StorageService(object(), ledger=Ledger(tmp_path / "ledger.sqlite3"),
                                            bindings_file=tmp_path / "bindings.json")
    binding = Binding(name="b", workflow="w.mfw.json", input_bucket="in")
    asyncio.run(service.watch(binding))
    service.retries = 0
    asyncio.run(service.watch(Binding(name="c", workflow="w.mfw.json", input_bucket="in2")))
    assert made == [RETRY_DELAYS, ()]
    service.ledger.close()


@pytest.mark.parametrize("value, reason", [("11", "choose 0 to 10"), ("x", "'x' is not a number of tries")])
def test_cli_refuses_a_bad_number_of_tries(value: str, reason: str) -> None:
    done = subprocess.run([sys.executable, "-m", "mediaflow_gui.cli", "watch", "--bucket", "in", "--workflow",
                           "w.mfw.json", "--retries", value], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and reason in done.stderr
