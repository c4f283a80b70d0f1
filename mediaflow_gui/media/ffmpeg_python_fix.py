"""ffmpeg-python and file names that are not valid UTF-8: one fix, applied when builders load.

ffmpeg-python (0.2.0, the last release) gives every graph node a hash of its arguments, taken as
`md5(repr(arguments).encode("utf-8"))`. A path holding a byte that is not UTF-8 reaches Python as a
string with a lone surrogate (model/text.py), and that encode raises UnicodeEncodeError: every task
on such a file failed before FFmpeg started. The hash only tells nodes apart; the arguments go to
FFmpeg unchanged, and subprocess turns such a path back into its exact bytes. So the hash is taken
over the same text encoded with "surrogatepass": the very same bytes (and hash) for every valid
name, and a working hash for the others.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ffmpeg import _utils, dag


def _get_hash(item: Any) -> str:
    text = _utils._recursive_repr(item).encode("utf-8", "surrogatepass")
    return hashlib.md5(text, usedforsecurity=False).hexdigest()


def install() -> None:
    """Replace ffmpeg-python's hash (idempotent). get_hash_int looks get_hash up in _utils."""
    _utils.get_hash = _get_hash
    dag.get_hash = _get_hash


install()
