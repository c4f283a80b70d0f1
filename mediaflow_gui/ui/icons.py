"""Icons drawn from the hand-written SVGs in resources/icons, tinted on load.

Each SVG uses one stroke colour (#c9d1d9) that `icon()` replaces, so one file serves every
tint (a node kind's colour on the palette, the text colour in tool bars).
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ..paths import resources_dir
from . import theme

BASE_COLOR = "#c9d1d9"


@lru_cache(maxsize=None)
def _svg_text(name: str) -> str:
    path = resources_dir() / "icons" / f"{name}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def svg_renderer(name: str, color: str | None = None) -> QSvgRenderer | None:
    text = _svg_text(name)
    if not text:
        return None
    if color:
        text = text.replace(BASE_COLOR, color)
    renderer = QSvgRenderer(QByteArray(text.encode("utf-8")))
    return renderer if renderer.isValid() else None


def pixmap(name: str, size: int = 24, color: str | None = None) -> QPixmap:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    renderer = svg_renderer(name, color or theme.TEXT)
    if renderer is not None:
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
    return QPixmap.fromImage(image)


@lru_cache(maxsize=None)
def icon(name: str, color: str | None = None) -> QIcon:
    """A QIcon with 16/24/32 px renderings (cached; icons are immutable)."""
    result = QIcon()
    for size in (16, 24, 32, 48):
        result.addPixmap(pixmap(name, size, color))
    return result


def kind_icon(key: str) -> QIcon:
    """The icon of a node kind / task kind, in that kind's colour."""
    return icon(key, theme.KIND_COLORS.get(key, theme.UNKNOWN_KIND_COLOR))


def app_icon() -> QIcon:
    result = QIcon()
    renderer = svg_renderer("app")
    for size in (16, 32, 64, 128, 256):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        if renderer is not None:
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
        result.addPixmap(QPixmap.fromImage(image))
    return result
