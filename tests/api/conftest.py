"""The MPS API under test: a Runtime and an ApiService on their own event loop in a thread (the
SDK's client is blocking), and MpsClient from the official SDK pointed at it.

Proxy variables are cleared: the SDK's proxy check does not exempt 127.0.0.1:PORT (shared/MPS.md).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.seaweed_fixture import fresh_bucket, seaweed, seaweed_client  # noqa: F401

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NO_PROXY",
              "no_proxy")


class LoopThread:
    """An asyncio loop running in a daemon thread; `call(coro)` runs a coroutine there and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="api-test-loop", daemon=True)
        self.thread.start()

    def call(self, coro: Any, timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class ApiEnv:
    loop: LoopThread
    runtime: Any
    service: Any
    data_dir: Path

    @property
    def keys(self) -> Any:
        return self.service.keys

    def client(self, secret_id: str | None = None, secret_key: str | None = None, method: str = "POST") -> Any:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.mps.v20190612 import mps_client

        http = HttpProfile(protocol="http", endpoint=self.service.endpoint, reqMethod=method, reqTimeout=20)
        cred = credential.Credential(secret_id or self.keys.secret_id, secret_key or self.keys.secret_key)
        return mps_client.MpsClient(cred, "ap-guangzhou", ClientProfile(httpProfile=http))


def _start(data_dir: Path, storage: bool, embedded: Any) -> ApiEnv:
    from mediaflow_gui.notify.sinks import EventTargets
    from mediaflow_gui.api.service import ApiService
    from mediaflow_gui.runtime import Runtime, RuntimeSettings

    loop = LoopThread()

    async def make() -> tuple[Any, Any]:
        rt = Runtime(data_dir, RuntimeSettings(storage=storage, embedded=embedded, stop_embedded=False,
                                               event_targets=EventTargets(jsonl=[str(data_dir / "events.jsonl")])))
        service = ApiService(rt)
        await service.start()
        return rt, service

    rt, service = loop.call(make())
    return ApiEnv(loop, rt, service, data_dir)


def _stop(env: ApiEnv) -> None:
    async def close() -> None:
        await env.service.close()
        await env.runtime.aclose()
    try:
        env.loop.call(close())
    finally:
        env.loop.stop()


def _running(data_dir: Path, monkeypatch: pytest.MonkeyPatch, **runtime: Any) -> Iterator[ApiEnv]:
    """An API server on its own loop for one test (no HTTP proxy in the way), stopped afterwards."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    env = _start(data_dir, **runtime)
    try:
        yield env
    finally:
        _stop(env)


@pytest.fixture
def api_env(_private_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiEnv]:
    yield from _running(_private_data_dir, monkeypatch, storage=False, embedded=None)


@pytest.fixture
def api_env_storage(_private_data_dir: Path, monkeypatch: pytest.MonkeyPatch, seaweed: Any) -> Iterator[ApiEnv]:  # noqa: F811
    """With storage: the session's real SeaweedFS as the embedded store."""
    yield from _running(_private_data_dir, monkeypatch, storage=True, embedded=seaweed)
