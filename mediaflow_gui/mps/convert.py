"""Converters between the service's templates (SDK shapes, as in templates.py) and MediaFlow's task
parameters (model/params.py).

    params_from_template(kind, template, warnings=None) -> TranscodeParams | SnapshotParams | …
    template_from_params(kind, params, warnings=None) -> dict (a Create…Template request's fields)

`kind` is a template kind of templates.KINDS ("Transcode", …) or a MediaFlow task kind
("transcode", …). Whatever one side cannot express is appended to `warnings` as a sentence, never
dropped silently. Only what a template holds is converted: the task-level parts (time points, the
animated image's start/end, watermarks of a transcode, output names, number formats) belong to the
task inputs and are handled by workflow_io.

Mapping rules worth knowing:
- Transcode size: ResolutionAdaptive "open" + Height H + Width 0 ⇔ short_side H; "close" ⇔ width ×
  height; 0 × 0 keeps the source size. An "open" template with a long side (Width) set keeps only
  the short side (warning). Bitrate > 0 ⇔ video_bitrate_kbps; otherwise Vcrf ⇔ crf (Vcrf is written
  only when no bitrate is set, so bitrate templates round-trip). {definition} in MPS is the template
  id: imported transcodes get definition = the Definition as text.
- Codecs: libx264 ⇔ h264, libx265 ⇔ h265, av1, vp9; libfdk_aac ⇔ aac, libmp3lame ⇔ mp3, libopus ⇔ opus.
  RemoveVideo/RemoveAudio ⇔ codec "none". Containers MediaFlow cannot write (hls, flv, flac, ogg)
  become mp4 (video) or m4a (audio only), with a warning.
- Audio Bitrate 0 (the service's "auto") becomes 128 kbps (MediaFlow needs a number), with a warning.
- Watermark FontSize "Npx" ⇔ font_size N; FontColor 0xRRGGBB + FontAlpha ⇔ font_color "0xRRGGBB@alpha";
  MediaFlow's origin "Center" has no MPS equivalent (warning, TopLeft with 50% offsets is NOT
  guessed: the origin becomes TopLeft and the offsets stay).
"""

from __future__ import annotations

import re
from typing import Any

from ..model.params import (AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams, SnapshotParams,
                            TaskParams, TranscodeParams, WatermarkParams)
from ..model.values import parse_offset
from .templates import KINDS, TemplateError

TASK_KIND_OF = {"Transcode": "transcode", "SnapshotByTimeOffset": "snapshot", "SampleSnapshot": "sample_snapshot",
                "AnimatedGraphics": "animated_image", "ImageSprite": "image_sprite", "Watermark": "watermark"}
TEMPLATE_KIND_OF = {v: k for k, v in TASK_KIND_OF.items()}

_VCODEC_IN = {"libx264": "h264", "h264": "h264", "libx265": "h265", "h265": "h265", "av1": "av1", "vp9": "vp9"}
_VCODEC_OUT = {"h264": "libx264", "h265": "libx265", "av1": "av1", "vp9": "vp9"}
_ACODEC_IN = {"libfdk_aac": "aac", "aac": "aac", "libmp3lame": "mp3", "mp3": "mp3", "libopus": "opus", "opus": "opus"}
_ACODEC_OUT = {"aac": "libfdk_aac", "mp3": "libmp3lame", "opus": "libopus"}
_NAMED_RGB = {"white": "0xFFFFFF", "black": "0x000000", "red": "0xFF0000", "green": "0x008000", "lime": "0x00FF00",
              "blue": "0x0000FF", "yellow": "0xFFFF00", "gray": "0x808080", "grey": "0x808080",
              "orange": "0xFFA500", "cyan": "0x00FFFF", "magenta": "0xFF00FF"}


def template_kind(kind: str) -> str:
    """The template kind for a template kind or a MediaFlow task kind id."""
    if kind in KINDS:
        return kind
    if kind in TEMPLATE_KIND_OF:
        return TEMPLATE_KIND_OF[kind]
    raise TemplateError("InvalidParameterValue.Kind", f"unknown template kind {kind!r}")


def _warn(warnings: list[str] | None, text: str) -> None:
    if warnings is not None and text not in warnings:
        warnings.append(text)


def _num(value: float) -> str:
    return f"{value:g}"


# -- template → params -----------------------------------------------------------------------------

def _codec_in(value: Any, table: dict[str, str], default: str, what: str, w: list[str] | None) -> str:
    """MediaFlow's codec for the service's `value`, or `default` with a warning when it has none."""
    codec = str(value)
    if codec not in table:
        _warn(w, f"{what} codec {codec} is not available in MediaFlow: {default} is used")
    return table.get(codec, default)


