"""Read real properties of produced files with PyAV (no numpy: pixels as bytes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av


@dataclass
class StreamProps:
    codec: str
    width: int = 0
    height: int = 0
    frames: int = 0  # counted by decoding
    sample_rate: int = 0
    channels: int = 0


@dataclass
class FileProps:
    format: str
    duration: float
    video: list[StreamProps] = field(default_factory=list)
    audio: list[StreamProps] = field(default_factory=list)


def props(path: Path, count_frames: bool = True) -> FileProps:
    with av.open(str(path)) as c:
        out = FileProps(c.format.name, (c.duration or 0) / av.time_base)
        for s in c.streams.video:
            out.video.append(StreamProps(s.codec_context.codec.canonical_name, s.codec_context.width, s.codec_context.height))
        for s in c.streams.audio:
            out.audio.append(StreamProps(s.codec_context.codec.canonical_name, sample_rate=s.codec_context.sample_rate,
                                         channels=s.codec_context.channels))
    if count_frames and out.video:
        with av.open(str(path)) as c:
            out.video[0].frames = sum(1 for _ in c.decode(video=0))
    return out


@dataclass
class RGB:
    width: int
    height: int
    data: bytes  # rows of width*3 bytes, no padding

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.data[i], self.data[i + 1], self.data[i + 2]

    def mean(self, x0: int, y0: int, x1: int, y1: int) -> tuple[float, float, float]:
        """Mean R, G, B over the rectangle [x0, x1) × [y0, y1)."""
        sums, n = [0, 0, 0], 0
        for y in range(y0, y1):
            row = self.data[(y * self.width + x0) * 3:(y * self.width + x1) * 3]
            for c in range(3):
                sums[c] += sum(row[c::3])
            n += x1 - x0
        return (sums[0] / n, sums[1] / n, sums[2] / n)

    def crop(self, x: int, y: int, w: int, h: int) -> "RGB":
        rows = [self.data[((y + r) * self.width + x) * 3:((y + r) * self.width + x + w) * 3] for r in range(h)]
        return RGB(w, h, b"".join(rows))

    def mean_abs_diff(self, other: "RGB") -> float:
        assert (self.width, self.height) == (other.width, other.height)
        return sum(abs(a - b) for a, b in zip(self.data, other.data)) / len(self.data)


def _to_rgb(frame: av.VideoFrame, size: tuple[int, int] | None = None) -> RGB:
    rgb = frame.reformat(format="rgb24", width=size[0], height=size[1]) if size else frame.reformat(format="rgb24")
    plane = rgb.planes[0]
    raw = bytes(plane)
    row = rgb.width * 3
    data = b"".join(raw[y * plane.line_size: y * plane.line_size + row] for y in range(rgb.height))
    return RGB(rgb.width, rgb.height, data)


def frame_at(path: Path, t: float = 0.0, size: tuple[int, int] | None = None) -> RGB:
    """The first frame at or after `t` seconds (the last frame if t is past the end)."""
    last = None
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            last = frame
            if frame.time is None or frame.time >= t - 1e-6:
                break
    assert last is not None, f"no video frame in {path}"
    return _to_rgb(last, size)


def last_frame(path: Path) -> RGB:
    return frame_at(path, 1e9)
