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
The final numbers follow the task's NumberFormat (model/params.py; default from 1, at least two
digits: `_01 … _10`): `numbered_names` gives them for files named in advance, `renumber` renames
what FFmpeg numbered itself once it ended.

Where a run writes is decided here too: `run_folder` (the results folder, or next to the input, and
a folder per input when `makes_several_files`).

Lengths: a file name holds at most NAME_MAX bytes (255 on ext4, btrfs, XFS; 143 on eCryptfs; asked
of the file system with `name_max`). `fit_name` is the one rule every generated name goes through
(output names, FFmpeg sequence patterns with room for a 10-digit number, ` (n)` suffixes, staging
dirs, downloaded objects, S3 output keys): a name over its budget keeps its extension, a readable
head and its last bytes (where `_HD`, `_sprite_%d` and ` (2)` live), cut on character boundaries,
with `~<8 hex of sha256(full name)>~` where the middle was taken out, so that two long names which
share a long prefix stay distinct, and the same name always gives the same result. Long folders
(PATH_MAX, 4096 bytes on Linux) are not shortened: only names are.

Undecodable bytes: an input file name that is not valid UTF-8 (a lone surrogate per byte, see
model/text.py) gives output names with U+FFFD in their place: every name MediaFlow makes is valid
UTF-8, so a WebVTT file, a URL and an S3 key can hold it (the input itself is still read by its
real bytes).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

# the one list of placeholder names, and the kinds that fill {number}, live in the model (validation
# checks templates against them); re-exported here for the code that fills templates
from ..model.templates import MULTI_FILE_KINDS, PLACEHOLDERS  # noqa: F401
from ..model.kinds import NodeKind
from ..model.params import NumberFormat
from ..model.workflow import Workflow
from ..model.text import replace_undecodable, to_bytes

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
NAME_MAX_DEFAULT = 255  # bytes in one file name on common file systems, when the system does not say
SEQUENCE_ROOM = 10  # bytes kept for the number FFmpeg writes in place of %d (any 32-bit number)
EXT_MAX_BYTES = 16  # a longer "extension" is part of the name, not an extension
HASH_CHARS = 8  # hex digits of sha256 added where a name was cut
TAIL_BYTES = 48  # the end of a cut name that is kept ("_snapshotByTimeOffset_320x180_%d" fits)

_PLACEHOLDER = re.compile(r"\{([A-Za-z]+)\}")
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_SEQ_MARK = "\ue000"  # a private-use character holds the sequence's place while the rest is sanitised


class NamingError(ValueError):
    """A template that cannot produce a file name (e.g. empty after sanitising)."""


def name_bytes(name: str) -> int:
    """Bytes `name` takes on the file system (an undecodable byte counts as the one byte it is)."""
    return len(to_bytes(name))


