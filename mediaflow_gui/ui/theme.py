"""Colours, fonts and the application style sheet: one place, so every widget agrees.

Node kinds and task kinds have one colour each (used by the canvas, the palette and the
inspector header); statuses have one colour each (canvas, task list, run details).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ..model.kinds import NodeKind
from ..model.statuses import SubtaskStatus

# -- surfaces (a calm dark theme) -------------------------------------------------------
WINDOW = "#15191e"
PANEL = "#1c2128"
PANEL_ALT = "#22272e"
BORDER = "#30363d"
TEXT = "#d7dde3"
TEXT_DIM = "#8b949e"
ACCENT = "#3b82f6"
CANVAS = "#111418"
GRID_MINOR = "#1a1f25"
GRID_MAJOR = "#222830"
NODE_BODY = "#1f252d"
NODE_BODY_SELECTED = "#27303a"
EDGE = "#6b7785"
EDGE_SELECTED = "#e6edf3"
ERROR = "#f85149"
WARNING = "#d29922"

# one colour per node kind / task kind (the key is the task kind id or the node kind value)
KIND_COLORS: dict[str, str] = {
    "start": "#2ea043",
    "split": "#7c86f2",
    "join": "#7c86f2",
    "end": "#e5534b",
    "transcode": "#3b82f6",
    "snapshot": "#e3a008",
    "sample_snapshot": "#d97706",
    "animated_image": "#db61a2",
    "image_sprite": "#14b8a6",
    "watermark": "#a371f7",
}
UNKNOWN_KIND_COLOR = "#8b949e"

STATUS_COLORS: dict[str, str] = {
    SubtaskStatus.WAITING.value: "#8b949e",
    SubtaskStatus.PROCESSING.value: "#58a6ff",
    SubtaskStatus.SUCCESS.value: "#3fb950",
    SubtaskStatus.FAIL.value: "#f85149",
    SubtaskStatus.SKIPPED.value: "#6e7681",
    SubtaskStatus.CANCELED.value: "#d29922",
    "FINISH": "#3fb950",
}

STATUS_LABELS: dict[str, str] = {
    SubtaskStatus.WAITING.value: QT_TRANSLATE_NOOP("Status", "Waiting"),
    SubtaskStatus.PROCESSING.value: QT_TRANSLATE_NOOP("Status", "Running"),
    SubtaskStatus.SUCCESS.value: QT_TRANSLATE_NOOP("Status", "Done"),
    SubtaskStatus.FAIL.value: QT_TRANSLATE_NOOP("Status", "Failed"),
    SubtaskStatus.SKIPPED.value: QT_TRANSLATE_NOOP("Status", "Skipped"),
    SubtaskStatus.CANCELED.value: QT_TRANSLATE_NOOP("Status", "Canceled"),
}


def percent_text(percent: float, running: bool = True) -> str:
    """A progress percentage as shown: while running rounded down and never "100%".

    FFmpeg's position reaches the end before the encoders drain and the file is finalized, so a
    rounded 99.6 would read "100%" for seconds while the node still says it is running.
    """
    if not running:
        return f"{percent:.0f}%"
    return f"{min(99, max(0, int(percent)))}%"


def kind_key(kind: NodeKind, task_kind: str | None) -> str:
    """The colour/icon key of a node: its task kind for tasks, else the node kind."""
    return (task_kind or "task") if kind == NodeKind.TASK else kind.value


def kind_color(key: str) -> QColor:
    return QColor(KIND_COLORS.get(key, UNKNOWN_KIND_COLOR))


def status_color(status: str) -> QColor:
    return QColor(STATUS_COLORS.get(status, TEXT_DIM))


def ui_font(point_size: float = 10, bold: bool = False) -> QFont:
    font = QFont(QApplication.font())
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


STYLE_SHEET = f"""
QWidget {{ color: {TEXT}; font-size: 10pt; }}
QMainWindow, QDialog {{ background: {WINDOW}; }}
QDockWidget {{ titlebar-close-icon: none; }}
QDockWidget::title {{ background: {PANEL}; padding: 6px 8px; border-bottom: 1px solid {BORDER};
    font-weight: 600; color: {TEXT_DIM}; text-transform: uppercase; }}
