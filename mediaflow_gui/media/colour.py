"""Colour facts of a video stream: FFmpeg's names for PyAV's numbers, and what they imply.

PyAV hands out the libavutil enums (AVColorPrimaries, AVColorTransferCharacteristic,
AVColorSpace, AVColorRange, AVFieldOrder) as plain integers; the tables here turn them into
the names FFmpeg's own options and filters use (`-color_trc smpte2084`, `zscale=tin=…`), so
that a probe, a filter chain and a test speak one language.

What the rest of MediaFlow asks:
- is the source HDR (PQ `smpte2084` or HLG `arib-std-b67`), i.e. does an SDR output need tone-mapping;
- is it full range (`pc`, or a `yuvj*` pixel format), i.e. must it be squeezed to limited range;
- is it interlaced, and with which field first.
The HDR static metadata (mastering display, light levels) arrives as frame side data; its C
layout is read here with `struct` (PyAV gives the bytes, not the fields).
"""

from __future__ import annotations

import struct

from .base import HdrMetadata, StreamInfo

PRIMARIES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film", 9: "bt2020",
             10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213"}
TRANSFERS = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "linear", 9: "log100",
             10: "log316", 11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1", 14: "bt2020-10",
             15: "bt2020-12", 16: "smpte2084", 17: "smpte428", 18: "arib-std-b67"}
SPACES = {0: "gbr", 1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "ycgco",
          9: "bt2020nc", 10: "bt2020c", 11: "smpte2085", 12: "chroma-derived-nc", 13: "chroma-derived-c",
          14: "ictcp"}
RANGES = {1: "tv", 2: "pc"}
FIELD_ORDERS = {1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}

PQ = "smpte2084"
HLG = "arib-std-b67"
HDR_TRANSFERS = (PQ, HLG)
# field orders that mean "interlaced"; tt/tb code the top field first, bb/bt the bottom one
INTERLACED_ORDERS = {"tt": "tff", "tb": "tff", "bb": "bff", "bt": "bff"}


def name_of(table: dict[int, str], value: object) -> str:
    """FFmpeg's name for an enum value ("" for unspecified/unknown or a value PyAV gave as None)."""
    try:
        return table.get(int(value), "")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""


def bit_depth(pix_fmt: str) -> int:
    """Bits per component of a pixel format ("yuv420p10le" → 10, "yuvj420p" → 8); 0 when unknown."""
    if not pix_fmt:
        return 0
    try:
        import av

        return int(av.VideoFormat(pix_fmt).components[0].bits)
    except (ValueError, IndexError, ImportError):
        return 0


def is_hdr(stream: StreamInfo | None) -> bool:
    """PQ or HLG: pictures an SDR output shows washed out or too bright unless they are tone-mapped."""
    return stream is not None and stream.color_transfer in HDR_TRANSFERS


def is_full_range(stream: StreamInfo | None) -> bool:
    """Full-range YUV (0–255 luma): tagged `pc`, or a JPEG-style `yuvj*` format (webcams, MJPEG)."""
    if stream is None:
        return False
    return stream.color_range == "pc" or stream.pix_fmt.startswith("yuvj")


def interlaced_parity(stream: StreamInfo | None, detected: str = "") -> str:
    """"tff" or "bff" when the stream (or, when its flag is missing, idet) says interlaced; else ""."""
    if stream is not None and stream.field_order in INTERLACED_ORDERS:
        return INTERLACED_ORDERS[stream.field_order]
    if detected in ("tff", "bff"):
        return detected
    return ""


# AVMasteringDisplayMetadata: display_primaries[3][2], white_point[2], min_luminance, max_luminance as
# AVRational (int num, int den), then has_primaries, has_luminance (int)
_MASTERING = struct.Struct("<6i6i4i2i2i2i")
_LIGHT_LEVEL = struct.Struct("<II")  # AVContentLightMetadata: MaxCLL, MaxFALL (unsigned)


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def hdr_metadata(side_data: object) -> HdrMetadata:
    """HdrMetadata from a decoded frame's side data (PyAV SideDataContainer); empty fields when absent."""
    fields: dict[str, object] = {}
    for item in side_data or ():  # type: ignore[attr-defined]
        kind = getattr(getattr(item, "type", None), "name", "")
        raw = bytes(item)  # type: ignore[call-overload]
        if kind == "MASTERING_DISPLAY_METADATA" and len(raw) >= _MASTERING.size:
            v = _MASTERING.unpack_from(raw)
            has_primaries, has_luminance = v[20], v[21]
            if has_primaries:
                xy = [_ratio(v[i], v[i + 1]) for i in range(0, 12, 2)]
                fields["primaries"] = ((xy[0], xy[1]), (xy[2], xy[3]), (xy[4], xy[5]))
                fields["white_point"] = (_ratio(v[12], v[13]), _ratio(v[14], v[15]))
            if has_luminance:
                fields["master_min_luminance"] = _ratio(v[16], v[17])
                fields["master_max_luminance"] = _ratio(v[18], v[19])
        elif kind == "CONTENT_LIGHT_LEVEL" and len(raw) >= _LIGHT_LEVEL.size:
            fields["max_cll"], fields["max_fall"] = _LIGHT_LEVEL.unpack_from(raw)
    return HdrMetadata(**fields)  # type: ignore[arg-type]


def x265_master_display(meta: HdrMetadata) -> str:
    """x265's `master-display` value (G, B, R, white point in 0.00002 units, L in 0.0001 cd/m²), or ""."""
    if len(meta.primaries) != 3 or not meta.master_max_luminance:
        return ""
    (rx, ry), (gx, gy), (bx, by) = meta.primaries
    wx, wy = meta.white_point

    def c(value: float) -> int:
        return int(round(value / 0.00002))

    return (f"G({c(gx)},{c(gy)})B({c(bx)},{c(by)})R({c(rx)},{c(ry)})WP({c(wx)},{c(wy)})"
            f"L({int(round(meta.master_max_luminance * 10000))},{int(round(meta.master_min_luminance * 10000))})")
