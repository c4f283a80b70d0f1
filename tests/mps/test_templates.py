"""The local MPS template store: presets listed, custom templates created/modified/deleted with the
service's ranges and error codes, kept in a private file; and the template ⇔ parameter converters."""

from __future__ import annotations

import base64
import os
import stat
import warnings
from pathlib import Path

import pytest

from mediaflow_gui.model.params import ImageSpriteParams, TranscodeParams, WatermarkParams
from mediaflow_gui.mps.convert import params_from_template, template_from_params
from mediaflow_gui.mps.presets import PRESETS
from mediaflow_gui.mps.templates import CUSTOM_BASE, KINDS, TemplateError, TemplateStore

SNAP = {"Name": "small", "Width": 320, "Height": 0, "Format": "png"}


@pytest.fixture()
def store(tmp_path: Path) -> TemplateStore:
    return TemplateStore(tmp_path / "mps-templates.json")


def test_default_path_is_in_the_data_dir() -> None:
    assert TemplateStore().path == Path(os.environ["MEDIAFLOW_DATA_DIR"]) / "mps-templates.json"


def test_presets_listed_with_documented_values(store: TemplateStore) -> None:
    ladder = {t["Definition"]: t for t in store.describe("Transcode", type="Preset")}
    assert {100010, 100020, 100030, 100040, 100070, 100080} <= set(ladder)
    assert {100210, 100280} <= set(ladder) and ladder[100210]["Container"] == "hls"
    p360 = ladder[100010]
    assert p360["Type"] == "Preset" and p360["Container"] == "mp4"
    assert p360["VideoTemplate"]["Height"] == 360 and p360["VideoTemplate"]["Bitrate"] == 400
    assert p360["VideoTemplate"]["Fps"] == 25 and p360["VideoTemplate"]["Codec"] == "libx264"
    assert p360["AudioTemplate"] == {"Codec": "libfdk_aac", "Bitrate": 64, "SampleRate": 44100, "AudioChannel": 2}
    assert ladder[100080]["VideoTemplate"]["Height"] == 2160 and ladder[100080]["VideoTemplate"]["Bitrate"] == 6000
    sample = store.get("SampleSnapshot", 10)
    assert (sample["Format"], sample["Width"], sample["SampleType"], sample["SampleInterval"]) == ("jpg", 0, "Percent", 10)
    assert store.get("SnapshotByTimeOffset", 10)["Type"] == "Preset"


def test_create_describe_modify_delete(store: TemplateStore, tmp_path: Path) -> None:
    definition = store.create("SnapshotByTimeOffset", SNAP)
    assert definition >= CUSTOM_BASE
    got = store.get("SnapshotByTimeOffset", definition)
    assert got["Type"] == "Custom" and got["Width"] == 320 and got["ResolutionAdaptive"] == "open"
    assert [t["Definition"] for t in store.describe("SnapshotByTimeOffset", type="Custom")] == [definition]
    assert [t["Definition"] for t in store.describe("SnapshotByTimeOffset", [definition, 10])] == [10, definition]
    store.modify("SnapshotByTimeOffset", definition, {"Height": 240})
    again = TemplateStore(store.path)  # persisted, private
    assert again.get("SnapshotByTimeOffset", definition)["Height"] == 240
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    again.delete("SnapshotByTimeOffset", definition)
    with pytest.raises(TemplateError) as info:
        again.get("SnapshotByTimeOffset", definition)
    assert info.value.code == "ResourceNotFound.TemplateNotExist"
    assert again.create("SnapshotByTimeOffset", SNAP) == definition + 1  # never reused
    # the first store (another process, e.g. the API server) sees what the second one wrote
    assert [t["Definition"] for t in store.describe("SnapshotByTimeOffset", type="Custom")] == [definition + 1]


@pytest.mark.parametrize("kind, fields, code", [
    ("SnapshotByTimeOffset", {"Width": 100}, "InvalidParameterValue.Width"),
    ("SnapshotByTimeOffset", {"Format": "bmp"}, "InvalidParameterValue.Format"),
    ("Transcode", {"Container": "mp4", "VideoTemplate": {"Codec": "libx264", "Fps": 121},
                   "AudioTemplate": {"Codec": "libfdk_aac"}}, "InvalidParameterValue.Fps"),
    ("Transcode", {"Container": "mp4", "VideoTemplate": {"Codec": "libx264", "Bitrate": 100},
                   "AudioTemplate": {"Codec": "libfdk_aac"}}, "InvalidParameterValue.VideoBitrate"),
    ("Transcode", {"Container": "mp4", "VideoTemplate": {"Codec": "libx264", "Vcrf": 52},
                   "AudioTemplate": {"Codec": "libfdk_aac"}}, "InvalidParameterValue.Vcrf"),
    ("Transcode", {"Container": "mp4", "VideoTemplate": {"Codec": "libx264"},
                   "AudioTemplate": {"Codec": "libfdk_aac", "AudioChannel": 4}}, "InvalidParameterValue.AudioChannel"),
    ("Transcode", {"Container": "mp4", "VideoTemplate": {"Codec": "libx264"},
                   "AudioTemplate": {"Codec": "libfdk_aac", "Bitrate": 300}}, "InvalidParameterValue.AudioBitrate"),
    ("Transcode", {"Container": "avi"}, "InvalidParameterValue.Container"),
    ("SampleSnapshot", {"SampleType": "Percent", "SampleInterval": 101}, "InvalidParameterValue.SampleInterval"),
    ("SampleSnapshot", {"SampleType": "Frames", "SampleInterval": 1}, "InvalidParameterValue.SampleType"),
    ("SampleSnapshot", {}, "MissingParameter"),
    ("AnimatedGraphics", {"Fps": 31}, "InvalidParameterValue.Fps"),
    ("AnimatedGraphics", {"Fps": 10, "Quality": 0}, "InvalidParameterValue.Quality"),
    ("ImageSprite", {"SampleType": "Time", "SampleInterval": 2, "RowCount": 0, "ColumnCount": 5},
     "InvalidParameterValue.RowCount"),
    ("Watermark", {"Type": "text", "CoordinateOrigin": "Center", "TextTemplate": {}},
     "InvalidParameterValue.CoordinateOrigin"),
    ("Watermark", {"Type": "text", "XPos": "10", "TextTemplate": {}}, "InvalidParameterValue.XPos"),
    ("Watermark", {"Type": "text", "TextTemplate": {"FontType": "arial.ttf", "FontSize": "16px",
                                                     "FontColor": "white", "FontAlpha": 1}},
     "InvalidParameterValue.FontColor"),
    ("SnapshotByTimeOffset", {"Colour": 1}, "UnknownParameter"),
])
def test_out_of_range_values_refused_with_service_codes(store: TemplateStore, kind: str, fields: dict,
                                                         code: str) -> None:
    with pytest.raises(TemplateError) as info:
        store.create(kind, fields)
    assert info.value.code == code
    assert store.describe(kind, type="Custom" if kind != "Watermark" else None) == []  # nothing half-made


