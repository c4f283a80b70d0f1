"""The inspector's watermark preview: the watermarks drawn on a real frame of the last dropped file.

One frame per input is taken with FFmpeg (media/frame_grab.py) on a pool thread and kept (keyed by
path, size and modification time); before any file was dropped, FFmpeg's testsrc2 card stands in
(or a drawn grey card when FFmpeg is missing), with a hint to drop a file.

The picture is composed at the size FFmpeg would draw on — the source size for a watermark node, the
transcode's output size (builders.common.fit_size, as the transcode computes it) for the watermarks
inside a transcode — and the watermarks are placed with media/watermark_placement.placement, the
rule the FFmpeg filter renders, so the logo lands on the pixels FFmpeg would put it on. Text uses the
same font file as drawtext (media/fonts.find_font) at the same pixel size and drawtext's box (the
line's advance × the glyphs' ink height); Qt's and FreeType's glyph metrics differ by a pixel or so.
"""

from __future__ import annotations

import os
from typing import Callable

import shiboken6

from PySide6.QtCore import QT_TRANSLATE_NOOP, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...media.builders.common import fit_size
from ...media.watermark_placement import placement
from ...model.files import resolve_relative
from ...model.params import TranscodeParams, WatermarkParams
from .. import theme
from ..i18n import translate  # explicit context: lupdate misreads the classes of this module
from ..workers import run_in_thread

NO_FILE_HINT = QT_TRANSLATE_NOOP("WatermarkPreview", "Drop a file to preview on a real frame")  # shown translated
CARD_SIZE = (1280, 720)

_frames: dict[tuple, QImage] = {}  # (path, size, mtime) or ("",) → the frame
_no_picture: set[tuple] = set()  # inputs FFmpeg took no frame of (audio, unreadable): a card stands in
KEEP_FRAMES = 8  # frames kept (a person switches between a few files, not hundreds)
_waiting: dict[tuple, list[Callable[[QImage], None]]] = {}  # loads under way → who waits for them
_fonts: dict[str, str] = {}  # font file → Qt family name
_logos: dict[tuple, QImage] = {}  # (path, size, mtime) → the image


def _file_key(path: str) -> tuple:
    if not path:
        return ("",)
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, st.st_size, st.st_mtime_ns)


def _grab(path: str) -> bytes:
    """In a pool thread: the PNG of the frame at 1 s (or the test card)."""
    from ...media.ffmpeg_locate import find_ffmpeg
    from ...media.frame_grab import grab_frame, neutral_frame
    ffmpeg = str(find_ffmpeg().path)
    return grab_frame(ffmpeg, path) if path else neutral_frame(ffmpeg, CARD_SIZE)


def drawn_card(size: tuple[int, int] = CARD_SIZE) -> QImage:
    """A neutral grey card with a grid: the stand-in when FFmpeg cannot make one."""
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor("#4a4f57"))
    painter = QPainter(image)
    painter.setPen(QPen(QColor("#5d636c"), 2))
    for x in range(0, size[0], 80):
        painter.drawLine(x, 0, x, size[1])
    for y in range(0, size[1], 80):
        painter.drawLine(0, y, size[0], y)
    painter.end()
    return image


def load_frame(path: str, on_ready: Callable[[QImage], None], context: QWidget | None = None) -> QImage | None:
    """The frame of `path` ("" = the test card) if it is known; else None and `on_ready(frame)` later."""
    key = _file_key(path)
    if key in _frames:
        return _frames[key]
    first = key not in _waiting
    _waiting.setdefault(key, []).append(on_ready)
    if first:
        def done(data: bytes) -> None:
            image = QImage.fromData(data, "PNG")
            finish(image if not image.isNull() else drawn_card())

        def failed(_exc: BaseException) -> None:
            _no_picture.add(key)
            finish(drawn_card())

        def finish(image: QImage) -> None:
            while len(_frames) >= KEEP_FRAMES:
                _frames.pop(next(iter(_frames)))
            _frames[key] = image
            for callback in _waiting.pop(key, []):
                callback(image)

        run_in_thread(lambda: _grab(path), done, failed)
    return None


