"""Read real properties of produced files with PyAV (no numpy: pixels as bytes).

Besides sizes, frames and pixels, it reads what issue 9 (HDR, interlaced and camera files) is
about: colour tags and field order under FFmpeg's names (video_props), HDR static metadata
(hdr_metadata), the mp4 sample entry's own boxes (mp4_sample_entry, mp4_colr), what FFmpeg's idet
filter measures (idet, mostly_progressive, frame_field_order), how flat a picture is (luma_stats),
and which audio tracks a file has and which tone one carries (audio_tracks, dominant_frequency).
These tables and readers are the tests' own, on purpose independent of mediaflow_gui.media.
"""

from __future__ import annotations

import sys
import re
import struct
import subprocess
from array import array
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

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


def video_frame_at(path: Path, t: float = 0.0) -> av.VideoFrame:
    """The decoded first frame at or after `t` seconds (the last frame if t is past the end)."""
    last = None
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            last = frame
            if frame.time is None or frame.time >= t - 1e-6:
                break
    assert last is not None, f"no video frame in {path}"
    return last


def frame_at(path: Path, t: float = 0.0, size: tuple[int, int] | None = None) -> RGB:
    """The first frame at or after `t` seconds (the last frame if t is past the end), as RGB."""
    return _to_rgb(video_frame_at(path, t), size)


def last_frame(path: Path) -> RGB:
    return frame_at(path, 1e9)


# --- Colour, field order and the like under FFmpeg's names ----------------------------------------
# PyAV gives libavutil's enum values as ints; these are FFmpeg's names for them (what ffprobe prints
# and `-color_trc`, `setparams`, `zscale` accept). Unspecified values read "unknown", as in ffprobe.
COLOR_PRIMARIES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film",
                   9: "bt2020", 10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213"}
COLOR_TRC = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "linear", 9: "log100",
             10: "log316", 11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1", 14: "bt2020-10",
             15: "bt2020-12", 16: "smpte2084", 17: "smpte428", 18: "arib-std-b67"}
COLORSPACE = {0: "gbr", 1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "ycgco",
              9: "bt2020nc", 10: "bt2020c", 11: "smpte2085", 12: "chroma-derived-nc", 13: "chroma-derived-c",
              14: "ictcp"}
COLOR_RANGE = {1: "tv", 2: "pc"}
FIELD_ORDER = {1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}
# demuxers of single pictures: their "frame rate" is a default, not a property of the file
_IMAGE_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe")


def _name(table: dict[int, str], value: object) -> str:
    try:
        return table.get(int(value), "unknown")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "unknown"


@dataclass
class VideoProps:
    """The first video stream as FFmpeg's demuxer/decoder report it (ffprobe's stream view).

    Colour and field order come from the stream's codec parameters (the container's tags where it
    has them, else the bitstream's); `frame_interlaced` and `rotation` from the first decoded frame.
    For still images `fps` is None and `field_order` "unknown".
    """

    codec: str
    pix_fmt: str
    bit_depth: int
    width: int  # coded size
    height: int
    sar: Fraction  # sample (pixel) aspect ratio; 1 when the file does not say
    dar: Fraction  # display aspect ratio = width × sar / height
    color_primaries: str  # bt709, bt2020, … / unknown
    color_trc: str  # bt709, smpte2084, arib-std-b67, … / unknown
    colorspace: str  # the matrix: bt709, bt2020nc, bt470bg, … / unknown
    color_range: str  # tv | pc | unknown
    field_order: str  # progressive | tt | bb | tb | bt | unknown
    fps: Fraction | None
    profile: str
    codec_tag: str
    frame_interlaced: bool
    rotation: int  # display matrix, degrees 0..359 (FFmpeg's sign, as PyAV's VideoFrame.rotation)
    container: str

    @property
    def display_width(self) -> int:
        """The width a player shows (coded width × SAR), before any rotation."""
        return int(round(self.width * self.sar))


