"""File → Import MPS workflow… / Export as MPS workflow…: the dialogs monkeypatched, the results
checked on disk and in the open document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import AnimatedImageParams, SnapshotParams, TranscodeParams
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from mediaflow_gui.storage.bindings import load_binding

REQUEST = {"WorkflowName": "From the cloud",
           "Trigger": {"Type": "CosFileUpload", "CosFileUploadTrigger": {"Bucket": "inbox", "Region": "ap-guangzhou",
                                                                         "Dir": "/up/", "Formats": ["mp4"]}},
           "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 100010}, {"Definition": 100030}],
                                "SampleSnapshotTaskSet": [{"Definition": 10}]},
           "TaskPriority": 5}


@pytest.fixture()
def request_file(tmp_path: Path) -> Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")
    return path


def test_menu_has_both_actions(window) -> None:  # noqa: ANN001
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert "&Import MPS workflow…" in texts and "&Export as MPS workflow…" in texts


def test_import_keeps_trigger_as_binding(window, request_file: Path, tmp_path: Path,  # noqa: ANN001
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "wf" / "cloud.mfw.json"
    target.parent.mkdir()
    messages: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(request_file), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: messages.append(text))
    window.mps.storage = None  # no app storage in this window: the binding becomes a file
    window.act_import_mps.trigger()
    assert window.documents.path == str(target.resolve())
    wf = window.controller.workflow
    assert wf.name == "From the cloud"
    assert sorted(n.task_kind for n in wf.nodes.values() if n.kind == NodeKind.TASK) == [
        "sample_snapshot", "transcode", "transcode"]
    binding = load_binding(tmp_path / "wf" / "cloud.binding.json")
    assert binding.workflow_path().resolve() == target.resolve()
    assert (binding.input_bucket, binding.input_prefix, binding.enabled) == ("inbox", "up/", False)
    assert "cloud.binding.json" in messages[0] and "TaskPriority" in messages[0]  # the warning is shown


def test_import_without_binding_opens_unsaved(window, request_file: Path) -> None:  # noqa: ANN001
    messages: list[str] = []
    window.mps.ask_binding_workflow_path = lambda name: ""
    window.mps.show_message = lambda title, text: messages.append(text)
    assert window.mps.import_request(str(request_file))
    assert window.documents.path is None and window.controller.workflow.name == "From the cloud"
    assert "not kept as a binding" in messages[0]


def test_import_error_is_shown(window, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"WorkflowName": "x", "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": 7}]}}))
    errors: list[str] = []
    window.mps.show_error = lambda title, text: errors.append(text)
    assert not window.mps.import_request(str(bad))
    assert "TranscodeTaskSet[0]" in errors[0]


def _chain(tmp_path: Path, gif_start: str = "0s") -> Path:
    wf = Workflow("chained")
    start, split, join, end = (wf.add_node(Node(k)) for k in (NodeKind.START, NodeKind.SPLIT, NodeKind.JOIN,
                                                              NodeKind.END))
    master = wf.add_node(task_node("transcode", "Master", TranscodeParams(short_side=540, video_bitrate_kbps=1000)))
    thumbs = wf.add_node(task_node("snapshot", "Thumbs", SnapshotParams(offsets=["1s"])))
    gif = wf.add_node(task_node("animated_image", "Gif", AnimatedImageParams(start=gif_start, end="50%")))
    for a, b in ((start, split), (split, master), (master, thumbs), (split, gif), (thumbs, join), (gif, join),
                 (join, end)):
        wf.connect(a, b)
    path = tmp_path / "chained.mfw.json"
    save_workflow(wf, path)
    return path


def test_export_writes_schedule_and_says_so(window, tmp_path: Path) -> None:  # noqa: ANN001
    wf_path = _chain(tmp_path)
    wf = json.loads(wf_path.read_text())
    for node in wf["nodes"]:  # an animated image in seconds: expressible
        if node.get("task_kind") == "animated_image":
            node["params"]["end"] = "3s"
    wf_path.write_text(json.dumps(wf))
    assert window.documents.open(str(wf_path))
    out = tmp_path / "out.json"
    messages: list[str] = []
    window.mps.ask_export_path = lambda name: str(out)
    window.mps.show_message = lambda title, text: messages.append(text)
    window.act_export_mps.trigger()
    request = json.loads(out.read_text())
    assert request["ScheduleName"] == "chained" and request["Activities"][0]["ActivityType"] == "input"
    assert "CreateSchedule" in messages[0] and "Warnings:" in messages[0]


def test_export_refusal_names_the_node(window, tmp_path: Path) -> None:  # noqa: ANN001
    assert window.documents.open(str(_chain(tmp_path, gif_start="10%")))
    errors: list[str] = []
    window.mps.show_error = lambda title, text: errors.append(text)
    window.mps.ask_export_path = lambda name: pytest.fail("no file is asked for when the export is refused")
    assert not window.mps.export_request()
    assert errors and errors[0].startswith("Gif:")
