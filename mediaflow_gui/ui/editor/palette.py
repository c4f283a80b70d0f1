"""The palette: every node kind and task kind, with a search box; drag an entry onto the canvas.

Double-clicking (or Enter on) an entry asks to add it at the centre of the view.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...model.kinds import TASK_KINDS
from .. import icons
from ..i18n import kind_title
from .view import PALETTE_MIME

# (spec, title, icon key, search words)
ENTRIES: list[tuple[str, str, str, str]] = [
    ("start", "Start", "start", "start begin input source"),
    ("split", "Split", "split", "split fan out parallel branch"),
    *[(f"task:{k.id}", k.title, k.id, " ".join((k.id, k.title, k.result_type, *k.aliases)).lower())
      for k in TASK_KINDS.values()],
    ("join", "Join", "join", "join merge wait all"),
    ("end", "End", "end", "end finish output"),
]

# English, marked for pyside6-lupdate; shown through describe() in the UI's language
DESCRIPTIONS = {
    "start": QT_TRANSLATE_NOOP("NodeDescriptions", "Where the input file enters the workflow (one per workflow)."),
    "split": QT_TRANSLATE_NOOP("NodeDescriptions", "Fans the input out to tasks that run in parallel."),
    "join": QT_TRANSLATE_NOOP("NodeDescriptions", "Waits for every branch before going on."),
    "end": QT_TRANSLATE_NOOP("NodeDescriptions", "Where the workflow ends (one per workflow)."),
    "task:transcode": QT_TRANSLATE_NOOP("NodeDescriptions", "Re-encode to another container, codec, size or quality (SD, HD, FHD, audio only)."),
    "task:snapshot": QT_TRANSLATE_NOOP("NodeDescriptions", "Screenshots at time points (seconds or percent)."),
    "task:sample_snapshot": QT_TRANSLATE_NOOP("NodeDescriptions", "Screenshots every N seconds or N percent."),
    "task:animated_image": QT_TRANSLATE_NOOP("NodeDescriptions", "A GIF or animated WebP cut from the video."),
    "task:image_sprite": QT_TRANSLATE_NOOP("NodeDescriptions", "Thumbnail sheets plus a WebVTT index for scrubbing previews."),
    "task:watermark": QT_TRANSLATE_NOOP("NodeDescriptions", "An image or text over the video; before a transcode it is applied inside it."),
}


def describe(spec: str) -> str:
    """The description of a node spec ("start", "task:transcode" …) in the UI's language."""
    text = DESCRIPTIONS.get(spec, "")
    return QCoreApplication.translate("NodeDescriptions", text) if text else ""


class PaletteList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setIconSize(QSize(22, 22))
        self.setSpacing(2)
        self.setUniformItemSizes(True)

    def startDrag(self, actions: Qt.DropAction) -> None:  # noqa: N802
        item = self.currentItem()
        if item is None:
            return
        mime = QMimeData()
        mime.setData(PALETTE_MIME, item.data(Qt.ItemDataRole.UserRole).encode("utf-8"))
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(item.icon().pixmap(32, 32))
        drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    # (node spec): add this node at the centre of the view
    add_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search nodes…"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.list = PaletteList()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        for spec, title, key, words in ENTRIES:
            shown = kind_title(spec.removeprefix("task:"), title)
            item = QListWidgetItem(icons.kind_icon(key), shown)
            item.setData(Qt.ItemDataRole.UserRole, spec)
            # English words are kept for the search: both languages find a node
            item.setData(Qt.ItemDataRole.UserRole + 1, f"{shown.lower()} {title.lower()} {words}")
            item.setToolTip(describe(spec) or shown)
            item.setSizeHint(QSize(0, 32))
            self.list.addItem(item)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._add_first_visible)
        self.list.itemActivated.connect(lambda it: self.add_requested.emit(it.data(Qt.ItemDataRole.UserRole)))

    def filter(self, text: str) -> None:
        words = text.lower().split()
        for i in range(self.list.count()):
            item = self.list.item(i)
            haystack = item.data(Qt.ItemDataRole.UserRole + 1)
            item.setHidden(not all(w in haystack for w in words))

    def visible_specs(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if not self.list.item(i).isHidden()]

    def _add_first_visible(self) -> None:
        specs = self.visible_specs()
        if specs:
            self.add_requested.emit(specs[0])
