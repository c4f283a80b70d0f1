"""`mediaflow validate FILE` and `mediaflow run WORKFLOW INPUT...`: local files into a folder, or
s3://bucket/key objects (the explicit bucket trigger: download, run, upload, one TaskId each).

A refused workflow (unreadable, beyond a size limit, not valid, or naming a file its tasks cannot
use) exits 2 and runs nothing. Ctrl-C, SIGTERM and SIGHUP cancel the runs (exit 130); for local
files a second Ctrl-C stops waiting (the runs show as Interrupted next time).

Both build their core through the Runtime (mediaflow_gui/runtime.py): every run's run-finished event
goes to the targets in `<data dir>/event_targets.json` and to those of --webhook/--sqs/--jsonl; the
command ends once they were sent (at most a minute more).

`--cluster tcp://host:8786` runs the steps on a Dask cluster (cli/cluster.py's join_cluster, before
anything is submitted); the TaskIds, the task store and the output folder stay on this machine. An
unreachable scheduler exits 2 with one line naming it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from ..media.naming import ON_EXISTING, ON_EXISTING_DEFAULT
from ..model.statuses import RunResult, SubtaskStatus
from .exits import (EXIT_CANCELED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_event_flags, err, on_stop_signals,
                    event_targets_from_args, positive_int, say)
from .cluster import add_cluster_flags, cluster_refusals, cluster_settings_from_args, join_cluster
from .progress import ProgressPrinter, announce_ffmpeg
from .storage import uses_embedded


# -- validate ---------------------------------------------------------------------------
def workflow_refusals(workflow: Any) -> list[str]:
    """Every reason to refuse a loaded workflow before anything runs: what it says (validation)
    and the files its tasks need (watermark images, the font), each naming its node."""
    from ..media.preflight import check_workflow_inputs
    from ..model.validation import validate

    return [p.message for p in validate(workflow) + check_workflow_inputs(workflow)]


def cmd_validate(args: argparse.Namespace) -> int:
    from ..model.serialization import WorkflowFormatError, load_workflow

    try:
        workflow = load_workflow(args.file)
    except WorkflowFormatError as exc:
        for problem in exc.problems:
            print(f"{exc.source}: {problem}")
        return EXIT_USAGE
    problems = workflow_refusals(workflow)
    if not problems:
        print(f"OK: {args.file} ({workflow.name}, {sum(1 for n in workflow.nodes.values() if n.task_kind)} tasks)")
        return EXIT_OK
    for problem in problems:
        print(problem)
    return EXIT_USAGE


# -- run ----------------------------------------------------------------------------------
def _runtime(args: argparse.Namespace, *, storage: bool = False) -> Any:
    """The Runtime of one `run`: engine settings from the flags, the event flags as one-off targets
    on top of the configured ones; at most a minute at the end for events still going out."""
    from ..engine.engine import EngineSettings
    from ..runtime import Runtime, RuntimeSettings

    settings = EngineSettings(ffmpeg_path=args.ffmpeg, fusion=not getattr(args, "no_fusion", False),
                              on_existing=getattr(args, "on_existing", None) or "keep-both")
    if args.concurrency:
        settings.max_threads = args.concurrency
    return Runtime(None, RuntimeSettings(engine=settings, extra_targets=event_targets_from_args(args),
                                         storage=storage, notify_timeout=60.0))


def _cancel_on_signals(rt: Any, *, second_stops: bool) -> Any:
    """Ctrl-C, a service manager's SIGTERM and a closed terminal's SIGHUP: the same clean cancel of the
    running runs. With `second_stops`, the first says so and a second one stops waiting (the runs are
    marked Interrupted next time). Returns what removes the handlers."""
    loop = asyncio.get_running_loop()
    canceled = False

    def on_interrupt() -> None:
        nonlocal canceled
        if second_stops and canceled:
            # stop now: the Runtime closes without waiting for the runs or their events
            rt.settings.cancel_timeout = rt.settings.notify_timeout = 0.0
            raise KeyboardInterrupt
        if second_stops:
            print("\nCanceling… (press Ctrl-C again to stop waiting)", file=sys.stderr, flush=True)
        canceled = True
        for task_id in rt.engine.running():
            rt.engine.cancel(task_id)

    return on_stop_signals(loop, on_interrupt)  # Windows: KeyboardInterrupt handling in cmd_run


def _exit_code(records: list[Any]) -> int:
    """1 if a run failed, else 130 if one was canceled, else 0."""
    code = EXIT_OK
    for record in records:
        if record.result != RunResult.SUCCESS:
            code = EXIT_CANCELED if record.result == RunResult.CANCELED and code != EXIT_FAILED else EXIT_FAILED
    return code


def _say_failure(record: Any) -> None:
    err(f"{record.task_id} {record.result.value if record.result else record.status.value}: "
        f"{record.message or record.error_code}")


async def _run_async(args: argparse.Namespace, workflow: Any, inputs: list[str], out_dir: Path,
                     excerpt: Any = None) -> int:
    """Run every input (on an excerpt of it when `excerpt`, an ExcerptRange, is given: --preview)."""
    async with _runtime(args) as rt:
        code = await join_cluster(rt, cluster_settings_from_args(args))  # --cluster: the steps run there
        if code != EXIT_OK:
            return code
        rt.bus.subscribe(ProgressPrinter(sys.stdout, before_task_id=rt.store.flush))
        await announce_ffmpeg(rt.engine)
        remove_handlers = _cancel_on_signals(rt, second_stops=True)
        try:
            if excerpt is not None:  # a dry run on an excerpt of each input (engine/preview.py)
                from ..engine.preview import submit_preview
                task_ids = [submit_preview(rt.engine, workflow, inp, out_dir, excerpt) for inp in inputs]
            else:
                task_ids = [rt.engine.submit(workflow, inp, out_dir) for inp in inputs]
            records = [await rt.engine.wait(tid) for tid in task_ids]
        finally:
            remove_handlers()
        for record in records:
            done = sum(1 for s in record.subtasks if s.status == SubtaskStatus.SUCCESS)
            took = (record.finish_time or 0) - (record.begin_time or record.create_time)
            if record.result == RunResult.SUCCESS:
                say(f"{record.task_id} SUCCESS: {done}/{len(record.subtasks)} tasks, "
                    f"{len(record.outputs())} file(s) in {record.out_dir} ({took:.1f} s)")
            else:
                _say_failure(record)
    return _exit_code(records)  # the runtime closed: the store committed, the events went out


def _excerpt_range(args: argparse.Namespace) -> Any:
    """The ExcerptRange of --preview / --preview-range (None: not a preview); ValueError when unusable."""
    from ..media.excerpt import parse_range
    if args.preview_range is not None:
        return parse_range(args.preview_range)
    return parse_range("") if args.preview else None


def _preview_folder() -> Path:
    """Where a preview without --out writes: a fresh folder under the data dir's work/previews (said
    on the output; removed by a later preview once a day old)."""
    from ..engine.preview import PreviewFolders
    from ..paths import data_dir, private_dir
    return PreviewFolders(private_dir(data_dir() / "work") / "previews").new()


def cmd_run(args: argparse.Namespace) -> int:
    from ..model.serialization import WorkflowFormatError, load_workflow
    from ..notify.global_targets import EventTargetsFileError

    try:
        workflow = load_workflow(args.workflow)
    except WorkflowFormatError as exc:
        err(f"cannot read the workflow: {exc}")
        return EXIT_USAGE
    refusals = workflow_refusals(workflow)
    if refusals:  # refused like `validate` refuses it: nothing is run or recorded
        for problem in refusals:
            err(f"cannot run {args.workflow}: {problem}")
        return EXIT_USAGE
    cluster_problems = cluster_refusals(args)
    if cluster_problems:
        for problem in cluster_problems:
            err(problem)
        return EXIT_USAGE
    try:
        if any(str(i).startswith("s3://") for i in args.inputs):
            if args.preview or args.preview_range is not None:
                err("--preview runs on local files; download the object first")
                return EXIT_USAGE
            return run_s3(args, workflow)  # the explicit bucket trigger: download, run, upload
        try:
            excerpt = _excerpt_range(args)
        except ValueError as exc:
            err(f"--preview-range: {exc}")
            return EXIT_USAGE
        if not args.out and excerpt is None:
            err("--out DIR is required for local inputs")
            return EXIT_USAGE
        out_dir = Path(args.out).expanduser().resolve() if args.out else _preview_folder()
        from ..media.inputs import collect_inputs
        collected = collect_inputs(args.inputs)  # folders: every media file inside, in name order
        if collected.skipped:
            err(collected.summary())
        if not collected.files:
            err("nothing to run: no media files among the inputs")
            return EXIT_USAGE
        return asyncio.run(_run_async(args, workflow, collected.files, out_dir, excerpt))
    except EventTargetsFileError as exc:  # nothing was run: the configured targets must be right first
        err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        err("stopped; unfinished runs will show as Interrupted")
        return EXIT_CANCELED


# -- run WORKFLOW s3://… (the explicit trigger) ------------------------------------------------------------

def run_s3(args: argparse.Namespace, workflow: Any) -> int:
    """`mediaflow run WORKFLOW s3://bucket/key… --output-bucket B`: download, run, upload; one TaskId each."""
    from ..storage.embedded import EmbeddedStoreError
    from ..storage.s3 import parse_s3_url

    inputs = list(args.inputs)
    try:
        locations = [parse_s3_url(i) for i in inputs]
    except ValueError as exc:
        err(f"{exc} (s3:// and local inputs cannot be mixed in one run command)")
        return EXIT_USAGE
    if not getattr(args, "output_bucket", None):
        err("an s3:// input needs --output-bucket BUCKET (results are uploaded there)")
        return EXIT_USAGE
    try:
        return asyncio.run(_run_s3_async(args, workflow, locations))
    except EmbeddedStoreError as exc:
        err(str(exc), keep_lines=True)
        return EXIT_FAILED


async def _run_s3_async(args: argparse.Namespace, workflow: Any, locations: list[Any]) -> int:
    from ..storage.bindings import ObjectJob, submit_object
    from ..storage.connections import UnknownConnectionError
    from ..storage.embedded import EMBEDDED_CONNECTION_NAME
    from ..storage.s3 import normalize_prefix

    source_name = args.connection or EMBEDDED_CONNECTION_NAME
    target_name = args.output_connection or source_name
    async with _runtime(args, storage=True) as rt:
        if uses_embedded(source_name, target_name):
            await rt.start_embedded()
        try:
            source, target = rt.connections.get(source_name), rt.connections.get(target_name)
        except UnknownConnectionError as exc:
            err(str(exc), keep_lines=True)
            return EXIT_USAGE
        if target_name == source_name:
            target = source
        code = await join_cluster(rt, cluster_settings_from_args(args))  # --cluster: the steps run there
        if code != EXIT_OK:
            return code
        rt.bus.subscribe(ProgressPrinter(sys.stdout, before_task_id=rt.store.flush))
        await announce_ffmpeg(rt.engine)  # one line on stderr: the FFmpeg the runs will use, and what it lacks
        remove_handlers = _cancel_on_signals(rt, second_stops=False)
        try:
            task_ids = []
            for loc in locations:
                job = ObjectJob(source, loc.bucket, loc.key, target, args.output_bucket,
                                normalize_prefix(args.output_prefix or ""), ledger=rt.ledger)
                task_ids.append(submit_object(rt.engine, workflow, job, notifier=rt.notifier,
                                              trigger=job.trigger("Explicit")))
            records = [await rt.engine.wait(t) for t in task_ids]
        finally:
            remove_handlers()
        for record in records:
            if record.result == RunResult.SUCCESS:
                urls = [d.url for d in rt.ledger.deliveries(record.task_id)]
                print(f"{record.task_id} SUCCESS: {len(urls)} file(s) uploaded")
                for url in urls:
                    print(f"  {url}")
            else:
                _say_failure(record)
    return _exit_code(records)


# -- parsers ----------------------------------------------------------------------------------------------

def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `validate` and `run` (with its s3:// and event options) to the `mediaflow` subcommands."""
    p = sub.add_parser("validate", parents=parents, help="check a workflow file and list every problem")
    p.add_argument("file", help="a *.mfw.json workflow")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", parents=parents, help="run a workflow on one or more input files",
                       epilog="An input whose name starts with '-' goes after '--'.")
    p.add_argument("workflow", help="a *.mfw.json workflow")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="media file(s) or folder(s) to process (a folder: every media file inside, recursively)")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="folder for the results (created if missing); s3:// inputs use --output-bucket instead")
    p.add_argument("--concurrency", type=positive_int, metavar="N",
                   help="CPU threads all FFmpeg processes may use together (default: number of cores)")
    p.add_argument("--no-fusion", action="store_true", help="run every task as its own FFmpeg process")
    p.add_argument("--on-existing", choices=ON_EXISTING, default=ON_EXISTING_DEFAULT,
                   help="when an output's name is taken in the output folder: keep both (the new file gets "
                        "' (1)', the default), overwrite the old file, or skip (keep the old file)")
    p.add_argument("--ffmpeg", metavar="PATH", help="the ffmpeg binary to use")
    p.add_argument("--preview", action="store_true",
                   help="dry run: run the workflow on the first 5 s of each input (a stream-copied excerpt) "
                        "into --out, or a temporary folder under the data dir")
    # a separate option, not an optional value of --preview: argparse would take an input for it
    p.add_argument("--preview-range", metavar="START,LEN",
                   help="the excerpt --preview runs on, in seconds (e.g. 10,5: 5 s from 10 s); implies --preview")
    p.set_defaults(func=cmd_run)
    group = p.add_argument_group("s3:// inputs (the explicit trigger)")
    group.add_argument("--output-bucket", metavar="BUCKET", help="upload the results to this bucket")
    group.add_argument("--output-prefix", metavar="P", default="", help="key prefix of the results")
    group.add_argument("--connection", metavar="NAME", help="connection of the input (default embedded)")
    group.add_argument("--output-connection", metavar="NAME", help="connection of the output bucket")
    add_cluster_flags(p.add_argument_group("a Dask cluster (instead of this computer)"))
    add_event_flags(p.add_argument_group("events (besides the ones in event_targets.json)"))
