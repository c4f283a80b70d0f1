"""AppContext: what one running GUI shares — settings, app-wide signals, the engine adapter and
the storage controller (embedded bucket store, connections, watched-bucket bindings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .engine_adapter import EngineAdapter
from .settings import AppSettings
from .signals import AppSignals

if TYPE_CHECKING:
    from ..storage.service import StorageService
    from .buckets.controller import StorageController


@dataclass
class AppContext:
    settings: AppSettings
    signals: AppSignals
    adapter: EngineAdapter
    storage: "StorageController | None" = None

    @classmethod
    def create(cls, store_path: Path | None = None, *, storage_service: "StorageService | None" = None,
               with_storage: bool = True, **storage_options: bool) -> "AppContext":
        """`storage_options` go to StorageController (stop_embedded_on_quit, create_defaults)."""
        settings = AppSettings()
        signals = AppSignals()
        adapter = EngineAdapter(signals, settings, store_path)
        storage = None
        if with_storage:
            from ..storage.service import StorageService
            from .buckets.controller import StorageController
            storage = StorageController(storage_service or StorageService(), adapter, settings, signals,
                                        **storage_options)
        return cls(settings, signals, adapter, storage)

    def start(self) -> None:
        """Once the window is shown, on the running loop: the embedded store and enabled bindings."""
        if self.storage is not None:
            self.storage.startup()

    async def shutdown(self) -> None:
        if self.storage is not None:
            await self.storage.shutdown()  # stop watching, let runs end, stop the store
        await self.adapter.shutdown()
        if self.storage is not None:
            self.storage.close()
        self.settings.sync()

    def close(self) -> None:
        if self.storage is not None:
            self.storage.close()
        self.adapter.close()
        self.settings.sync()