def video_props(path: Path) -> VideoProps:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        cc = s.codec_context
        fmt = cc.format
        sar = s.sample_aspect_ratio or cc.sample_aspect_ratio
        sar = Fraction(sar) if sar and sar > 0 else Fraction(1)
        # raw DV reports an average rate of 60000: take the first plausible of FFmpeg's three rates
        rates = (s.average_rate, s.guessed_rate, s.base_rate)
        rate = None if c.format.name in _IMAGE_FORMATS else next((r for r in rates if r and 0 < r < 1000), None)
        props_ = VideoProps(
            codec=cc.codec.canonical_name, pix_fmt=fmt.name if fmt else "",
            bit_depth=int(fmt.components[0].bits) if fmt else 0, width=cc.width, height=cc.height,
            sar=sar, dar=Fraction(cc.width * sar, cc.height) if cc.height else Fraction(0),
            color_primaries=_name(COLOR_PRIMARIES, cc.color_primaries), color_trc=_name(COLOR_TRC, cc.color_trc),
            colorspace=_name(COLORSPACE, cc.colorspace), color_range=_name(COLOR_RANGE, cc.color_range),
            field_order=_name(FIELD_ORDER, cc.field_order), fps=Fraction(rate) if rate else None,
            profile=str(cc.profile or ""), codec_tag=str(cc.codec_tag or ""),
            frame_interlaced=False, rotation=0, container=c.format.name)
        try:
            frame = next(c.decode(s), None)
        except av.error.FFmpegError:  # e.g. animated WebP, which FFmpeg's webp decoder cannot read
            frame = None
        if frame is not None:
            props_.frame_interlaced = bool(frame.interlaced_frame)
            props_.rotation = int(round(frame.rotation or 0)) % 360
    return props_


@dataclass
class HdrSideData:
    """HDR10 static metadata on the first decoded frame (from the bitstream's SEI)."""

    primaries: tuple[tuple[float, float], ...] | None = None  # mastering display R, G, B (x, y)
    white_point: tuple[float, float] | None = None
    min_luminance: float | None = None  # nits
    max_luminance: float | None = None
    max_cll: int | None = None
    max_fall: int | None = None


def hdr_metadata(path: Path) -> HdrSideData:
    """Mastering display and content light level of the first frame (None fields where absent).

    PyAV gives the side data as bytes: AVMasteringDisplayMetadata is 10 AVRationals (R, G, B and
    white x/y, min and max luminance) + has_primaries + has_luminance; AVContentLightMetadata is
    two unsigned ints (MaxCLL, MaxFALL).
    """
    out = HdrSideData()
    frame = video_frame_at(path, 0.0)
    for sd in frame.side_data:
        kind = str(sd.type).rsplit(".", 1)[-1]
        raw = bytes(sd)
        if kind == "MASTERING_DISPLAY_METADATA" and len(raw) >= 88:
            v = struct.unpack("<20i2i", raw[:88])
            q = [v[i] / v[i + 1] if v[i + 1] else 0.0 for i in range(0, 20, 2)]
            if v[20]:
                out.primaries = ((q[0], q[1]), (q[2], q[3]), (q[4], q[5]))
                out.white_point = (q[6], q[7])
            if v[21]:
                out.min_luminance, out.max_luminance = q[8], q[9]
        elif kind == "CONTENT_LIGHT_LEVEL" and len(raw) >= 8:
            out.max_cll, out.max_fall = struct.unpack("<2I", raw[:8])
    return out


def _mp4_boxes(data: bytes, start: int, end: int) -> list[tuple[str, int, int]]:
    """(type, payload start, end) of the boxes in data[start:end] (32-bit and 64-bit sizes)."""
    out, pos = [], start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            break
        out.append((kind.decode("latin-1"), pos + header, min(pos + size, end)))
        pos += size
    return out


