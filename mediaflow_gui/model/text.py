"""Text that came from the file system: the lossless form, the display form and the byte count.

File names on Linux are bytes. Python hands them over as `str`, each byte that is not valid UTF-8
turned into a lone surrogate U+DC80–U+DCFF (PEP 383, "surrogateescape"): `os.fsdecode(b"caf\\xe9")`
is `"caf\\udce9"`, and `open()` of that string opens the real file again. Such a string is the
lossless form, and the one the engine, the events and the task store's records carry, so a path
recorded for a run still opens its file. It cannot be encoded to UTF-8 as it is: printing it, a
JSON document sent to another program, or an S3 key need a form without lone surrogates.

- `display_text` is that form for people and other programs (`mediaflow status`, `status --json`,
  events, webhooks): each undecodable byte is written `\\xNN` (lower-case hex, as Python and
  `ls -b` write it), so two names that differ only in those bytes still read differently. A lone
  surrogate that is not an escaped byte (only a bad JSON document can make one) is written `\\uNNNN`.
- `replace_undecodable` is the form for new names (output files, S3 keys): each undecodable byte
  becomes U+FFFD, so every name MediaFlow makes is valid UTF-8 (a VTT file, a URL and an S3 key can
  hold it) and a file manager shows the replacement sign where the original had a broken byte.
- `to_bytes` / `from_bytes` are the lossless round trip through bytes (the task store keeps such
  text as a BLOB of exactly the file system's bytes).
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_lone_surrogates(text: str) -> bool:
    """True when `text` cannot be encoded to UTF-8 as it is (it holds undecodable file-name bytes)."""
    return _SURROGATE.search(text) is not None


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def display_text(text: str) -> str:
    """`text` with each undecodable byte written as `\\xNN`: printable, valid UTF-8, still telling."""
    return _SURROGATE.sub(_escaped, text) if _SURROGATE.search(text) else text


def replace_undecodable(text: str) -> str:
    """`text` with each undecodable byte (lone surrogate) replaced by U+FFFD: valid UTF-8."""
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text


def display_json(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings…) with every string through display_text."""
    if isinstance(value, str):
        return display_text(value)
    if isinstance(value, dict):
        return {display_json(k) if isinstance(k, str) else k: display_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [display_json(v) for v in value]
    return value


def to_bytes(text: str) -> bytes:
    """The bytes a file-system string stands for (os.fsencode on Linux, on every platform).

    A lone surrogate outside U+DC80–U+DCFF stands for no byte; it becomes U+FFFD.
    """
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: m.group(0) if 0xDC80 <= ord(m.group(0)) <= 0xDCFF else REPLACEMENT,
                              text).encode("utf-8", "surrogateescape")


def from_bytes(data: bytes) -> str:
    """The string for file-system bytes (os.fsdecode on Linux): lossless, to_bytes gives them back."""
    return data.decode("utf-8", "surrogateescape")
