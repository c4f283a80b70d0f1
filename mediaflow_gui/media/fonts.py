"""Find a TrueType font for drawtext (text watermarks).

FFmpeg's drawtext needs a font file; fontconfig lookups depend on the machine's
configuration, so we hand it a path: the usual system fonts first, then any .ttf that
ships inside an installed Python package (matplotlib, for one, carries DejaVu).
"""

from __future__ import annotations

import os
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path

_SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",  # macOS
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
    "C:/Windows/Fonts/segoeui.ttf",
)
_PREFERRED_NAMES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf")


class FontNotFoundError(RuntimeError):
    pass


def _wheel_fonts() -> list[Path]:
    """.ttf files inside installed packages, preferred names first."""
    found: list[Path] = []
    roots = {sysconfig.get_paths().get("purelib"), sysconfig.get_paths().get("platlib")}
    roots.update(p for p in sys.path if p.endswith("site-packages"))
    for root in filter(None, roots):
        for name in _PREFERRED_NAMES:
            found.extend(Path(root).glob(f"*/**/{name}"))
    return found


@lru_cache(maxsize=4)
def find_font(preferred: str | None = None) -> Path:
    """A usable font file; `preferred` (a setting) wins when it exists."""
    if preferred and Path(preferred).expanduser().is_file():
        return Path(preferred).expanduser().resolve()
    windir = os.environ.get("WINDIR")
    candidates = list(_SYSTEM_FONTS) + ([os.path.join(windir, "Fonts", "arial.ttf")] if windir else [])
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    wheel = _wheel_fonts()
    if wheel:
        return wheel[0]
    raise FontNotFoundError(
        "no font file was found for the text watermark: install the DejaVu fonts "
        "(e.g. `apt install fonts-dejavu-core`) or choose a font file in Settings")
