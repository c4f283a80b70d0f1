"""Which widget edits which parameter: one table per task kind (labels, units, ranges, choices).

Ranges given to spin boxes are the outer bounds a widget can hold; finer rules (e.g. a cell
size of 0 or 128–4096) come from the parameters' own `problems()`, checked as the user types.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...model import params as P


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the dataclass field
    label: str
    kind: str  # int | float | choice | offset | length | text | file | offsets | number_format
    minimum: float = 0
    maximum: float = 0
    unit: str = ""  # spin box suffix
    special: str = ""  # text shown for the minimum (e.g. "keep" for 0)
    choices: tuple[str, ...] = ()
    hint: str = ""  # tooltip / placeholder
    step: float = 1


SIZE_HINT = "0 keeps the proportion; otherwise 128–4096 px"

TRANSCODE = [
    FieldSpec("definition", "Definition label", "text", hint="Used in output names as {definition}, e.g. HD"),
    FieldSpec("container", "Container", "choice", choices=P.CONTAINERS),
    FieldSpec("video_codec", "Video codec", "choice", choices=P.VIDEO_CODECS),
    FieldSpec("short_side", "Short side", "int", 0, 8192, " px", "off", hint="Scale the shorter side to this (beats width/height)"),
    FieldSpec("width", "Width", "int", 0, 8192, " px", "auto", hint="0 follows the height (aspect kept)"),
    FieldSpec("height", "Height", "int", 0, 8192, " px", "auto", hint="0 follows the width (aspect kept)"),
    FieldSpec("fps", "Frame rate", "float", 0, 120, " fps", "keep source"),
    FieldSpec("crf", "Quality (CRF)", "int", 0, 51, "", hint="Lower is better; 18–28 is usual. Ignored when a bitrate is set."),
    FieldSpec("video_bitrate_kbps", "Video bitrate", "int", 0, 200000, " kbps", "use CRF", step=100),
    FieldSpec("encoder_preset", "Encoder preset", "choice", choices=P.ENCODER_PRESETS),
    FieldSpec("audio_codec", "Audio codec", "choice", choices=P.AUDIO_CODECS),
    FieldSpec("audio_bitrate_kbps", "Audio bitrate", "int", 0, 512, " kbps", step=16),
    FieldSpec("sample_rate", "Sample rate", "choice", choices=("0", "8000", "11025", "16000", "22050", "24000",
                                                                "32000", "44100", "48000"),
              hint="0 keeps the source rate"),
    FieldSpec("channels", "Channels", "int", 0, 8, "", "keep"),
    FieldSpec("audio_track", "Audio track", "text",
              hint="Empty: the input's default track; a number (2 = second track) or a language (eng)"),
    FieldSpec("hdr", "HDR source", "choice", choices=P.HDR_MODES,
              hint="auto: tone-map to SDR unless the codec is h265/av1; keep: 10-bit HDR; tonemap: always SDR"),
    FieldSpec("deinterlace", "Deinterlace", "choice", choices=P.DEINTERLACE_MODES,
              hint="auto: when the source is interlaced (broadcast, DV, camcorders)"),
    FieldSpec("subtitles", "Subtitles", "choice", choices=P.SUBTITLE_MODES,
              hint="keep: copy text subtitles into the output (mp4, mov, mkv, webm)"),
    FieldSpec("output_name", "Output name", "text", hint="Template, e.g. {inputName}_{definition}.{ext}; empty = default"),
]

SNAPSHOT = [
    FieldSpec("offsets", "Time points", "offsets", hint="Each as seconds (3.5s) or percent (25%)"),
    FieldSpec("format", "Format", "choice", choices=P.IMAGE_FORMATS),
    FieldSpec("width", "Width", "int", 0, 4096, " px", "auto", hint=SIZE_HINT),
    FieldSpec("height", "Height", "int", 0, 4096, " px", "auto", hint=SIZE_HINT),
    FieldSpec("number_format", "File numbers", "number_format",
              hint="How {number} is written: first number, step, digits and the padding character"),
    FieldSpec("output_name", "Output name", "text", hint="Template; empty = default"),
]

SAMPLE_SNAPSHOT = [
    FieldSpec("interval", "Every", "offset", hint="Seconds (5s) or percent of the duration (10%)"),
    FieldSpec("format", "Format", "choice", choices=P.IMAGE_FORMATS),
    FieldSpec("width", "Width", "int", 0, 4096, " px", "auto", hint=SIZE_HINT),
    FieldSpec("height", "Height", "int", 0, 4096, " px", "auto", hint=SIZE_HINT),
    FieldSpec("number_format", "File numbers", "number_format",
              hint="How {number} is written: first number, step, digits and the padding character"),
    FieldSpec("output_name", "Output name", "text", hint="Template; empty = default"),
]

ANIMATED_IMAGE = [
    FieldSpec("start", "Start", "offset", hint="Seconds or percent; negative counts back from the end"),
    FieldSpec("end", "End", "offset", hint="Seconds or percent; negative counts back from the end"),
    FieldSpec("fps", "Frame rate", "int", 1, 30, " fps"),
    FieldSpec("format", "Format", "choice", choices=P.ANIMATED_FORMATS),
    FieldSpec("quality", "Quality", "int", 1, 100, " %"),
    FieldSpec("width", "Width", "int", 0, 4096, " px", "auto", hint=SIZE_HINT),
    FieldSpec("height", "Height", "int", 0, 4096, " px", "auto", hint=SIZE_HINT),
    FieldSpec("output_name", "Output name", "text", hint="Template; empty = default"),
]

IMAGE_SPRITE = [
    FieldSpec("interval", "Every", "offset", hint="One cell per interval: seconds (2s) or percent"),
    FieldSpec("rows", "Rows", "int", 1, 20),
    FieldSpec("columns", "Columns", "int", 1, 20),
    FieldSpec("width", "Cell width", "int", 0, 4096, " px", "auto", hint="0 follows the height; else 16–4096 px"),
    FieldSpec("height", "Cell height", "int", 0, 4096, " px", "auto", hint="0 follows the width; else 16–4096 px"),
    FieldSpec("format", "Format", "choice", choices=P.SPRITE_FORMATS),
    FieldSpec("number_format", "File numbers", "number_format",
              hint="How {number} is written: first number, step, digits and the padding character"),
    FieldSpec("output_name", "Output name", "text", hint="Template; empty = default"),
]

WATERMARK = [
    FieldSpec("type", "Type", "choice", choices=("image", "text")),
    FieldSpec("image_path", "Image", "file", hint="A PNG with transparency; relative to the workflow file"),
    FieldSpec("text", "Text", "text", hint="The text to draw"),
    FieldSpec("font_size", "Font size", "int", 4, 512, " px", hint="Text height in pixels of the video, as FFmpeg draws it"),
    FieldSpec("font_color", "Font colour", "text", hint="A colour name or #rrggbb"),
    FieldSpec("origin", "Position", "choice", choices=P.ORIGINS),
    FieldSpec("x_pos", "Horizontal offset", "length", hint="From the chosen edge: 16px or 3%"),
    FieldSpec("y_pos", "Vertical offset", "length", hint="From the chosen edge: 16px or 3%"),
    FieldSpec("width", "Width", "length", hint="Of the video width (18%) or pixels; 0 keeps the image size"),
    FieldSpec("start", "From", "text", hint="Empty: from the beginning; else 3s or 10%"),
    FieldSpec("end", "Until", "text", hint="Empty: to the end; else 3s or 10%"),
    FieldSpec("output_name", "Output name", "text", hint="Used when the watermark runs on its own"),
]

# a watermark inside a transcode: the watermark node's own fields, less the output name (the
# transcode names its output); the same specs, so both editors stay one code path
WATERMARK_IN_TRANSCODE = [spec for spec in WATERMARK if spec.name != "output_name"]

SPECS: dict[str, list[FieldSpec]] = {
    "transcode": TRANSCODE,
    "snapshot": SNAPSHOT,
    "sample_snapshot": SAMPLE_SNAPSHOT,
    "animated_image": ANIMATED_IMAGE,
    "image_sprite": IMAGE_SPRITE,
    "watermark": WATERMARK,
}

# fields that only matter for one watermark type
WATERMARK_ONLY = {"image_path": "image", "text": "text", "font_size": "text", "font_color": "text"}


# fields whose problems are already in a person's words: the words they start with
PROBLEM_WORDS = {"number_format": "file numbers "}


def field_problems(params: object, name: str) -> list[str]:
    """The problems of `params` that are about the field `name` (by the message's first word)."""
    out = []
    words = PROBLEM_WORDS.get(name)
    for text in params.problems():  # type: ignore[attr-defined]
        if text == name or (text.startswith(name) and text[len(name)] in " :[.") or (words and text.startswith(words)):
            out.append(text)
    return out
