"""The layer rule: model/, media/, engine/ (and the other core packages) import with PySide6 made
unimportable, while ui/ really needs it (so the block is known to work); and the core packages never
import the rooms above them — the CLI, the Runtime, the GUI — not even lazily inside a function (the
way storage/commands.py once imported cli.py back)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mediaflow_gui"
CORE_PACKAGES = ("model", "media", "engine", "storage", "notify", "mps", "api", "cluster")
# what sits above the core: the command line, the Runtime that wires the core together, the GUI
ABOVE_CORE = ("mediaflow_gui.cli", "mediaflow_gui.runtime", "mediaflow_gui.ui", "mediaflow_gui.app")

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
for pkg in ('model', 'media', 'engine', 'storage', 'notify', 'mps', 'api', 'cluster'):
    try:
        mod = importlib.import_module('mediaflow_gui.' + pkg)
    except ModuleNotFoundError as exc:
        if exc.name == 'mediaflow_gui.' + pkg:
            continue
        raise
    for info in pkgutil.walk_packages(mod.__path__, mod.__name__ + '.'):
        importlib.import_module(info.name)
above = [m for m in sys.modules if m.split('.')[:2] in (['mediaflow_gui', 'cli'], ['mediaflow_gui', 'runtime'],
                                                         ['mediaflow_gui', 'ui'], ['mediaflow_gui', 'app'])]
assert not above, 'the core imported a room above it: ' + ', '.join(above)
import mediaflow_gui.cli
import mediaflow_gui.runtime
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



def _imported_names(root: Path, path: Path, package: str = "mediaflow_gui") -> list[tuple[int, str]]:
    """Every module (or module.name) a file imports, as absolute names with relative imports resolved,
    anywhere in the file: top level, inside functions, under TYPE_CHECKING."""
    # relative imports start from the file's package (for an __init__.py, the package it makes)
    parts = [package, *path.relative_to(root).parent.parts]
    names: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = parts[: len(parts) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            names += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return names


def upward_imports(root: Path = PACKAGE, core: tuple[str, ...] = CORE_PACKAGES,
                   above: tuple[str, ...] = ABOVE_CORE) -> list[str]:
    """`file:line imports name` for each import of a room above the core found in a core package."""
    found = []
    for pkg in core:
        for path in sorted((root / pkg).rglob("*.py")):
            for line, name in _imported_names(root, path):
                if any(name == a or name.startswith(a + ".") for a in above):
                    found.append(f"{path.relative_to(root)}:{line} imports {name}")
    return found


def test_core_packages_never_import_the_cli_runtime_or_ui() -> None:
    assert upward_imports() == []


def test_the_upward_import_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    """The check itself: a lazy relative import of the CLI inside a function (how storage/commands.py
    reached cli.py), an absolute one and a `from .. import cli` are all found; a sibling import is not."""
    storage = tmp_path / "storage"
    storage.mkdir()
    (storage / "__init__.py").write_text("from . import watcher\n")
    (storage / "watcher.py").write_text("def go():\n    from ..cli import announce\n    return announce\n")
    (storage / "more.py").write_text("import mediaflow_gui.runtime\nfrom .. import ui\nfrom ..notify import sinks\n")
    found = upward_imports(tmp_path, core=("storage",))
    assert found == ["storage/more.py:1 imports mediaflow_gui.runtime",
                     "storage/more.py:2 imports mediaflow_gui.ui",
                     "storage/watcher.py:2 imports mediaflow_gui.cli.announce"]
