"""The local template store: the service's six template kinds, presets included, kept in one JSON file.

- File: `<data dir>/mps-templates.json` unless a path is given, written 0600 (paths.write_private) as
  `{"version": 1, "next_definition": N, "templates": {kind: {"<Definition>": template}}}`.
- Definitions of templates made here start at 1_000_000 (CUSTOM_BASE) and only go up, shared by all
  kinds: far above the service's preset ids (10, 1000xx) and never reused after a delete, so a
  Definition names one template for good. (The service numbers custom templates from ~1_000_000 too.)
- Templates are kept in the SDK's template shapes (TranscodeTemplate, SnapshotByTimeOffsetTemplate,
  SampleSnapshotTemplate, AnimatedGraphicsTemplate, ImageSpriteTemplate, WatermarkTemplate) with
  `Type` "Custom"; presets (presets.py) are listed with `Type` "Preset" and cannot be changed.
- create/modify take the fields of the SDK's Create…Template requests; defaults the service documents
  are filled in, then every value is checked against the service's ranges (MPS.md). Errors are
  TemplateError with the service's error `code` (InvalidParameterValue.*, MissingParameter,
  UnknownParameter, ResourceNotFound.TemplateNotExist, InvalidParameterValue.Definition for presets).
- Watermark images: ImageTemplate.ImageContent (base64, as the service takes it) is saved next to
  the store file (`mps-watermarks/<Definition>.<ext>`) and the template's ImageUrl is that path;
  a local extension also accepts ImageTemplate.ImageUrl as a local file path.
Thread-safe (one lock): the local API server calls it from its request threads.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..paths import data_dir, write_private
from . import presets as _presets

KINDS = ("Transcode", "SnapshotByTimeOffset", "SampleSnapshot", "AnimatedGraphics", "ImageSprite", "Watermark")
CUSTOM_BASE = 1_000_000
STORE_VERSION = 1
META_KEYS = ("Definition", "Name", "Comment", "Type", "CreateTime", "UpdateTime")


def meta_keys(kind: str) -> tuple[str, ...]:
    """Identity and metadata keys of a template. A WatermarkTemplate's `Type` is what it draws
    (image/text/svg), not Preset/Custom: there are no watermark presets, so it has no such field."""
    return tuple(k for k in META_KEYS if not (kind == "Watermark" and k == "Type"))


def origin_type(kind: str) -> dict[str, str]:
    return {} if kind == "Watermark" else {"Type": "Custom"}

# what each kind's Create…Template request may carry (the SDK's fields)
_CREATE_FIELDS: dict[str, tuple[str, ...]] = {
    "Transcode": ("Container", "Name", "Comment", "RemoveVideo", "RemoveAudio", "VideoTemplate", "AudioTemplate",
                  "TEHDConfig", "EnhanceConfig", "StdExtInfo"),
    "SnapshotByTimeOffset": ("Name", "Width", "Height", "ResolutionAdaptive", "Format", "Comment", "FillType"),
    "SampleSnapshot": ("SampleType", "SampleInterval", "Name", "Width", "Height", "ResolutionAdaptive", "Format",
                       "Comment", "FillType"),
    "AnimatedGraphics": ("Fps", "Width", "Height", "ResolutionAdaptive", "Format", "Quality", "Name", "Comment"),
    "ImageSprite": ("SampleType", "SampleInterval", "RowCount", "ColumnCount", "Name", "Width", "Height",
                    "ResolutionAdaptive", "FillType", "Comment", "Format"),
    "Watermark": ("Type", "Name", "Comment", "CoordinateOrigin", "XPos", "YPos", "ImageTemplate", "TextTemplate",
                  "SvgTemplate"),
}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "Transcode": {"Name": "", "Comment": "", "RemoveVideo": 0, "RemoveAudio": 0},
    "SnapshotByTimeOffset": {"Name": "", "Comment": "", "Width": 0, "Height": 0, "ResolutionAdaptive": "open",
                             "Format": "jpg", "FillType": "black"},
    "SampleSnapshot": {"Name": "", "Comment": "", "Width": 0, "Height": 0, "ResolutionAdaptive": "open",
                       "Format": "jpg", "FillType": "black"},
    "AnimatedGraphics": {"Name": "", "Comment": "", "Width": 0, "Height": 0, "ResolutionAdaptive": "open",
                         "Format": "gif", "Quality": 75},
    "ImageSprite": {"Name": "", "Comment": "", "Width": 0, "Height": 0, "ResolutionAdaptive": "open",
                    "FillType": "black", "Format": "jpg"},
    "Watermark": {"Name": "", "Comment": "", "CoordinateOrigin": "TopLeft", "XPos": "0px", "YPos": "0px"},
}
VIDEO_DEFAULTS = {"Fps": 0, "Bitrate": 0, "ResolutionAdaptive": "open", "Width": 0, "Height": 0, "FillType": "black"}
AUDIO_DEFAULTS = {"Bitrate": 0, "SampleRate": 44100, "AudioChannel": 2}
TRANSCODE_CONTAINERS = ("mp4", "flv", "hls", "mp3", "flac", "ogg", "m4a", "webm", "mkv", "mov")
AUDIO_ONLY_CONTAINERS = ("mp3", "flac", "ogg", "m4a")
VIDEO_CODECS = ("libx264", "libx265", "av1", "vp9", "h264", "h265")
AUDIO_CODECS = ("libfdk_aac", "aac", "libmp3lame", "mp3", "flac", "libopus", "opus")
SAMPLE_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)
_LENGTH = re.compile(r"^\d+(\.\d+)?(px|%)$")


class TemplateError(ValueError):
    """A refused template action; `code` is the service's error code, the message says what to change."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise TemplateError("InvalidParameterValue.Kind", f"unknown template kind {kind!r}; one of {', '.join(KINDS)}")
    return kind


