"""Text that does not fit shortened in the middle, the whole of it on hover: file names and paths,
whose start (the folder) and end (the name and extension) are what a person reads.

- `ElidedLabel`: a one-line label that elides its text in the middle to the width it is given
  (re-elided on every resize) and shows the full text as its tooltip; `full_text()` is the text.
- `PathLineEdit`: a QLineEdit that, while it does not have the focus, paints a path that does not
  fit elided in the middle (the value itself is never changed: editing, copying and `text()` see the
  whole path); hovering shows the full path above whatever tooltip the owner set (a field's problem
  or hint: `setToolTip` stays the owner's).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QStyle, QStyleOptionFrame, QToolTip, QWidget

MIN_CHARS = 12  # the narrowest an elided label asks to be, in average characters


class ElidedLabel(QLabel):
    """A plain-text label elided in the middle to its width; the full text on hover."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Preferred: as wide as the whole text when there is room, down to minimumSizeHint when not
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def is_elided(self) -> bool:
        return self.text() != self._full

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._full) + 2, metrics.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        metrics = self.fontMetrics()
        return QSize(min(self.sizeHint().width(), metrics.averageCharWidth() * MIN_CHARS), metrics.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width() - 2, 0) if self.isVisible() or self.testAttribute(
            Qt.WidgetAttribute.WA_Resized) else self.sizeHint().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, width)
        if shown != self.text():
            super().setText(shown)


class PathLineEdit(QLineEdit):
    """A line edit for a path: elided in the middle while it is not being edited; full path on hover."""

    def hover_text(self) -> str:
        """What hovering shows: the whole path, then the owner's tooltip (a problem, a hint)."""
        return "\n".join(t for t in (self.text(), self.toolTip()) if t)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and self.hover_text():
            QToolTip.showText(event.globalPos(), self.hover_text(), self)
            return True
        return super().event(event)

    def shown_text(self) -> str:
        """What is painted: the text, elided in the middle when it does not fit and is not edited."""
        if self.hasFocus():
            return self.text()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, self._text_rect().width())

    def _text_rect(self):  # noqa: ANN202 - QRect
        option = QStyleOptionFrame()
        self.initStyleOption(option)
        rect = self.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, self)
        margins = self.textMargins()
        # QLineEdit's own horizontal margin inside the contents rect is 2 px (qlineedit_p.h)
        return rect.adjusted(margins.left() + 2, margins.top(), -margins.right() - 2, -margins.bottom())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        shown = self.shown_text()
        if shown == self.text():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOptionFrame()
        self.initStyleOption(option)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelLineEdit, option, painter, self)
        painter.setPen(self.palette().text().color())
        painter.drawText(self._text_rect(), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)
        painter.end()