def _transcode_params(t: dict[str, Any], w: list[str] | None) -> TranscodeParams:
    p = TranscodeParams(definition=str(t.get("Definition") or "custom"), short_side=0)
    container = str(t.get("Container", "mp4"))
    video, audio = t.get("VideoTemplate"), t.get("AudioTemplate")
    remove_video = t.get("RemoveVideo") == 1 or not video
    remove_audio = t.get("RemoveAudio") == 1 or not audio
    if container in ("mp4", "webm", "mkv", "mov", "mp3", "m4a"):
        p.container = container
    else:
        p.container = "m4a" if remove_video else "mp4"
        _warn(w, f"container {container} is not written by MediaFlow: {p.container} is used instead")
    if remove_video:
        p.video_codec = "none"
    else:
        p.video_codec = _codec_in(video.get("Codec", "libx264"), _VCODEC_IN, "h264", "video", w)
        fps = video.get("Fps") or 0
        p.fps = float(fps)
        if video.get("FpsDenominator"):
            _warn(w, "FpsDenominator is not used: the frame rate is taken as the whole number Fps")
        p.video_bitrate_kbps = int(video.get("Bitrate") or 0)
        if video.get("Vcrf"):
            p.crf = int(video["Vcrf"])
        width, height = int(video.get("Width") or 0), int(video.get("Height") or 0)
        if video.get("ResolutionAdaptive", "open") == "open":
            if width and height:
                _warn(w, f"long side {width} and short side {height}: MediaFlow keeps only the short side {height}")
                p.short_side = height
            elif height:
                p.short_side = height
            elif width:
                _warn(w, f"a long side of {width} alone cannot be expressed: the source size is kept")
        else:
            p.width, p.height = width, height
        if video.get("FillType", "black") != "black" and width and height:
            _warn(w, f"FillType {video['FillType']} is not used: the picture is scaled keeping its proportion")
        for key in ("Gop", "GopUnit", "HlsTime", "SegmentType", "VideoProfile", "VideoLevel", "Bframes", "Mode",
                    "Sar", "BitDepth"):
            if video.get(key) not in (None, 0, "", "frame"):
                _warn(w, f"video {key} {video[key]!r} is not used by MediaFlow (the encoder's default applies)")
    if remove_audio:
        p.audio_codec = "none"
    else:
        p.audio_codec = _codec_in(audio.get("Codec", "libfdk_aac"), _ACODEC_IN, "aac", "audio", w)
        bitrate = int(audio.get("Bitrate") or 0)
        p.audio_bitrate_kbps = bitrate or 128
        if not bitrate:
            _warn(w, "audio Bitrate 0 (automatic) becomes 128 kbps")
        p.sample_rate = int(audio.get("SampleRate") or 0)
        p.channels = int(audio.get("AudioChannel") or 0)
    if p.container in ("mp3", "m4a") and p.video_codec != "none":
        p.video_codec = "none"
    if t.get("TEHDConfig") and (t["TEHDConfig"] or {}).get("Type"):
        _warn(w, "TEHDConfig (top speed codec) is not available in MediaFlow")
    return p


def _sampling(t: dict[str, Any]) -> str:
    interval = int(t.get("SampleInterval") or 10)
    return f"{interval}%" if t.get("SampleType") == "Percent" else f"{interval}s"


def _size_warn(t: dict[str, Any], w: list[str] | None) -> tuple[int, int]:
    width, height = int(t.get("Width") or 0), int(t.get("Height") or 0)
    if t.get("ResolutionAdaptive", "open") == "open" and width and height and width < height:
        _warn(w, f"open resolution {width}×{height} (long × short side) is taken as width × height")
    return width, height


def params_from_template(kind: str, template: dict[str, Any], warnings: list[str] | None = None) -> TaskParams:
    """MediaFlow parameters doing what `template` does (see the module's mapping rules)."""
    kind = template_kind(kind)
    t = template
    if kind == "Transcode":
        return _transcode_params(t, warnings)
    if kind == "SnapshotByTimeOffset":
        width, height = _size_warn(t, warnings)
        return SnapshotParams(format=str(t.get("Format", "jpg")), width=width, height=height)
    if kind == "SampleSnapshot":
        width, height = _size_warn(t, warnings)
        return SampleSnapshotParams(interval=_sampling(t), format=str(t.get("Format", "jpg")), width=width,
                                    height=height)
    if kind == "AnimatedGraphics":
        width, height = _size_warn(t, warnings)
        return AnimatedImageParams(fps=int(t.get("Fps") or 10), width=width, height=height,
                                   format=str(t.get("Format", "gif")), quality=int(t.get("Quality") or 75))
    if kind == "ImageSprite":
        width, height = _size_warn(t, warnings)
        fmt = str(t.get("Format", "jpg"))
        if fmt not in ("jpg", "png"):
            _warn(warnings, f"sprite format {fmt} is not written by MediaFlow: jpg is used")
            fmt = "jpg"
        if not width and not height:
            _warn(warnings, "a sprite cell of the source size is not available: cells 160 pixels wide are used")
            width = 160
        return ImageSpriteParams(interval=_sampling(t), rows=int(t.get("RowCount") or 5),
                                 columns=int(t.get("ColumnCount") or 5), width=width, height=height, format=fmt)
    return _watermark_params(t, warnings)


