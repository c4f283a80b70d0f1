"""AppContext: what one running GUI shares — settings, app-wide signals, the engine adapter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .engine_adapter import EngineAdapter
from .settings import AppSettings
from .signals import AppSignals


@dataclass
class AppContext:
    settings: AppSettings
    signals: AppSignals
    adapter: EngineAdapter

    @classmethod
    def create(cls, store_path: Path | None = None) -> "AppContext":
        settings = AppSettings()
        signals = AppSignals()
        adapter = EngineAdapter(signals, settings, store_path)
        return cls(settings, signals, adapter)

    async def shutdown(self) -> None:
        await self.adapter.shutdown()
        self.settings.sync()

    def close(self) -> None:
        self.adapter.close()
        self.settings.sync()
