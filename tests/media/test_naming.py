"""Output names: placeholders, defaults, overrides, sanitising, sequences, unique_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mediaflow_gui.media.naming import (
    DEFAULT_TEMPLATES, NamingError, render, sanitize_filename, sequence_names, template_for, unique_path,
)
from mediaflow_gui.model.params import SampleSnapshotParams, TranscodeParams

VALUES = {"inputName": "clip", "inputFormat": "mov", "taskName": "HD copy", "definition": "HD",
          "format": "jpg", "ext": "mp4"}


def test_every_placeholder_is_filled() -> None:
    name = render("{inputName}-{inputFormat}-{taskName}-{definition}-{format}-{ext}-{number}",
                  {**VALUES, "number": 7})
    assert name == "clip-mov-HD copy-HD-jpg-mp4-7"


def test_placeholders_ignore_case_and_unknown_ones_stay_visible() -> None:
    assert render("{inputname}_{DEFINITION}.{Ext}", VALUES) == "clip_HD.mp4"
    assert render("{inputName}_{colour}.mp4", VALUES) == "clip_(colour).mp4"


@pytest.mark.parametrize("kind, expected", [
    ("transcode", "clip_HD.mp4"),
    ("animated_image", "clip_animated.jpg"),
    ("watermark", "clip_watermark.mp4"),
    ("image_sprite_vtt", "clip_sprite.vtt"),
])
def test_single_file_defaults(kind: str, expected: str) -> None:
    assert render(DEFAULT_TEMPLATES[kind], VALUES) == expected


def test_multi_file_defaults_become_ffmpeg_sequences() -> None:
    assert render(DEFAULT_TEMPLATES["snapshot"], VALUES, sequence=True) == "clip_snapshotByTimeOffset_HD_%d.jpg"
    assert render(DEFAULT_TEMPLATES["sample_snapshot"], VALUES, sequence=True) == "clip_sample_%d.jpg"
    assert render(DEFAULT_TEMPLATES["image_sprite"], VALUES, sequence=True) == "clip_sprite_%d.jpg"


def test_sequence_without_number_gets_one_and_percent_is_literal() -> None:
    pattern = render("{inputName} 100%.{format}", VALUES, sequence=True)
    assert pattern == "clip 100%%_%d.jpg"
    assert sequence_names(pattern, count=2) == ["clip 100%_1.jpg", "clip 100%_2.jpg"]


def test_output_name_overrides_the_default_and_settings() -> None:
    assert template_for("transcode") == DEFAULT_TEMPLATES["transcode"]
    assert template_for("transcode", overrides={"transcode": "{inputName}.{ext}"}) == "{inputName}.{ext}"
    assert template_for("transcode", "web_{inputName}", {"transcode": "x"}) == "web_{inputName}"
    assert render(template_for("transcode", "web_{inputName}"), VALUES, ensure_ext="mp4") == "web_clip.mp4"


@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd", "_._etc_passwd"),
    ("a/b\\c", "a_b_c"),
    ("tab\there\nnew", "tab_here_new"),
    ("  spaced name .mp4  ", "spaced name .mp4"),
    (".hidden", "hidden"),
    ("-leading dash.mp4", "-leading dash.mp4"),
    ("ünïcødé 東京 clip.mp4", "ünïcødé 東京 clip.mp4"),
    ('what?<>:"|*.mp4', "what_______.mp4"),
    ("CON.mp4", "CON_.mp4"),
])
def test_sanitize(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_sanitize_never_leaves_dotdot_or_separators() -> None:
    for raw in ("..", "a..b", "/..//..", "..\\..", "x/../y"):
        name = sanitize_filename(raw)
        assert ".." not in name and "/" not in name and "\\" not in name and name


def test_values_cannot_smuggle_paths() -> None:
    assert render("{inputName}.mp4", {"inputName": "../../evil"}) == "_._evil.mp4"


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = sanitize_filename("é" * 300 + ".mp4")
    assert name.endswith(".mp4") and len(name.encode()) <= 240


def test_empty_result_is_an_error() -> None:
    with pytest.raises(NamingError):
        render("///", {})


def test_unique_path_never_overwrites(tmp_path: Path) -> None:
    first = unique_path(tmp_path, "clip_HD.mp4")
    assert first == tmp_path / "clip_HD.mp4"
    first.write_bytes(b"1")
    second = unique_path(tmp_path, "clip_HD.mp4")
    assert second == tmp_path / "clip_HD (1).mp4"
    second.write_bytes(b"2")
    assert unique_path(tmp_path, "clip_HD.mp4") == tmp_path / "clip_HD (2).mp4"
    assert first.read_bytes() == b"1"


def test_odd_input_names_end_to_end(video_clip: Path, tmp_path: Path, build_and_run) -> None:
    odd = tmp_path / "-my clip ünï 100%.mp4"
    shutil.copy(video_clip, odd)
    outs = build_and_run("transcode", TranscodeParams(short_side=120, encoder_preset="ultrafast"), odd)
    assert outs[0].path.name == "-my clip ünï 100%_HD.mp4" and outs[0].path.is_file()
    outs = build_and_run("sample_snapshot", SampleSnapshotParams(interval="2s", width=128), odd)
    assert [o.path.name for o in outs] == ["-my clip ünï 100%_sample_1.jpg", "-my clip ünï 100%_sample_2.jpg"]
