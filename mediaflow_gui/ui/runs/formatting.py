"""How runs read in the task list and the run details dialog: status words, elapsed time, an input's
short form and an output's caption (its size as `mediaflow status` writes it: model/values.py, which
also formats times). Plain strings; no widgets here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ...model.values import format_size

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

# English, marked for pyside6-lupdate (context "Status", shared with theme.STATUS_LABELS); status_text()
# gives them in the UI's language
STATUS_TEXT = {"WAITING": QT_TRANSLATE_NOOP("Status", "Waiting"), "PROCESSING": QT_TRANSLATE_NOOP("Status", "Running"),
               "SUCCESS": QT_TRANSLATE_NOOP("Status", "Done"), "FAIL": QT_TRANSLATE_NOOP("Status", "Failed"),
               "CANCELED": QT_TRANSLATE_NOOP("Status", "Canceled"), "FINISH": QT_TRANSLATE_NOOP("Status", "Finished")}


def status_text(status: str) -> str:
    """The word a person reads for a run or subtask status ("Done" for SUCCESS)."""
    return translate("Status", STATUS_TEXT.get(status, status.capitalize()))


def format_elapsed(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return translate("RunFormatting", "{0}s").format(seconds)
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return translate("RunFormatting", "{0}m {1}s").format(minutes, f"{secs:02d}")
    hours, minutes = divmod(minutes, 60)
    return translate("RunFormatting", "{0}h {1}m").format(hours, f"{minutes:02d}")


def format_speed(speed: float | None) -> str:
    """FFmpeg's speed factor as a person reads it: `2.4×` (real time = 1×); "" when unknown."""
    if speed is None or speed <= 0:
        return ""
    return f"{speed:.1f}×" if speed < 100 else f"{speed:.0f}×"


def output_folder_display(folder: str) -> str:
    """The Output folder column: the folder's last two parts (`…/MediaFlow results/2026-12`), "bucket"
    for runs whose results a binding delivers (they have no local folder)."""
    if not folder:
        return translate("RunFormatting", "bucket")
    parts = Path(folder).parts
    return folder if len(parts) <= 3 else os.path.join("…", *parts[-2:])


def input_display(source: str) -> str:
    """What the Input column shows: a local file by its name, a bucket object by its whole
    `s3://bucket/key` (the key's folders say where it came from, the name alone does not)."""
    if "://" in source:
        return source
    return os.path.basename(source.rstrip("/")) or source


def output_caption(out: dict[str, Any], with_name: bool = True) -> str:
    """An output's name (optionally), size in pixels, duration and file size: `a.jpg · 320×240 · 12.0 KB`."""
    parts = [Path(str(out.get("path", ""))).name] if with_name else []
    if out.get("width") and out.get("height"):
        parts.append(f"{out['width']}×{out['height']}")
    if out.get("duration"):
        parts.append(f"{float(out['duration']):.1f}s")
    parts.append(format_size(out.get("size")))
    return " · ".join(parts)