def _watermark_params(t: dict[str, Any], w: list[str] | None) -> WatermarkParams:
    p = WatermarkParams(origin=str(t.get("CoordinateOrigin", "TopLeft")), x_pos=str(t.get("XPos", "0px")),
                        y_pos=str(t.get("YPos", "0px")))
    kind = t.get("Type", "image")
    if kind == "text":
        text = t.get("TextTemplate") or {}
        p.type = "text"
        p.text = str(text.get("TextContent") or "")
        p.font_size = int(str(text.get("FontSize", "36px")).removesuffix("px") or 36)
        colour = str(text.get("FontColor", "0xFFFFFF"))
        alpha = float(text.get("FontAlpha", 1) or 0)
        p.font_color = colour if alpha >= 1 else f"{colour}@{_num(alpha)}"
        if text.get("FontType") not in (None, "", "arial.ttf"):
            _warn(w, f"font {text['FontType']} is not chosen by MediaFlow (its default font is used)")
    else:
        if kind == "svg":
            _warn(w, "SVG watermarks are not available in MediaFlow: the SVG is used as an image")
        image = t.get("ImageTemplate") or t.get("SvgTemplate") or {}
        p.type = "image"
        p.image_path = str(image.get("ImageUrl") or "")
        width = str(image.get("Width", "10%"))
        p.width = "0" if width in ("0px", "0%", "0") else width
        if str(image.get("Height", "0px")) not in ("0px", "0%", "0"):
            _warn(w, f"a watermark height of {image['Height']} is not used: the image keeps its proportion")
        if image.get("RepeatType") not in (None, "", "repeat_last_frame"):
            _warn(w, f"watermark RepeatType {image['RepeatType']} is not used")
    return p


# -- params → template -----------------------------------------------------------------------------

def _transcode_template(p: TranscodeParams, w: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"Container": p.container, "RemoveVideo": 1 if p.video_codec == "none" else 0,
                           "RemoveAudio": 1 if p.audio_codec == "none" else 0}
    if p.container in ("webm", "mkv", "mov"):
        _warn(w, f"container {p.container} is not one of the service's (mp4, flv, hls, mp3, flac, ogg, m4a)")
    if p.video_codec != "none":
        video: dict[str, Any] = {"Codec": _VCODEC_OUT[p.video_codec], "Fps": int(round(p.fps)),
                                 "Bitrate": p.video_bitrate_kbps, "FillType": "black"}
        if p.fps != int(round(p.fps)):
            _warn(w, f"fps {_num(p.fps)} becomes {int(round(p.fps))}: the service takes whole frame rates")
        if p.video_bitrate_kbps and not 128 <= p.video_bitrate_kbps <= 100_000:
            _warn(w, f"video bitrate {p.video_bitrate_kbps} kbps is outside the service's 128–100000")
        if not p.video_bitrate_kbps:
            video["Vcrf"] = p.crf
        if p.short_side:
            video.update(ResolutionAdaptive="open", Width=0, Height=p.short_side)
        elif p.width or p.height:
            video.update(ResolutionAdaptive="close", Width=p.width, Height=p.height)
        else:
            video.update(ResolutionAdaptive="open", Width=0, Height=0)
        for side in ("Width", "Height"):
            if video[side] and not 128 <= video[side] <= 4096:
                _warn(w, f"{side.lower()} {video[side]} is outside the service's 128–4096")
        out["VideoTemplate"] = video
    if p.audio_codec != "none":
        out["AudioTemplate"] = {"Codec": _ACODEC_OUT[p.audio_codec], "Bitrate": p.audio_bitrate_kbps,
                                "SampleRate": p.sample_rate or 44100, "AudioChannel": p.channels or 2}
        if not p.sample_rate:
            _warn(w, "sample rate 'keep' becomes 44100 Hz: the service needs a rate")
        if not p.channels:
            _warn(w, "channels 'keep' become 2 (stereo): the service needs a channel count")
        elif p.channels not in (1, 2, 6):
            _warn(w, f"{p.channels} audio channels: the service takes 1, 2 or 6")
        if not 26 <= p.audio_bitrate_kbps <= 256:
            _warn(w, f"audio bitrate {p.audio_bitrate_kbps} kbps is outside the service's 26–256")
    defaults = TranscodeParams()
    for name, words in (("encoder_preset", "encoder preset"), ("hdr", "HDR handling"),
                        ("deinterlace", "deinterlacing"), ("audio_track", "audio track choice"),
                        ("subtitles", "subtitle handling")):
        if getattr(p, name) != getattr(defaults, name):
            _warn(w, f"{words} {getattr(p, name)!r} cannot be expressed in an MPS template")
    if p.video_codec != "none" and p.video_bitrate_kbps and p.crf != defaults.crf:
        _warn(w, f"crf {p.crf} is not written: a bitrate is set, and the service uses one or the other")
    return out


