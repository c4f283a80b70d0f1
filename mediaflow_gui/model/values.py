"""Small value syntaxes shared by task parameters: time offsets and lengths; and how a file size and
a point in time read to a person (`mediaflow status` and the GUI's run details write them alike).

Time offsets are written as the cloud service writes them: `3.5s`, `10%`, or a bare
number of seconds; negative values count back from the end where a parameter allows it.
Lengths are `Npx` or `N%` (a bare number means pixels).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

_OFFSET = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(s|%)?\s*$", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(px|%)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class TimeOffset:
    value: float
    percent: bool

    def seconds(self, duration: float | None) -> float:
        """Absolute seconds from the start; percent and negative values need the duration."""
        if self.percent:
            if duration is None:
                raise ValueError("a percentage offset needs the media duration")
            secs = duration * self.value / 100.0
        else:
            secs = self.value
        if secs < 0:
            if duration is None:
                raise ValueError("a negative offset needs the media duration")
            secs = duration + secs
        return secs

    def __str__(self) -> str:
        num = f"{self.value:g}"
        return f"{num}%" if self.percent else f"{num}s"


def parse_offset(text: str | float | int) -> TimeOffset:
    """Parse `3.5s`, `10%` or `12`; raise ValueError with the offending text otherwise."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a time such as 3.5s or 10%")
    if isinstance(text, (int, float)):
        return TimeOffset(float(text), False)
    m = _OFFSET.match(str(text))
    if not m:
        raise ValueError(f"{str(text)!r} is not a time such as 3.5s or 10%")
    return TimeOffset(float(m.group(1)), (m.group(2) or "").strip() == "%")


@dataclass(frozen=True)
class Length:
    value: float
    percent: bool

    def pixels(self, reference: int) -> float:
        return reference * self.value / 100.0 if self.percent else self.value

    def __str__(self) -> str:
        num = f"{self.value:g}"
        return f"{num}%" if self.percent else f"{num}px"


def parse_length(text: str | float | int) -> Length:
    """Parse `10px`, `5%` or `12`; raise ValueError with the offending text otherwise."""
    if isinstance(text, bool):
        raise ValueError(f"not a length: {text!r}")
    if isinstance(text, (int, float)):
        return Length(float(text), False)
    m = _LENGTH.match(str(text))
    if not m:
        raise ValueError(f"not a length: {text!r} (write e.g. 10px or 5%)")
    return Length(float(m.group(1)), (m.group(2) or "").lower() == "%")


def format_size(size: int | float | None) -> str:
    """`512 B`, `12.3 KB`, `4.0 MB`, `1.2 GB` (1024 steps; GB is the largest unit)."""
    size = float(size or 0)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def format_time(t: float | None, none: str = "–") -> str:
    """A POSIX time in local time, to the second (`2024-05-01 14:03:07`); `none` when there is none."""
    if t is None:
        return none
    return _dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")
