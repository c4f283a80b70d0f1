"""Colour values: what FFmpeg's av_parse_color accepts is accepted, everything else is explained."""

from __future__ import annotations

import os
import subprocess

import pytest

from mediaflow_gui.model.colours import COLOUR_NAMES, colour_problem


@pytest.mark.parametrize("value", [
    "white", "WHITE", "LightGoldenRodYellow", "darkorange", "random",
    "#FFCC00", "#ffcc0080", "0xFFCC00", "0xffcc0080", "ffcc00", "FFCC0080",
    "red@0.5", "red@1", "red@0", "red@.25", "red@0x80", "#ff0000@0xff",
])
def test_ffmpeg_colours_are_accepted(value: str) -> None:
    assert colour_problem(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("blu", "'blu' is not a colour FFmpeg knows"),
    ("darkgrey", "is not a colour FFmpeg knows"),  # FFmpeg's table has DarkGray only
    ("", "no colour is given"),
    ("#ff00", "a hex colour has 6 or 8 digits"),
    ("0xGG0000", "a hex colour has 6 or 8 digits"),
    ("bed", "a hex colour has 6 or 8 digits"),  # all hex digits: FFmpeg reads it as hex, not as a name
    ("red@1.5", "from 0.0 (invisible) to 1.0 (opaque)"),
    ("red@", "from 0.0 (invisible) to 1.0 (opaque)"),
    ("red@0x100", "from 0.0 (invisible) to 1.0 (opaque)"),
    ("red@half", "not 'half'"),
    (" white", "is not a colour FFmpeg knows"),
])
def test_what_ffmpeg_refuses_is_explained(value: str, fragment: str) -> None:
    problem = colour_problem(value)
    assert problem is not None and fragment in problem
    assert "such as white" in problem or "transparency" in problem


def test_the_names_are_those_of_the_ffmpeg_in_use() -> None:
    ffmpeg = os.environ["MEDIAFLOW_FFMPEG"]  # tests/conftest.py pins it
    out = subprocess.run([ffmpeg, "-hide_banner", "-colors"], capture_output=True, text=True, timeout=30).stdout
    names = [line.split()[0] for line in out.splitlines()[1:] if line.strip()]
    assert names == list(COLOUR_NAMES)
