"""Where the app keeps its data, and where its bundled resources are.

The data dir follows platformdirs and moves with MEDIAFLOW_DATA_DIR (tests and
portable installs set it). Nothing here imports Qt.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "MediaFlow"
DATA_DIR_ENV = "MEDIAFLOW_DATA_DIR"


def data_dir() -> Path:
    """The user data dir (created on first use)."""
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def task_store_path() -> Path:
    return data_dir() / "tasks.sqlite3"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def resources_dir() -> Path:
    """`resources/` of a source checkout, or the copy packed into the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the resources folder of MediaFlow is missing from this installation")


def sample_workflow_path(name: str = "standard.mfw.json") -> Path:
    return resources_dir() / "workflows" / name
