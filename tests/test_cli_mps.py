"""`mediaflow mps import|export` through main(): files written, binding saved, schedule noted, errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.model.serialization import load_workflow
from mediaflow_gui.storage.bindings import load_binding

REQUEST = {"WorkflowName": "cli",
           "Trigger": {"Type": "CosFileUpload", "CosFileUploadTrigger": {"Bucket": "inbox", "Region": "ap-guangzhou",
                                                                         "Dir": "/in/", "Formats": ["mp4"]}},
           "OutputDir": "/out/",
           "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100020}],
                                "SnapshotByTimeOffsetTaskSet": [{"Definition": 10, "ExtTimeOffsetSet": ["2s"]}]},
           "TaskNotifyConfig": {"NotifyType": "URL", "NotifyMode": "Finish", "NotifyUrl": "http://127.0.0.1:9/h"}}


def test_import_then_export_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req = tmp_path / "req.json"
    req.write_text(json.dumps(REQUEST), encoding="utf-8")
    wf, bind, out = tmp_path / "w" / "cli.mfw.json", tmp_path / "b" / "cli.binding.json", tmp_path / "again.json"
    wf.parent.mkdir()
    assert main(["mps", "import", str(req), "-o", str(wf), "--binding", str(bind)]) == 0
    assert "Binding:" in capsys.readouterr().out
    assert load_workflow(wf).name == "cli"
    binding = load_binding(bind)
    assert binding.workflow_path().resolve() == wf.resolve() and binding.output_prefix == "out/"
    assert main(["mps", "export", str(wf), "--binding", str(bind), "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == REQUEST


def test_import_without_binding_flag_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req = tmp_path / "req.json"
    req.write_text(json.dumps(REQUEST), encoding="utf-8")
    assert main(["mps", "import", str(req), "-o", str(tmp_path / "x.mfw.json")]) == 0
    assert "pass --binding" in capsys.readouterr().out


def test_export_to_stdout_creates_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req = tmp_path / "req.json"
    req.write_text(json.dumps({"WorkflowName": "s", "MediaProcessTask": {"SampleSnapshotTaskSet": [
        {"Definition": 10}]}}), encoding="utf-8")
    wf = tmp_path / "s.mfw.json"
    assert main(["mps", "import", str(req), "-o", str(wf)]) == 0
    data = json.loads(wf.read_text())
    for node in data["nodes"]:
        if node.get("task_kind") == "sample_snapshot":
            node["params"]["interval"] = "4s"  # no preset does this: a template is made
    wf.write_text(json.dumps(data))
    store = tmp_path / "templates.json"
    capsys.readouterr()
    assert main(["mps", "export", str(wf), "--templates", str(store)]) == 0
    captured = capsys.readouterr()
    request = json.loads(captured.out)
    definition = request["MediaProcessTask"]["SampleSnapshotTaskSet"][0]["Definition"]
    assert definition >= 1_000_000 and f"created SampleSnapshot template {definition}" in captured.err
    assert json.loads(store.read_text())["templates"]["SampleSnapshot"][str(definition)]["SampleInterval"] == 4


def test_unknown_template_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req = tmp_path / "req.json"
    req.write_text(json.dumps({"WorkflowName": "x", "MediaProcessTask": {"ImageSpriteTaskSet": [
        {"Definition": 10}]}}), encoding="utf-8")
    assert main(["mps", "import", str(req), "-o", str(tmp_path / "x.mfw.json")]) == 2
    err = capsys.readouterr().err
    assert "ImageSpriteTaskSet[0]: ImageSprite template 10" in err
    assert not (tmp_path / "x.mfw.json").exists()
