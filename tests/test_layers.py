"""The layer rule: model/, media/, engine/ (and the other core packages) import with PySide6 made
unimportable, while ui/ really needs it (so the block is known to work)."""

from __future__ import annotations

import subprocess
import sys

BLOCK = r"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'):
            raise ImportError('Qt is not allowed here: ' + name)
sys.meta_path.insert(0, Block())
"""

CORE = BLOCK + r"""
import importlib, pkgutil
for pkg in ('model', 'media', 'engine', 'storage', 'notify'):
    try:
        mod = importlib.import_module('mediaflow_gui.' + pkg)
    except ModuleNotFoundError as exc:
        if exc.name == 'mediaflow_gui.' + pkg:
            continue
        raise
    for info in pkgutil.walk_packages(mod.__path__, mod.__name__ + '.'):
        importlib.import_module(info.name)
import mediaflow_gui.cli
assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'qasync'))]
print('core ok')
"""

UI = BLOCK + r"""
try:
    import mediaflow_gui.ui.main_window
except ImportError as exc:
    print('ui blocked:', exc)
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_core_layers_import_without_qt() -> None:
    result = _run(CORE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("core ok")


def test_the_block_does_stop_qt() -> None:
    result = _run(UI)
    assert result.returncode == 0, result.stderr
    assert "ui blocked: Qt is not allowed here: PySide6" in result.stdout