QToolBar {{ background: {PANEL}; border: none; border-bottom: 1px solid {BORDER}; spacing: 4px; padding: 4px; }}
QToolButton {{ background: transparent; border: 1px solid transparent; border-radius: 6px; padding: 4px 6px; }}
QToolButton:hover {{ background: {PANEL_ALT}; border-color: {BORDER}; }}
QToolButton:pressed, QToolButton:checked {{ background: #2d333b; }}
QMenuBar {{ background: {PANEL}; border-bottom: 1px solid {BORDER}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {ACCENT}; color: white; }}
QMenu {{ background: {PANEL}; border: 1px solid {BORDER}; padding: 4px; }}
QMenu::item {{ padding: 5px 24px 5px 12px; border-radius: 4px; }}
QStatusBar {{ background: {PANEL}; border-top: 1px solid {BORDER}; color: {TEXT_DIM}; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox, QPlainTextEdit, QTextEdit, QListWidget {{
    background: {WINDOW}; border: 1px solid {BORDER}; border-radius: 5px; padding: 4px 6px;
    selection-background-color: {ACCENT}; }}
QLineEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{ border-color: {ACCENT}; }}
QLineEdit[invalid="true"], QSpinBox[invalid="true"], QDoubleSpinBox[invalid="true"], QComboBox[invalid="true"],
QListWidget[invalid="true"] {{
    border: 1px solid {ERROR}; background: #2a1618; }}
QComboBox QAbstractItemView {{ background: {PANEL}; border: 1px solid {BORDER}; selection-background-color: {ACCENT}; }}
QPushButton {{ background: {PANEL_ALT}; border: 1px solid {BORDER}; border-radius: 6px; padding: 5px 12px; }}
QPushButton:hover {{ border-color: #48515c; background: #2a3038; }}
QPushButton:default, QPushButton[primary="true"] {{ background: {ACCENT}; border-color: {ACCENT}; color: white; }}
QPushButton:disabled {{ color: #59636e; }}
QTableView, QTreeView, QListView {{ background: {PANEL}; alternate-background-color: {PANEL_ALT};
    border: 1px solid {BORDER}; gridline-color: {BORDER}; selection-background-color: #264f78; }}
QHeaderView::section {{ background: {PANEL_ALT}; color: {TEXT_DIM}; border: none;
    border-bottom: 1px solid {BORDER}; padding: 5px 6px; font-weight: 600; }}
QTabWidget::pane {{ border: 1px solid {BORDER}; }}
QTabBar::tab {{ background: {PANEL}; padding: 6px 14px; border: 1px solid {BORDER}; border-bottom: none; }}
QTabBar::tab:selected {{ background: {PANEL_ALT}; color: white; }}
QScrollBar:vertical {{ background: transparent; width: 10px; }}
QScrollBar::handle:vertical {{ background: #3a424c; border-radius: 4px; min-height: 24px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; }}
QScrollBar::handle:horizontal {{ background: #3a424c; border-radius: 4px; min-width: 24px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QGroupBox {{ border: 1px solid {BORDER}; border-radius: 6px; margin-top: 14px; padding-top: 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; color: {TEXT_DIM}; }}
QLabel[role="hint"] {{ color: {TEXT_DIM}; }}
QLabel[role="error"] {{ color: {ERROR}; }}
QLabel[role="title"] {{ font-size: 12pt; font-weight: 600; }}
QToolTip {{ background: {PANEL_ALT}; color: {TEXT}; border: 1px solid {BORDER}; padding: 4px; }}
"""


def apply_theme(app: QApplication) -> None:
    """Fusion style + a dark palette + the style sheet above."""
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(WINDOW))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Base, QColor(PANEL))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(PANEL_ALT))
    pal.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Button, QColor(PANEL_ALT))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(PANEL_ALT))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(TEXT_DIM))
    app.setPalette(pal)
    app.setStyleSheet(STYLE_SHEET)
