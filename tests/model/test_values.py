import pytest

from mediaflow_gui.model.kinds import resolve_task_kind
from mediaflow_gui.model.params import params_from_dict, transcode_preset, TRANSCODE_PRESETS
from mediaflow_gui.model.values import parse_length, parse_offset


@pytest.mark.parametrize("text, duration, seconds", [
    ("3.5s", None, 3.5), ("12", None, 12.0), (7, None, 7.0), ("10%", 50.0, 5.0), ("-2s", 10.0, 8.0),
    ("-10%", 20.0, 18.0), (" 4 S ", None, 4.0),
])
def test_offsets(text, duration, seconds):
    assert parse_offset(text).seconds(duration) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "3.5 min", "ten", "1e3s", True])
def test_bad_offsets(text):
    with pytest.raises(ValueError):
        parse_offset(text)


def test_percent_offset_without_duration_is_an_error():
    with pytest.raises(ValueError, match="duration"):
        parse_offset("10%").seconds(None)


def test_lengths():
    assert parse_length("10px").pixels(1000) == 10
    assert parse_length("5%").pixels(1000) == 50
    assert parse_length(12).pixels(1) == 12
    with pytest.raises(ValueError):
        parse_length("5em")


def test_aliases_and_unknown_kind():
    assert resolve_task_kind("AnimatedGraphics").id == "animated_image"
    assert resolve_task_kind("IMAGESPRITES").id == "image_sprite"
    assert resolve_task_kind("nope") is None
    with pytest.raises(KeyError):
        params_from_dict("nope", {})


def test_every_preset_is_valid():
    for name in TRANSCODE_PRESETS:
        assert transcode_preset(name).problems() == [], name
    assert transcode_preset("Audio only (m4a)").audio_only
