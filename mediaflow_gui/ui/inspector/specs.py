"""Which widget edits which parameter: one table per task kind (labels, units, ranges, choices).

Ranges given to spin boxes are the outer bounds a widget can hold; finer rules (e.g. a cell
size of 0 or 128–4096) come from the parameters' own `problems()`, checked as the user types.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

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
    # label, special and hint are English, marked for pyside6-lupdate with the context "InspectorSpecs";
    # the widgets translate them where they show them (fields.py, field_group.py: spec_text)
    step: float = 1


SIZE_HINT = QT_TRANSLATE_NOOP("InspectorSpecs", "0 keeps the proportion; otherwise 128–4096 px")

TRANSCODE = [
    FieldSpec("definition", QT_TRANSLATE_NOOP("InspectorSpecs", "Definition label"), "text", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Used in output names as {definition}, e.g. HD")),
    FieldSpec("container", QT_TRANSLATE_NOOP("InspectorSpecs", "Container"), "choice", choices=P.CONTAINERS),
    FieldSpec("video_codec", QT_TRANSLATE_NOOP("InspectorSpecs", "Video codec"), "choice", choices=P.VIDEO_CODECS),
    FieldSpec("short_side", QT_TRANSLATE_NOOP("InspectorSpecs", "Short side"), "int", 0, 8192, " px", QT_TRANSLATE_NOOP("InspectorSpecs", "off"), hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Scale the shorter side to this (beats width/height)")),
    FieldSpec("width", QT_TRANSLATE_NOOP("InspectorSpecs", "Width"), "int", 0, 8192, " px", QT_TRANSLATE_NOOP("InspectorSpecs", "auto"), hint=QT_TRANSLATE_NOOP("InspectorSpecs", "0 follows the height (aspect kept)")),
    FieldSpec("height", QT_TRANSLATE_NOOP("InspectorSpecs", "Height"), "int", 0, 8192, " px", QT_TRANSLATE_NOOP("InspectorSpecs", "auto"), hint=QT_TRANSLATE_NOOP("InspectorSpecs", "0 follows the width (aspect kept)")),
    FieldSpec("fps", QT_TRANSLATE_NOOP("InspectorSpecs", "Frame rate"), "float", 0, 120, " fps", QT_TRANSLATE_NOOP("InspectorSpecs", "keep source")),
    FieldSpec("crf", QT_TRANSLATE_NOOP("InspectorSpecs", "Quality (CRF)"), "int", 0, 51, "", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Lower is better; 18–28 is usual. Ignored when a bitrate is set.")),
    FieldSpec("video_bitrate_kbps", QT_TRANSLATE_NOOP("InspectorSpecs", "Video bitrate"), "int", 0, 200000, " kbps", QT_TRANSLATE_NOOP("InspectorSpecs", "use CRF"), step=100),
    FieldSpec("encoder_preset", QT_TRANSLATE_NOOP("InspectorSpecs", "Encoder preset"), "choice", choices=P.ENCODER_PRESETS),
    FieldSpec("audio_codec", QT_TRANSLATE_NOOP("InspectorSpecs", "Audio codec"), "choice", choices=P.AUDIO_CODECS),
    FieldSpec("audio_bitrate_kbps", QT_TRANSLATE_NOOP("InspectorSpecs", "Audio bitrate"), "int", 0, 512, " kbps", step=16),
    FieldSpec("sample_rate", QT_TRANSLATE_NOOP("InspectorSpecs", "Sample rate"), "choice", choices=("0", "8000", "11025", "16000", "22050", "24000",
                                                                "32000", "44100", "48000"),
              hint=QT_TRANSLATE_NOOP("InspectorSpecs", "0 keeps the source rate")),
    FieldSpec("channels", QT_TRANSLATE_NOOP("InspectorSpecs", "Channels"), "int", 0, 8, "", QT_TRANSLATE_NOOP("InspectorSpecs", "keep")),
    FieldSpec("audio_track", QT_TRANSLATE_NOOP("InspectorSpecs", "Audio track"), "text",
              hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Empty: the input's default track; a number (2 = second track) or a language (eng)")),
    FieldSpec("hdr", QT_TRANSLATE_NOOP("InspectorSpecs", "HDR source"), "choice", choices=P.HDR_MODES,
              hint=QT_TRANSLATE_NOOP("InspectorSpecs", "auto: tone-map to SDR unless the codec is h265/av1; keep: 10-bit HDR; tonemap: always SDR")),
    FieldSpec("deinterlace", QT_TRANSLATE_NOOP("InspectorSpecs", "Deinterlace"), "choice", choices=P.DEINTERLACE_MODES,
              hint=QT_TRANSLATE_NOOP("InspectorSpecs", "auto: when the source is interlaced (broadcast, DV, camcorders)")),
    FieldSpec("subtitles", QT_TRANSLATE_NOOP("InspectorSpecs", "Subtitles"), "choice", choices=P.SUBTITLE_MODES,
              hint=QT_TRANSLATE_NOOP("InspectorSpecs", "keep: copy text subtitles into the output (mp4, mov, mkv, webm)")),
    FieldSpec("output_name", QT_TRANSLATE_NOOP("InspectorSpecs", "Output name"), "text", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Template, e.g. {inputName}_{definition}.{ext}; empty = default")),
]

# rows several image tasks share: one definition each (the labels are translated where shown)
IMAGE_SIZE = [
    FieldSpec("width", QT_TRANSLATE_NOOP("InspectorSpecs", "Width"), "int", 0, 4096, " px", QT_TRANSLATE_NOOP("InspectorSpecs", "auto"), hint=SIZE_HINT),
    FieldSpec("height", QT_TRANSLATE_NOOP("InspectorSpecs", "Height"), "int", 0, 4096, " px", QT_TRANSLATE_NOOP("InspectorSpecs", "auto"), hint=SIZE_HINT),
]
FILE_NUMBERS = FieldSpec("number_format", QT_TRANSLATE_NOOP("InspectorSpecs", "File numbers"), "number_format",
                         hint=QT_TRANSLATE_NOOP("InspectorSpecs", "How {number} is written: first number, step, "
                                                "digits and the padding character"))
IMAGE_OUTPUT_NAME = FieldSpec("output_name", QT_TRANSLATE_NOOP("InspectorSpecs", "Output name"), "text",
                              hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Template; empty = default"))

SNAPSHOT = [
    FieldSpec("offsets", QT_TRANSLATE_NOOP("InspectorSpecs", "Time points"), "offsets", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Each as seconds (3.5s) or percent (25%)")),
    FieldSpec("format", QT_TRANSLATE_NOOP("InspectorSpecs", "Format"), "choice", choices=P.IMAGE_FORMATS),
    *IMAGE_SIZE,
    FILE_NUMBERS,
    IMAGE_OUTPUT_NAME,
]

SAMPLE_SNAPSHOT = [
    FieldSpec("interval", QT_TRANSLATE_NOOP("InspectorSpecs", "Every"), "offset", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Seconds (5s) or percent of the duration (10%)")),
    FieldSpec("format", QT_TRANSLATE_NOOP("InspectorSpecs", "Format"), "choice", choices=P.IMAGE_FORMATS),
    *IMAGE_SIZE,
    FILE_NUMBERS,
    IMAGE_OUTPUT_NAME,
]

ANIMATED_IMAGE = [
    FieldSpec("start", QT_TRANSLATE_NOOP("InspectorSpecs", "Start"), "offset", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Seconds or percent; negative counts back from the end")),
    FieldSpec("end", QT_TRANSLATE_NOOP("InspectorSpecs", "End"), "offset", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Seconds or percent; negative counts back from the end")),
    FieldSpec("fps", QT_TRANSLATE_NOOP("InspectorSpecs", "Frame rate"), "int", 1, 30, " fps"),
    FieldSpec("format", QT_TRANSLATE_NOOP("InspectorSpecs", "Format"), "choice", choices=P.ANIMATED_FORMATS),
    FieldSpec("quality", QT_TRANSLATE_NOOP("InspectorSpecs", "Quality"), "int", 1, 100, " %"),
    *IMAGE_SIZE,
    IMAGE_OUTPUT_NAME,
]

IMAGE_SPRITE = [
    FieldSpec("interval", QT_TRANSLATE_NOOP("InspectorSpecs", "Every"), "offset", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "One cell per interval: seconds (2s) or percent")),
    FieldSpec("rows", QT_TRANSLATE_NOOP("InspectorSpecs", "Rows"), "int", 1, 20),
    FieldSpec("columns", QT_TRANSLATE_NOOP("InspectorSpecs", "Columns"), "int", 1, 20),
    FieldSpec("width", QT_TRANSLATE_NOOP("InspectorSpecs", "Cell width"), "int", 0, 4096, " px", QT_TRANSLATE_NOOP("InspectorSpecs", "auto"), hint=QT_TRANSLATE_NOOP("InspectorSpecs", "0 follows the height; else 16–4096 px")),
    FieldSpec("height", QT_TRANSLATE_NOOP("InspectorSpecs", "Cell height"), "int", 0, 4096, " px", QT_TRANSLATE_NOOP("InspectorSpecs", "auto"), hint=QT_TRANSLATE_NOOP("InspectorSpecs", "0 follows the width; else 16–4096 px")),
    FieldSpec("format", QT_TRANSLATE_NOOP("InspectorSpecs", "Format"), "choice", choices=P.SPRITE_FORMATS),
    FILE_NUMBERS,
    IMAGE_OUTPUT_NAME,
]

WATERMARK = [
    FieldSpec("type", QT_TRANSLATE_NOOP("InspectorSpecs", "Type"), "choice", choices=("image", "text")),
    FieldSpec("image_path", QT_TRANSLATE_NOOP("InspectorSpecs", "Image"), "file", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "A PNG with transparency; relative to the workflow file")),
    FieldSpec("text", QT_TRANSLATE_NOOP("InspectorSpecs", "Text"), "text", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "The text to draw")),
    FieldSpec("font_size", QT_TRANSLATE_NOOP("InspectorSpecs", "Font size"), "int", 4, 512, " px", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Text height in pixels of the video, as FFmpeg draws it")),
    FieldSpec("font_color", QT_TRANSLATE_NOOP("InspectorSpecs", "Font colour"), "text", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "A colour name or #rrggbb")),
    FieldSpec("origin", QT_TRANSLATE_NOOP("InspectorSpecs", "Position"), "choice", choices=P.ORIGINS),
    FieldSpec("x_pos", QT_TRANSLATE_NOOP("InspectorSpecs", "Horizontal offset"), "length", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "From the chosen edge: 16px or 3%")),
    FieldSpec("y_pos", QT_TRANSLATE_NOOP("InspectorSpecs", "Vertical offset"), "length", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "From the chosen edge: 16px or 3%")),
    FieldSpec("width", QT_TRANSLATE_NOOP("InspectorSpecs", "Width"), "length", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Of the video width (18%) or pixels; 0 keeps the image size")),
    FieldSpec("start", QT_TRANSLATE_NOOP("InspectorSpecs", "From"), "text", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Empty: from the beginning; else 3s or 10%")),
    FieldSpec("end", QT_TRANSLATE_NOOP("InspectorSpecs", "Until"), "text", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Empty: to the end; else 3s or 10%")),
    FieldSpec("output_name", QT_TRANSLATE_NOOP("InspectorSpecs", "Output name"), "text", hint=QT_TRANSLATE_NOOP("InspectorSpecs", "Used when the watermark runs on its own")),
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


def spec_text(text: str) -> str:
    """A label, special value or hint of these tables in the UI's language (empty stays empty)."""
    return QCoreApplication.translate("InspectorSpecs", text) if text else ""


