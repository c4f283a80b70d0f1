"""Which of the paths a person hands over (dropped, chosen, on the command line) are media to run.

A folder stands for every media file inside it, recursively, in natural name order ("clip 2" before
"clip 10"); the batch keeps the order it was given. A file counts as media when its extension is a
known media one, or — for any other extension — when a quick probe finds a video or audio stream
(a camera's odd suffix still runs). Everything else is skipped and reported once, as a count with a
few names, instead of one failed run per text file. Hidden files and folders (".DS_Store",
".mediaflow-…" staging folders) are never entered; links to folders are not followed (no loops).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

MEDIA_EXTENSIONS = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".mts", ".m2ts", ".mxf", ".dv", ".flv", ".wmv",
    ".mpg", ".mpeg", ".m2v", ".vob", ".3gp", ".3g2", ".ogv", ".ogg", ".asf", ".y4m", ".hevc", ".h264", ".264",
    ".mp3", ".m4a", ".aac", ".wav", ".flac", ".opus", ".wma", ".aiff", ".aif", ".ac3",
})
# never media: skipped without opening them (a folder of sidecar files is skipped fast)
NOT_MEDIA_EXTENSIONS = frozenset({
    ".txt", ".md", ".json", ".xml", ".csv", ".pdf", ".doc", ".docx", ".srt", ".vtt", ".ass", ".jpg", ".jpeg",
    ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".zip", ".7z", ".tar", ".gz", ".py", ".sh",
    ".html", ".log", ".db", ".sqlite3", ".lnk", ".ini", ".cfg", ".yaml", ".yml", ".xmp", ".thm", ".lrv",
})
_SHOWN_SKIPPED = 3  # names listed in the summary line


@dataclass
class CollectedInputs:
    """The media files to run, in order, and what was left out with why."""

    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    folders: int = 0  # folders that were looked into

    def summary(self) -> str:
        """One line for the status bar or the CLI ("" when nothing was skipped)."""
        if not self.skipped:
            return ""
        names = ", ".join(Path(p).name for p, _ in self.skipped[:_SHOWN_SKIPPED])
        more = f" and {len(self.skipped) - _SHOWN_SKIPPED} more" if len(self.skipped) > _SHOWN_SKIPPED else ""
        what = "file that is" if len(self.skipped) == 1 else "files that are"
        return f"skipped {len(self.skipped)} {what} not media ({names}{more})"


def natural_key(name: str) -> list[object]:
    """"clip 2" before "clip 10"; case does not matter."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def _has_media_stream(path: str) -> bool:
    from .probe import MediaProbeError, probe
    try:
        info = probe(path)
    except (MediaProbeError, OSError, ValueError):
        return False
    return info.video is not None or info.audio is not None


def _walk(folder: Path) -> Iterable[Path]:
    """The files under `folder`, depth first, each level in natural order; hidden entries and links
    to folders left out."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    entries.sort(key=lambda e: natural_key(e.name))
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path)
        except OSError:
            continue


def collect_inputs(paths: Iterable[str], *, is_media: Callable[[str], bool] = _has_media_stream) -> CollectedInputs:
    """The media files among `paths` (folders expanded), in the order given, each once."""
    out = CollectedInputs()
    seen: set[str] = set()

    def consider(path: Path, given: bool) -> None:
        key = os.path.abspath(path)
        if key in seen:
            return
        seen.add(key)
        suffix = path.suffix.lower()
        if suffix in MEDIA_EXTENSIONS:
            out.files.append(str(path))
        elif suffix in NOT_MEDIA_EXTENSIONS and not given:
            out.skipped.append((str(path), f"{suffix} is not a media file"))
        elif is_media(str(path)):
            out.files.append(str(path))
        else:
            out.skipped.append((str(path), "no video or audio stream"))

    for text in paths:
        if not text:
            continue
        if "://" in text:  # s3:// and the like: the engine takes them as they are
            out.files.append(text)
            continue
        path = Path(text)
        if path.is_dir():
            out.folders += 1
            for file in _walk(path):
                consider(file, given=False)
        elif path.exists():
            consider(path, given=True)
        else:
            out.files.append(text)  # a missing file: the run says "no such file" with its name
    return out
