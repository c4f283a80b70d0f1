"""The GUI's settings (QSettings in an INI file under the data dir, so tests stay isolated).

Typed accessors keep key names and defaults in one place. The event targets of every run are not
in the INI file: they live in `event_targets.json` next to it (notify/global_targets.py), which the
CLI reads too; `event_targets()` / `set_event_targets()` read and write that file.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from ..notify.global_targets import global_targets_path, load_global_targets, save_global_targets
from ..notify.sinks import EventTargets
from ..paths import data_dir, private_file

MAX_RECENT = 8


def settings_file() -> Path:
    return data_dir() / "mediaflow-gui.ini"


class AppSettings:
    def __init__(self, path: Path | None = None) -> None:
        path = private_file(path or settings_file())  # 0600; QSettings keeps the mode of the file it rewrites
        self.path = path
        self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def _get(self, key: str, default: object, kind: type) -> object:
        value = self.qsettings.value(key, default)
        if kind is bool:
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        try:
            return kind(value)
        except (TypeError, ValueError):
            return default

    # -- runs ------------------------------------------------------------------------
    @property
    def output_dir(self) -> str:
        default = str(Path.home() / "MediaFlow results")
        return str(self._get("runs/output_dir", default, str)) or default

    @output_dir.setter
    def output_dir(self, value: str) -> None:
        self.qsettings.setValue("runs/output_dir", value)

    @property
    def output_beside_input(self) -> bool:
        """Write results next to each input (in `<input dir>/<name>_mediaflow`) instead of output_dir."""
        return bool(self._get("runs/output_beside_input", False, bool))

    @output_beside_input.setter
    def output_beside_input(self, value: bool) -> None:
        self.qsettings.setValue("runs/output_beside_input", bool(value))

    @property
    def output_templates(self) -> dict[str, str]:
        """Output name template overrides by task kind (missing or '' = the kind's default)."""
        self.qsettings.beginGroup("templates")
        try:
            return {k: str(self.qsettings.value(k)) for k in self.qsettings.childKeys()
                    if str(self.qsettings.value(k) or "").strip()}
        finally:
            self.qsettings.endGroup()

    @output_templates.setter
    def output_templates(self, value: dict[str, str]) -> None:
        self.qsettings.remove("templates")
        for kind, template in value.items():
            if template.strip():
                self.qsettings.setValue(f"templates/{kind}", template.strip())

    @property
    def max_threads(self) -> int:
        return max(1, int(self._get("runs/max_threads", os.cpu_count() or 2, int)))

    @max_threads.setter
    def max_threads(self, value: int) -> None:
        self.qsettings.setValue("runs/max_threads", int(value))

    @property
    def fusion(self) -> bool:
        """Sibling tasks reading one input share one FFmpeg process (one decode)."""
        return bool(self._get("runs/fusion", True, bool))

    @fusion.setter
    def fusion(self, value: bool) -> None:
        self.qsettings.setValue("runs/fusion", bool(value))

    @property
    def ffmpeg_path(self) -> str:
        return str(self._get("runs/ffmpeg_path", "", str))

    @ffmpeg_path.setter
    def ffmpeg_path(self, value: str) -> None:
        self.qsettings.setValue("runs/ffmpeg_path", value)

    # -- notifications -----------------------------------------------------------------
    @property
    def notify_enabled(self) -> bool:
        return bool(self._get("notify/enabled", True, bool))

    @notify_enabled.setter
    def notify_enabled(self, value: bool) -> None:
        self.qsettings.setValue("notify/enabled", bool(value))

    @property
    def notify_success(self) -> bool:
        return bool(self._get("notify/success", True, bool))

    @notify_success.setter
    def notify_success(self, value: bool) -> None:
        self.qsettings.setValue("notify/success", bool(value))

    @property
    def notify_failure(self) -> bool:
        return bool(self._get("notify/failure", True, bool))

    @notify_failure.setter
    def notify_failure(self, value: bool) -> None:
        self.qsettings.setValue("notify/failure", bool(value))

    # -- event targets of every run (a file of their own, shared with the CLI) ----------
    @property
    def event_targets_path(self) -> Path:
        return global_targets_path(self.path.parent)

    def event_targets(self) -> EventTargets:
        """The targets as written (relative JSON-lines paths kept). EventTargetsFileError if broken."""
        return load_global_targets(self.event_targets_path, resolve_paths=False)

    def set_event_targets(self, targets: EventTargets) -> None:
        """Save them (0600); ValueError listing the problems of targets that make no sense."""
        save_global_targets(targets, self.event_targets_path)

    # -- editor ------------------------------------------------------------------------
    @property
    def snap_to_grid(self) -> bool:
        return bool(self._get("editor/snap_to_grid", True, bool))

    @snap_to_grid.setter
    def snap_to_grid(self, value: bool) -> None:
        self.qsettings.setValue("editor/snap_to_grid", bool(value))

    @property
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("files/recent", [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in (value or [])]

    def add_recent_file(self, path: str) -> None:
        path = str(Path(path).resolve())
        items = [p for p in self.recent_files if p != path]
        self.qsettings.setValue("files/recent", [path, *items][:MAX_RECENT])

    def remove_recent_file(self, path: str) -> None:
        self.qsettings.setValue("files/recent", [p for p in self.recent_files if p != path])

    # -- window --------------------------------------------------------------------------
    def save_window(self, geometry: bytes, state: bytes) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def window_geometry(self) -> object:
        return self.qsettings.value("window/geometry")

    def window_state(self) -> object:
        return self.qsettings.value("window/state")

    def sync(self) -> None:
        self.qsettings.sync()
