"""find_weed() and resources_dir() in a frozen app look in PyInstaller's folder (sys._MEIPASS) first."""

from __future__ import annotations

import sys

from mediaflow_gui import paths
from mediaflow_gui.storage.embedded.binary import find_weed


def _fake_bundle(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    return tmp_path


def test_find_weed_prefers_the_bundles_bin_when_frozen(tmp_path, monkeypatch):
    bundle = _fake_bundle(tmp_path, monkeypatch)
    weed = bundle / "bin" / "weed"
    weed.parent.mkdir()
    weed.write_text("#!/bin/sh\n")
    weed.chmod(0o755)
    assert find_weed() == weed


def test_find_weed_ignores_meipass_when_not_frozen(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.delattr(sys, "frozen", raising=False)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "weed").write_text("")
    (tmp_path / "bin" / "weed").chmod(0o755)
    assert find_weed() != tmp_path / "bin" / "weed"


def test_resources_dir_is_the_bundles_when_frozen(tmp_path, monkeypatch):
    bundle = _fake_bundle(tmp_path, monkeypatch)
    (bundle / "resources" / "workflows").mkdir(parents=True)
    assert paths.resources_dir() == bundle / "resources"
    assert paths.sample_workflow_path() == bundle / "resources" / "workflows" / "standard.mfw.json"


def test_resources_dir_of_a_checkout_without_a_bundle(tmp_path, monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert (paths.resources_dir() / "workflows" / "standard.mfw.json").is_file()
