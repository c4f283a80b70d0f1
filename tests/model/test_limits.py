"""Workflow size limits: too many nodes, too large a file and too deep a nesting are refused quickly,
with a sentence that names the limit, before the work they bound is done."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from mediaflow_gui.model import Node, NodeKind, Workflow, WorkflowFormatError, load_workflow, validate
from mediaflow_gui.model.limits import MAX_EDGES, MAX_FILE_BYTES, MAX_JSON_DEPTH, MAX_NODES, json_depth
from mediaflow_gui.model.serialization import loads_workflow_json, workflow_to_dict
from mediaflow_gui.model.workflow import task_node


def fan_out(tasks: int) -> Workflow:
    """start → split → `tasks` transcodes → join → end (tasks + 4 nodes, 2 × tasks + 2 edges)."""
    wf = Workflow("wide")
    start, split = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.SPLIT))
    join, end = wf.add_node(Node(NodeKind.JOIN)), wf.add_node(Node(NodeKind.END))
    wf.connect(start, split)
    wf.connect(join, end)
    for i in range(tasks):
        task = wf.add_node(task_node("transcode", f"T{i}"))
        wf.connect(split, task)
        wf.connect(task, join)
    return wf


def test_600_nodes_are_refused_fast_by_loading_and_by_validation(tmp_path: Path) -> None:
    wf = fan_out(596)
    assert len(wf.nodes) == 600
    path = tmp_path / "huge.mfw.json"
    path.write_text(json.dumps(workflow_to_dict(wf)), encoding="utf-8")
    began = time.perf_counter()
    with pytest.raises(WorkflowFormatError) as err:
        load_workflow(path)
    took = time.perf_counter() - began
    assert err.value.problems == [f"the workflow is too large: it has 600 nodes; a workflow may have at most "
                                  f"{MAX_NODES}"]
    assert took < 1.0, took  # refused before a single node is built
    began = time.perf_counter()
    problems = validate(wf)  # built in memory (the editor, the engine): validation refuses it alike
    assert time.perf_counter() - began < 0.1
    assert [p.code for p in problems] == ["too_large"]
    assert "600 nodes" in problems[0].message and str(MAX_NODES) in problems[0].message


def test_too_many_edges_are_refused(tmp_path: Path) -> None:
    data = workflow_to_dict(fan_out(10))
    data["edges"] = [{"source": f"a{i}", "target": f"b{i}"} for i in range(MAX_EDGES + 1)]
    path = tmp_path / "edges.mfw.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WorkflowFormatError, match=f"{MAX_EDGES + 1:,} connections; a workflow may have at most"):
        load_workflow(path)


def test_a_workflow_at_the_limit_still_loads_and_validates(tmp_path: Path) -> None:
    wf = fan_out(MAX_NODES - 4)
    path = tmp_path / "wide.mfw.json"
    path.write_text(json.dumps(workflow_to_dict(wf)), encoding="utf-8")
    began = time.perf_counter()
    loaded = load_workflow(path)
    assert validate(loaded) == []
    assert time.perf_counter() - began < 5.0  # 500 nodes: well under a second on these machines
    assert len(loaded.nodes) == MAX_NODES


def test_a_6_mb_file_is_refused_without_being_parsed(tmp_path: Path) -> None:
    data = workflow_to_dict(fan_out(1))
    data["description"] = "x" * (6 * 1024 * 1024)
    path = tmp_path / "big.mfw.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WorkflowFormatError) as err:
        load_workflow(path)
    (problem,) = err.value.problems
    assert "larger than 5.0 MB, the limit for a workflow file (6.0 MB)" in problem
    assert "big.mfw.json" in str(err.value)
    # just under the limit is fine
    data["description"] = "x" * (MAX_FILE_BYTES - 10_000)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_workflow(path).description == data["description"]


@pytest.mark.parametrize("text", [
    '{"version": 1, "nodes": [], "edges": [], "x": ' + "[" * 10_000 + "]" * 10_000 + "}",
    "[" * 10_000,  # unbalanced: a recursive parser would descend 10,000 levels before noticing
    '{"version": 1, "description": "' + "{[" * 5000 + '", "x": ' + "{\"a\": " * 10_000 + "1" + "}" * 10_000 + "}",
])
def test_deep_nesting_is_refused_before_parsing(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.mfw.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowFormatError) as err:  # never RecursionError
        load_workflow(path)
    (problem,) = err.value.problems
    assert f"nest them at most {MAX_JSON_DEPTH} deep" in problem and "10,00" in problem


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth('{"a": "[[[\\"{{{", "b": [[1], {}]}') == 3
    assert json_depth("[]") == 1 and json_depth("1") == 0 and json_depth('"[["') == 0
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_depth(nested) == MAX_JSON_DEPTH
    # text that is not a file (the editor's clipboard) goes through the same check
    assert loads_workflow_json(nested) == json.loads(nested)
    with pytest.raises(WorkflowFormatError, match="nested 65 deep"):
        loads_workflow_json("[" + nested + "]", "<clipboard>")


def test_a_nesting_at_the_limit_parses(tmp_path: Path) -> None:
    data = workflow_to_dict(fan_out(1))
    path = tmp_path / "ok.mfw.json"
    deep: object = 1
    for _ in range(MAX_JSON_DEPTH - 1):  # the top-level object is one level
        deep = [deep]
    data["extra"] = deep  # unknown top-level keys are ignored
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_workflow(path).name == "wide"


@pytest.mark.parametrize("make, nature", [
    (lambda tmp: Path("/dev/zero"), "is a device, not a workflow file"),
    (lambda tmp: tmp, "is a folder, not a workflow file"),
])
def test_a_path_that_is_not_a_file_is_named_for_what_it_is(tmp_path: Path, make, nature: str) -> None:
    with pytest.raises(WorkflowFormatError, match=nature):
        load_workflow(make(tmp_path))


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "pipe.mfw.json"
    os.mkfifo(fifo)
    errors: list[BaseException] = []

    def load() -> None:
        try:
            load_workflow(fifo)  # opening it for reading would wait for a writer forever
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # let the stuck reader go before failing
        with open(fifo, "w"):
            pass
        pytest.fail("load_workflow blocked on a fifo")
    assert len(errors) == 1 and isinstance(errors[0], WorkflowFormatError)
    assert "is a named pipe (fifo), not a workflow file" in str(errors[0])
