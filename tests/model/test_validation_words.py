"""Validation messages in a person's words: the node's name, the field as the inspector labels it,
list items counted from 1, the bad value quoted and an example of a good one."""

from __future__ import annotations

import pytest

from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import (AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams, SnapshotParams,
                                        TranscodeParams, WatermarkParams, params_from_dict)
from mediaflow_gui.model.validation import in_words, validate
from mediaflow_gui.model.workflow import Node, Workflow, task_node


def _messages(kind: str, params, name: str = "Shots") -> list[str]:  # noqa: ANN001
    wf = Workflow()
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    task = wf.add_node(task_node(kind, name, params))
    wf.connect(start, task)
    wf.connect(task, end)
    return [p.message for p in validate(wf) if p.code == "bad_param"]


def test_the_issue_example_word_for_word() -> None:
    params = SnapshotParams(offsets=["1s", "2s", "3s", "4s", "12x"])
    assert _messages("snapshot", params, "Time-point snapshots") == [
        "task 'Time-point snapshots': time point 5: '12x' is not a time such as 3.5s or 10%."]


@pytest.mark.parametrize("kind, params, expected", [
    ("transcode", TranscodeParams(crf=99), "Quality (CRF) must be 0–51 such as 23, not '99'"),
    ("transcode", TranscodeParams(short_side=10), "Short side must be 0 (keep) or 32–8192 pixels such as 720, not '10'"),
    ("transcode", TranscodeParams(audio_bitrate_kbps=2), "Audio bitrate must be 8–512 kbps such as 128, not '2'"),
    ("transcode", TranscodeParams(watermarks=[WatermarkParams(), WatermarkParams(type="text", text="x", x_pos="-5px")]),
     "watermark 2: Horizontal offset must not be negative, not '-5px': give a length such as 16px or 3%"),
    ("transcode", TranscodeParams(hdr="keep", video_codec="h264"),
     "HDR source: 'keep' needs the video codec h265 or av1 (10-bit HDR), not 'h264'"),
    ("snapshot", SnapshotParams(offsets=["150%"]), "time point 1 must be within 100% (such as 50%), not '150%'"),
    ("snapshot", SnapshotParams(offsets=["1s", "-2s"]),
     "time point 2 must not be negative, not '-2s': give a time such as 3.5s or 10%"),
    ("sample_snapshot", SampleSnapshotParams(interval="0%"), "Every must be above zero, not '0%': give a time such as 5s"),
    ("animated_image", AnimatedImageParams(quality=101), "Quality must be 1–100 such as 75, not '101'"),
    ("image_sprite", ImageSpriteParams(width=8), "Cell width must be 0 (keep proportion) or 16–4096 pixels such as 160"),
    ("watermark", WatermarkParams(type="text", text="x", font_size=2), "Font size must be 4–512 points such as 36, not '2'"),
])
def test_messages_name_the_field_as_the_inspector_does(kind, params, expected) -> None:  # noqa: ANN001
    messages = _messages(kind, params)
    assert any(m.startswith("task 'Shots': ") and expected in m for m in messages), messages


def test_no_message_shows_a_field_path_or_a_0_based_index() -> None:
    """Every parameter problem of a badly filled node of each kind reads without code names."""
    cases = [("transcode", TranscodeParams(crf=99, fps=500, channels=9, sample_rate=12345, short_side=5,
                                           watermarks=[WatermarkParams(type="text", text="", font_size=1)])),
             ("snapshot", SnapshotParams(offsets=["x", "-1s"], width=5)),
             ("animated_image", AnimatedImageParams(fps=0, quality=0, start="5s", end="1s")),
             ("image_sprite", ImageSpriteParams(rows=0, columns=99, width=0, height=0)),
             ("watermark", WatermarkParams(type="image", image_path="", origin="Middle", y_pos="200%"))]
    for kind, params in cases:
        for message in _messages(kind, params):
            assert "[" not in message and "_" not in message.split(":", 1)[1], message


def test_load_problems_are_in_words_too() -> None:
    params, problems = params_from_dict("snapshot", {"offsets": ["1s", 5, ["x"]], "width": "wide"})
    words = [in_words(p, "snapshot") for p in problems]
    assert "Width has the wrong type: 'wide' is not a whole number such as 2" in words
    assert any(w.startswith("time point 3 has the wrong type") for w in words), words


def test_in_words_leaves_text_without_a_known_field_alone() -> None:
    assert in_words("file numbers must start at 0–1000000, not -1", "snapshot") == \
        "file numbers must start at 0–1000000, not -1"
    assert in_words("colour is not a parameter of this task", "snapshot") == "colour is not a parameter of this task"
