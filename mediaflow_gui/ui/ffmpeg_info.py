"""How the GUI says which FFmpeg runs use: the status bar's label and the settings dialog's text.

Both show the choice's one-line summary (media/ffmpeg_choice.py) and, on demand, how it was made
and its notes. The choice itself is made off the GUI thread (it may start FFmpeg a few times).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
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


# where an FFmpeg came from, in the status bar's words (media/ffmpeg_choice.WHERE says it in the CLI's)
_WHERE = {"setting": QT_TRANSLATE_NOOP("FFmpegStatusLabel", "chosen in Settings"),
          "environment": QT_TRANSLATE_NOOP("FFmpegStatusLabel", "from MEDIAFLOW_FFMPEG"),
          "PATH": QT_TRANSLATE_NOOP("FFmpegStatusLabel", "on PATH"),
          "imageio-ffmpeg": QT_TRANSLATE_NOOP("FFmpegStatusLabel", "bundled")}


def short_choice(choice: FFmpegChoice) -> str:
    """The status bar's few words: "FFmpeg 5.1.9 (on PATH)", with ⚠ when what it lacks loses or worsens
    results (or it is too old) and ⓘ when it does the same another way or has notes (the whole summary,
    how and notes are in the tooltip)."""
    tr = QCoreApplication.translate
    where = _WHERE.get(choice.binary.source)
    shown = tr("FFmpegStatusLabel", "FFmpeg {0} ({1})").format(choice.binary.version, tr("FFmpegStatusLabel", where)) if where \
        else tr("FFmpegStatusLabel", "FFmpeg {0}").format(choice.binary.version)
    a = choice.assessment
    if a.too_old or any(f.degrades for f in a.missing):  # results lost or worse: worth a warning sign
        return "⚠ " + shown
    # the same results another way (5.1's progress from a filter) or other notes: details on hover
    return shown + (" ⓘ" if a.missing or choice.notes else "")


class FFmpegStatusLabel(QLabel):
    """The status bar's permanent FFmpeg label: a few words (version, where from), the summary, how and
    notes in the tooltip. (The whole summary elided in the middle read "fus…ogress is read from …".)"""

    MAX_WIDTH = 640  # px: what a problem's text is elided to

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
        self._show(choice.summary(), choice_details(choice), short_choice(choice))

    def show_problem(self, exc: BaseException) -> None:
        text = self.tr("No usable FFmpeg: {0}").format(exc)
        self._show("⚠ " + text, text)

    def _show(self, summary: str, details: str, short: str = "") -> None:
        self.summary = summary
        self.setToolTip(details)
        self.setText(short or self.fontMetrics().elidedText(summary, Qt.TextElideMode.ElideMiddle, self.MAX_WIDTH))
