"""Find the ffmpeg binary: a setting (or MEDIAFLOW_FFMPEG) first, then `ffmpeg` on PATH, then imageio-ffmpeg's bundled one.

`find_ffmpeg` is the plain lookup (no judgement of what the binary can do); which FFmpeg MediaFlow
actually runs — PATH's only when it can do the job — is decided by media/ffmpeg_choice.py, which
asks media/ffmpeg_caps.py what each candidate can do. The version comes from that probe, which is
cached per binary (path, mtime, size), because the GUI shows it and every run asks for the binary.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

# the probe owns the error and the banner parsing; they are named here too for the callers that find ffmpeg
from .ffmpeg_caps import FFmpegNotFoundError, capabilities, parse_version  # noqa: F401


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

def _binary(path: str | Path, source: str) -> FFmpegBinary:
    caps = capabilities(path)
    return FFmpegBinary(caps.path, caps.version_text, source)


def resolve_explicit(override: str | os.PathLike[str], source: str = "setting") -> Path:
    """The executable an explicit choice (a file, a folder holding ffmpeg, or a command name) names.

    Raises FFmpegNotFoundError naming where the choice came from when it is not an executable.
    """
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
    return candidate


def explicit_choice(override: str | os.PathLike[str] | None = None) -> tuple[str | os.PathLike[str], str] | None:
    """(what was chosen, "setting" | "environment") when a setting or MEDIAFLOW_FFMPEG names an FFmpeg."""
    if override:
        return override, "setting"
    if os.environ.get(FFMPEG_ENV):
        return os.environ[FFMPEG_ENV], "environment"
    return None


def bundled_ffmpeg() -> Path:
    """imageio-ffmpeg's binary; FFmpegNotFoundError when that package (or its binary) is missing."""
    try:
        import imageio_ffmpeg
        return Path(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise FFmpegNotFoundError(f"the bundled FFmpeg (imageio-ffmpeg) is missing ({exc})") from exc


def find_ffmpeg(override: str | os.PathLike[str] | None = None) -> FFmpegBinary:
    """The ffmpeg to use. `override` (the app setting) wins and must work when given; then MEDIAFLOW_FFMPEG.

    This is the plain order (explicit, PATH, bundled); choose_ffmpeg (media/ffmpeg_choice.py) is the
    policy the engine follows: it passes over PATH's ffmpeg when that one cannot do the job.
    """
    explicit = explicit_choice(override)
    if explicit is not None:
        return _binary(resolve_explicit(*explicit), explicit[1])
    on_path = shutil.which("ffmpeg")
    if on_path:
        return _binary(on_path, "PATH")
    try:
        bundled = bundled_ffmpeg()
    except FFmpegNotFoundError as exc:
        raise FFmpegNotFoundError(f"FFmpeg was not found: it is not on PATH and {exc}; "
                                  "install FFmpeg or set its path in Settings") from exc
    return _binary(bundled, "imageio-ffmpeg")


def ffmpeg_version(path: str | os.PathLike[str]) -> tuple[int, ...]:
    """The numeric version of the ffmpeg at `path` (cached), e.g. (9, 0, 2); () when it has none."""
    return capabilities(path).version
