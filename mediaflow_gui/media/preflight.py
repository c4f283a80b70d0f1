"""Checks of what a workflow points at on disk, made before FFmpeg starts.

model/validation.py checks what a workflow says (graph, ranges, colours, placeholders); this module
checks the files its tasks need, which takes the disk and a decoder:
- a watermark image exists, is a regular file, and decodes as a picture (PyAV, the first frame);
- a text watermark has a font file, and it is a font.

`check_workflow_inputs(workflow)` lists every problem, naming the node; `mediaflow validate` and
`mediaflow run` call it. The watermark filter calls `image_info()` for the image it is about to use,
so a run started from the GUI or a bucket fails that step, in the same words, before FFmpeg starts.

A path that is not a regular file is refused by its real nature from stat() alone ("is a device,
not an image file") and never opened: a fifo would block the reader, /dev/zero never ends.
Decoding results are cached per (path, size, mtime, inode): a folder of 200 inputs checks its
logo once, and an edited logo is checked again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..model.files import not_a_regular_file, resolve_relative
from ..model.kinds import NodeKind
from ..model.limits import size_problem
from ..model.params import WatermarkParams
from ..model.validation import Problem
from ..model.workflow import Workflow
from .fonts import FontNotFoundError, find_font

# the first bytes of the font files FreeType (drawtext) reads: TrueType, OpenType/CFF, Apple
# TrueType, TrueType collections, WOFF and WOFF2
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")


class InputFileError(ValueError):
    """A file a task needs cannot be used; str() says why, as the end of a sentence naming the file
    ("is a device, not an image file")."""


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str  # the demuxer FFmpeg picks for it: png_pipe, jpeg_pipe, gif, …


def _nature(path: str | os.PathLike[str], wanted: str) -> str | None:
    """Why `path` is not a regular file, in words that say what was wanted ("…, not an image file")."""
    nature = not_a_regular_file(path)
    if nature is not None and nature.startswith("is a "):
        return f"{nature}, not {wanted}"
    return nature


def _is_image_format(name: str) -> bool:
    # FFmpeg opens still images with its image2 family of demuxers (png_pipe, jpeg_pipe, webp_pipe …);
    # GIF and APNG have their own. Anything else (mov,mp4…, matroska) is a video or audio file.
    return name.endswith("_pipe") or name in ("image2", "gif", "apng")


@lru_cache(maxsize=64)
def _decode(path: str, size: int, mtime_ns: int, inode: int) -> ImageInfo:
    """The picture's size and format from its first decoded frame (the stat values key the cache)."""
    import av

    try:
        with av.open(path) as container:
            fmt = container.format.name
            if not container.streams.video:
                raise InputFileError(f"has no picture in it (FFmpeg reads it as {fmt}), so it is not an image")
            if not _is_image_format(fmt):
                raise InputFileError(f"is a video or audio file ({fmt}), not an image; "
                                     "use a PNG, JPEG, WebP or GIF picture")
            frame = next(container.decode(video=0), None)
    except InputFileError:
        raise
    except (av.FFmpegError, OSError, ValueError, StopIteration) as exc:  # FFmpeg's errors are OSError/ValueError kinds
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise InputFileError(f"is not an image file FFmpeg can read ({detail})") from None
    if frame is None or frame.width < 1 or frame.height < 1:
        raise InputFileError("has no picture in it, so it is not an image")
    return ImageInfo(frame.width, frame.height, fmt)


def image_info(path: str | os.PathLike[str]) -> ImageInfo:
    """The size of the image at `path`; InputFileError says why it cannot be one."""
    why = _nature(path, "an image file")
    if why is not None:
        raise InputFileError(why)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputFileError(f"cannot be read ({exc.strerror or exc})") from None
    if st.st_size == 0:
        raise InputFileError("is empty (0 bytes), not an image")
    if not os.access(path, os.R_OK):
        raise InputFileError("cannot be read (permission denied)")
    return _decode(str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def font_problem(preferred: str | None = None) -> str | None:
    """None when text watermarks have a usable font file; else why not, in words."""
    try:
        font = find_font(preferred)
    except FontNotFoundError as exc:
        return str(exc)
    why = _nature(font, "a font file")
    if why is not None:
        return f"the font file '{font}' {why}"
    try:
        with open(font, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        return f"the font file '{font}' cannot be read ({exc.strerror or exc})"
    if head not in FONT_MAGIC:
        return f"the font file '{font}' is not a TrueType or OpenType font"
    return None


def _marks(params: object) -> list[tuple[int | None, WatermarkParams]]:
    """The watermarks of a task's parameters, numbered from 1 inside a transcode (None for a watermark task)."""
    if isinstance(params, WatermarkParams):
        return [(None, params)]
    return list(enumerate(getattr(params, "watermarks", None) or [], 1))


def check_workflow_inputs(workflow: Workflow) -> list[Problem]:
    """Every file a task of `workflow` needs that is missing or unusable, each naming its node.

    A workflow beyond the size limits is not looked at (validation reports that, and only that).
    """
    if size_problem(len(workflow.nodes), len(workflow.edges)):
        return []
    problems: list[Problem] = []
    font_checked: str | None | bool = False  # one font serves every text watermark: check it once
    for node in workflow.nodes.values():
        if node.kind != NodeKind.TASK or node.params is None:
            continue
        for number, mark in _marks(node.params):
            where = f"task '{node.label}'" + (f", watermark {number}" if number else "")
            if mark.type == "image" and mark.image_path:
                path = resolve_relative(mark.image_path, workflow.base_dir)
                try:
                    image_info(path)
                except InputFileError as exc:
                    problems.append(Problem("watermark_image", f"{where}: the watermark image '{path}' {exc}.",
                                            node.id))
            elif mark.type == "text" and mark.text.strip():
                if font_checked is False:
                    font_checked = font_problem()
                if font_checked:
                    problems.append(Problem("font", f"{where}: cannot draw the text: {font_checked}.", node.id))
    return problems