def mp4_sample_entry(path: Path) -> tuple[str, dict[str, bytes]]:
    """The first video track's sample entry in an mp4/mov: its type ("hvc1", "avc1", "apch" …) and
    its child boxes by type (colr, mdcv, clli, pasp, fiel, hvcC …), payloads as bytes.
    """
    data = Path(path).read_bytes()
    boxes = {k: (s, e) for k, s, e in _mp4_boxes(data, 0, len(data))}
    assert "moov" in boxes, f"{path} has no moov box"

    def child(span: tuple[int, int], kind: str) -> tuple[int, int] | None:
        return next(((s, e) for k, s, e in _mp4_boxes(data, *span) if k == kind), None)

    for kind, s, e in _mp4_boxes(data, *boxes["moov"]):
        if kind != "trak":
            continue
        mdia = child((s, e), "mdia")
        hdlr = child(mdia, "hdlr") if mdia else None
        if not hdlr or data[hdlr[0] + 8:hdlr[0] + 12] != b"vide":
            continue
        stbl = child(child(mdia, "minf") or (0, 0), "stbl")
        stsd = child(stbl, "stsd") if stbl else None
        assert stsd, f"{path}: video track without stsd"
        entry_kind, entry_start, entry_end = _mp4_boxes(data, stsd[0] + 8, stsd[1])[0]
        children = _mp4_boxes(data, entry_start + 78, entry_end)  # after the VisualSampleEntry fields
        found: dict[str, bytes] = {}
        for k, cs, ce in children:
            found.setdefault(k, data[cs:ce])
        return entry_kind, found
    raise AssertionError(f"{path} has no video track")


def mp4_colr(path: Path) -> tuple[str, str, str, str] | None:
    """(primaries, transfer, matrix, range) of the mp4/mov `colr` box (nclx or nclc); None without one."""
    colr = mp4_sample_entry(path)[1].get("colr")
    if colr is None or colr[:4] not in (b"nclx", b"nclc"):
        return None
    p, t, m = struct.unpack(">3H", colr[4:10])
    full = colr[:4] == b"nclx" and bool(colr[10] & 0x80)
    return _name(COLOR_PRIMARIES, p), _name(COLOR_TRC, t), _name(COLORSPACE, m), "pc" if full else "tv"


# --- What FFmpeg measures: idet and the frames' own flags -----------------------------------------
def _ffmpeg(ffmpeg: str | None) -> str:
    if ffmpeg:
        return ffmpeg
    from tests.media_factory import ffmpeg_exe

    return ffmpeg_exe()


@dataclass
class IdetCounts:
    """Frames FFmpeg's idet filter classed (its multi-frame detector, the steadier of its two)."""

    tff: int
    bff: int
    progressive: int
    undetermined: int

    @property
    def decided(self) -> int:
        return self.tff + self.bff + self.progressive

    @property
    def verdict(self) -> str:
        """"tff", "bff" or "progressive", whichever idet counted most; "undetermined" if none."""
        if self.decided == 0:
            return "undetermined"
        return max((self.tff, "tff"), (self.bff, "bff"), (self.progressive, "progressive"))[1]


_IDET = re.compile(r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)\s*"
                   r"Undetermined:\s*(\d+)")


