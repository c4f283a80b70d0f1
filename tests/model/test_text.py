"""File-system text: the lossless form (lone surrogates), the display form (\\xNN) and the name form (U+FFFD)."""

from __future__ import annotations

import json
import os

from mediaflow_gui.model.text import (display_json, display_text, from_bytes, has_lone_surrogates,
                                      replace_undecodable, to_bytes)

RAW = b"/tmp/caf\xe9 \xff\xfe.mp4"


def test_round_trip_through_bytes_is_lossless() -> None:
    text = os.fsdecode(RAW)
    assert has_lone_surrogates(text)
    assert to_bytes(text) == RAW and from_bytes(RAW) == text
    assert to_bytes("ünï 東京") == "ünï 東京".encode("utf-8")


def test_display_form_shows_each_byte_and_is_valid_utf8() -> None:
    shown = display_text(os.fsdecode(RAW))
    assert shown == "/tmp/caf\\xe9 \\xff\\xfe.mp4"
    shown.encode("utf-8")
    assert display_text("ünï 東京.mp4") == "ünï 東京.mp4"  # valid text is left alone
    assert display_text("\ud800") == "\\ud800"  # a surrogate that is no escaped byte (bad JSON)


def test_replacement_form_for_names() -> None:
    assert replace_undecodable(os.fsdecode(b"caf\xe9.mp4")) == "caf\ufffd.mp4"
    assert to_bytes("\ud800x") == "\ufffdx".encode("utf-8")


def test_display_json_makes_any_document_encodable() -> None:
    doc = {"Path": os.fsdecode(RAW), "List": [os.fsdecode(b"\xff"), 1, None], os.fsdecode(b"k\xff"): True}
    shown = display_json(doc)
    text = json.dumps(shown, ensure_ascii=False)
    text.encode("utf-8")
    assert json.loads(text)["Path"] == "/tmp/caf\\xe9 \\xff\\xfe.mp4" and "k\\xff" in shown
