"""The six template kinds' Create/Describe/Modify/Delete through MpsClient, presets listed as Type "Preset"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import ApiEnv
from tests.api.test_api_tasks import sdk_error

# kind → (a valid Create request, a Modify, the field the Modify changes, its new value)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, Any]] = {
    "Transcode": ({"Name": "t", "Container": "mp4", "VideoTemplate": {"Codec": "libx264", "Fps": 25, "Bitrate": 800},
                   "AudioTemplate": {"Codec": "libfdk_aac", "Bitrate": 64, "SampleRate": 44100}},
                  {"Name": "t2"}, "Name", "t2"),
    "SnapshotByTimeOffset": ({"Name": "s", "Width": 320, "Format": "jpg"}, {"Width": 640}, "Width", 640),
    "SampleSnapshot": ({"Name": "ss", "SampleType": "Percent", "SampleInterval": 20, "Format": "jpg"},
                       {"SampleInterval": 25}, "SampleInterval", 25),
    "AnimatedGraphics": ({"Name": "a", "Fps": 10, "Format": "gif"}, {"Fps": 12}, "Fps", 12),
    "ImageSprite": ({"Name": "i", "SampleType": "Percent", "SampleInterval": 10, "RowCount": 3, "ColumnCount": 3},
                    {"RowCount": 4}, "RowCount", 4),
    "Watermark": ({"Name": "w", "Type": "text", "TextTemplate": {"FontType": "arial.ttf", "FontSize": "16px",
                                                                  "FontColor": "0xFFFFFF", "FontAlpha": 1}},
                  {"Name": "w2"}, "Name", "w2"),
}


def call(client: Any, action: str, params: dict[str, Any]) -> Any:
    """Through the SDK's typed method and models: `client.<action>(models.<action>Request())`."""
    from tencentcloud.mps.v20190612 import models
    req = getattr(models, f"{action}Request")()
    req.from_json_string(json.dumps(params))
    return getattr(client, action)(req)


@pytest.mark.parametrize("kind", list(CASES))
def test_template_crud(api_env: ApiEnv, kind: str) -> None:
    create, modify, field, value = CASES[kind]
    client = api_env.client()
    definition = call(client, f"Create{kind}Template", create).Definition
    assert definition >= 1_000_000
    listed = call(client, f"Describe{kind}Templates", {"Definitions": [definition]})
    templates = getattr(listed, f"{kind}TemplateSet")
    assert listed.TotalCount == 1 and templates[0].Definition == definition
    call(client, f"Modify{kind}Template", {"Definition": definition, **modify})
    changed = getattr(call(client, f"Describe{kind}Templates", {"Definitions": [definition]}), f"{kind}TemplateSet")[0]
    assert getattr(changed, field) == value
    call(client, f"Delete{kind}Template", {"Definition": definition})
    assert call(client, f"Describe{kind}Templates", {"Definitions": [definition]}).TotalCount == 0
    assert sdk_error(lambda: call(client, f"Delete{kind}Template", {"Definition": definition})).code == \
        "ResourceNotFound.TemplateNotExist"


def test_presets_are_listed_and_cannot_change(api_env: ApiEnv) -> None:
    client = api_env.client()
    presets = call(client, "DescribeTranscodeTemplates", {"Type": "Preset", "Limit": 100})
    ids = [t.Definition for t in presets.TranscodeTemplateSet]
    assert {100010, 100020, 100030, 100040}.issubset(ids)
    assert all(t.Type == "Preset" for t in presets.TranscodeTemplateSet)
    assert [t.Type for t in call(client, "DescribeSnapshotByTimeOffsetTemplates",
                                 {"Definitions": [10]}).SnapshotByTimeOffsetTemplateSet] == ["Preset"]
    assert sdk_error(lambda: call(client, "DeleteTranscodeTemplate", {"Definition": 100010})).code == \
        "InvalidParameterValue.Definition"
    assert sdk_error(lambda: call(client, "CreateAnimatedGraphicsTemplate", {"Fps": 99, "Format": "gif"})).code \
        .startswith("InvalidParameterValue")