def _font_family(font_file: str) -> str:
    if font_file not in _fonts:
        font_id = QFontDatabase.addApplicationFont(font_file)
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _fonts[font_file] = families[0] if families else ""
    return _fonts[font_file]


def text_font(size: int) -> QFont:
    """drawtext's font at drawtext's size: the same file (fonts.find_font), `size` pixels."""
    from ...media.fonts import FontNotFoundError, find_font
    font = QFont()
    try:
        family = _font_family(str(find_font()))
        if family:
            font = QFont(family)
    except FontNotFoundError:
        pass
    font.setPixelSize(max(1, int(size)))
    return font


def ffmpeg_colour(text: str) -> QColor:
    """FFmpeg's colour syntax (`white`, `#RRGGBB[AA]`, `0xRRGGBB`, `name@0.5`) as a QColor."""
    colour, _, alpha = (text or "white").partition("@")
    if colour.startswith("0x"):
        colour = "#" + colour[2:]
    if colour.startswith("#") and len(colour) == 9:  # RRGGBBAA → Qt's #AARRGGBB
        colour = "#" + colour[7:9] + colour[1:7]
    result = QColor(colour)
    if not result.isValid():
        result = QColor("white")
    if alpha:
        try:
            value = int(alpha[2:], 16) / 255 if alpha.startswith("0x") else float(alpha)
            result.setAlphaF(max(0.0, min(1.0, value)))
        except ValueError:
            pass
    return result


def _logo(path: str) -> QImage | None:
    key = _file_key(path)
    if key not in _logos:
        image = QImage(path)
        _logos[key] = image
    image = _logos[key]
    return None if image.isNull() else image


def compose(frame: QImage, marks: list[WatermarkParams], video_size: tuple[int, int],
            base_dir: str = "", boxes: list[QRect] | None = None) -> QImage:
    """The frame scaled to the video size with every watermark drawn where FFmpeg draws it; each
    watermark's box is appended to `boxes` when given."""
    vw, vh = video_size
    out = frame.scaled(vw, vh, Qt.AspectRatioMode.IgnoreAspectRatio,
                       Qt.TransformationMode.SmoothTransformation).convertToFormat(QImage.Format.Format_RGB32)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    for mark in marks:
        try:
            box = _draw_text(painter, mark, vw, vh) if mark.type == "text" else \
                _draw_image(painter, mark, vw, vh, base_dir)
            if box is not None and boxes is not None:
                boxes.append(box)
        except ValueError:  # a length being typed that does not parse: that watermark is not drawn
            continue
    painter.end()
    return out


def _draw_image(painter: QPainter, mark: WatermarkParams, vw: int, vh: int, base_dir: str) -> QRect:
    logo = _logo(resolve_relative(mark.image_path, base_dir)) if mark.image_path else None
    if logo is None:  # no image (yet): its box, so the place still shows
        place = placement(vw, vh, 100, 50, mark)
        painter.setPen(QPen(QColor(theme.ERROR), 2, Qt.PenStyle.DashLine))
        painter.drawRect(QRect(place.x, place.y, place.w, place.h))
        return QRect(place.x, place.y, place.w, place.h)
    place = placement(vw, vh, logo.width(), logo.height(), mark)
    painter.drawImage(QRect(place.x, place.y, place.w, place.h), logo)
    return QRect(place.x, place.y, place.w, place.h)


def _draw_text(painter: QPainter, mark: WatermarkParams, vw: int, vh: int) -> QRect | None:
    text = mark.text.strip()
    if not text:
        return None
    font = text_font(mark.font_size)
    metrics = QFontMetrics(font)
    ink = metrics.tightBoundingRect(text)
    # drawtext's box: text_w is the pen's advance over the line, text_h the glyphs' ink height
    # (tallest top to lowest bottom); the pen starts at x and the tallest glyph's top is at y
    place = placement(vw, vh, metrics.horizontalAdvance(text), ink.height(), mark)
    painter.setFont(font)
    painter.setPen(ffmpeg_colour(mark.font_color))
    painter.drawText(place.x, place.y - ink.top(), text)
    return QRect(place.x, place.y, place.w, place.h)