def test_presets_cannot_change(store: TemplateStore) -> None:
    for action in (lambda: store.delete("Transcode", 100030),
                   lambda: store.modify("SampleSnapshot", 10, {"SampleInterval": 5})):
        with pytest.raises(TemplateError) as info:
            action()
        assert info.value.code == "InvalidParameterValue.Definition"
    with pytest.raises(TemplateError) as info:
        store.delete("Transcode", 4242)
    assert info.value.code == "ResourceNotFound.TemplateNotExist"


def test_watermark_image_content_saved_privately(store: TemplateStore, watermark_png: Path) -> None:
    data = base64.b64encode(watermark_png.read_bytes()).decode()
    definition = store.create("Watermark", {"Type": "image", "XPos": "10px", "YPos": "10px",
                                            "ImageTemplate": {"ImageContent": data, "Width": "8%"}})
    tpl = store.get("Watermark", definition)
    path = Path(tpl["ImageTemplate"]["ImageUrl"])
    assert tpl["Type"] == "image" and path.read_bytes() == watermark_png.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [t["Definition"] for t in store.describe("Watermark", type="image")] == [definition]
    assert store.describe("Watermark", type="text") == []


def test_described_templates_load_in_sdk_models(store: TemplateStore) -> None:
    models = pytest.importorskip("tencentcloud.mps.v20190612.models", reason="the SDK is the test extra")
    store.create("SampleSnapshot", {"SampleType": "Time", "SampleInterval": 5})
    store.create("ImageSprite", {"SampleType": "Time", "SampleInterval": 2, "RowCount": 4, "ColumnCount": 4,
                                 "Width": 160})
    store.create("AnimatedGraphics", {"Fps": 10})
    store.create("Watermark", {"Type": "text", "TextTemplate": {"FontType": "arial.ttf", "FontSize": "20px",
                                                                "FontColor": "0xFF0000", "FontAlpha": 1,
                                                                "TextContent": "hi"}})
    classes = {"Transcode": "TranscodeTemplate", "SnapshotByTimeOffset": "SnapshotByTimeOffsetTemplate",
               "SampleSnapshot": "SampleSnapshotTemplate", "AnimatedGraphics": "AnimatedGraphicsTemplate",
               "ImageSprite": "ImageSpriteTemplate", "Watermark": "WatermarkTemplate"}
    for kind in KINDS:
        for tpl in store.describe(kind):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                obj = getattr(models, classes[kind])()
                obj._deserialize(tpl)
            assert not [w for w in caught if "useless" in str(w.message)], (kind, tpl)
            assert obj.Definition == tpl["Definition"]


def test_every_transcode_preset_converts_and_matches_back(store: TemplateStore) -> None:
    for definition, tpl in PRESETS["Transcode"].items():
        notes: list[str] = []
        params = params_from_template("Transcode", tpl, notes)
        assert isinstance(params, TranscodeParams) and params.problems() == []
        back = template_from_params("Transcode", params)
        expected = definition - 200 if tpl["Container"] == "hls" else definition  # hls is written as mp4
        assert store.find_identical("Transcode", back) == expected
        assert ("container hls" in " ".join(notes)) == (tpl["Container"] == "hls")


def test_what_mps_cannot_express_is_a_warning() -> None:
    notes: list[str] = []
    template_from_params("transcode", TranscodeParams(encoder_preset="slow", hdr="tonemap", fps=29.97), notes)
    text = " ".join(notes)
    assert "encoder preset 'slow'" in text and "HDR handling 'tonemap'" in text and "fps 29.97 becomes 30" in text
    notes = []
    tpl = template_from_params("watermark", WatermarkParams(type="text", text="x", origin="Center",
                                                           font_color="yellow@0.5"), notes)
    assert tpl["CoordinateOrigin"] == "TopLeft" and "origin Center" in " ".join(notes)
    assert tpl["TextTemplate"]["FontColor"] == "0xFFFF00" and tpl["TextTemplate"]["FontAlpha"] == 0.5
    notes = []
    tpl = template_from_params("ImageSprite", ImageSpriteParams(interval="2.5s"), notes)
    assert tpl["SampleInterval"] == 2  # round half to even, said in the warning
    assert "sprite interval 2.5s" in " ".join(notes)
