"""`mediaflow mps import|export`: the service's (MPS) workflow requests ⇔ MediaFlow workflow files.

    mediaflow mps import REQUEST.json -o WORKFLOW.mfw.json [--binding BINDING.json] [--templates FILE]
    mediaflow mps export WORKFLOW.mfw.json [--binding B.json] [-o REQUEST.json] [--region R] [--templates FILE]

Import reads a CreateWorkflow request, a DescribeWorkflows entry/response or a CreateSchedule request;
the binding (from its Trigger) is saved only with --binding (otherwise a note says it was not).
Export prints the request JSON (or writes it with -o) and says when it became a CreateSchedule.
Template ids resolve against the presets and the local template store (<data dir>/mps-templates.json
or --templates); export creates the templates it needs there. Warnings go to stderr, one a line.
Exit 2 when the input cannot be read or the workflow cannot be expressed (the message names the node).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from ..model.serialization import load_workflow, save_workflow
from ..mps.templates import TemplateError, TemplateStore
from ..mps.workflow_io import DEFAULT_REGION, export_workflow, import_workflow
from ..storage.bindings import load_binding, save_binding
from .exits import EXIT_OK, EXIT_USAGE, err, say


def _store(args: argparse.Namespace) -> TemplateStore:
    return TemplateStore(Path(args.templates) if args.templates else None)


def _warn_all(warnings: list[str]) -> None:
    for text in warnings:
        err(f"warning: {text}")


def cmd_import(args: argparse.Namespace) -> int:
    source = Path(args.request)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        err(f"cannot read {source}: {exc.strerror}")
        return EXIT_USAGE
    except ValueError as exc:
        err(f"{source} is not valid JSON: {exc}")
        return EXIT_USAGE
    try:
        imported = import_workflow(data, _store(args))
    except (ValueError, TemplateError) as exc:
        err(f"{source}: {exc}")
        return EXIT_USAGE
    out = Path(args.output)
    save_workflow(imported.workflow, out)
    _warn_all(imported.warnings)
    say(f"Workflow: {out} ({imported.kind}, {len(imported.workflow.nodes)} nodes)")
    if imported.binding is not None:
        if args.binding:
            bpath = Path(args.binding)
            # the workflow path relative to the binding file, as bindings read it
            imported.binding.workflow = os.path.relpath(out.resolve(), bpath.resolve().parent)
            save_binding(imported.binding, bpath)
            say(f"Binding: {bpath} (bucket {imported.binding.input_bucket} on the embedded store)")
        else:
            say("The MPS workflow has a trigger: pass --binding BINDING.json to save it as a binding")
    elif args.binding:
        err("warning: the MPS workflow has no Trigger: no binding was written")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    try:
        workflow = load_workflow(args.workflow)
        binding = load_binding(args.binding) if args.binding else None
        exported = export_workflow(workflow, binding, _store(args), args.region)
    except (ValueError, TemplateError) as exc:
        err(str(exc))
        return EXIT_USAGE
    text = json.dumps(exported.request, indent=2, ensure_ascii=False) + "\n"
    _warn_all(exported.warnings)
    for kind, definition in exported.created_templates:
        err(f"created {kind} template {definition} in the local template store")
    if exported.kind == "Schedule":
        err("a task reads another task's output: exported as a CreateSchedule request (Activities)")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        say(f"{'CreateSchedule' if exported.kind == 'Schedule' else 'CreateWorkflow'} request: {args.output}")
    else:
        print(text, end="")
    return EXIT_OK


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `mps import` and `mps export` to the `mediaflow` parser's subcommands."""
    mps = sub.add_parser("mps", parents=parents, help="import and export the cloud service's (MPS) workflows")
    mps_sub = mps.add_subparsers(dest="mps_command", metavar="ACTION", required=True)
    p = mps_sub.add_parser("import", parents=parents, help="an MPS CreateWorkflow/CreateSchedule request → "
                                                          "a workflow file (+ binding)")
    p.add_argument("request", metavar="REQUEST.json")
    p.add_argument("-o", "--output", required=True, metavar="WORKFLOW.mfw.json")
    p.add_argument("--binding", metavar="BINDING.json", help="save the trigger as this binding file")
    p.add_argument("--templates", metavar="FILE", help="the template store (default <data dir>/mps-templates.json)")
    p.set_defaults(func=cmd_import)
    p = mps_sub.add_parser("export", parents=parents, help="a workflow file (+ binding) → an MPS request")
    p.add_argument("workflow", metavar="WORKFLOW.mfw.json")
    p.add_argument("--binding", metavar="BINDING.json", help="write its bucket as the Trigger and output")
    p.add_argument("-o", "--output", metavar="REQUEST.json", help="write here instead of stdout")
    p.add_argument("--region", default=DEFAULT_REGION, help=f"the COS region written (default {DEFAULT_REGION})")
    p.add_argument("--templates", metavar="FILE", help="the template store (default <data dir>/mps-templates.json)")
    p.set_defaults(func=cmd_export)