class _Canvas(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.boxes: list[QRect] = []  # the watermarks' boxes in image pixels (outlined, not composed)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(120)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        if self.image is None or self.image.width() <= 0:
            return max(120, width * 9 // 16)
        return max(120, width * self.image.height() // self.image.width())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, self.heightForWidth(300))

    def fit_height(self) -> None:
        """As tall as the picture at this width (form layouts do not ask heightForWidth)."""
        wanted = self.heightForWidth(self.width())
        if self.minimumHeight() != wanted:
            self.setMinimumHeight(wanted)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self.fit_height()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.CANVAS))
        if self.image is not None and not self.image.isNull():
            shown = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, shown.width(), shown.height())
            target.moveCenter(self.rect().center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self.image)
            # each watermark's box, outlined on screen only: the place shows even where the logo's
            # colours melt into the picture
            sx, sy = target.width() / self.image.width(), target.height() / self.image.height()
            painter.setPen(QPen(QColor(theme.ACCENT), 1, Qt.PenStyle.DashLine))
            for box in self.boxes:
                painter.drawRect(QRect(target.x() + round(box.x() * sx) - 1, target.y() + round(box.y() * sy) - 1,
                                       round(box.width() * sx) + 1, round(box.height() * sy) + 1))
        else:
            painter.setPen(QColor(theme.TEXT_DIM))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, translate("WatermarkPreview", "Taking a frame…"))
        painter.end()


class WatermarkPreview(QWidget):
    """The picture and a caption; `show_marks()` redraws at once, the frame arrives once per input."""

    # (): the composed picture changed (tests wait for it)
    updated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 0)
        box.setSpacing(2)
        self.canvas = _Canvas()
        box.addWidget(self.canvas)
        self.caption = QLabel()
        self.caption.setProperty("role", "hint")
        self.caption.setWordWrap(True)
        box.addWidget(self.caption)
        self.source = ""
        self.frame: QImage | None = None
        self.marks: list[WatermarkParams] = []
        self.transcode: TranscodeParams | None = None
        self.base_dir = ""
        self.video_size: tuple[int, int] = (0, 0)

    def set_source(self, path: str) -> None:
        """The file whose frame to draw on ("" = the test card); loads it once, off the GUI thread."""
        self.source = path or ""
        frame = load_frame(self.source, lambda image, p=self.source: shiboken6.isValid(self) and
                           self._frame_ready(p, image), self)
        self.frame = frame
        self._compose()

    def _frame_ready(self, path: str, image: QImage) -> None:
        if path == self.source:
            self.frame = image
            self._compose()

    def show_marks(self, marks: list[WatermarkParams], transcode: TranscodeParams | None = None,
                   base_dir: str = "") -> None:
        """Draw these watermarks: on the source size, or on `transcode`'s output size."""
        self.marks = list(marks)
        self.transcode = transcode
        self.base_dir = base_dir
        self._compose()

    def image(self) -> QImage | None:
        """The composed picture at the video's size (None until the frame is there)."""
        return self.canvas.image

    def _compose(self) -> None:
        if self.frame is None:
            self.canvas.image = None
            self.caption.setText(translate("WatermarkPreview", "Taking a frame…"))
            self.canvas.update()
            return
        fw, fh = self.frame.width(), self.frame.height()
        size = (fw, fh)
        if self.transcode is not None:
            p = self.transcode
            try:
                size = fit_size(fw, fh, p.width, p.height, p.short_side, upscale=False)
            except ValueError:
                pass
        self.video_size = size
        self.canvas.boxes = []
        self.canvas.image = compose(self.frame, self.marks, size, self.base_dir, self.canvas.boxes)
        name = os.path.basename(self.source) if self.source else ""
        if not name:
            where = translate("WatermarkPreview", NO_FILE_HINT)
        elif _file_key(self.source) in _no_picture:
            where = translate("WatermarkPreview", "{0} has no picture to show; on a test card").format(name)
        else:
            where = translate("WatermarkPreview", "On a frame of {0}").format(name)
        scaled = translate("WatermarkPreview", ", output {0}×{1}").format(*size) if size != (fw, fh) else ""
        self.caption.setText(f"{where} ({fw}×{fh}{scaled})")
        self.canvas.fit_height()
        self.canvas.update()
        self.updated.emit()
