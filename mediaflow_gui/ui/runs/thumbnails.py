"""Thumbnails of output files, read in pool threads (QImage is safe off the GUI thread).

Images and the first frame of a GIF / animated WebP come through QImageReader, scaled while
decoding so a large sprite sheet never lands in memory at full size.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp"}


def is_image(path: str) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def load_thumbnail(path: str, box: int = 160) -> QImage:
    """A QImage scaled to fit `box`×`box` (null image when the file cannot be read)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > box or size.height() > box):
        reader.setScaledSize(size.scaled(QSize(box, box), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return image


def frame_count(path: str) -> int:
    reader = QImageReader(path)
    return max(1, reader.imageCount()) if reader.supportsAnimation() else 1
