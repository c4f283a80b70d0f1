"""A short excerpt of an input for a dry-run preview: the range, its label and the FFmpeg argv.

Stream copy first: `-ss START -i IN -t LEN -map 0 -dn -c copy` keeps every track, the colour tags,
HDR metadata (mastering display, content light level), interlacing and the codec as they are, at
the cost of nothing but reading. Seeking an input with copy can only start at a keyframe, so the
excerpt starts at the last keyframe at or before START (up to one GOP early; exact for START 0, the
default) and lasts LEN from there; we accept that rather than re-encode, because a preview that
keeps the source's colour and field order tells more about the real run than an exact start does.
When copy fails (a container that cannot be cut or rewritten like that), `reencode_argv` makes a
fast H.264/AAC excerpt that starts exactly at START (colour tags are passed on, HDR side data
may be lost).

The excerpt keeps the input's container (a .mov stays .mov: its subtitle and timecode tracks are
valid there); an unknown suffix becomes Matroska. Data tracks (-dn) are left out: nothing in a
workflow reads them and some muxers refuse them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_START = 0.0
DEFAULT_LENGTH = 5.0
MAX_LENGTH = 600.0  # a preview is short by definition; ten minutes is a long job already

# containers that take back what they held when copied (the input's own suffix is kept)
KEEP_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".ts", ".m2ts", ".mts", ".avi", ".flv",
                           ".mpg", ".mpeg", ".vob", ".mxf", ".m4a", ".mp3", ".wav", ".flac", ".ogg",
                           ".opus", ".aac"})


class ExcerptRangeError(ValueError):
    """A preview range that cannot be used (the message says why, in a person's words)."""


def _seconds_text(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class ExcerptRange:
    start: float = DEFAULT_START  # seconds from the beginning
    length: float = DEFAULT_LENGTH  # seconds

    def __post_init__(self) -> None:
        if not math.isfinite(self.start) or self.start < 0:
            raise ExcerptRangeError(f"the preview start must be 0 s or later, not {self.start:g}")
        if not math.isfinite(self.length) or not 0 < self.length <= MAX_LENGTH:
            raise ExcerptRangeError(f"the preview length must be more than 0 s and at most "
                                    f"{MAX_LENGTH:g} s, not {self.length:g}")

    @property
    def end(self) -> float:
        return self.start + self.length

    def describe(self) -> str:
        """`preview 0–5 s` (an en dash, as people write ranges)."""
        return f"preview {_seconds_text(self.start)}–{_seconds_text(self.end)} s"

    def label(self, source: str) -> str:
        """The run's input label: `clip.mov [preview 0–5 s]` (the path as given, then the range)."""
        return f"{source} [{self.describe()}]"

    def clipped(self, duration: float | None) -> "ExcerptRange":
        """The range within an input `duration` seconds long (None: unknown, kept as asked)."""
        if duration is None or duration <= 0:
            return self
        if self.start >= duration:
            raise ExcerptRangeError(f"the preview starts at {self.start:g} s but the input is only "
                                    f"{duration:.1f} s long")
        return ExcerptRange(self.start, min(self.length, duration - self.start))


_LABEL = re.compile(r"^(?P<source>.+) \[preview (?P<start>\d+(?:\.\d+)?)–(?P<end>\d+(?:\.\d+)?) s\]$")


def split_label(label: str) -> tuple[str, ExcerptRange] | None:
    """The source and range of a preview's input label (`ExcerptRange.label`); None for other inputs."""
    m = _LABEL.match(label or "")
    if not m:
        return None
    start, end = float(m.group("start")), float(m.group("end"))
    try:
        return m.group("source"), ExcerptRange(start, end - start)
    except ExcerptRangeError:
        return None


def parse_range(text: str) -> ExcerptRange:
    """`START,LEN` in seconds (`10,5`), or `LEN` alone (from the beginning); empty: the default."""
    text = (text or "").strip()
    if not text:
        return ExcerptRange()
    parts = [p.strip().removesuffix("s").strip() for p in text.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ExcerptRangeError(f"{text!r} is not a preview range such as 10,5 (start 10 s, 5 s long) "
                                "or 5 (the first 5 s)") from None
    if len(numbers) == 1:
        return ExcerptRange(DEFAULT_START, numbers[0])
    if len(numbers) == 2:
        return ExcerptRange(numbers[0], numbers[1])
    raise ExcerptRangeError(f"{text!r} has {len(numbers)} numbers; a preview range is START,LEN such as 10,5")


def excerpt_path(folder: Path, source: Path) -> Path:
    """Where the excerpt goes: `<folder>/<stem>.preview<suffix>` (Matroska for unknown suffixes)."""
    suffix = source.suffix.lower()
    return Path(folder) / f"{source.stem}.preview{suffix if suffix in KEEP_SUFFIXES else '.mkv'}"


def _head(ffmpeg: str, rng: ExcerptRange, source: Path) -> list[str]:
    # absolute input path: a name starting with '-' is never read as an option
    return [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
            "-ss", f"{rng.start:.3f}", "-i", str(Path(source).absolute()), "-t", f"{rng.length:.3f}"]


def copy_argv(ffmpeg: str, source: Path, target: Path, rng: ExcerptRange) -> list[str]:
    """Every track copied as it is (from the keyframe at or before the start)."""
    return [*_head(ffmpeg, rng, source), "-map", "0", "-dn", "-ignore_unknown", "-c", "copy",
            "-map_metadata", "0", str(Path(target).absolute())]


def reencode_argv(ffmpeg: str, source: Path, target: Path, rng: ExcerptRange) -> list[str]:
    """The fallback: first video and all audio, fast H.264/AAC in Matroska, exact start."""
    return [*_head(ffmpeg, rng, source), "-map", "0:v:0?", "-map", "0:a?", "-c:v", "libx264", "-preset",
            "ultrafast", "-crf", "16", "-c:a", "aac", "-b:a", "192k", "-map_metadata", "0",
            str(Path(target).absolute())]
