"""The words a person sees for task parameters: each field's label as the inspector shows it, and
the words for the items of a list field ("time point 5", "watermark 1"), 1-based.

Validation (model/validation.py `in_words`) turns a parameter problem such as
"offsets[4]: '12x' is not a time such as 3.5s or 10%" or "crf must be 0–51 such as 23, not '99'"
into "time point 5: '12x' is …" and "Quality (CRF) must be …". The inspector's field table
(ui/inspector/specs.py) holds the same labels for its widgets; a UI test keeps the two equal.
Parameters' own `problems()` keep the field names first, because the inspector marks a field red by
them (specs.field_problems).
"""

from __future__ import annotations

_WATERMARK = {
    "type": "Type", "image_path": "Image", "text": "Text", "font_size": "Font size", "font_color": "Font colour",
    "origin": "Position", "x_pos": "Horizontal offset", "y_pos": "Vertical offset", "width": "Width",
    "start": "From", "end": "Until", "output_name": "Output name",
}
_SIZES = {"width": "Width", "height": "Height", "format": "Format", "output_name": "Output name"}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "transcode": {
        "definition": "Definition label", "container": "Container", "video_codec": "Video codec",
        "short_side": "Short side", "width": "Width", "height": "Height", "fps": "Frame rate",
        "crf": "Quality (CRF)", "video_bitrate_kbps": "Video bitrate", "encoder_preset": "Encoder preset",
        "audio_codec": "Audio codec", "audio_bitrate_kbps": "Audio bitrate", "sample_rate": "Sample rate",
        "channels": "Channels", "audio_track": "Audio track", "hdr": "HDR source", "deinterlace": "Deinterlace",
        "subtitles": "Subtitles", "output_name": "Output name", "watermarks": "Watermarks",
    },
    "snapshot": {"offsets": "Time points", "number_format": "File numbers", **_SIZES},
    "sample_snapshot": {"interval": "Every", "number_format": "File numbers", **_SIZES},
    "animated_image": {"start": "Start", "end": "End", "fps": "Frame rate", "quality": "Quality", **_SIZES},
    "image_sprite": {"interval": "Every", "rows": "Rows", "columns": "Columns", "width": "Cell width",
                     "height": "Cell height", "format": "Format", "number_format": "File numbers",
                     "output_name": "Output name"},
    "watermark": dict(_WATERMARK),
}

# list fields: the word for one item ({n} is 1-based) and the labels of an item's own fields
ITEM_WORDS: dict[str, str] = {"offsets": "time point {n}", "watermarks": "watermark {n}"}
ITEM_FIELD_LABELS: dict[str, dict[str, str]] = {"watermarks": _WATERMARK}


def field_label(kind: str, name: str) -> str:
    """The inspector's label of field `name` of task kind `kind` (the name itself when unknown)."""
    return FIELD_LABELS.get(kind, {}).get(name, name)