# how a choice reads in the inspector (the value stays the parameter's, as the JSON and the CLI write it);
# formats and codecs (mp4, h264 …) and FFmpeg's encoder presets (veryfast …) read as they are
CHOICE_LABELS = {
    "none": QT_TRANSLATE_NOOP("InspectorChoices", "none"), "auto": QT_TRANSLATE_NOOP("InspectorChoices", "auto"),
    "keep": QT_TRANSLATE_NOOP("InspectorChoices", "keep"), "tonemap": QT_TRANSLATE_NOOP("InspectorChoices", "tonemap"),
    "on": QT_TRANSLATE_NOOP("InspectorChoices", "on"), "off": QT_TRANSLATE_NOOP("InspectorChoices", "off"),
    "drop": QT_TRANSLATE_NOOP("InspectorChoices", "drop"), "image": QT_TRANSLATE_NOOP("InspectorChoices", "image"),
    "text": QT_TRANSLATE_NOOP("InspectorChoices", "text"),
    "TopLeft": QT_TRANSLATE_NOOP("InspectorChoices", "TopLeft"),
    "TopRight": QT_TRANSLATE_NOOP("InspectorChoices", "TopRight"),
    "BottomLeft": QT_TRANSLATE_NOOP("InspectorChoices", "BottomLeft"),
    "BottomRight": QT_TRANSLATE_NOOP("InspectorChoices", "BottomRight"),
    "Center": QT_TRANSLATE_NOOP("InspectorChoices", "Center"),
    # transcode presets (model/params.py TRANSCODE_PRESETS), by name
    "SD 540p": QT_TRANSLATE_NOOP("InspectorChoices", "SD 540p"),
    "HD 720p": QT_TRANSLATE_NOOP("InspectorChoices", "HD 720p"),
    "FHD 1080p": QT_TRANSLATE_NOOP("InspectorChoices", "FHD 1080p"),
    "Audio only (m4a)": QT_TRANSLATE_NOOP("InspectorChoices", "Audio only (m4a)"),
}


def choice_text(value: str) -> str:
    """A choice of the inspector's combo boxes as it reads in the UI's language."""
    label = CHOICE_LABELS.get(value)
    return QCoreApplication.translate("InspectorChoices", label) if label else value
