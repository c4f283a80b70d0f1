"""`mediaflow status TASKID [--json]` and `mediaflow tasks [--limit N] [--search S]`: reads of the task
store (no engine, no runs). A TaskId may be given by a unique prefix; `--json` prints the task-query
JSON of the reference service (engine/store.py's task_query_dict).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from ..model.statuses import SubtaskStatus
from ..model.values import format_size, format_time
from ..paths import DATA_DIR_ENV
from .exits import EXIT_FAILED, EXIT_OK, err, positive_int, say


def _find_record(store: Any, task_id: str) -> tuple[Any, str]:
    """The run for a TaskId or a unique prefix of one; else (None, why)."""
    record = store.get(task_id)
    if record is not None or not task_id:
        return record, ""
    matches = [m for m in store.list(limit=50, search=task_id) if m.task_id.startswith(task_id)]
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"{task_id} matches {len(matches)} tasks; give more of the TaskId"
    return None, f"no task {task_id} in the task store ({os.environ.get(DATA_DIR_ENV) or 'default data dir'})"


def _print_status(record: Any) -> None:
    state = record.status.value + (f" ({record.result.value})" if record.result else "")
    rows = [
        ("TaskId", record.task_id), ("Workflow", record.workflow_name), ("Input", record.input),
        ("Output dir", record.out_dir or "-"), ("Status", state),
        ("Created", format_time(record.create_time, "-")), ("Started", format_time(record.begin_time, "-")),
        ("Finished", format_time(record.finish_time, "-")),
    ]
    if record.error_code:
        rows.append(("Error", record.error_code))
    if record.failed_step:  # the node to blame (RunFinished.failed_step)
        names = {s.step_id: s.name for s in record.subtasks}
        rows.append(("Failed step", f"{names.get(record.failed_step, '?')} ({record.failed_step})"))
    if record.message:
        rows.append(("Message", " ".join(record.message.split())))
    for label, value in rows:
        say(f"{label:<11} {value}")
    if record.metadata:
        md = record.metadata
        say(f"{'Media':<11} {md.get('Container', '')} {md.get('Width', 0)}x{md.get('Height', 0)}, "
             f"{md.get('Duration', 0)} s, {format_size(md.get('Size'))}")
    print()
    name_w = max([7] + [len(s.name) for s in record.subtasks])
    kind_w = max([4] + [len(s.task_kind) for s in record.subtasks])
    say(f"{'Subtask':<{name_w}}  {'Kind':<{kind_w}}  {'Status':<10}  {'Progress':>8}  Message")
    for sub in record.subtasks:
        message = " ".join(sub.message.split())
        say(f"{sub.name:<{name_w}}  {sub.task_kind:<{kind_w}}  {sub.status.value:<10}  {sub.progress:>7.0f}%  {message}")
        for out in sub.outputs:
            dims = f" {out.get('width')}x{out.get('height')}" if out.get("width") else ""
            dur = f" {out['duration']:.1f} s" if out.get("duration") else ""
            say(f"{'':<{name_w}}  → {out.get('path')}  ({out.get('kind')}{dims}{dur}, {format_size(out.get('size'))})")


def cmd_status(args: argparse.Namespace) -> int:
    from ..engine.store import TaskStore, task_query_dict

    with TaskStore() as store:
        record, why = _find_record(store, args.task_id)
    if record is None:
        err(why)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(task_query_dict(record), indent=2, ensure_ascii=False))
    else:
        _print_status(record)
    return EXIT_OK


def cmd_tasks(args: argparse.Namespace) -> int:
    from ..engine.store import TaskStore

    with TaskStore() as store:
        records = store.list(limit=args.limit, search=args.search)
    if not records:
        say("No tasks." if not args.search else f"No tasks match {args.search!r}.")
        return EXIT_OK
    print(f"{'TaskId':<21}  {'Created':<19}  {'Status':<19}  {'Tasks':>5}  {'Workflow':<20}  Input")
    for r in records:
        state = r.status.value + (f" {r.result.value}" if r.result else "")
        ok = sum(1 for s in r.subtasks if s.status == SubtaskStatus.SUCCESS)
        say(f"{r.task_id:<21}  {format_time(r.create_time, '-'):<19}  {state:<19}  "
             f"{f'{ok}/{len(r.subtasks)}':>5}  {r.workflow_name[:20]:<20}  {r.input}")
    return EXIT_OK


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `status` and `tasks` to the `mediaflow` parser's subcommands."""
    p = sub.add_parser("status", parents=parents, help="show one task: the run, every subtask and its outputs")
    p.add_argument("task_id", metavar="TASKID", help="a TaskId (or a unique prefix)")
    p.add_argument("--json", action="store_true", help="print the task-query JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("tasks", parents=parents, help="list recent tasks, newest first")
    p.add_argument("--limit", type=positive_int, default=20, metavar="N")
    p.add_argument("--search", metavar="S", help="TaskId prefix or part of the input")
    p.set_defaults(func=cmd_tasks)
