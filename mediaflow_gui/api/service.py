"""ApiService: the MPS API over one Runtime — the actions, the keys and the server, started and
stopped together. What `mediaflow api serve` and the app's settings switch use."""

from __future__ import annotations

from typing import Any

from .actions import MpsApi
from .keys import ApiKeys, load_or_make_keys
from .server import ApiServer


class ApiService:
    def __init__(self, runtime: Any, *, port: int = 0, keys: ApiKeys | None = None) -> None:
        self.runtime = runtime
        self.keys = keys if keys is not None else load_or_make_keys(runtime.data_dir)
        self.api = MpsApi(runtime)
        self.server = ApiServer(self.api.actions(), self.keys, port=port)

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    async def start(self) -> int:
        """Listen on 127.0.0.1; returns the port. OSError when the port is taken (the API is closed again)."""
        try:
            return await self.server.start()
        except BaseException:
            self.api.close()
            raise

    async def close(self) -> None:
        await self.server.close()
        self.api.close()

    def close_now(self) -> None:
        """Without a loop to wait on: stop listening (requests in flight end with their loop)."""
        self.server.close_now()
        self.api.close()

    async def __aenter__(self) -> "ApiService":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
