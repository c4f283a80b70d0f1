"""Handing things to the desktop: open a folder in the file manager, show a file selected in it.

`reveal_file` asks the file manager over D-Bus (org.freedesktop.FileManager1.ShowItems: Nautilus,
Dolphin, Nemo, Caja, Thunar with its plugin) to open the folder with the file selected; with no
session bus or no such service it opens the folder instead, which every desktop can. The opener is
a module attribute so tests replace it instead of launching a file manager.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

# what opens a URL (a folder) on this desktop; tests put a recorder here
open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl


def open_folder(folder: str | os.PathLike[str]) -> bool:
    """Open `folder` in the file manager; False (nothing opened) when it does not exist."""
    path = Path(folder)
    if not path.is_dir():
        return False
    return bool(open_url(QUrl.fromLocalFile(str(path))))


def _show_items_over_dbus(path: Path) -> bool:
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:  # a Qt build without D-Bus (Windows, macOS)
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    manager = QDBusInterface("org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                             "org.freedesktop.FileManager1", bus)
    if not manager.isValid():
        return False
    reply = manager.call("ShowItems", [QUrl.fromLocalFile(str(path)).toString()], "")
    return not reply.errorName()


def reveal_file(file: str | os.PathLike[str]) -> bool:
    """Show `file` selected in the file manager, or at least its folder open; False if neither exists."""
    path = Path(file)
    if path.exists() and _show_items_over_dbus(path):
        return True
    return open_folder(path.parent if path.exists() or not path.is_dir() else path)


__all__ = ["open_folder", "open_url", "reveal_file"]
