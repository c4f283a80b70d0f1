"""Read the size and frames of a WebP file from its RIFF chunks.

FFmpeg (and so PyAV) cannot demux animated WebP, so outputs in that format are measured
here: the VP8X chunk holds the canvas size, every ANMF chunk is one frame with its
duration in milliseconds. Still WebP files (VP8 / VP8L) are read too.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass
class WebPInfo:
    width: int
    height: int
    frames: int  # 1 for a still image
    duration: float | None  # seconds, for animations
    loop: int | None = None  # 0 = forever


class NotWebPError(ValueError):
    pass


def _u24(b: bytes) -> int:
    return b[0] | (b[1] << 8) | (b[2] << 16)


def webp_info(path: str | Path) -> WebPInfo:
    data = Path(path).read_bytes()
    if len(data) < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise NotWebPError(f"'{Path(path).name}' is not a WebP file")
    pos, width, height, frames, total_ms, loop = 12, 0, 0, 0, 0, None
    while pos + 8 <= len(data):
        fourcc, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if fourcc == b"VP8X" and len(body) >= 10:
            width, height = _u24(body[4:7]) + 1, _u24(body[7:10]) + 1
        elif fourcc == b"ANIM" and len(body) >= 6:
            loop = struct.unpack("<H", body[4:6])[0]
        elif fourcc == b"ANMF" and len(body) >= 16:
            frames += 1
            total_ms += _u24(body[12:15])
        elif fourcc == b"VP8 " and len(body) >= 10 and not width:
            width, height = struct.unpack("<HH", body[6:10])
            width, height = width & 0x3FFF, height & 0x3FFF
        elif fourcc == b"VP8L" and len(body) >= 5 and not width:
            bits = struct.unpack("<I", body[1:5])[0]
            width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        pos += 8 + size + (size & 1)  # chunks are padded to even sizes
    if frames == 0:
        return WebPInfo(width, height, 1, None, loop)
    return WebPInfo(width, height, frames, total_ms / 1000.0, loop)
