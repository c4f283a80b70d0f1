"""Output names: placeholders, defaults, overrides, sanitising, sequences, unique_path, and the
byte limit of a file name (NAME_MAX): every name fits, stays readable and distinct, and a
sequence pattern never loses its number."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from mediaflow_gui.media.naming import (
    DEFAULT_TEMPLATES, NAME_MAX_DEFAULT, SEQUENCE_ROOM, NamingError, fit_name, name_max, render, sanitize_filename,
    sequence_names, staging_dir_name, template_for, unique_path,
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
    assert name.endswith(".mp4") and len(name.encode()) <= NAME_MAX_DEFAULT
    assert re.search(r"~[0-9a-f]{8}~", name) and name.startswith("é" * 50)  # readable head, a hash
    assert sanitize_filename("é" * 300 + ".mp4") == name  # stable


@pytest.mark.parametrize("char", ["a", "é", "東", "🎬", "e\u0301"])
@pytest.mark.parametrize("limit", [64, 143, 255])
def test_fit_name_cuts_on_character_boundaries(char: str, limit: int) -> None:
    name = fit_name(char * 300 + "_HD.mp4", limit)
    encoded = name.encode("utf-8")  # whole characters only: a cut inside one would not encode back
    assert len(encoded) <= limit and encoded.decode("utf-8") == name
    assert name.endswith("_HD.mp4") and not name[name.rindex("~") + 1].startswith("\u0301")


def test_fit_name_leaves_names_that_fit_alone() -> None:
    name = "x" * 251 + ".mp4"
    assert fit_name(name) == name and fit_name(name, reserve=1) != name


def test_long_names_sharing_a_prefix_stay_distinct() -> None:
    prefix = "a" * 240
    names = {fit_name(prefix + tail) for tail in ("1.mp4", "2.mp4", "_HD.mp4", "_SD.mp4")}
    assert len(names) == 4
    # even a difference hidden in the cut-out middle gives another name
    assert fit_name("a" * 100 + "X" + "a" * 200 + ".mp4") != fit_name("a" * 100 + "Y" + "a" * 200 + ".mp4")
    values = [{**VALUES, "inputName": prefix + str(i)} for i in (1, 2)]
    assert render("{inputName}_HD.mp4", values[0]) != render("{inputName}_HD.mp4", values[1])


@pytest.mark.parametrize("kind", ["snapshot", "sample_snapshot", "image_sprite"])
@pytest.mark.parametrize("input_name", ["a" * 250, "é" * 125, "東" * 90])
def test_long_sequence_patterns_keep_their_number_and_room_for_it(kind: str, input_name: str) -> None:
    pattern = render(DEFAULT_TEMPLATES[kind], {**VALUES, "inputName": input_name}, sequence=True)
    assert pattern.count("%d") == 1
    first, biggest = sequence_names(pattern, start=1, count=1)[0], pattern.replace("%d", "9" * SEQUENCE_ROOM)
    assert len(biggest.encode()) <= NAME_MAX_DEFAULT
    assert first.startswith(input_name[:40]) and first.endswith("_1.jpg")  # readable head, the number kept


def test_sequence_number_survives_wherever_the_template_puts_it() -> None:
    for template in ("{number}_{inputName}.jpg", "{inputName}_{number}_" + "x" * 200 + ".jpg"):
        pattern = render(template, {"inputName": "é" * 200}, sequence=True)
        assert pattern.count("%d") == 1 and len(pattern.replace("%d", "9" * SEQUENCE_ROOM).encode()) <= 255


def test_a_pattern_without_its_number_is_refused_not_listed_forever(tmp_path: Path) -> None:
    # the cause of the endless loop at ~95 % CPU: a cut had removed the %d, and listing
    # "name_%d.jpg" files asked for the same name again and again while it existed
    (tmp_path / "clip_sprite.jpg").write_bytes(b"x")
    outcome: list[object] = []

    def attempt() -> None:
        try:
            outcome.append(sequence_names("clip_sprite.jpg", directory=tmp_path))
        except NamingError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "sequence_names loops forever on a pattern without %d"
    assert isinstance(outcome[0], NamingError)


def test_unique_path_makes_room_for_its_number(tmp_path: Path) -> None:
    name = "é" * 125 + ".mp4"  # 254 bytes: no room for " (1)" as it is
    taken = []
    for _ in range(3):
        path = unique_path(tmp_path, name)
        assert len(path.name.encode()) <= name_max(tmp_path) and path.name.endswith(".mp4")
        path.write_bytes(b"x")
        taken.append(path.name)
    assert taken[0] == name and len(set(taken)) == 3
    assert taken[1].endswith(" (1).mp4") and taken[2].endswith(" (2).mp4")


def test_name_max_asks_the_file_system(tmp_path: Path) -> None:
    assert name_max(tmp_path) == min(os.pathconf(tmp_path, "PC_NAME_MAX"), NAME_MAX_DEFAULT)
    assert name_max(tmp_path / "not" / "yet") == name_max(tmp_path)  # the nearest existing folder


def test_undecodable_bytes_become_replacement_characters() -> None:
    name = render("{inputName}_HD.{ext}", {"inputName": os.fsdecode(b"caf\xe9\xff"), "ext": "mp4"})
    assert name == "caf\ufffd\ufffd_HD.mp4"
    name.encode("utf-8")  # valid UTF-8: a VTT, a URL, an S3 key can hold it


def test_staging_dir_names_are_one_plain_component() -> None:
    task = "mf-20260101-abcdef01"
    assert staging_dir_name(".mediaflow-", task, "step_1") == f".mediaflow-{task}-step_1"
    hostile = staging_dir_name(".mediaflow-", task, "../../../..")
    assert "/" not in hostile and ".." not in hostile and hostile.startswith(f".mediaflow-{task}-")
    # ids that share their first 12 characters used to share one folder
    assert staging_dir_name(".mediaflow-", task, "transcode-hd-1") != staging_dir_name(".mediaflow-", task,
                                                                                     "transcode-hd-2")


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
    assert [o.path.name for o in outs] == ["-my clip ünï 100%_sample_01.jpg", "-my clip ünï 100%_sample_02.jpg"]
