"""The one place that decides output file names.

A template holds placeholders, matched case-insensitively (the names are model.templates.PLACEHOLDERS;
validation refuses a task whose output_name names any other):
  {inputName}   stem of the run's original input ("holiday clip" for "holiday clip.mov")
  {inputFormat} extension of the original input without the dot ("mov")
  {taskName}    the task node's label
  {definition}  a transcode's definition label ("HD"); for images the output size ("320x180")
  {number}      1, 2, 3 … for tasks that write several files
  {format}      image format of the output ("jpg", "gif")
  {ext}         extension of the output container ("mp4")

Defaults per task kind are in DEFAULT_TEMPLATES; a task's `output_name` (which may use
placeholders too) replaces the default; the engine's settings may replace the defaults.

Names are sanitised: no path separators, no `..`, no control or Windows-reserved
characters, no leading dots or spaces; unicode letters, spaces and a leading '-' are
kept (FFmpeg always receives absolute paths, so '-' never looks like an option).
When FFmpeg itself writes a numbered sequence, {number} becomes a printf pattern
(`%d`) and every other '%' is doubled so FFmpeg's image2 muxer reads it literally.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

# the one list of placeholder names, and the kinds that fill {number}, live in the model (validation
# checks templates against them); re-exported here for the code that fills templates
from ..model.templates import MULTI_FILE_KINDS, PLACEHOLDERS  # noqa: F401

DEFAULT_TEMPLATES: dict[str, str] = {
    "transcode": "{inputName}_{definition}.{ext}",
    "snapshot": "{inputName}_snapshotByTimeOffset_{definition}_{number}.{format}",
    "sample_snapshot": "{inputName}_sample_{number}.{format}",
    "animated_image": "{inputName}_animated.{format}",
    "image_sprite": "{inputName}_sprite_{number}.{format}",
    "image_sprite_vtt": "{inputName}_sprite.vtt",
    "watermark": "{inputName}_watermark.{ext}",
}
FFMPEG_SEQUENCE = "%d"  # what {number} becomes when FFmpeg numbers the files itself
MAX_NAME_BYTES = 240  # below the 255-byte limit of common file systems, leaving room for " (12)"

_PLACEHOLDER = re.compile(r"\{([A-Za-z]+)\}")
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_SEQ_MARK = "\ue000"  # a private-use character holds the sequence's place while the rest is sanitised


class NamingError(ValueError):
    """A template that cannot produce a file name (e.g. empty after sanitising)."""


def sanitize_filename(name: str, fallback: str = "output") -> str:
    """A safe single file name: separators and control characters become '_', `..` is collapsed."""
    name = unicodedata.normalize("NFC", str(name))
    name = _FORBIDDEN.sub("_", name)
    # C1 control characters and unicode line/paragraph separators are also invisible troublemakers
    name = "".join("_" if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in name)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip().lstrip(".").rstrip(". ")  # leading dot hides a file; Windows drops trailing dots
    stem, dot, ext = name.partition(".")
    if stem.upper() in _WINDOWS_RESERVED:
        name = f"{stem}_{dot}{ext}"
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        base, suffix = os.path.splitext(name)
        keep = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
        base = base.encode("utf-8")[:keep].decode("utf-8", errors="ignore")
        name = base + suffix
    return name or fallback


def template_for(kind: str, output_name: str = "", overrides: dict[str, str] | None = None) -> str:
    """The template a task uses: its own output_name, else the settings' override, else the default."""
    if output_name and output_name.strip():
        return output_name.strip()
    if overrides and overrides.get(kind):
        return overrides[kind]
    return DEFAULT_TEMPLATES[kind]


def render(template: str, values: dict[str, object], *, sequence: bool = False,
           ensure_ext: str | None = None) -> str:
    """Fill a template and sanitise the result.

    `values` keys are placeholder names (case-insensitive); unknown placeholders stay as
    written. With `sequence=True`, {number} becomes FFmpeg's `%d` (added before the
    extension when the template lacks it, so numbered files never overwrite each other)
    and literal '%' is doubled. `ensure_ext` appends that extension when the name does
    not already end with it.
    """
    lowered = {k.lower(): v for k, v in values.items()}
    has_number = any(m.group(1).lower() == "number" for m in _PLACEHOLDER.finditer(template))
    if sequence and not has_number:
        root, ext = os.path.splitext(template)
        if ext and "{" not in ext:
            template = f"{root}_{{number}}{ext}"
        elif ext:  # e.g. "x.{format}"
            template = f"{root}_{{number}}{ext}"
        else:
            template = template + "_{number}"

    def fill(m: re.Match[str]) -> str:
        key = m.group(1).lower()
        if sequence and key == "number":
            return _SEQ_MARK
        if key in lowered and lowered[key] is not None:
            # a value must not smuggle in separators either, so sanitise it on its own
            return _FORBIDDEN.sub("_", str(lowered[key]))
        return m.group(0)

    name = _PLACEHOLDER.sub(fill, template)
    if ensure_ext:
        ext = ensure_ext.lstrip(".")
        if not name.lower().endswith("." + ext.lower()):
            name = f"{name}.{ext}"
    name = sanitize_filename(name.replace("{", "(").replace("}", ")"), fallback="")
    if not name or not name.replace(_SEQ_MARK, "1").strip("._ -"):
        raise NamingError(f"the name template {template!r} gives an empty file name")
    if sequence:
        name = name.replace("%", "%%").replace(_SEQ_MARK, FFMPEG_SEQUENCE)
    return name


def sequence_names(pattern: str, start: int = 1, count: int | None = None, directory: Path | None = None) -> list[str]:
    """Expand a name made by render(sequence=True): `count` names, or those present in `directory`."""
    def expand(i: int) -> str:
        return pattern.replace("%%", "\x00").replace(FFMPEG_SEQUENCE, str(i)).replace("\x00", "%")

    if count is not None:
        return [expand(i) for i in range(start, start + count)]
    if directory is None:
        raise ValueError("give count or directory")
    out: list[str] = []
    i = start
    while (Path(directory) / expand(i)).exists():
        out.append(expand(i))
        i += 1
    return out


def unique_path(directory: str | os.PathLike[str], filename: str) -> Path:
    """`directory/filename`, or `name (1).ext`, `name (2).ext` … when taken: never overwrites."""
    directory = Path(directory)
    candidate = directory / filename
    if not candidate.exists() and not candidate.is_symlink():
        return candidate
    stem, ext = os.path.splitext(filename)
    n = 1
    while True:
        candidate = directory / f"{stem} ({n}){ext}"
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
        n += 1


def input_values(source_name: str, input_path: Path, task_name: str) -> dict[str, object]:
    """The placeholders every kind shares ({inputName}, {inputFormat}, {taskName})."""
    return {
        "inputName": source_name,
        "inputFormat": input_path.suffix.lstrip(".").lower(),
        "taskName": task_name,
    }