def idet(path: Path, ffmpeg: str | None = None, frames: int | None = None) -> IdetCounts:
    """Run `-vf idet` over the first video stream (all of it, or its first `frames`) and count."""
    args = [_ffmpeg(ffmpeg), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-i", str(path),
            "-map", "0:v:0", "-an", "-sn", "-dn"]
    args += ["-frames:v", str(frames)] if frames else []
    proc = subprocess.run([*args, "-vf", "idet", "-f", "null", "-"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"idet on {path} failed: {proc.stderr[-2000:]}"
    found = _IDET.findall(proc.stderr)
    assert found, f"idet printed no summary for {path}: {proc.stderr[-2000:]}"
    # FFmpeg may configure the graph twice; the last summary is the one that saw the frames
    return IdetCounts(*(int(x) for x in found[-1]))


def mostly_progressive(path: Path, ffmpeg: str | None = None, share: float = 0.8) -> bool:
    """idet calls at least `share` of the frames it could decide progressive (and decided some).

    idet sees combs only at the size they were woven at: fields left mixed and then scaled (no
    deinterlacer) read progressive too. For make_interlaced/make_dv content, marker_track tells.
    """
    counts = idet(path, ffmpeg)
    return counts.decided > 0 and counts.progressive >= share * counts.decided


def frame_field_order(path: Path, ffmpeg: str | None = None) -> str:
    """What the first decoded frame says (FFmpeg's showinfo `i:`): progressive | tt | bb | unknown.

    PyAV has no top-field-first getter; this is how to read it for streams whose own field order is
    "unknown" (DV) and for outputs (a deinterlaced frame says progressive).
    """
    proc = subprocess.run([_ffmpeg(ffmpeg), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
                           "-i", str(path), "-map", "0:v:0", "-frames:v", "1", "-vf", "showinfo", "-f", "null", "-"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"showinfo on {path} failed: {proc.stderr[-2000:]}"
    found = re.findall(r"\bi:([PTB?])\s", proc.stderr)
    assert found, f"showinfo printed no frame for {path}"
    return {"P": "progressive", "T": "tt", "B": "bb"}.get(found[-1], "unknown")


# --- How the picture looks: luma statistics -------------------------------------------------------
class LumaStats(NamedTuple):
    """Y (luma) of one frame on the 8-bit scale (a 10-bit code value / 4): limited range puts black
    at 16 and white at 235, full range at 0 and 255. A flat grey picture has a small stddev."""

    mean: float
    stddev: float
    min: float
    max: float


def _luma_plane(frame: av.VideoFrame) -> tuple[bytes | array, int, bool]:
    """The Y plane's code values, row after row without padding, their bit depth, and whether they
    are full range (yuvj*/pc; else limited).

    Planar YUV/gray frames are read as coded (8-bit as bytes, 9–16-bit little-endian as an
    array of unsigned shorts); anything else (RGB, packed, big-endian) goes through yuv444p first.
    """
    fmt = frame.format
    planar_yuv = fmt.name.startswith(("yuv", "gray", "nv12", "nv21")) and not fmt.name.startswith("yuva")
    bits = fmt.components[0].bits
    full = fmt.name.startswith("yuvj") or int(frame.color_range or 0) == 2
    if not planar_yuv or fmt.name.endswith("be") or bits > 16:
        frame, bits, full = frame.reformat(format="yuv444p"), 8, False  # swscale's default: limited range
    plane = frame.planes[0]
    raw = bytes(plane)
    width_bytes = frame.width * (1 if bits <= 8 else 2)
    rows = b"".join(raw[y * plane.line_size:y * plane.line_size + width_bytes] for y in range(frame.height))
    if bits <= 8:
        return rows, 8, full
    values = array("H")
    values.frombytes(rows)
    if sys.byteorder != "little":
        values.byteswap()
    return values, bits, full


def luma_stats(path: Path, t: float = 0.0) -> LumaStats:
    """(mean, stddev, min, max) of the luma of the frame at `t` seconds (see LumaStats for the scale).

    Y is read as coded, with no colour conversion: an HDR frame shows its PQ/HLG code values, which
    is what a player that ignores the transfer would put on an SDR screen.
    """
    values, bits, _full = _luma_plane(video_frame_at(path, t))
    hist = Counter(values)
    scale = float(1 << (bits - 8))
    n = len(values)
    mean = sum(v * c for v, c in hist.items()) / n
    var = sum(c * (v - mean) ** 2 for v, c in hist.items()) / n
    return LumaStats(mean / scale, var ** 0.5 / scale, min(hist) / scale, max(hist) / scale)


# --- The interlace marker (media_factory.MARKER_*): which fields an output frame shows -------------
@dataclass
class MarkerFrame:
    """The marker band of one frame: the solid bar's centre (fraction of the width) or None when no
    column is solid white, and how many columns are solid (> 80 % white) or half-grey (25–75 %)."""

    center: float | None
    solid: int
    blended: int


def marker_frames(path: Path, frames: int | None = 12) -> list[MarkerFrame]:
    """Read the marker of the first `frames` frames (all with None) of a file made from
    make_interlaced/make_dv content; the frame must show the whole source picture (any size).

    Rows 2–14 % of the height (inside the band) are averaged per column; black and white are the
    stream's range (16/235, or 0/255 for full range; 10-bit values scaled). A woven or merely scaled
    frame has the bar twice at half strength (blended > 0, solid 0); a deinterlaced one has it once.
    """
    out: list[MarkerFrame] = []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            if frames is not None and len(out) >= frames:
                break
            values, bits, full = _luma_plane(frame)
            scale = 1 << (bits - 8)
            black, white = (0, 255) if full else (16, 235)
            w, h = frame.width, frame.height
            y0, y1 = int(h * 0.02), max(int(h * 0.02) + 1, int(h * 0.14))
            rows = y1 - y0
            level = [(sum(values[y0 * w + x:y1 * w:w]) / rows / scale - black) / (white - black) for x in range(w)]
            solid = [x for x, v in enumerate(level) if v > 0.8]
            blended = sum(1 for v in level if 0.25 < v < 0.75)
            center = (sum(solid) / len(solid) + 0.5) / w if solid else None
            out.append(MarkerFrame(center, len(solid), blended))
    assert out, f"no video frame in {path}"
    return out


def marker_track(path: Path, frames: int | None = 12) -> list[float | None]:
    """The bar's centre per frame (fraction of the width), None where the frame mixes two fields."""
    return [m.center for m in marker_frames(path, frames)]


def marker_steps(track: list[float | None]) -> list[float]:
    """How many fields the bar moved from each frame to the next, rounded to 0.1 (1.0 for a
    field-rate deinterlace, 2.0 for a frame-rate one; alternating −1.0/3.0 is the wrong field
    order). Every frame must show a solid bar."""
    from tests.media_factory import MARKER_BAR, MARKER_STEP

    assert all(x is not None for x in track), f"frames without a solid marker: {track}"
    travel = (1 - MARKER_BAR) / MARKER_STEP  # positions wrap after this many fields
    steps = []
    for a, b in zip(track, track[1:]):
        fields = ((b - a) / MARKER_STEP) % travel  # type: ignore[operator]
        steps.append(round(fields - travel if fields > travel / 2 else fields, 1))  # backwards: negative
    return steps


# --- Tracks ---------------------------------------------------------------------------------------
@dataclass
class AudioTrack:
    index: int  # the stream's index in the file
    codec: str
    channels: int
    sample_rate: int
    language: str  # as tagged ("eng"), "" when untagged
    default: bool  # disposition default


def audio_tracks(path: Path) -> list[AudioTrack]:
    with av.open(str(path)) as c:
        return [AudioTrack(s.index, s.codec_context.codec.canonical_name, s.codec_context.channels,
                           s.codec_context.sample_rate, s.language or s.metadata.get("language", "") or "",
                           bool(int(s.disposition) & 1))
                for s in c.streams.audio]


def dominant_frequency(path: Path, track: int = 0, start: float = 0.2, seconds: float = 1.0) -> float:
    """The frequency (Hz) of a pure tone in audio track `track` (0 = the first audio stream),
    from the zero crossings of its mono mix between `start` and `start + seconds`.

    Good for telling sines apart (440 vs 1000 Hz: within a few Hz), not for music. `start` skips
    the codec's priming/fade-in.
    """
    samples = array("h")
    rate = 0
    with av.open(str(path)) as c:
        stream = c.streams.audio[track]
        resampler = av.AudioResampler(format="s16", layout="mono")
        for frame in c.decode(stream):
            for out in resampler.resample(frame):
                rate = out.sample_rate
                chunk = array("h")
                chunk.frombytes(bytes(out.planes[0])[:out.samples * 2])
                samples.extend(chunk)
            if rate and len(samples) >= (start + seconds) * rate:
                break
    assert rate, f"no audio decoded from track {track} of {path}"
    window = samples[int(start * rate):int((start + seconds) * rate)]
    assert len(window) > rate // 10, f"track {track} of {path} is shorter than {start + 0.1:.1f} s"
    crossings, sign = 0, 0
    for v in window:
        s = 1 if v > 64 else -1 if v < -64 else 0  # a dead band keeps codec noise near 0 from counting
        if s and s != sign:
            crossings += sign != 0
            sign = s
    return crossings / 2 / (len(window) / rate)


def subtitle_count(path: Path) -> int:
    with av.open(str(path)) as c:
        return len(c.streams.subtitles)
