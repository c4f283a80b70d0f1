"""How the GUI says which FFmpeg runs use: the status bar's label and the settings dialog's text.

Both show the choice's one-line summary (media/ffmpeg_choice.py) and, on demand, how it was made
and its notes. The choice itself is made off the GUI thread (it may start FFmpeg a few times).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..media.ffmpeg_choice import FFmpegChoice, choose_ffmpeg
from ..media.ffmpeg_locate import FFmpegNotFoundError

if TYPE_CHECKING:
    from .engine_adapter import EngineAdapter


def choice_details(choice: FFmpegChoice) -> str:
    """The summary, how the choice was made, and one line per note."""
    how = QCoreApplication.translate("FFmpegStatusLabel", "How: {0}.").format(choice.reason)
    return "\n".join([choice.summary(), how, *(f"• {n}" for n in choice.notes)])


def describe_setting(override: str) -> str:
    """What the FFmpeg setting `override` ("" = automatic) would give (blocking: run it on a pool thread)."""
    try:
        return choice_details(choose_ffmpeg(override or None))
    except FFmpegNotFoundError as exc:
        return f"⚠ {exc}"


class FFmpegStatusLabel(QLabel):
    """The status bar's permanent FFmpeg label: the summary (elided to fit), details in the tooltip."""

    MAX_WIDTH = 640  # px: a PATH summary fits; a long path (the bundled one) is elided in the middle

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("FFmpegStatusLabel", "FFmpeg: checking…"), parent)
        self.setObjectName("ffmpeg_status")
        self.setProperty("role", "hint")
        self.summary = ""  # the full line shown (elided) in the label
        self._asked = 0  # checks asked for; only the newest one's answer is shown

    def check(self, adapter: "EngineAdapter") -> None:
        """Ask for the engine's FFmpeg choice (made on a pool thread); an older answer arriving late is dropped."""
        self._asked += 1
        asked = self._asked

        def done(choice: FFmpegChoice) -> None:
            if asked == self._asked:
                self.show_choice(choice)

        def failed(exc: BaseException) -> None:
            if asked == self._asked:
                self.show_problem(exc)

        adapter.check_ffmpeg(done, failed, context=self)

    def show_choice(self, choice: FFmpegChoice) -> None:
        self._show(choice.summary(), choice_details(choice))

    def show_problem(self, exc: BaseException) -> None:
        text = self.tr("No usable FFmpeg: {0}").format(exc)
        self._show("⚠ " + text, text)

    def _show(self, summary: str, details: str) -> None:
        self.summary = summary
        self.setToolTip(details)
        self.setText(self.fontMetrics().elidedText(summary, Qt.TextElideMode.ElideMiddle, self.MAX_WIDTH))
