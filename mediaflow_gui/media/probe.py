"""Probe an input with PyAV: container, duration, size, bitrate, display size, fps, streams.

Width and height on MediaInfo are the *display* size: a phone video stored as 1920x1080
with a 90° display matrix is reported as 1080x1920, because FFmpeg turns the frames
before our filters see them. StreamInfo keeps the coded size.

Rotation comes from an MP4/MOV track header (media/mp4_rotation.py), else from the first
decoded frame (PyAV attaches the stream's display matrix to it), and for older files from
the stream's `rotate` metadata tag.

Colour (primaries, transfer, matrix, range, bit depth) and the field order come from the
stream's codec parameters, named as FFmpeg names them (media/colour.py); an HDR stream's static
metadata (mastering display, MaxCLL) from its first decoded frame, read only for PQ/HLG sources.
Audio and subtitle streams carry their language, default flag and title, so a transcode can
pick a track the way a person names it.

Every failure is a MediaProbeError whose message names the file, so the engine can show
it to a person as is.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from . import colour
from .base import MediaInfo, StreamInfo
from .mp4_rotation import is_iso_bmff, mp4_rotation


class MediaProbeError(ValueError):
    """The file is not readable media (missing, empty, corrupt, truncated, text …)."""


# demuxers that accept almost any bytes; a file they "open" is not media a person meant
_NON_MEDIA_FORMATS = {"tty", "txt"}
_NON_MEDIA_CODECS = {"ansi", "bintext", "xbin", "idf"}


def _fail(path: Path, reason: str) -> MediaProbeError:
    return MediaProbeError(f"'{path.name}' is not a readable media file: {reason}")


def _fps(stream: Any) -> float:
    for attr in ("average_rate", "guessed_rate", "base_rate"):
        rate = getattr(stream, attr, None)
        if rate:
            value = float(rate)
            if 0 < value < 1000:  # some demuxers report 90000 (a time base), not a rate
                return round(value, 3)
    return 0.0


def _is_cover_art(stream: Any) -> bool:
    try:
        return bool(int(stream.disposition) & 0x400)  # AV_DISPOSITION_ATTACHED_PIC
    except (TypeError, ValueError):
        return False


def _rotation(container: Any, stream: Any, path: Path, video_streams: int) -> int:
    """Display rotation in degrees (0, 90, 180, 270) as the display matrix states it (FFmpeg's sign)."""
    tag = stream.metadata.get("rotate")
    degrees: float | None = None
    if tag:
        try:
            degrees = float(tag)
        except ValueError:
            degrees = None
    if degrees is None and is_iso_bmff(container.format.name):
        # mp4/mov: the track header holds the matrix; decoding a frame for it costs ~20 ms at 1080p
        read = mp4_rotation(path, video_streams)
        degrees = float(read) if read is not None else None
    if degrees is None:  # other containers: FFmpeg puts the matrix on decoded frames
        try:
            frame = next(container.decode(stream), None)
        except (av.error.FFmpegError, StopIteration):
            frame = None  # undecodable first frame: the size check below is still right for unrotated media
        degrees = float(getattr(frame, "rotation", 0) or 0) if frame is not None else 0.0
    return int(round(degrees)) % 360


def _track_tags(stream: Any) -> dict[str, Any]:
    """Language, default flag and title of any stream (what a person picks a track by)."""
    language = (getattr(stream, "language", None) or stream.metadata.get("language") or "").strip()
    try:
        default = bool(int(stream.disposition) & 1)  # AV_DISPOSITION_DEFAULT
    except (TypeError, ValueError):
        default = False
    return {"language": "" if language in ("und", "") else language.lower(), "default": default,
            "title": str(stream.metadata.get("title", "") or "")}


def _video_stream(s: Any, codec: str) -> StreamInfo:
    cc = s.codec_context
    pix_fmt = str(getattr(cc, "pix_fmt", "") or "")
    sar = s.sample_aspect_ratio
    return StreamInfo(
        index=s.index, kind="video", codec=codec, width=cc.width, height=cc.height, fps=_fps(s),
        bitrate=int(cc.bit_rate or 0), frames=int(s.frames or 0), pix_fmt=pix_fmt,
        bit_depth=colour.bit_depth(pix_fmt),
        color_primaries=colour.name_of(colour.PRIMARIES, getattr(cc, "color_primaries", None)),
        color_transfer=colour.name_of(colour.TRANSFERS, getattr(cc, "color_trc", None)),
        color_space=colour.name_of(colour.SPACES, getattr(cc, "colorspace", None)),
        color_range=colour.name_of(colour.RANGES, getattr(cc, "color_range", None)),
        field_order=colour.name_of(colour.FIELD_ORDERS, getattr(cc, "field_order", None)),
        sar=f"{sar.numerator}:{sar.denominator}" if sar and sar > 0 and sar != Fraction(1, 1) else "",
        **_track_tags(s))


def _hdr_metadata(container: Any, stream: Any) -> Any:
    """The static HDR metadata carried by the first frame (side data); empty when it has none."""
    try:
        container.seek(0)
    except (av.error.FFmpegError, ValueError):
        pass
    try:
        frame = next(container.decode(stream), None)
    except (av.error.FFmpegError, StopIteration):
        frame = None
    return colour.hdr_metadata(getattr(frame, "side_data", None) if frame is not None else None)


def _duration(container: Any) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    longest = 0.0
    for s in container.streams:
        if s.duration is not None and s.time_base is not None:
            longest = max(longest, float(s.duration * s.time_base))
    return longest or None


def _check_complete(path: Path, container: Any, size: int) -> None:
    """A truncated upload keeps its index (mp4 with faststart) but loses the data it points to."""
    for s in container.streams:
        try:
            entries = s.index_entries
            count = len(entries)
            if count == 0:
                continue
            last = entries[count - 1]
        except (AttributeError, IndexError, TypeError):
            continue  # this PyAV or demuxer exposes no index: nothing to compare
        if last.pos >= 0 and last.pos + last.size > size:
            raise _fail(path, f"the file is truncated (its index points {last.pos + last.size - size} bytes "
                              "past the end; was the upload or copy interrupted?)")


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Read what an input holds; raises MediaProbeError naming the file when it is not usable media."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise MediaProbeError(f"'{path.name}' does not exist ({path})") from None
    except OSError as exc:
        raise MediaProbeError(f"'{path.name}' cannot be read: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise MediaProbeError(f"'{path.name}' is a folder, not a media file")
    if size == 0:
        raise _fail(path, "the file is empty (0 bytes)")
    try:
        container = av.open(str(path), mode="r", metadata_errors="replace")
    except av.error.InvalidDataError:
        raise _fail(path, "FFmpeg does not recognise its data (corrupt, truncated, or not audio/video)") from None
    except (av.error.FFmpegError, OSError) as exc:
        raise _fail(path, str(exc)) from exc
    try:
        return _probe_open(path, container, size)
    finally:
        container.close()


def _probe_open(path: Path, container: Any, size: int) -> MediaInfo:
    if container.format.name in _NON_MEDIA_FORMATS:
        raise _fail(path, f"it looks like a text file ({container.format.name})")
    info = MediaInfo(path=path, container=container.format.name, size=size,
                     bitrate=int(container.bit_rate or 0), duration=_duration(container))
    for s in container.streams:
        cc = s.codec_context
        # canonical_name is the format's name ("mp3", "av1"), not the decoder's ("mp3float", "libdav1d")
        codec = (getattr(cc.codec, "canonical_name", "") or cc.name) if cc is not None else ""
        if s.type == "video":
            if codec in _NON_MEDIA_CODECS:
                raise _fail(path, "it looks like a text file")
            if _is_cover_art(s):  # an album cover is a picture, not the video a task should read
                info.data_streams += 1
                continue
            info.video_streams.append(_video_stream(s, codec))
        elif s.type == "audio":
            info.audio_streams.append(StreamInfo(
                index=s.index, kind="audio", codec=codec, bitrate=int(cc.bit_rate or 0),
                sample_rate=int(cc.sample_rate or 0), channels=int(cc.channels or 0), frames=int(s.frames or 0),
                **_track_tags(s)))
        elif s.type == "subtitle":
            info.subtitle_streams.append(StreamInfo(index=s.index, kind="subtitle", codec=codec, **_track_tags(s)))
        else:
            info.data_streams += 1
    if not info.video_streams and not info.audio_streams:
        raise _fail(path, "it has no audio or video stream")
    _check_complete(path, container, size)
    if info.video_streams:
        first = info.video_streams[0]
        vstream = container.streams[first.index]
        info.fps = first.fps
        info.rotation = _rotation(container, vstream, path, len(info.video_streams))
        if colour.is_hdr(first):
            info.hdr = _hdr_metadata(container, vstream)
        w, h = first.width, first.height
        sar = vstream.sample_aspect_ratio
        if sar and sar != Fraction(1, 1) and sar > 0:
            w = int(round(w * sar))  # anamorphic video: players show it wider than coded
        if info.rotation in (90, 270):
            w, h = h, w
        info.width, info.height = w, h
        if info.width <= 0 or info.height <= 0:
            raise _fail(path, "its video stream has no picture size (damaged header)")
    if info.bitrate == 0 and info.duration:
        info.bitrate = int(size * 8 / info.duration)
    return info


def _hdr_type(stream: StreamInfo) -> str:
    """The service's HdrType: "hdr10" (PQ), "hlg", or "" for SDR."""
    return {colour.PQ: "hdr10", colour.HLG: "hlg"}.get(stream.color_transfer, "")


def media_info_dict(info: MediaInfo) -> dict[str, Any]:
    """The cloud service's MetaData shape (durations in seconds, sizes in bytes, bitrates in bps)."""
    video_duration = info.duration or 0.0
    return {
        "Size": info.size,
        "Container": info.container,
        "Bitrate": info.bitrate,
        "Height": info.height,
        "Width": info.width,
        "Duration": round(info.duration or 0.0, 3),
        "Rotate": info.rotation,
        "VideoStreamSet": [
            {"Bitrate": s.bitrate, "Height": s.height, "Width": s.width, "Codec": s.codec, "Fps": s.fps,
             "ColorPrimaries": s.color_primaries, "ColorSpace": s.color_space, "ColorTransfer": s.color_transfer,
             "HdrType": _hdr_type(s)}
            for s in info.video_streams
        ],
        "AudioStreamSet": [
            {"Bitrate": s.bitrate, "SamplingRate": s.sample_rate, "Codec": s.codec, "Channel": s.channels}
            for s in info.audio_streams
        ],
        "VideoDuration": round(video_duration if info.video_streams else 0.0, 3),
        "AudioDuration": round(info.duration or 0.0, 3) if info.audio_streams else 0.0,
    }
