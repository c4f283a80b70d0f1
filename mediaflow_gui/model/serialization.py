"""The workflow file (`*.mfw.json`): plain, versioned JSON with positions as data.

Shape (version 1):
    {"version": 1, "name": str, "description": str,
     "nodes": [{"id": str, "kind": "start|split|task|join|end", "name": str,
                "task_kind": str (tasks only), "params": {...} (tasks only),
                "position": {"x": float, "y": float}}],
     "edges": [{"source": node id, "target": node id}]}

Loading is tolerant where it can be: unknown task kinds, bad parameters and dangling
edges are kept and reported by validation (every problem at once). Only a file that is
not a workflow at all (not JSON, wrong version, wrong top-level shape) raises, and so does one
beyond the limits of model/limits.py (file size, JSON nesting, nodes, edges): those are checked
before the work they bound (reading, parsing, building nodes), so refusing a huge file is quick.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .files import not_a_regular_file
from .kinds import NodeKind, resolve_task_kind
from .limits import MAX_FILE_BYTES, MAX_JSON_DEPTH, json_depth, megabytes, size_problem
from .params import params_from_dict, params_to_dict
from .workflow import Edge, Node, Workflow

FORMAT_VERSION = 1
FILE_SUFFIX = ".mfw.json"


class WorkflowFormatError(ValueError):
    """The file is not a readable workflow; `problems` lists every reason found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def workflow_to_dict(workflow: Workflow) -> dict[str, Any]:
    nodes = []
    for node in workflow.nodes.values():
        entry: dict[str, Any] = {"id": node.id, "kind": node.kind.value, "name": node.name}
        if node.kind == NodeKind.TASK:
            entry["task_kind"] = node.task_kind
            entry["params"] = params_to_dict(node.params) if node.params is not None else {}
        entry["position"] = {"x": round(node.position[0], 2), "y": round(node.position[1], 2)}
        nodes.append(entry)
    return {
        "version": FORMAT_VERSION,
        "name": workflow.name,
        "description": workflow.description,
        "nodes": nodes,
        "edges": [{"source": e.source, "target": e.target} for e in workflow.edges],
    }


def _node_from_dict(raw: Any, index: int, problems: list[str]) -> Node | None:
    where = f"nodes[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where} is not an object")
        return None
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not node_id:
        problems.append(f"{where} has no id")
        return None
    try:
        kind = NodeKind(raw.get("kind"))
    except ValueError:
        problems.append(f"node {node_id}: unknown node kind {raw.get('kind')!r} "
                        f"(expected one of {', '.join(k.value for k in NodeKind)})")
        return None
    pos = raw.get("position") or {}
    try:
        position = (float(pos.get("x", 0.0)), float(pos.get("y", 0.0)))
    except (TypeError, ValueError, AttributeError):
        problems.append(f"node {node_id}: position must be {{'x': number, 'y': number}}")
        position = (0.0, 0.0)
    node = Node(kind=kind, id=node_id, name=str(raw.get("name") or ""), position=position)
    if kind == NodeKind.TASK:
        task_kind = str(raw.get("task_kind") or "")
        node.task_kind = task_kind
        resolved = resolve_task_kind(task_kind)
        if resolved is not None:
            node.task_kind = resolved.id
            raw_params = raw.get("params")
            if raw_params is not None and not isinstance(raw_params, dict):
                node.load_problems.append("params must be an object")
                raw_params = {}
            node.params, param_problems = params_from_dict(resolved.id, raw_params)
            node.load_problems.extend(param_problems)
        # an unknown task kind keeps params None; validation names it
    return node