def _int(tpl: dict[str, Any], key: str, code: str, lo: int, hi: int, zero_ok: bool = False, where: str = "") -> None:
    value = tpl.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(code, f"{where}{key} must be a whole number, not {value!r}")
    if not (lo <= value <= hi or (zero_ok and value == 0)):
        span = f"0 or {lo}–{hi}" if zero_ok else f"{lo}–{hi}"
        raise TemplateError(code, f"{where}{key} must be {span}, not {value}")


def _choice(tpl: dict[str, Any], key: str, code: str, allowed: tuple[Any, ...], where: str = "") -> None:
    value = tpl.get(key)
    if value is not None and value not in allowed:
        raise TemplateError(code, f"{where}{key} must be one of {', '.join(map(str, allowed))}, not {value!r}")


def _required(tpl: dict[str, Any], *keys: str, where: str = "") -> None:
    for key in keys:
        if tpl.get(key) in (None, ""):
            raise TemplateError("MissingParameter", f"{where}{key} is required")


def _size(tpl: dict[str, Any], where: str = "") -> None:
    _int(tpl, "Width", "InvalidParameterValue.Width", 128, 4096, zero_ok=True, where=where)
    _int(tpl, "Height", "InvalidParameterValue.Height", 128, 4096, zero_ok=True, where=where)
    _choice(tpl, "ResolutionAdaptive", "InvalidParameterValue.ResolutionAdaptive", ("open", "close"), where)
    _choice(tpl, "FillType", "InvalidParameterValue.FillType", ("black", "white", "stretch", "gauss"), where)


def _sampling(tpl: dict[str, Any]) -> None:
    _required(tpl, "SampleType", "SampleInterval")
    _choice(tpl, "SampleType", "InvalidParameterValue.SampleType", ("Percent", "Time"))
    hi = 100 if tpl["SampleType"] == "Percent" else 36_000
    _int(tpl, "SampleInterval", "InvalidParameterValue.SampleInterval", 1, hi)


