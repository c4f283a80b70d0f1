"""The layer rule: the core imports without Qt (PySide6 made unimportable in a fresh interpreter)."""

import subprocess
import sys

CODE = r"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'qasync', 'shiboken6'):
            raise ImportError('Qt is not allowed here: ' + name)
sys.meta_path.insert(0, Block())
import pkgutil, importlib
import mediaflow_gui
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
print('ok')
"""


def test_core_layers_import_without_qt():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