def workflow_from_dict(data: Any, source: str = "<workflow>") -> Workflow:
    if not isinstance(data, dict):
        raise WorkflowFormatError(source, ["the top level must be a JSON object"])
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise WorkflowFormatError(source, [f"unsupported workflow version {version!r} (this app reads version {FORMAT_VERSION})"])
    problems: list[str] = []
    raw_nodes = data.get("nodes", [])
    raw_edges = data.get("edges", [])
    if not isinstance(raw_nodes, list):
        problems.append("nodes must be a list")
        raw_nodes = []
    if not isinstance(raw_edges, list):
        problems.append("edges must be a list")
        raw_edges = []
    too_large = size_problem(len(raw_nodes), len(raw_edges))
    if too_large:  # before a single node is built
        raise WorkflowFormatError(source, [f"the workflow is too large: {too_large}"])
    workflow = Workflow(str(data.get("name") or Path(source).name.removesuffix(FILE_SUFFIX)),
                        str(data.get("description") or ""))
    for index, raw in enumerate(raw_nodes):
        node = _node_from_dict(raw, index, problems)
        if node is None:
            continue
        if node.id in workflow.nodes:
            problems.append(f"node {node.id}: the id is used twice")
            continue
        workflow.nodes[node.id] = node
    for index, raw in enumerate(raw_edges):
        if not isinstance(raw, dict) or not isinstance(raw.get("source"), str) or not isinstance(raw.get("target"), str):
            problems.append(f"edges[{index}] must be {{'source': node id, 'target': node id}}")
            continue
        edge = Edge(raw["source"], raw["target"])
        if edge in workflow.edges:
            problems.append(f"edge {edge.source} → {edge.target} is listed twice")
            continue
        workflow.edges.append(edge)  # dangling edges are kept: validation names them
    if problems:
        raise WorkflowFormatError(source, problems)
    return workflow


def _read_limited(path: Path) -> str:
    """The file's text, refused (WorkflowFormatError) when it is not a regular file or is too large.

    A fifo, a device or a folder is named as such and never read (a fifo would block, /dev/zero never
    ends); the size is checked before reading, on the opened file (which cannot be swapped for a fifo
    in between: it is opened without blocking and checked again), and by reading one byte past the limit.
    """
    nature = not_a_regular_file(path)
    if nature == "does not exist":
        raise WorkflowFormatError(str(path), ["no such file"])
    if nature is not None:
        raise WorkflowFormatError(str(path), [f"{nature}, not a workflow file"])
    too_large = f"the file is larger than {megabytes(MAX_FILE_BYTES)}, the limit for a workflow file"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise WorkflowFormatError(str(path), ["is not a regular file, not a workflow file"])
            if info.st_size > MAX_FILE_BYTES:
                raise WorkflowFormatError(str(path), [f"{too_large} ({megabytes(info.st_size)})"])
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise WorkflowFormatError(str(path), [f"cannot be read: {exc}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise WorkflowFormatError(str(path), [too_large])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkflowFormatError(str(path), [f"cannot be read: {exc}"]) from None


def loads_workflow_json(text: str, source: str = "<workflow>") -> Any:
    """Parse workflow JSON, refusing nesting beyond MAX_JSON_DEPTH before the parser recurses into it."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise WorkflowFormatError(source, [f"arrays and objects are nested {depth:,} deep; a workflow file may "
                                           f"nest them at most {MAX_JSON_DEPTH} deep"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkflowFormatError(source, [f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]) from None
    except RecursionError:  # json_depth counts what the parser descends into; this is only a backstop
        raise WorkflowFormatError(source, ["arrays and objects are nested too deep"]) from None


def load_workflow(path: str | os.PathLike[str]) -> Workflow:
    path = Path(path)
    data = loads_workflow_json(_read_limited(path), str(path))
    workflow = workflow_from_dict(data, str(path))
    workflow.base_dir = str(path.resolve().parent)
    return workflow


def dumps_workflow(workflow: Workflow) -> str:
    return json.dumps(workflow_to_dict(workflow), indent=2, ensure_ascii=False) + "\n"


def save_workflow(workflow: Workflow, path: str | os.PathLike[str]) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a workflow."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mfw-", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes 0600: a workflow is an ordinary document (0644 under umask 022)
            os.fchmod(fd, _document_mode(path))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps_workflow(workflow))
        os.replace(tmp, path)
        workflow.base_dir = str(path.resolve().parent)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _document_mode(path: Path) -> int:
    """The mode a saved workflow gets: the file's own when it is overwritten, else what a new file gets
    under this process's umask (read from /proc where there is one: os.umask() would change it, and
    other threads may create files meanwhile)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        pass
    umask = 0o022
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
                    break
    except (OSError, ValueError):
        pass
    return 0o666 & ~umask
