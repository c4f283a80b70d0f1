"""The GUI's settings (QSettings in an INI file under the data dir, so tests stay isolated).

Each plain setting is one `Setting` line on AppSettings — its INI key, default and type in one place,
read and written as an attribute (`settings.fusion = False`). Widgets and controllers use these
attributes and methods only, never the QSettings underneath. The event targets of every run are not
in the INI file: they live in `event_targets.json` next to it (notify/global_targets.py), which the
CLI reads too; `event_targets()` / `set_event_targets()` read and write that file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Generic, TypeVar, overload

from PySide6.QtCore import QSettings

from ..notify.global_targets import global_targets_path, load_global_targets, save_global_targets
from ..notify.sinks import EventTargets
from ..cluster.settings import DEFAULT_STAGING_BUCKET, ClusterSettings
from ..media.naming import ON_EXISTING, ON_EXISTING_DEFAULT
from ..paths import data_dir, default_results_dir, private_file

MAX_RECENT = 8
RESULTS_DEFAULT, RESULTS_BESIDE, RESULTS_LAST = "default", "beside", "last"
RESULTS_CHOICES = (RESULTS_DEFAULT, RESULTS_BESIDE, RESULTS_LAST)

T = TypeVar("T", str, int, bool)


def settings_file() -> Path:
    return data_dir() / "mediaflow-gui.ini"


class Setting(Generic[T]):
    """A typed INI key as an attribute of AppSettings.

    Reading converts what the INI file holds to `kind` (QSettings gives strings back for an INI file)
    and gives the default when the key is missing or unreadable; `normalize` then bounds it (e.g. at
    least 1 thread). Writing stores `kind(value)`. `default` may be a function, for defaults that
    depend on the machine (the home folder, the CPU count); `empty_is_default` makes "" read as the
    default (a folder that must not be blank).
    """

    def __init__(self, key: str, default: T | Callable[[], T], kind: type[T], *,
                 normalize: Callable[[T], T] | None = None, empty_is_default: bool = False) -> None:
        self.key = key
        self._default = default
        self.kind = kind
        self.normalize = normalize
        self.empty_is_default = empty_is_default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def default(self) -> T:
        return self._default() if callable(self._default) else self._default

    def read(self, qsettings: QSettings) -> T:
        default = self.default
        raw = qsettings.value(self.key, default)
        value: T
        if self.kind is bool:
            value = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")  # type: ignore[assignment]
        else:
            try:
                value = self.kind(raw)  # type: ignore[call-arg]
            except (TypeError, ValueError):
                value = default
        if self.empty_is_default and not value:
            value = default
        return self.normalize(value) if self.normalize is not None else value

    def write(self, qsettings: QSettings, value: T) -> None:
        qsettings.setValue(self.key, self.kind(value))  # type: ignore[call-arg]

    @overload
    def __get__(self, obj: None, owner: type) -> "Setting[T]": ...
    @overload
    def __get__(self, obj: "AppSettings", owner: type) -> T: ...

    def __get__(self, obj: "AppSettings | None", owner: type) -> "T | Setting[T]":
        if obj is None:
            return self
        return self.read(obj.qsettings)

    def __set__(self, obj: "AppSettings", value: T) -> None:
        self.write(obj.qsettings, value)


class AppSettings:
    # -- runs ------------------------------------------------------------------------
    # the workflow's own default results folder: ~/MediaFlow results, or beside MEDIAFLOW_DATA_DIR (paths.py)
    output_dir = Setting("runs/output_dir", lambda: str(default_results_dir()), str, empty_is_default=True)
    # where a batch's results go (the "Results to" choice of the tool bar, remembered):
    # "default" output_dir, "beside" next to each input, "last" the folder chosen last (last_results_folder)
    results_to = Setting("runs/results_to", RESULTS_DEFAULT, str,
                         normalize=lambda v: v if v in RESULTS_CHOICES else RESULTS_DEFAULT)
    last_results_folder = Setting("runs/last_results_folder", "", str)
    # a run that writes several files puts them in a folder named after its input (naming.run_folder)
    subfolder_per_input = Setting("runs/subfolder_per_input", True, bool)
    # an output name already taken: keep both (" (1)"), overwrite or skip (media.naming.ON_EXISTING)
    on_existing = Setting("runs/on_existing", ON_EXISTING_DEFAULT, str,
                          normalize=lambda v: v if v in ON_EXISTING else ON_EXISTING_DEFAULT)
    max_threads = Setting("runs/max_threads", lambda: os.cpu_count() or 2, int, normalize=lambda n: max(1, n))
    # sibling tasks reading one input share one FFmpeg process (one decode)
    fusion = Setting("runs/fusion", True, bool)
    # runs of a bucket object that failed because a store was away are tried again this often (storage/runner.py)
    store_retries = Setting("runs/store_retries", 3, int, normalize=lambda n: max(0, min(10, n)))
    ffmpeg_path = Setting("runs/ffmpeg_path", "", str)  # "": automatic
    # -- notifications -----------------------------------------------------------------
    notify_enabled = Setting("notify/enabled", True, bool)
    notify_success = Setting("notify/success", True, bool)
    notify_failure = Setting("notify/failure", True, bool)
    # -- language (ui/i18n.py; read once at start) ----------------------------------------
    # "system" follows QLocale.system(); "en" the English source strings; "zh_CN" Simplified Chinese
    language = Setting("ui/language", "system", str,
                       normalize=lambda v: v if v in ("system", "en", "zh_CN") else "system")
    # -- editor ------------------------------------------------------------------------
    snap_to_grid = Setting("editor/snap_to_grid", True, bool)
    reopen_last_workflow = Setting("files/reopen_last", True, bool)  # at start: the last workflow, not the sample
    last_input_folder = Setting("files/last_input_folder", "", str)  # where Process files/folder… start
    # -- storage (ui/buckets/controller.py) -------------------------------------------------
    # start the embedded store when MediaFlow starts
    start_embedded = Setting("storage/start_embedded", True, bool)
    # the first-start buckets and binding were made once (never again, even if the user deletes them)
    storage_defaults_created = Setting("storage/defaults_created", False, bool)
    # -- the local MPS API (mediaflow_gui/api/; ui/context.py starts and stops it) ------------
    api_enabled = Setting("api/enabled", False, bool)  # off by default: nothing listens unless asked
    api_port = Setting("api/port", 8686, int, normalize=lambda n: n if 1 <= n <= 65535 else 8686)
    # -- execution: this computer or a Dask cluster (ui/execution_settings.py; ui/context.py applies it) --
    # the address is kept when "This computer" is chosen, so switching back does not retype it
    cluster_enabled = Setting("cluster/enabled", False, bool)
    cluster_address = Setting("cluster/address", "", str)
    cluster_staging_connection = Setting("cluster/staging_connection", "", str)  # "": the embedded store
    cluster_staging_bucket = Setting("cluster/staging_bucket", DEFAULT_STAGING_BUCKET, str, empty_is_default=True)
    # seconds to reach the scheduler (no field in the dialog: a far cluster may need more; tests need less)
    cluster_connect_timeout = Setting("cluster/connect_timeout", 10, int, normalize=lambda n: max(1, min(300, n)))

    def __init__(self, path: Path | None = None) -> None:
        path = private_file(path or settings_file())  # 0600; QSettings keeps the mode of the file it rewrites
        self.path = path
        self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        legacy = "runs/output_beside_input"  # before results_to: one check box for "next to each input"
        if self.qsettings.contains(legacy):
            if not self.qsettings.contains(type(self).results_to.key):
                self.output_beside_input = Setting(legacy, False, bool).read(self.qsettings)
            self.qsettings.remove(legacy)

    @property
    def output_beside_input(self) -> bool:
        """Results next to each input (results_to == "beside")."""
        return self.results_to == RESULTS_BESIDE

    @output_beside_input.setter
    def output_beside_input(self, value: bool) -> None:
        if value:
            self.results_to = RESULTS_BESIDE
        elif self.results_to == RESULTS_BESIDE:
            self.results_to = RESULTS_DEFAULT

    def results_folder(self) -> str:
        """The folder results go to under the current choice ("" for next to each input); "last" falls
        back to output_dir while no folder was chosen."""
        if self.results_to == RESULTS_BESIDE:
            return ""
        if self.results_to == RESULTS_LAST and self.last_results_folder:
            return self.last_results_folder
        return self.output_dir

    def cluster_settings(self) -> ClusterSettings:
        """Where steps run as the settings say: address "" (this computer) unless the cluster is chosen."""
        return ClusterSettings(address=self.cluster_address.strip() if self.cluster_enabled else "",
                               staging_connection=self.cluster_staging_connection,
                               staging_bucket=self.cluster_staging_bucket,
                               connect_timeout=float(self.cluster_connect_timeout))

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

    # -- recent files and the window --------------------------------------------------------
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

    def save_window(self, geometry: bytes, state: bytes) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def save_task_columns(self, state: bytes) -> None:
        self.qsettings.setValue("window/task_columns", state)

    def task_columns(self) -> object:
        return self.qsettings.value("window/task_columns")

    def window_geometry(self) -> object:
        return self.qsettings.value("window/geometry")

    def window_state(self) -> object:
        return self.qsettings.value("window/state")

    def sync(self) -> None:
        self.qsettings.sync()