def name_max(directory: str | os.PathLike[str]) -> int:
    """NAME_MAX of the file system `directory` is on (its nearest existing ancestor), at most 255.

    eCryptfs says 143; a file system that says more than 255 still gets 255, so that results can be
    copied to any common file system as they are.
    """
    path = Path(os.path.abspath(directory))
    for candidate in (path, *path.parents):
        try:
            value = os.pathconf(candidate, "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):  # missing (try the parent), or no pathconf (Windows)
            continue
        if value and value > 0:
            return min(int(value), NAME_MAX_DEFAULT)
        break
    return NAME_MAX_DEFAULT


def short_hash(text: str) -> str:
    """HASH_CHARS hex digits of the sha256 of `text`'s bytes: what stands in for a cut-out part."""
    return hashlib.sha256(to_bytes(text)).hexdigest()[:HASH_CHARS]


def _head(text: str, budget: int) -> str:
    """The longest start of `text` that fits in `budget` bytes (never half a character)."""
    used = 0
    for i, ch in enumerate(text):
        used += name_bytes(ch)
        if used > budget:
            return text[:i]
    return text


def _tail(text: str, budget: int) -> str:
    """The longest end of `text` that fits in `budget` bytes, not starting with a combining mark."""
    used = 0
    start = len(text)
    for i in range(len(text) - 1, -1, -1):
        used += name_bytes(text[i])
        if used > budget:
            break
        start = i
    while start < len(text) and unicodedata.combining(text[start]):
        start += 1
    return text[start:]


def fit_name(name: str, limit: int = NAME_MAX_DEFAULT, *, reserve: int = 0, keep: str = "") -> str:
    """`name` as it is when it fits in `limit - reserve` bytes; else shortened, stable and distinct.

    The shortened form is `<head>~<hash>~<tail><ext>`: the extension (up to EXT_MAX_BYTES), the
    end of the stem (up to TAIL_BYTES: the `_HD`, the `_%d`, the ` (2)`), the rest of the budget as
    the head, cut on character boundaries; the hash is the first HASH_CHARS hex digits of the
    sha256 of the whole name, so names sharing their first 250 bytes stay apart. `keep` (e.g. the
    place-holder of a sequence number) survives the cut. `reserve`: bytes the caller adds later
    (the digits of a number replacing a place-holder, a ".part" suffix).
    """
    budget_total = limit - reserve
    if name_bytes(name) <= budget_total:
        return name
    stem, ext = os.path.splitext(name)
    if (not stem or name_bytes(ext) > EXT_MAX_BYTES or any(ch.isspace() for ch in ext)
            or (keep and keep in ext)):
        stem, ext = name, ""
    tag = f"~{short_hash(name)}~"
    budget = budget_total - name_bytes(ext) - len(tag)
    if budget < 2 * name_bytes(keep or "x"):
        raise NamingError(f"a name cannot be made to fit in {budget_total} bytes: {name[:60]!r}…")
    tail_budget = min(TAIL_BYTES, budget // 3)
    if keep and keep in stem:
        at = stem.index(keep)
        if name_bytes(stem[:at + len(keep)]) <= budget - tail_budget:  # the head keeps it
            head = _head(stem, budget - tail_budget)
            tail = _tail(stem[len(head):], tail_budget)
        else:  # the tail keeps it: with what follows it and a little of what precedes it
            after = stem[at:]
            if name_bytes(after) <= budget * 2 // 3:
                tail = _tail(stem[:at], max(0, tail_budget - name_bytes(after))) + after
            else:  # a long text after the mark: the mark, then the very end
                tail = keep + _tail(stem[at + len(keep):], max(0, tail_budget - name_bytes(keep)))
            head = _head(stem[:at], budget - name_bytes(tail))
    else:
        tail = _tail(stem, tail_budget)
        head = _head(stem[:len(stem) - len(tail)], budget - name_bytes(tail))
    return head + tag + tail + ext


def sanitize_filename(name: str, fallback: str = "output", limit: int | None = NAME_MAX_DEFAULT) -> str:
    """A safe single file name: separators and control characters become '_', `..` is collapsed,
    undecodable bytes become U+FFFD, and (unless `limit` is None) it fits in `limit` bytes."""
    name = unicodedata.normalize("NFC", replace_undecodable(str(name)))
    name = _FORBIDDEN.sub("_", name)
    # C1 control characters and unicode line/paragraph separators are also invisible troublemakers
    name = "".join("_" if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in name)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip().lstrip(".").rstrip(". ")  # leading dot hides a file; Windows drops trailing dots
    stem, dot, ext = name.partition(".")
    if stem.upper() in _WINDOWS_RESERVED:
        name = f"{stem}_{dot}{ext}"
    if name and limit is not None:
        name = fit_name(name, limit)
    return name or fallback


def template_for(kind: str, output_name: str = "", overrides: dict[str, str] | None = None) -> str:
    """The template a task uses: its own output_name, else the settings' override, else the default."""
    if output_name and output_name.strip():
        return output_name.strip()
    if overrides and overrides.get(kind):
        return overrides[kind]
    return DEFAULT_TEMPLATES[kind]


def render(template: str, values: dict[str, object], *, sequence: bool = False,
           ensure_ext: str | None = None, limit: int = NAME_MAX_DEFAULT) -> str:
    """Fill a template and sanitise the result.

    `values` keys are placeholder names (case-insensitive); unknown placeholders stay as
    written. With `sequence=True`, {number} becomes FFmpeg's `%d` (added before the
    extension when the template lacks it, so numbered files never overwrite each other)
    and literal '%' is doubled. `ensure_ext` appends that extension when the name does
    not already end with it. The name fits in `limit` bytes (fit_name); a sequence's does
    with any number of up to SEQUENCE_ROOM digits in place of its `%d`, which a cut never removes.
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
    name = sanitize_filename(name.replace("{", "(").replace("}", ")"), fallback="", limit=None)
    if not name or not name.replace(_SEQ_MARK, "1").strip("._ -"):
        raise NamingError(f"the name template {template!r} gives an empty file name")
    if sequence:  # the mark stands for up to SEQUENCE_ROOM digits; the cut must keep it
        name = fit_name(name, limit, reserve=SEQUENCE_ROOM - name_bytes(_SEQ_MARK), keep=_SEQ_MARK)
    else:
        name = fit_name(name, limit)
    if sequence:
        name = name.replace("%", "%%").replace(_SEQ_MARK, FFMPEG_SEQUENCE)
    return name


def sequence_names(pattern: str, start: int = 1, count: int | None = None, directory: Path | None = None) -> list[str]:
    """Expand a name made by render(sequence=True): `count` names, or those present in `directory`.

    A pattern without `%d` is refused (NamingError): every number would give the same name, and
    listing a directory by it would never end.
    """
    if FFMPEG_SEQUENCE not in pattern.replace("%%", ""):
        raise NamingError(f"the file name pattern {pattern!r} has no {FFMPEG_SEQUENCE} for the number")

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


def numbered_names(pattern: str, count: int, number_format: NumberFormat | None = None) -> list[str]:
    """The final names of `count` numbered files: the pattern's `%d` written by `number_format`
    (default NumberFormat(): from 1, two digits at least, so `_01 … _10` sort)."""
    fmt = number_format or NumberFormat()
    if FFMPEG_SEQUENCE not in pattern.replace("%%", ""):
        raise NamingError(f"the file name pattern {pattern!r} has no {FFMPEG_SEQUENCE} for the number")
    return [pattern.replace("%%", "\x00").replace(FFMPEG_SEQUENCE, fmt.text(i)).replace("\x00", "%")
            for i in range(count)]


def renumber(directory: str | os.PathLike[str], pattern: str,
             number_format: NumberFormat | None = None) -> list[str]:
    """Rename the files FFmpeg's image2 muxer numbered itself (`pattern` with `%d`, from 1) in
    `directory` to their final numbers (numbered_names); the new names, in order.

    image2 can pad with zeros (`%02d`) but knows no increment or other pad character, so FFmpeg
    writes 1, 2, 3 … and this renames them once the run ended. Two passes (through temporary
    names) so that a new name can never land on an old one not yet renamed (start at 0: 2 → 01).
    """
    directory = Path(directory)
    old = sequence_names(pattern, start=1, directory=directory)
    new = numbered_names(pattern, len(old), number_format)
    if old == new:
        return new
    temporary = [directory / f".renumber-{i}.tmp" for i in range(len(old))]
    for name, tmp in zip(old, temporary):
        os.replace(directory / name, tmp)
    for tmp, name in zip(temporary, new):
        os.replace(tmp, directory / name)
    return new


def makes_several_files(workflow: Workflow) -> bool:
    """Whether a run of `workflow` writes more than one file: more than one task, or a task that
    writes numbered files. Such runs get a folder of their own per input when the setting asks."""
    tasks = [node for node in workflow.nodes.values() if node.kind == NodeKind.TASK]
    return len(tasks) > 1 or any(node.task_kind in MULTI_FILE_KINDS for node in tasks)


def run_folder(base: str | os.PathLike[str], input_path: str, *, beside_input: bool, subfolder: bool) -> Path:
    """The folder one run writes into.

    `base` is the chosen results folder (ignored when `beside_input`: the input's own folder).
    With `subfolder`, a folder named after the input inside it: `<results>/<inputName>/`, or next to
    the input `<input folder>/<inputName>_mediaflow/` (a folder named exactly like the input would sit
    confusingly beside it). A URL input (s3://…) has no folder to sit next to: `base` is used.
    """
    remote = "://" in input_path
    stem = PurePosixPath(input_path).stem if remote else Path(input_path).stem
    folder = Path(base) if (remote or not beside_input) else Path(input_path).parent
    if not subfolder:
        return folder
    name = sanitize_filename(stem, fallback="input")
    if beside_input and not remote:
        name = fit_name(f"{name}_mediaflow")
    return folder / name


# what happens when an output's name is taken in the output folder (EngineSettings.on_existing):
# keep both (the new file gets ` (1)`), overwrite the old file, or skip (keep the old file, drop the new)
ON_EXISTING = ("keep-both", "overwrite", "skip")
ON_EXISTING_DEFAULT = "keep-both"


def unique_path(directory: str | os.PathLike[str], filename: str, limit: int | None = None) -> Path:
    """`directory/filename`, or `name (1).ext`, `name (2).ext` … when taken: never overwrites.

    Every candidate fits the directory's NAME_MAX (`limit` when given): a name already at the limit
    is cut again to make room for its ` (n)` (fit_name keeps the end, so the ` (n)` stays).
    """
    directory = Path(directory)
    if limit is None:
        limit = name_max(directory)
    filename = fit_name(filename, limit)
    candidate = directory / filename
    if not os.path.lexists(candidate):
        return candidate
    stem, ext = os.path.splitext(filename)
    n = 1
    while True:
        candidate = directory / fit_name(f"{stem} ({n}){ext}", limit)
        if not os.path.lexists(candidate):
            return candidate
        n += 1


_SAFE_STEP_ID = re.compile(r"[0-9A-Za-z_-]{1,12}")


def staging_dir_name(prefix: str, task_id: str, step_id: str) -> str:
    """`<prefix><task_id>-<step>`: the private folder one step of one run writes into.

    A node id is any string a workflow file holds: one that is short and plain is used as it is,
    any other (long, with '/' or '..') becomes 3 plain characters and a hash, so the folder is
    one path component and two steps never share it. Well under NAME_MAX (about 45 bytes).
    """
    if _SAFE_STEP_ID.fullmatch(step_id):
        part = step_id
    else:
        plain = re.sub(r"[^0-9A-Za-z_-]", "_", step_id)[:3]
        part = f"{plain}~{short_hash(step_id)}"
    return fit_name(f"{prefix}{task_id}-{part}")


def input_values(source_name: str, input_path: Path, task_name: str) -> dict[str, object]:
    """The placeholders every kind shares ({inputName}, {inputFormat}, {taskName})."""
    return {
        "inputName": source_name,
        "inputFormat": input_path.suffix.lstrip(".").lower(),
        "taskName": task_name,
    }
