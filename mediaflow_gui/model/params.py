"""Typed parameters of every task kind, with defaults a person would pick.

Each dataclass can check itself (`problems()` returns every out-of-range value, naming
the field) and convert to and from the plain dicts stored in workflow files. Ranges
follow the cloud service (see DESIGN.md): cell sizes 128–4096 or 0, animated fps
1–30, quality 1–100, offsets as `3.5s` / `10%`, positions as `Npx` / `N%`.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, Union

from .colours import colour_problem
from .kinds import resolve_task_kind
from .templates import template_problems
from .values import parse_length, parse_offset

CONTAINERS = ("mp4", "webm", "mkv", "mov", "mp3", "m4a")
VIDEO_CODECS = ("h264", "h265", "vp9", "av1", "none")
AUDIO_CODECS = ("aac", "opus", "mp3", "none")
ENCODER_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
IMAGE_FORMATS = ("jpg", "png", "webp")
SPRITE_FORMATS = ("jpg", "png")
ANIMATED_FORMATS = ("gif", "webp")
ORIGINS = ("TopLeft", "TopRight", "BottomLeft", "BottomRight", "Center")
AUDIO_ONLY_CONTAINERS = ("mp3", "m4a")
HDR_MODES = ("auto", "keep", "tonemap")  # auto: tone-map to SDR unless the codec can carry HDR (h265, av1)
HDR_CODECS = ("h265", "av1")  # 10-bit codecs an HDR source can stay HDR in
DEINTERLACE_MODES = ("auto", "on", "off")
SUBTITLE_MODES = ("drop", "keep")
# which codecs each container can hold; checked so that FFmpeg is never asked the impossible
CONTAINER_VIDEO = {
    "mp4": ("h264", "h265", "av1", "none"),
    "mov": ("h264", "h265", "none"),
    "mkv": ("h264", "h265", "vp9", "av1", "none"),
    "webm": ("vp9", "av1", "none"),
    "mp3": ("none",),
    "m4a": ("none",),
}
CONTAINER_AUDIO = {
    "mp4": ("aac", "mp3", "opus", "none"),
    "mov": ("aac", "mp3", "none"),
    "mkv": ("aac", "opus", "mp3", "none"),
    "webm": ("opus", "none"),
    "mp3": ("mp3",),
    "m4a": ("aac",),
}


def _cell_size(name: str, value: int) -> list[str]:
    if value != 0 and not 128 <= value <= 4096:
        return [f"{name} must be 0 (keep proportion) or 128–4096 pixels such as 320, not '{value}'"]
    return []


def _offset(name: str, value: str, allow_negative: bool = False) -> list[str]:
    try:
        off = parse_offset(value)
    except ValueError as exc:
        return [f"{name}: {exc}"]
    if off.value < 0 and not allow_negative:
        return [f"{name} must not be negative, not {value!r}: give a time such as 3.5s or 10%"]
    if off.percent and abs(off.value) > 100:
        return [f"{name} must be within 100% (such as 50%), not {value!r}"]
    return []


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> list[str]:
    return [] if value in allowed else [f"{name} must be one of {', '.join(allowed)}, not {value!r}"]


def _output_name(kind: str, template: str) -> list[str]:
    """Placeholders the template names that naming cannot fill (an empty template uses the default)."""
    return [f"output_name: {text}" for text in template_problems(template, kind)]


NUMBER_PAD_REFUSED = '/\\:*?"<>|%{}'  # path separators, Windows-forbidden, and what templates use


@dataclass
class NumberFormat:
    """How {number} is written in the names of a task that writes several files (the cloud service's
    ObjectNumberFormat: InitialValue, Increment, MinLength, PlaceHolder).

    The n-th file (from 0) gets `initial_value + n * increment`, padded on the left with `place_holder`
    to `min_length` characters. The default (1, 1, 2, "0") gives `_01 … _10`, which sorts by name as
    by number for up to 99 files; a longer `min_length` keeps longer batches in order.
    """

    initial_value: int = 1
    increment: int = 1
    min_length: int = 2
    place_holder: str = "0"

    def text(self, index: int) -> str:
        """The number of the `index`-th file (from 0), padded."""
        return str(self.initial_value + index * self.increment).rjust(self.min_length, self.place_holder or "0")

    def problems(self) -> list[str]:
        """In a person's words, without field paths: the node's name comes first in validation."""
        out: list[str] = []
        if not 0 <= self.initial_value <= 1_000_000:
            out.append(f"file numbers must start at 0–1000000, not {self.initial_value}")
        if not 1 <= self.increment <= 1000:
            out.append(f"file numbers must go up by 1–1000 each time, not {self.increment}")
        if not 1 <= self.min_length <= 10:
            out.append(f"file numbers must be padded to a length of 1–10, not {self.min_length}")
        pad = self.place_holder
        if len(pad) != 1 or not pad.isprintable() or pad.isspace() or pad in NUMBER_PAD_REFUSED or (
                pad.isdigit() and pad != "0"):
            out.append(f"file numbers must be padded with one character such as 0 or _, not {pad!r} "
                       "(no space, separator or other digit)")
        return out


def _number_format(value: NumberFormat) -> list[str]:
    return value.problems()  # already in words that name what they are about ("file numbers …")


@dataclass
class WatermarkParams:
    """An image (PNG with alpha) or a text drawn over the video."""

    type: str = "image"  # image | text
    image_path: str = ""
    text: str = ""
    font_size: int = 36
    font_color: str = "white"
    origin: str = "TopRight"  # TopLeft | TopRight | BottomLeft | BottomRight | Center
    x_pos: str = "16px"  # offset from the origin's edges: Npx or N%
    y_pos: str = "16px"
    width: str = "10%"  # of the video width, or px; 0 keeps the image's own size
    start: str = ""  # empty: from the beginning
    end: str = ""  # empty: to the end
    output_name: str = ""  # used when the watermark is a task of its own

    def problems(self) -> list[str]:
        out = _choice("type", self.type, ("image", "text")) + _choice("origin", self.origin, ORIGINS)
        if self.type == "image" and not self.image_path:
            out.append("image_path is empty: choose a PNG image for the watermark, such as logo.png")
        if self.type == "text" and not self.text:
            out.append("text is empty: write the watermark text, such as © 2026 Example")
        if not 4 <= self.font_size <= 512:
            out.append(f"font_size must be 4–512 points such as 36, not '{self.font_size}'")
        colour = colour_problem(self.font_color) if self.type == "text" else None
        if colour:  # an image watermark has no use for it (the editor hides the field)
            out.append(f"font_color: {colour}")
        for name in ("x_pos", "y_pos", "width"):
            try:
                length = parse_length(getattr(self, name))
                if length.value < 0:
                    out.append(f"{name} must not be negative, not {getattr(self, name)!r}: give a length "
                               "such as 16px or 3%")
                if length.percent and length.value > 100:
                    out.append(f"{name} must be within 100% (such as 3%), not {getattr(self, name)!r}")
            except ValueError as exc:
                out.append(f"{name}: {exc}")
        for name in ("start", "end"):
            if getattr(self, name):
                out += _offset(name, getattr(self, name))
        return out + _output_name("watermark", self.output_name)


@dataclass
class TranscodeParams:
    definition: str = "HD"  # the label used in output names ({definition})
    container: str = "mp4"
    video_codec: str = "h264"
    width: int = 0  # 0 = follow the other side (aspect kept)
    height: int = 0
    short_side: int = 720  # when > 0, the shorter side is scaled to this (beats width/height)
    fps: float = 0  # 0 = keep the source rate
    crf: int = 23  # quality mode; ignored when video_bitrate_kbps > 0
    video_bitrate_kbps: int = 0
    encoder_preset: str = "medium"
    audio_codec: str = "aac"
    audio_bitrate_kbps: int = 128
    sample_rate: int = 0  # 0 = keep
    channels: int = 0  # 0 = keep
    watermarks: list[WatermarkParams] = field(default_factory=list)
    output_name: str = ""
    hdr: str = "auto"  # auto | keep (10-bit H.265/AV1 with HDR tags) | tonemap (BT.709 SDR)
    deinterlace: str = "auto"  # auto (when the source is interlaced) | on | off
    # which audio track of a multi-track input: "" the default-flagged (else first) one, a number
    # (1 = the first audio track) or a language code as tagged ("eng", "fra")
    audio_track: str = ""
    subtitles: str = "drop"  # drop | keep (text subtitles converted for the container)

    def problems(self) -> list[str]:
        out = _choice("container", self.container, CONTAINERS)
        out += _choice("hdr", self.hdr, HDR_MODES) + _choice("deinterlace", self.deinterlace, DEINTERLACE_MODES)
        out += _choice("subtitles", self.subtitles, SUBTITLE_MODES)
        if self.hdr == "keep" and self.video_codec not in HDR_CODECS:
            out.append(f"hdr: 'keep' needs the video codec h265 or av1 (10-bit HDR), not '{self.video_codec}' "
                       "(8-bit SDR): choose h265, or HDR source auto or tonemap")
        track = self.audio_track.strip()
        if track and not (track.isdigit() and 1 <= int(track) <= 64) and not (
                track.isalpha() and 2 <= len(track) <= 3):
            out.append(f"audio_track must be empty (the default track), a track number such as 2, or a "
                       f"language code such as eng, not {self.audio_track!r}")
        out += _choice("video_codec", self.video_codec, VIDEO_CODECS)
        out += _choice("audio_codec", self.audio_codec, AUDIO_CODECS)
        out += _choice("encoder_preset", self.encoder_preset, ENCODER_PRESETS)
        if self.container in CONTAINER_VIDEO and self.video_codec not in CONTAINER_VIDEO[self.container]:
            out.append(f"video_codec '{self.video_codec}' cannot go into a {self.container} file: choose "
                       f"{' or '.join(CONTAINER_VIDEO[self.container])}")
        if self.container in CONTAINER_AUDIO and self.audio_codec not in CONTAINER_AUDIO[self.container]:
            out.append(f"audio_codec '{self.audio_codec}' cannot go into a {self.container} file: choose "
                       f"{' or '.join(CONTAINER_AUDIO[self.container])}")
        if self.video_codec == "none" and self.audio_codec == "none":
            out.append("video_codec 'none' with the audio codec 'none' too: the output would be empty; "
                       "choose a video codec such as h264 or an audio codec such as aac")
        for name in ("width", "height", "short_side"):
            value = getattr(self, name)
            if value != 0 and not 32 <= value <= 8192:
                out.append(f"{name} must be 0 (keep) or 32–8192 pixels such as 720, not '{value}'")
        if not 0 <= self.fps <= 120:
            out.append(f"fps must be 0 (keep) or up to 120 such as 25, not '{self.fps:g}'")
        if not 0 <= self.crf <= 51:
            out.append(f"crf must be 0–51 such as 23, not '{self.crf}'")
        if not 0 <= self.video_bitrate_kbps <= 200_000:
            out.append(f"video_bitrate_kbps must be 0 (use the quality) or up to 200000 kbps such as 5000, "
                       f"not '{self.video_bitrate_kbps}'")
        if self.audio_codec != "none" and not 8 <= self.audio_bitrate_kbps <= 512:
            out.append(f"audio_bitrate_kbps must be 8–512 kbps such as 128, not '{self.audio_bitrate_kbps}'")
        if self.sample_rate not in (0, 8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000):
            out.append(f"sample_rate must be 0 (keep) or a standard rate such as 44100 or 48000, "
                       f"not '{self.sample_rate}'")
        if not 0 <= self.channels <= 8:
            out.append(f"channels must be 0 (keep) or 1–8 such as 2, not '{self.channels}'")
        for i, wm in enumerate(self.watermarks):
            out += [f"watermarks[{i}].{p}" for p in wm.problems()]
        return out + _output_name("transcode", self.output_name)

    @property
    def audio_only(self) -> bool:
        return self.video_codec == "none"


# Named presets a person picks from a menu; each is a complete TranscodeParams.
TRANSCODE_PRESETS: dict[str, dict[str, Any]] = {
    "SD 540p": dict(definition="SD", short_side=540, crf=26, audio_bitrate_kbps=96),
    "HD 720p": dict(definition="HD", short_side=720, crf=23, audio_bitrate_kbps=128),
    "FHD 1080p": dict(definition="FHD", short_side=1080, crf=22, audio_bitrate_kbps=160),
    "Audio only (m4a)": dict(
        definition="audio", container="m4a", video_codec="none", short_side=0, audio_codec="aac",
        audio_bitrate_kbps=128,
    ),
}


def transcode_preset(name: str) -> TranscodeParams:
    """A fresh TranscodeParams for a named preset (KeyError names the unknown preset)."""
    return TranscodeParams(**TRANSCODE_PRESETS[name])


@dataclass
class SnapshotParams:
    """Screenshots at time points (the service's SnapshotByTimeOffset)."""

    offsets: list[str] = field(default_factory=lambda: ["1s", "25%", "50%", "75%"])
    format: str = "jpg"
    width: int = 0
    height: int = 0
    output_name: str = ""
    number_format: NumberFormat = field(default_factory=NumberFormat)  # how {number} is written

    def problems(self) -> list[str]:
        out = _choice("format", self.format, IMAGE_FORMATS)
        if not self.offsets:
            out.append("offsets: none given; add at least one time point such as 3.5s or 10%")
        for i, off in enumerate(self.offsets):
            out += _offset(f"offsets[{i}]", off)
        out += _number_format(self.number_format)
        out += _output_name("snapshot", self.output_name)
        return out + _cell_size("width", self.width) + _cell_size("height", self.height)


@dataclass
class SampleSnapshotParams:
    """Screenshots every N seconds or every N percent of the duration."""

    interval: str = "10%"
    format: str = "jpg"
    width: int = 0
    height: int = 0
    output_name: str = ""
    number_format: NumberFormat = field(default_factory=NumberFormat)  # how {number} is written

    def problems(self) -> list[str]:
        out = _choice("format", self.format, IMAGE_FORMATS) + _offset("interval", self.interval)
        if not out:
            off = parse_offset(self.interval)
            if off.value <= 0:
                out.append(f"interval must be above zero, not {self.interval!r}: give a time such as 5s or 10%")
        out += _number_format(self.number_format)
        out += _output_name("sample_snapshot", self.output_name)
        return out + _cell_size("width", self.width) + _cell_size("height", self.height)


@dataclass
class AnimatedImageParams:
    """A GIF or animated WebP cut from the video."""

    start: str = "0s"
    end: str = "3s"  # negative values count back from the end
    fps: int = 10
    width: int = 320
    height: int = 0
    format: str = "gif"
    quality: int = 75
    output_name: str = ""

    def problems(self) -> list[str]:
        out = _choice("format", self.format, ANIMATED_FORMATS)
        out += _offset("start", self.start, allow_negative=True) + _offset("end", self.end, allow_negative=True)
        if not 1 <= self.fps <= 30:
            out.append(f"fps must be 1–30 such as 10, not '{self.fps}'")
        if not 1 <= self.quality <= 100:
            out.append(f"quality must be 1–100 such as 75, not '{self.quality}'")
        if not out:
            s, e = parse_offset(self.start), parse_offset(self.end)
            if s.percent == e.percent and s.value >= 0 and e.value > 0 and e.value <= s.value:
                out.append(f"end {self.end!r} must come after start {self.start!r}: such as start 0s, end 3s")
        out += _output_name("animated_image", self.output_name)
        return out + _cell_size("width", self.width) + _cell_size("height", self.height)


@dataclass
class ImageSpriteParams:
    """Thumbnail sheets for scrubbing previews, with a WebVTT index."""

    interval: str = "2s"
    rows: int = 5
    columns: int = 5
    width: int = 160  # cell width; 0 = follow height
    height: int = 0  # cell height; 0 = follow width
    format: str = "jpg"
    output_name: str = ""
    number_format: NumberFormat = field(default_factory=NumberFormat)  # how {number} is written

    def problems(self) -> list[str]:
        out = _choice("format", self.format, SPRITE_FORMATS) + _offset("interval", self.interval)
        if not out and parse_offset(self.interval).value <= 0:
            out.append(f"interval must be above zero, not {self.interval!r}: give a time such as 5s or 10%")
        for name in ("rows", "columns"):
            if not 1 <= getattr(self, name) <= 20:
                out.append(f"{name} must be 1–20 such as 10, not '{getattr(self, name)}'")
        if self.width == 0 and self.height == 0:
            out.append("width and height are both 0: give the cell size on at least one side, such as width 160")
        # cells below 128 px are allowed for sprites (players show small previews)
        for name in ("width", "height"):
            value = getattr(self, name)
            if value != 0 and not 16 <= value <= 4096:
                out.append(f"{name} must be 0 (keep proportion) or 16–4096 pixels such as 160, not '{value}'")
        out += _number_format(self.number_format)
        return out + _output_name("image_sprite", self.output_name)


TaskParams = Union[
    TranscodeParams, SnapshotParams, SampleSnapshotParams, AnimatedImageParams, ImageSpriteParams, WatermarkParams
]

PARAMS_BY_KIND: dict[str, type] = {
    "transcode": TranscodeParams,
    "snapshot": SnapshotParams,
    "sample_snapshot": SampleSnapshotParams,
    "animated_image": AnimatedImageParams,
    "image_sprite": ImageSpriteParams,
    "watermark": WatermarkParams,
}


def default_params(kind_id: str) -> TaskParams:
    return PARAMS_BY_KIND[kind_id]()


def params_to_dict(params: TaskParams) -> dict[str, Any]:
    data = dataclasses.asdict(params)
    if getattr(params, "number_format", None) == NumberFormat():
        # the default is left out: files that do not change it stay as they were, and readable by
        # versions that knew no number format
        del data["number_format"]
    return data


def _convert(value: Any, hint: Any, path: str, problems: list[str]) -> Any:
    """Coerce one JSON value to the field's type, recording a problem instead of raising."""
    origin = typing.get_origin(hint)
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        if not isinstance(value, list):
            problems.append(f"{path} must be a list")
            return None
        return [_convert(v, item_hint, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            problems.append(f"{path} must be an object")
            return None
        return _from_dict(hint, value, path + ".", problems)
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif hint is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    expected = _TYPE_WORDS.get(hint, "")
    problems.append(f"{path.rstrip('.')} has the wrong type: {value!r}" + (f" is not {expected}" if expected else ""))
    return None


# what a value of each simple type looks like, for "has the wrong type" problems
_TYPE_WORDS: dict[Any, str] = {int: "a whole number such as 2", float: "a number such as 2.5",
                               str: "a text such as \"3.5s\"", bool: "true or false"}


def _from_dict(cls: type, data: dict[str, Any], prefix: str, problems: list[str]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            problems.append(f"{prefix}{key} is not a parameter of this task")
            continue
        converted = _convert(value, hints[key], prefix + key, problems)
        if converted is not None:
            kwargs[key] = converted
    return cls(**kwargs)


def params_from_dict(kind_id: str, data: dict[str, Any] | None) -> tuple[TaskParams, list[str]]:
    """Build the parameters of a task kind from a plain dict.

    Returns the parameters (defaults where a value was missing or unusable) and the
    problems met on the way (unknown keys, wrong types), so that loading a file never
    stops at the first mistake.
    """
    kind = resolve_task_kind(kind_id)
    if kind is None:
        raise KeyError(kind_id)
    problems: list[str] = []
    params = _from_dict(PARAMS_BY_KIND[kind.id], dict(data or {}), "", problems)
    return params, problems