def validate_template(kind: str, tpl: dict[str, Any]) -> None:
    """Raise TemplateError for the first value outside the service's ranges (MPS.md)."""
    if len(str(tpl.get("Name") or "")) > 64:
        raise TemplateError("InvalidParameterValue.Name", "Name must be at most 64 characters")
    if len(str(tpl.get("Comment") or "")) > 256:
        raise TemplateError("InvalidParameterValue.Comment", "Comment must be at most 256 characters")
    if kind == "Transcode":
        _required(tpl, "Container")
        _choice(tpl, "Container", "InvalidParameterValue.Container", TRANSCODE_CONTAINERS)
        _choice(tpl, "RemoveVideo", "InvalidParameterValue.RemoveVideo", (0, 1))
        _choice(tpl, "RemoveAudio", "InvalidParameterValue.RemoveAudio", (0, 1))
        audio_only = tpl["Container"] in AUDIO_ONLY_CONTAINERS or tpl.get("RemoveVideo") == 1
        video, audio = tpl.get("VideoTemplate"), tpl.get("AudioTemplate")
        if video is None and not audio_only:
            raise TemplateError("MissingParameter", "VideoTemplate is required unless RemoveVideo is 1")
        if video is not None:
            w = "VideoTemplate."
            _required(video, "Codec", where=w)
            _choice(video, "Codec", "InvalidParameterValue.VideoCodec", VIDEO_CODECS, w)
            _int(video, "Fps", "InvalidParameterValue.Fps", 0, 120, where=w)
            _int(video, "Bitrate", "InvalidParameterValue.VideoBitrate", 128, 100_000, zero_ok=True, where=w)
            _int(video, "Vcrf", "InvalidParameterValue.Vcrf", 0, 51, where=w)
            _int(video, "Gop", "InvalidParameterValue.Gop", 0, 100_000, where=w)
            _size(video, w)
        if audio is None and tpl.get("RemoveAudio") != 1:
            raise TemplateError("MissingParameter", "AudioTemplate is required unless RemoveAudio is 1")
        if audio is not None:
            w = "AudioTemplate."
            _required(audio, "Codec", where=w)
            _choice(audio, "Codec", "InvalidParameterValue.AudioCodec", AUDIO_CODECS, w)
            _int(audio, "Bitrate", "InvalidParameterValue.AudioBitrate", 26, 256, zero_ok=True, where=w)
            _choice(audio, "SampleRate", "InvalidParameterValue.SampleRate", SAMPLE_RATES, w)
            _choice(audio, "AudioChannel", "InvalidParameterValue.AudioChannel", (1, 2, 6), w)
    elif kind in ("SnapshotByTimeOffset", "SampleSnapshot"):
        _choice(tpl, "Format", "InvalidParameterValue.Format", ("jpg", "png", "webp"))
        _size(tpl)
        if kind == "SampleSnapshot":
            _sampling(tpl)
    elif kind == "AnimatedGraphics":
        _required(tpl, "Fps")
        _int(tpl, "Fps", "InvalidParameterValue.Fps", 1, 30)
        _choice(tpl, "Format", "InvalidParameterValue.Format", ("gif", "webp"))
        _int(tpl, "Quality", "InvalidParameterValue.Quality", 1, 100)
        _size(tpl)
    elif kind == "ImageSprite":
        _sampling(tpl)
        _required(tpl, "RowCount", "ColumnCount")
        _int(tpl, "RowCount", "InvalidParameterValue.RowCount", 1, 20)
        _int(tpl, "ColumnCount", "InvalidParameterValue.ColumnCount", 1, 20)
        _choice(tpl, "Format", "InvalidParameterValue.Format", ("jpg", "png", "webp"))
        _size(tpl)
    elif kind == "Watermark":
        _required(tpl, "Type")
        _choice(tpl, "Type", "InvalidParameterValue.Type", ("image", "text", "svg"))
        _choice(tpl, "CoordinateOrigin", "InvalidParameterValue.CoordinateOrigin",
                ("TopLeft", "TopRight", "BottomLeft", "BottomRight"))
        for key in ("XPos", "YPos"):
            if not _LENGTH.match(str(tpl.get(key, ""))):
                raise TemplateError(f"InvalidParameterValue.{key}", f"{key} must be Npx or N% such as 16px, "
                                    f"not {tpl.get(key)!r}")
        if tpl["Type"] == "image":
            image = tpl.get("ImageTemplate") or {}
            if not image.get("ImageUrl"):
                raise TemplateError("InvalidParameterValue.ImageContent", "ImageTemplate.ImageContent is required "
                                    "for an image watermark")
            for key in ("Width", "Height"):
                if key in image and not _LENGTH.match(str(image[key])):
                    raise TemplateError(f"InvalidParameterValue.{key}", f"ImageTemplate.{key} must be Npx or N%, "
                                        f"not {image[key]!r}")
        elif tpl["Type"] == "text":
            text = tpl.get("TextTemplate") or {}
            _required(text, "FontType", "FontSize", "FontColor", "FontAlpha", where="TextTemplate.")
            if not re.match(r"^\d+px$", str(text["FontSize"])) or not 0 < int(str(text["FontSize"])[:-2] or 0) <= 512:
                raise TemplateError("InvalidParameterValue.FontSize", f"TextTemplate.FontSize must be Npx such as "
                                    f"36px, not {text['FontSize']!r}")
            if not re.match(r"^0x[0-9A-Fa-f]{6}$", str(text["FontColor"])):
                raise TemplateError("InvalidParameterValue.FontColor", f"TextTemplate.FontColor must be 0xRRGGBB, "
                                    f"not {text['FontColor']!r}")
            alpha = text["FontAlpha"]
            if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
                raise TemplateError("InvalidParameterValue.FontAlpha", f"TextTemplate.FontAlpha must be 0–1, "
                                    f"not {alpha!r}")