def _interval(value: str, w: list[str] | None, what: str) -> dict[str, Any]:
    off = parse_offset(value)
    whole = max(1, int(round(off.value)))
    if whole != off.value:
        _warn(w, f"{what} interval {value} becomes {whole}{'%' if off.percent else 's'}: the service takes "
                 "whole numbers")
    return {"SampleType": "Percent" if off.percent else "Time", "SampleInterval": whole}


def _image_size(width: int, height: int) -> dict[str, Any]:
    return {"Width": width, "Height": height, "ResolutionAdaptive": "open" if not (width and height) else "close"}


def _hex_colour(colour: str, w: list[str] | None) -> tuple[str, float]:
    text, _, alpha_text = colour.partition("@")
    alpha = 1.0
    if alpha_text:
        try:
            alpha = int(alpha_text, 16) / 255 if alpha_text.lower().startswith("0x") else float(alpha_text)
        except ValueError:
            _warn(w, f"font colour transparency {alpha_text!r} is not understood: opaque is used")
    m = re.fullmatch(r"(?:#|0x)?([0-9A-Fa-f]{6})(?:[0-9A-Fa-f]{2})?", text)
    if m:
        return "0x" + m.group(1).upper(), alpha
    if text.lower() in _NAMED_RGB:
        return _NAMED_RGB[text.lower()], alpha
    _warn(w, f"font colour {colour!r} has no 0xRRGGBB form here: white is used")
    return "0xFFFFFF", alpha


def _watermark_template(p: WatermarkParams, w: list[str] | None) -> dict[str, Any]:
    origin = p.origin
    if origin == "Center":
        _warn(w, "watermark origin Center is not one of the service's (TopLeft, TopRight, BottomLeft, "
                 "BottomRight): TopLeft is used")
        origin = "TopLeft"
    out: dict[str, Any] = {"Type": p.type, "CoordinateOrigin": origin, "XPos": p.x_pos, "YPos": p.y_pos}
    if p.type == "text":
        colour, alpha = _hex_colour(p.font_color, w)
        out["TextTemplate"] = {"FontType": "arial.ttf", "FontSize": f"{p.font_size}px", "FontColor": colour,
                               "FontAlpha": alpha, "TextContent": p.text}
    else:
        width = "0px" if p.width in ("0", "0px", "0%", "") else p.width
        out["ImageTemplate"] = {"ImageUrl": p.image_path, "Width": width, "Height": "0px"}
    return out


def template_from_params(kind: str, params: TaskParams, warnings: list[str] | None = None) -> dict[str, Any]:
    """The fields of a Create…Template request doing what `params` do (see the module's rules).
    Parts that belong to the task input (offsets, start/end, watermarks, output names) are left out."""
    kind = template_kind(kind)
    p: Any = params
    if kind == "Transcode":
        return _transcode_template(p, warnings)
    if kind == "SnapshotByTimeOffset":
        return {"Format": p.format, **_image_size(p.width, p.height), "FillType": "black"}
    if kind == "SampleSnapshot":
        return {**_interval(p.interval, warnings, "sampling"), "Format": p.format, **_image_size(p.width, p.height),
                "FillType": "black"}
    if kind == "AnimatedGraphics":
        return {"Fps": p.fps, **_image_size(p.width, p.height), "Format": p.format, "Quality": p.quality}
    if kind == "ImageSprite":
        return {**_interval(p.interval, warnings, "sprite"), "RowCount": p.rows, "ColumnCount": p.columns,
                **_image_size(p.width, p.height), "FillType": "black", "Format": p.format}
    return _watermark_template(p, warnings)
