"""Colour values as FFmpeg reads them (libavutil's av_parse_color), checked before FFmpeg starts.

Accepted, as FFmpeg accepts them:
- a name from FFmpeg's table (`ffmpeg -colors`: the 140 HTML colour names, any case), or
  `random`/`bikeshed`;
- `#RRGGBB[AA]`, `0xRRGGBB[AA]` or the bare 6/8 hex digits;
- either followed by `@alpha`: a decimal from 0.0 (transparent) to 1.0 (opaque), or `0x` and hex
  digits up to 0xff.
FFmpeg would refuse anything else with "Cannot find color" when the run is already under way.
tests/model/test_colours.py compares COLOUR_NAMES with the FFmpeg in use.
"""

from __future__ import annotations

import re

COLOUR_NAMES = (
    "AliceBlue", "AntiqueWhite", "Aqua", "Aquamarine", "Azure", "Beige", "Bisque", "Black", "BlanchedAlmond",
    "Blue", "BlueViolet", "Brown", "BurlyWood", "CadetBlue", "Chartreuse", "Chocolate", "Coral",
    "CornflowerBlue", "Cornsilk", "Crimson", "Cyan", "DarkBlue", "DarkCyan", "DarkGoldenRod", "DarkGray",
    "DarkGreen", "DarkKhaki", "DarkMagenta", "DarkOliveGreen", "Darkorange", "DarkOrchid", "DarkRed",
    "DarkSalmon", "DarkSeaGreen", "DarkSlateBlue", "DarkSlateGray", "DarkTurquoise", "DarkViolet", "DeepPink",
    "DeepSkyBlue", "DimGray", "DodgerBlue", "FireBrick", "FloralWhite", "ForestGreen", "Fuchsia", "Gainsboro",
    "GhostWhite", "Gold", "GoldenRod", "Gray", "Green", "GreenYellow", "HoneyDew", "HotPink", "IndianRed",
    "Indigo", "Ivory", "Khaki", "Lavender", "LavenderBlush", "LawnGreen", "LemonChiffon", "LightBlue",
    "LightCoral", "LightCyan", "LightGoldenRodYellow", "LightGreen", "LightGrey", "LightPink", "LightSalmon",
    "LightSeaGreen", "LightSkyBlue", "LightSlateGray", "LightSteelBlue", "LightYellow", "Lime", "LimeGreen",
    "Linen", "Magenta", "Maroon", "MediumAquaMarine", "MediumBlue", "MediumOrchid", "MediumPurple",
    "MediumSeaGreen", "MediumSlateBlue", "MediumSpringGreen", "MediumTurquoise", "MediumVioletRed",
    "MidnightBlue", "MintCream", "MistyRose", "Moccasin", "NavajoWhite", "Navy", "OldLace", "Olive",
    "OliveDrab", "Orange", "OrangeRed", "Orchid", "PaleGoldenRod", "PaleGreen", "PaleTurquoise",
    "PaleVioletRed", "PapayaWhip", "PeachPuff", "Peru", "Pink", "Plum", "PowderBlue", "Purple", "Red",
    "RosyBrown", "RoyalBlue", "SaddleBrown", "Salmon", "SandyBrown", "SeaGreen", "SeaShell", "Sienna",
    "Silver", "SkyBlue", "SlateBlue", "SlateGray", "Snow", "SpringGreen", "SteelBlue", "Tan", "Teal",
    "Thistle", "Tomato", "Turquoise", "Violet", "Wheat", "White", "WhiteSmoke", "Yellow", "YellowGreen",
)
_NAMES = {name.lower() for name in COLOUR_NAMES} | {"random", "bikeshed"}
_HEX = re.compile(r"[0-9A-Fa-f]+")
_DECIMAL = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

COLOUR_HINT = "write a name such as white or yellow, or #RRGGBB such as #FFCC00 (add @0.5 for half transparent)"


def colour_problem(text: str) -> str | None:
    """None when FFmpeg reads `text` as a colour; else why not, in words."""
    value = str(text)
    if not value:
        return f"no colour is given: {COLOUR_HINT}"
    colour, at, alpha = value.partition("@")
    hex_offset = 1 if colour.startswith("#") else 2 if colour.startswith("0x") else 0
    body = colour[hex_offset:]
    if hex_offset or (body and _HEX.fullmatch(body)):
        if not (_HEX.fullmatch(body) and len(body) in (6, 8)):
            return f"{value!r} is not a colour: a hex colour has 6 or 8 digits (RRGGBB or RRGGBBAA); {COLOUR_HINT}"
    elif body.lower() not in _NAMES:
        return f"{value!r} is not a colour FFmpeg knows: {COLOUR_HINT}"
    if at:
        if alpha.startswith("0x"):
            ok = bool(_HEX.fullmatch(alpha[2:])) and int(alpha[2:], 16) <= 255
        else:
            ok = bool(_DECIMAL.fullmatch(alpha)) and 0.0 <= float(alpha) <= 1.0
        if not ok:
            return (f"{value!r}: the transparency after @ must be from 0.0 (invisible) to 1.0 (opaque), "
                    f"or 0x00 to 0xff, not {alpha!r}")
    return None