def normalized(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The template a create request describes: defaults filled, None values left out, no metadata.
    Two requests that normalise alike make the same template (used to match presets on export)."""
    tpl = {k: copy.deepcopy(v) for k, v in {**_DEFAULTS[kind], **fields}.items() if v is not None}
    if kind == "Transcode":
        if isinstance(tpl.get("VideoTemplate"), dict):
            tpl["VideoTemplate"] = {k: v for k, v in {**VIDEO_DEFAULTS, **tpl["VideoTemplate"]}.items()
                                    if v is not None}
        if isinstance(tpl.get("AudioTemplate"), dict):
            tpl["AudioTemplate"] = {k: v for k, v in {**AUDIO_DEFAULTS, **tpl["AudioTemplate"]}.items()
                                    if v is not None}
    return tpl


def content(kind: str, tpl: dict[str, Any]) -> dict[str, Any]:
    """What a template does, without its identity and metadata (what `find_identical` compares)."""
    meta = meta_keys(kind)
    norm = normalized(kind, {k: v for k, v in tpl.items() if k not in meta})
    out = {k: v for k, v in norm.items() if k not in meta}
    # FillType only acts when both sides are given (otherwise the proportion is kept): a 0×0
    # snapshot preset ("stretch") and a 0×0 custom template ("black") do the same thing
    for holder in (out, out.get("VideoTemplate")):
        if isinstance(holder, dict) and not (holder.get("Width") and holder.get("Height")):
            holder.pop("FillType", None)
    return out


class TemplateStore:
    """Custom templates of the six kinds in one private JSON file, with the presets listed alongside."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / "mps-templates.json"
        self._lock = threading.RLock()
        self._next = CUSTOM_BASE
        self._custom: dict[str, dict[int, dict[str, Any]]] = {k: {} for k in KINDS}
        self._stamp: tuple[int, int, int] | None = None  # the file's (inode, mtime, size) when last read/written
        self._load()

    # -- file ------------------------------------------------------------------------------------
    def _stat(self) -> tuple[int, int, int]:
        # write_private replaces the file, so the inode changes with every write even when a coarse
        # clock gives two writes one mtime
        st = self.path.stat()
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _refresh(self) -> None:
        """Re-read the file when another process (the CLI, the app, the API server) changed it."""
        try:
            stamp = self._stat()
        except OSError:
            return
        if stamp != self._stamp:
            self._custom = {k: {} for k in KINDS}
            self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        self._stamp = self._stat()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the template store {self.path}: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") != STORE_VERSION:
            raise ValueError(f"{self.path}: not a version {STORE_VERSION} template store")
        self._next = max(CUSTOM_BASE, int(data.get("next_definition", CUSTOM_BASE)))
        for kind, items in (data.get("templates") or {}).items():
            if kind in KINDS:
                self._custom[kind] = {int(d): t for d, t in items.items()}

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": STORE_VERSION, "next_definition": self._next,
                "templates": {k: {str(d): t for d, t in sorted(v.items())} for k, v in self._custom.items()}}
        write_private(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        self._stamp = self._stat()

    def _store_image(self, definition: int, tpl: dict[str, Any]) -> None:
        image = tpl.get("ImageTemplate")
        if not isinstance(image, dict) or "ImageContent" not in image:
            return
        try:
            raw = base64.b64decode(str(image.pop("ImageContent")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise TemplateError("InvalidParameterValue.ImageContent", "ImageTemplate.ImageContent must be "
                                "base64 image data") from exc
        ext = "png" if raw.startswith(b"\x89PNG") else "jpg" if raw.startswith(b"\xff\xd8") else "bin"
        folder = self.path.parent / "mps-watermarks"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{definition}.{ext}"
        write_private(target, raw)
        image["ImageUrl"] = str(target)

    # -- actions ---------------------------------------------------------------------------------
    def create(self, kind: str, fields: dict[str, Any]) -> int:
        """A new custom template from a Create…Template request's fields; returns its Definition."""
        check_kind(kind)
        unknown = sorted(set(fields) - set(_CREATE_FIELDS[kind]))
        if unknown:
            raise TemplateError("UnknownParameter", f"{', '.join(unknown)}: not a parameter of a {kind} template")
        with self._lock:
            self._refresh()
            definition = self._next
            tpl = normalized(kind, fields)
            if kind == "Watermark":
                self._store_image(definition, tpl)
            validate_template(kind, tpl)
            now = _now()
            self._custom[kind][definition] = {"Definition": definition, **tpl, **origin_type(kind),
                                              "CreateTime": now, "UpdateTime": now}
            self._next = definition + 1
            self._save()
            return definition

    def get(self, kind: str, definition: int) -> dict[str, Any]:
        """The template (preset or custom) `definition` of `kind`; ResourceNotFound.TemplateNotExist if none."""
        check_kind(kind)
        found = _presets.preset(kind, definition)
        if found is not None:
            return found
        with self._lock:
            self._refresh()
            tpl = self._custom[kind].get(int(definition))
            if tpl is None:
                raise TemplateError("ResourceNotFound.TemplateNotExist",
                                    f"there is no {kind} template with Definition {definition}")
            return copy.deepcopy(tpl)

    def describe(self, kind: str, definitions: list[int] | None = None, type: str | None = None) -> list[dict[str, Any]]:
        """Presets then custom templates of `kind`, by Definition; filtered by `definitions` and by
        `type` ("Preset" / "Custom"; for Watermark the drawn type image / text / svg, as the service's
        DescribeWatermarkTemplates filters) when given. Unknown definitions are simply not listed."""
        check_kind(kind)
        if kind == "Watermark" and type not in (None, "", "image", "text", "svg"):
            raise TemplateError("InvalidParameterValue.Type", f"Type must be image, text or svg, not {type!r}")
        if kind != "Watermark" and type not in (None, "", "Preset", "Custom"):
            raise TemplateError("InvalidParameterValue.Type", f"Type must be Preset or Custom, not {type!r}")
        with self._lock:
            self._refresh()
            found = _presets.presets(kind) + [copy.deepcopy(t) for _, t in sorted(self._custom[kind].items())]
        wanted = {int(d) for d in definitions} if definitions else None
        return [t for t in found if (wanted is None or t["Definition"] in wanted) and (not type or t["Type"] == type)]

    def _custom_or_refuse(self, kind: str, definition: int) -> dict[str, Any]:
        check_kind(kind)
        self._refresh()
        if _presets.preset(kind, definition) is not None:
            raise TemplateError("InvalidParameterValue.Definition",
                                f"{kind} template {definition} is a preset: presets cannot be changed or deleted")
        tpl = self._custom[kind].get(int(definition))
        if tpl is None:
            raise TemplateError("ResourceNotFound.TemplateNotExist",
                                f"there is no {kind} template with Definition {definition}")
        return tpl

    def modify(self, kind: str, definition: int, fields: dict[str, Any]) -> None:
        """Change the given fields of a custom template (nested VideoTemplate/AudioTemplate/… merge)."""
        with self._lock:
            old = self._custom_or_refuse(kind, definition)
            unknown = sorted(set(fields) - set(_CREATE_FIELDS[kind]) - {"Definition"})
            if unknown:
                raise TemplateError("UnknownParameter", f"{', '.join(unknown)}: not a parameter of a {kind} template")
            tpl = {k: v for k, v in copy.deepcopy(old).items()
                   if k not in ("Definition", "CreateTime", "UpdateTime", *origin_type(kind))}
            for key, value in fields.items():
                if key == "Definition" or value is None:
                    continue
                if isinstance(value, dict) and isinstance(tpl.get(key), dict):
                    tpl[key] = {**tpl[key], **value}
                else:
                    tpl[key] = copy.deepcopy(value)
            tpl = normalized(kind, tpl)
            if kind == "Watermark":
                self._store_image(int(definition), tpl)
            validate_template(kind, tpl)
            self._custom[kind][int(definition)] = {"Definition": int(definition), **tpl, **origin_type(kind),
                                                   "CreateTime": old.get("CreateTime", _now()), "UpdateTime": _now()}
            self._save()

    def delete(self, kind: str, definition: int) -> None:
        """Delete a custom template (presets are refused; the Definition is never given out again)."""
        with self._lock:
            self._custom_or_refuse(kind, definition)
            del self._custom[kind][int(definition)]
            self._save()

    def find_identical(self, kind: str, fields: dict[str, Any]) -> int | None:
        """The Definition of a preset or custom template doing exactly what `fields` describe
        (names and comments aside), presets first; None when there is none."""
        wanted = content(kind, fields)
        for tpl in self.describe(kind):
            if content(kind, tpl) == wanted:
                return int(tpl["Definition"])
        return None

    def ensure(self, kind: str, fields: dict[str, Any]) -> tuple[int, bool]:
        """(Definition, created): an identical existing template, else a new one."""
        with self._lock:
            found = self.find_identical(kind, fields)
            if found is not None:
                return found, False
            return self.create(kind, fields), True
