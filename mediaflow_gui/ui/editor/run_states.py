"""The canvas's node states for a run: each task node from its subtask (RunRecord.shown), and the
start, split, join and end nodes derived from them. One rule for the live canvas (main window) and the
replay of a finished run (runs/replay.py). No widgets here."""

from __future__ import annotations

from ...engine.run_state import RunRecord
from ...model.kinds import NodeKind


def canvas_states(run: RunRecord, workflow) -> dict[str, tuple[str, float, str]]:  # noqa: ANN001 - Workflow
    """Node states for the canvas: tasks from the run's subtasks, the other nodes derived from them."""
    states: dict[str, tuple[str, float, str]] = {}
    for sid in run.steps:
        if sid in workflow.nodes:
            states[sid] = run.shown(sid)  # a folded watermark mirrors its transcodes (RunRecord.shown)
    started = run.begin_time is not None or run.finished
    for nid, node in workflow.nodes.items():
        if node.kind in (NodeKind.START, NodeKind.SPLIT):
            states[nid] = ("SUCCESS" if started else "WAITING", 100.0, "")
        elif node.kind == NodeKind.END:
            if run.finished:
                status = {"SUCCESS": "SUCCESS", "CANCELED": "CANCELED"}.get(run.display_status, "FAIL")
                states[nid] = (status, 100.0, run.message)
            else:
                states[nid] = ("WAITING", 0.0, "")
    for nid, node in workflow.nodes.items():
        if node.kind == NodeKind.JOIN:
            before = [states.get(p, ("WAITING", 0.0, ""))[0] for p in workflow.predecessors(nid)]
            if before and all(s == "SUCCESS" for s in before):
                states[nid] = ("SUCCESS", 100.0, "")
            elif any(s in ("FAIL", "SKIPPED", "CANCELED") for s in before) and \
                    all(s not in ("WAITING", "PROCESSING") for s in before):
                states[nid] = ("SKIPPED", 0.0, "A branch before it did not succeed")
            else:
                states[nid] = ("WAITING", 0.0, "")
    return states
