"""Interlacing that the stream does not declare: FFmpeg's `idet` filter on the first frames.

Most streams say their field order (H.264/HEVC/MPEG-2 code it per picture, and the probe reads
it). Some do not, or say "progressive" for woven fields: broadcast captures in MPEG-TS, DV
tapes, MXF from cameras. For those containers only, and only when the stream's flag is missing,
MediaFlow decodes a short stretch through `idet` and trusts its multi-frame verdict. Anywhere
else the flag is trusted: an idet pass costs a partial decode, and a wrong "interlaced" verdict
would soften a progressive picture for nothing.
"""

from __future__ import annotations

import re
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

from .base import MediaInfo

# demuxers whose streams often carry no (or a wrong) field-order flag
UNRELIABLE_CONTAINERS = ("mpegts", "dv", "mxf", "mpeg", "mpegvideo", "avi", "gxf", "lxf")
# codecs that broadcast and camcorders record interlaced. Not MJPEG: webcams write it progressive and
# leave the field order unset, and idet calls sharp moving edges "TFF" (measured on a webcam-like
# clip: 14 of 18 frames), which would soften every webcam recording for nothing
INTERLACE_CODECS = ("dvvideo", "mpeg2video", "mpeg1video", "h264", "hevc", "vc1", "mpeg4")
# frames idet looks at; its multi-frame detector needs a few dozen to settle
IDET_FRAMES = 150
# share of frames that must agree before a verdict of "interlaced" is given
MAJORITY = 0.6

_MULTI = re.compile(r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)\s*"
                    r"Undetermined:\s*(\d+)")
_lock = threading.Lock()


def needs_idet(info: MediaInfo) -> bool:
    """Whether the stream's own field-order flag is missing and its container is one that often lies."""
    video = info.video
    if video is None or video.field_order not in ("", "unknown") or video.codec not in INTERLACE_CODECS:
        return False
    return any(name in UNRELIABLE_CONTAINERS for name in info.container.split(","))


def parse_idet(stderr: str) -> str:
    """"tff", "bff" or "progressive" from idet's last multi-frame summary ("" when it has none)."""
    matches = _MULTI.findall(stderr)
    if not matches:
        return ""
    tff, bff, progressive, undetermined = (int(x) for x in matches[-1])
    decided = tff + bff + progressive
    if decided == 0:
        return ""
    if tff >= MAJORITY * decided:
        return "tff"
    if bff >= MAJORITY * decided:
        return "bff"
    return "progressive"


@lru_cache(maxsize=64)
def _detect_cached(ffmpeg: str, path: str, mtime: float, size: int, frames: int) -> str:
    proc = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-i", path, "-map", "0:v:0", "-an", "-sn", "-dn",
         "-frames:v", str(frames), "-vf", "idet", "-f", "null", "-"],
        capture_output=True, text=True, errors="replace", timeout=120)
    return parse_idet(proc.stderr)


def detect_field_order(ffmpeg: str, path: str | Path, frames: int = IDET_FRAMES) -> str:
    """idet's verdict for the first `frames` frames of `path` ("" when FFmpeg could not tell).

    Cached per file (path, mtime, size): the engine asks once per run, a folder of files once each.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return ""
    with _lock:  # two runs of one file must not decode it twice at the same moment
        try:
            return _detect_cached(str(ffmpeg), str(p), st.st_mtime, st.st_size, frames)
        except (OSError, subprocess.SubprocessError):
            return ""
