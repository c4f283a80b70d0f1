#!/usr/bin/env python3
"""Set up and start MediaFlow, or run its tests, from a fresh clone.

    python3 quickstart.py app     # the desktop app (embedded bucket and the standard workflow ready)
    python3 quickstart.py test    # the whole test suite
    python3 quickstart.py package # build the desktop bundle (dist/mediaflow/) and the .deb

Both create (or reuse) a virtual environment in .venv next to this file and install the
project into it (again only when pyproject.toml changed). Needs only Python 3.11+.
Extra arguments after `app` or `test` go to the app or to pytest (after `package`: to packaging/build.py).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".mediaflow-installed"
PACKAGE_STAMP = VENV / ".mediaflow-package-installed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_env() -> Path:
    if sys.version_info < (3, 11):
        sys.exit(f"MediaFlow needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not venv_python().exists():
        print(f"creating the virtual environment in {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("installing MediaFlow and its dependencies into .venv …", flush=True)
        py = str(venv_python())
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(wanted)
    return venv_python()


def ensure_package_tools(py: str) -> None:
    """The `package` extra (PyInstaller and its hooks) in .venv, again only when pyproject.toml changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not PACKAGE_STAMP.exists() or PACKAGE_STAMP.read_text().strip() != wanted:
        print("installing the packaging tools (PyInstaller) into .venv …", flush=True)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test,package]"], check=True)
        PACKAGE_STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test", "package"):
        print(__doc__)
        return 2
    py = str(ensure_env())
    command, rest = argv[0], argv[1:]
    env = dict(os.environ)
    if command == "test":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in rest) and (os.cpu_count() or 1) > 1:
            # two pytest workers (pytest-xdist) on two cores: much of the suite waits on processes, servers
            # and FFmpeg, so the whole suite takes ~5½ min instead of ~9½; each worker has its own SeaweedFS
            rest = ["-n", str(min(4, os.cpu_count() or 2)), *rest]
        return subprocess.call([py, "-m", "pytest", *rest], cwd=ROOT, env=env)
    if command == "package":
        ensure_package_tools(py)
        return subprocess.call([py, str(ROOT / "packaging" / "build.py"), *rest], cwd=ROOT, env=env)
    return subprocess.call([py, "-m", "mediaflow_gui.app", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
