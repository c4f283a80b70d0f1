"""The workflow file: round trip, version, tolerant loading of bad content."""

import json

import pytest

from mediaflow_gui.model import (
    Node, NodeKind, Workflow, WorkflowFormatError, load_workflow, save_workflow, validate,
    workflow_from_dict, workflow_to_dict,
)
from mediaflow_gui.model.params import TranscodeParams, WatermarkParams
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.paths import sample_workflow_path


def test_standard_workflow_round_trips_exactly(tmp_path):
    original = sample_workflow_path()
    workflow = load_workflow(original)
    assert validate(workflow) == []
    out = tmp_path / "copy.mfw.json"
    save_workflow(workflow, out)
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(original.read_text(encoding="utf-8"))


def test_round_trip_keeps_params_positions_and_nested_watermarks(tmp_path):
    wf = Workflow("Ünïcode name")
    start = wf.add_node(Node(NodeKind.START, position=(1.5, -2.25)))
    params = TranscodeParams(definition="X", short_side=360, watermarks=[WatermarkParams(type="text", text="a:b'c%")])
    task = wf.add_node(task_node("transcode", "T", params, position=(100, 50)))
    end = wf.add_node(Node(NodeKind.END))
    wf.connect(start, task)
    wf.connect(task, end)
    path = tmp_path / "w.mfw.json"
    save_workflow(wf, path)
    back = load_workflow(path)
    assert back.name == "Ünïcode name"
    assert back.nodes[task.id].params == params
    assert back.nodes[start.id].position == (1.5, -2.25)
    assert back.edges == wf.edges
    assert workflow_to_dict(back) == workflow_to_dict(wf)


def test_file_is_plain_versioned_json_without_spaces_in_keys(tmp_path):
    data = json.loads(sample_workflow_path().read_text(encoding="utf-8"))
    assert data["version"] == 1

    def keys(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield k
                yield from keys(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from keys(v)

    assert all(" " not in k for k in keys(data))


@pytest.mark.parametrize("content, fragment", [
    ("{not json", "not valid JSON"),
    ('{"version": 2, "nodes": [], "edges": []}', "unsupported workflow version 2"),
    ('[1, 2]', "top level must be a JSON object"),
])
def test_unreadable_files_raise_with_the_file_name(tmp_path, content, fragment):
    path = tmp_path / "bad file.mfw.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WorkflowFormatError) as err:
        load_workflow(path)
    assert fragment in str(err.value)
    assert "bad file.mfw.json" in str(err.value)


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(WorkflowFormatError, match="no such file"):
        load_workflow(tmp_path / "nope.mfw.json")


def test_structural_problems_are_all_reported_at_once():
    data = {"version": 1, "nodes": [
        {"id": "a", "kind": "start"},
        {"id": "a", "kind": "end"},
        {"id": "b", "kind": "teleport"},
        {"kind": "task"},
    ], "edges": [{"source": "a"}]}
    with pytest.raises(WorkflowFormatError) as err:
        workflow_from_dict(data, "x.mfw.json")
    text = str(err.value)
    assert "used twice" in text and "unknown node kind 'teleport'" in text
    assert "nodes[3] has no id" in text and "edges[0]" in text
    assert len(err.value.problems) == 4


def test_unknown_task_kind_and_bad_params_load_and_are_reported_by_validation():
    data = {"version": 1, "nodes": [
        {"id": "s", "kind": "start"},
        {"id": "t1", "kind": "task", "task_kind": "levitate", "params": {}},
        {"id": "t2", "kind": "task", "task_kind": "SnapshotByTimeOffset",
         "params": {"offsets": ["1s"], "width": "wide", "colour": 1}},
        {"id": "e", "kind": "end"},
    ], "edges": [{"source": "s", "target": "t1"}, {"source": "t1", "target": "t2"},
                 {"source": "t2", "target": "e"}, {"source": "t2", "target": "ghost"}]}
    wf = workflow_from_dict(data)
    assert wf.nodes["t2"].task_kind == "snapshot"  # alias resolved
    codes = {(p.code, p.node_id) for p in validate(wf)}
    assert ("unknown_task_kind", "t1") in codes
    assert ("bad_param", "t2") in codes
    assert ("dangling_edge", None) in codes
    messages = " ".join(p.message for p in validate(wf))
    assert "colour is not a parameter" in messages
    assert "Width has the wrong type: 'wide' is not a whole number such as 2" in messages  # the inspector's label


def test_a_saved_workflow_is_an_ordinary_document_0644_and_keeps_a_mode_it_had(tmp_path):
    import os
    import stat
    wf = load_workflow(sample_workflow_path("standard.mfw.json"))
    old = os.umask(0o022)
    try:
        path = tmp_path / "mine.mfw.json"
        save_workflow(wf, path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's 0600
        os.chmod(path, 0o640)
        save_workflow(wf, path)  # overwriting keeps what the owner chose
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old)
