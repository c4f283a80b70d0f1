"""One still frame as PNG bytes: a real frame of an input, or FFmpeg's test card.

The inspector's watermark preview draws on it (ui/inspector/watermark_preview.py). FFmpeg decodes
with its usual autorotation, so a phone's portrait video gives a portrait frame, the size the
builders' output sizes are computed from. Blocking (a subprocess): call it off the GUI thread.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

TEST_CARD_SIZE = (1280, 720)
TIMEOUT = 30.0


class FrameGrabError(RuntimeError):
    pass


def _run(argv: list[str], what: str) -> bytes:
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FrameGrabError(f"could not take a frame of {what}: {exc}") from exc
    if proc.returncode != 0 or not proc.stdout:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise FrameGrabError(f"could not take a frame of {what}: {' '.join(tail) or 'no frame decoded'}")
    return proc.stdout


def frame_argv(ffmpeg: str, source: Path, at: float) -> list[str]:
    return [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", f"{at:.3f}",
            "-i", str(Path(source).absolute()), "-map", "0:v:0", "-frames:v", "1",
            "-f", "image2pipe", "-c:v", "png", "-pix_fmt", "rgb24", "-"]


def grab_frame(ffmpeg: str, source: Path, at: float = 1.0) -> bytes:
    """A PNG of the frame at `at` seconds (the first frame when the input is shorter)."""
    try:
        return _run(frame_argv(ffmpeg, source, at), f"'{Path(source).name}'")
    except FrameGrabError:
        if at <= 0:
            raise
    return _run(frame_argv(ffmpeg, source, 0.0), f"'{Path(source).name}'")


def neutral_frame(ffmpeg: str, size: tuple[int, int] = TEST_CARD_SIZE) -> bytes:
    """FFmpeg's testsrc2 pattern as one PNG: a neutral picture before any file was dropped."""
    w, h = size
    return _run([ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi",
                 "-i", f"testsrc2=size={w}x{h}:rate=1", "-frames:v", "1",
                 "-f", "image2pipe", "-c:v", "png", "-"], "the test card")
