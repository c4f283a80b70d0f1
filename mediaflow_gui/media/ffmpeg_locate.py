"""Find the ffmpeg binary: a setting (or MEDIAFLOW_FFMPEG) first, then `ffmpeg` on PATH, then imageio-ffmpeg's bundled one.

The version line (`ffmpeg -version`) is read once per binary and cached, because the GUI
shows it and every run asks for the binary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


class FFmpegNotFoundError(RuntimeError):
    """No usable ffmpeg: the message says where we looked and how to fix it."""


@dataclass(frozen=True)
class FFmpegBinary:
    path: Path
    version: str  # e.g. "9.0.2" or the raw version token for git builds
    source: str  # "setting" | "environment" | "PATH" | "imageio-ffmpeg"

    def __str__(self) -> str:
        return str(self.path)


# an explicit choice that outranks PATH and the bundled binary when no setting is given (tests pin the
# bundled FFmpeg with it, so a distribution's ffmpeg on PATH cannot change what the suite runs)
FFMPEG_ENV = "MEDIAFLOW_FFMPEG"

_VERSION = re.compile(r"ffmpeg version (\S+)")


@lru_cache(maxsize=8)
def _read_version(path: str, mtime: float) -> str:
    """`ffmpeg -version`'s version token; mtime is part of the cache key so an upgrade is noticed."""
    try:
        proc = subprocess.run([path, "-hide_banner", "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        raise FFmpegNotFoundError(f"{path} could not be started: {exc}") from exc
    m = _VERSION.search(proc.stdout)
    if proc.returncode != 0 or not m:
        raise FFmpegNotFoundError(f"{path} does not answer like ffmpeg (-version exited {proc.returncode})")
    token = m.group(1)
    # release builds say "7.1", git builds "n9.0.2-17-g2a571b6068-20260930": keep the useful part
    nm = re.match(r"n?(\d+(?:\.\d+)*)", token)
    return nm.group(1) if nm else token


def _binary(path: str | Path, source: str) -> FFmpegBinary:
    p = Path(path).resolve()
    return FFmpegBinary(p, _read_version(str(p), p.stat().st_mtime), source)


def find_ffmpeg(override: str | os.PathLike[str] | None = None) -> FFmpegBinary:
    """The ffmpeg to use. `override` (the app setting) wins and must work when given; then MEDIAFLOW_FFMPEG."""
    source = "setting"
    if not override and os.environ.get(FFMPEG_ENV):
        override, source = os.environ[FFMPEG_ENV], "environment"
    if override:
        candidate = Path(override).expanduser()
        if candidate.is_dir():  # a folder that holds ffmpeg is a common thing to pick
            found = shutil.which("ffmpeg", path=str(candidate))
            candidate = Path(found) if found else candidate / "ffmpeg"
        if not candidate.is_file() or not os.access(candidate, os.X_OK):
            found = shutil.which(str(override))
            if not found:
                where = f"{FFMPEG_ENV}" if source == "environment" else "the FFmpeg setting"
                raise FFmpegNotFoundError(
                    f"{where} points to {str(override)!r}, which is not an executable file; "
                    "fix the path in Settings or clear it to use the bundled FFmpeg")
            candidate = Path(found)
        return _binary(candidate, source)
    on_path = shutil.which("ffmpeg")
    if on_path:
        return _binary(on_path, "PATH")
    try:
        import imageio_ffmpeg
        bundled = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise FFmpegNotFoundError(
            "FFmpeg was not found: it is not on PATH and the bundled copy (imageio-ffmpeg) is missing "
            f"({exc}); install FFmpeg or set its path in Settings") from exc
    return _binary(bundled, "imageio-ffmpeg")


def ffmpeg_version(path: str | os.PathLike[str]) -> tuple[int, ...]:
    """The numeric version of the ffmpeg at `path` (cached), e.g. (9, 0, 2); () when it has none."""
    p = Path(path).resolve()
    token = _read_version(str(p), p.stat().st_mtime)
    m = re.match(r"(\d+(?:\.\d+)*)", token)
    return tuple(int(x) for x in m.group(1).split(".")) if m else ()
