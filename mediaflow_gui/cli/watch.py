"""`mediaflow watch`: a binding's watcher without the GUI.

    mediaflow watch BINDING.json                  run a binding's watcher
    mediaflow watch --workflow WF --bucket B [--prefix P] [--suffixes .mp4,.mov] --output-bucket O …

The "embedded" connection starts the embedded store when it is not running (or uses the one the app
already runs). Signals: Ctrl-C (SIGINT) stops `watch` after the running tasks (a second one cancels
them); SIGTERM and SIGHUP — what a service manager or a closed terminal sends — cancel at once: runs
are recorded CANCELED, FFmpeg is stopped, staging and work dirs are removed, and the objects of the
canceled runs run again at the next start. `watch` then exits 130 (0 when nothing had to be canceled).

The core comes from the Runtime (mediaflow_gui/runtime.py, with storage): each run's event goes to the
targets in `<data dir>/event_targets.json`, the binding's own, and those of --webhook/--sqs/--jsonl
(added to the binding's for this watcher).

`--cluster tcp://host:8786` runs the binding's steps on a Dask cluster (cli/cluster.py's join_cluster,
before the watcher starts): the objects, the ledger and the task store stay this process's; an
unreachable scheduler exits 2 with one line naming it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from ..notify.global_targets import EventTargetsFileError
from ..storage.embedded import EmbeddedStoreError
from .exits import (EXIT_CANCELED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_event_flags, err, on_stop_signals,
                    event_targets_from_args)
from .cluster import add_cluster_flags, cluster_refusals, cluster_settings_from_args, join_cluster
from .progress import announce_ffmpeg, watch_printer
from .storage import uses_embedded


def _binding_from_args(args: argparse.Namespace) -> Any:
    from ..storage.bindings import Binding, load_binding

    if args.binding:
        binding = load_binding(args.binding)
    else:
        missing = [flag for flag, value in (("--workflow", args.workflow), ("--bucket", args.bucket)) if not value]
        if missing:
            raise ValueError("give a BINDING.json or " + " and ".join(missing))
        # no id: derived from what it watches, so a restart (or a second watcher) is the same binding
        binding = Binding(name=args.name or f"watch {args.bucket}", workflow=args.workflow, input_bucket=args.bucket,
                          id="")
        binding.output_prefix = "results/"
    if args.workflow and args.binding:
        binding.workflow = args.workflow
    for attr, value in (("input_prefix", args.prefix), ("output_bucket", args.output_bucket),
                        ("output_prefix", args.output_prefix), ("input_connection", args.connection),
                        ("output_connection", args.output_connection), ("poll_interval", args.interval)):
        if value is not None:
            setattr(binding, attr, value)
    if args.suffixes is not None:
        from ..storage.watcher import parse_suffixes
        binding.suffixes = list(parse_suffixes(args.suffixes))
    if args.sqs_queue is not None:
        binding.watch.sqs_queue = args.sqs_queue
    if args.detection is not None:
        binding.watch.detection = args.detection
    if args.max_interval is not None:
        binding.watch.max_interval = args.max_interval
    if args.process_existing:
        binding.process_existing = True
    extra = event_targets_from_args(args)  # the binding's own targets, for this watcher only
    binding.events.webhooks += extra.webhooks
    binding.events.sqs += extra.sqs
    binding.events.jsonl += extra.jsonl
    return binding


async def _watch_async(binding: Any, args: argparse.Namespace) -> int:
    from ..engine.engine import EngineSettings
    from ..runtime import Runtime, RuntimeSettings
    from ..storage.bindings import BindingBusyError

    stop = asyncio.Event()
    at_once = [False]  # SIGTERM/SIGHUP: cancel the running tasks instead of waiting for them

    def on_signal(sig: int) -> None:
        if sig != signal.SIGINT:
            at_once[0] = True
        stop.set()

    last_state = [""]

    def on_status(status: Any) -> None:
        if status.state != last_state[0] and status.state in ("unreachable", "watching") and last_state[0]:
            print(f"[{status.state}] {status.message}".rstrip(), file=sys.stderr, flush=True)
        last_state[0] = status.state

    settings = RuntimeSettings(engine=EngineSettings(ffmpeg_path=args.ffmpeg), storage=True, notify_timeout=30.0)
    loop = asyncio.get_running_loop()
    canceled = 0
    # closing the runtime stops the watcher, closes the notifier (at most 30 s for events still going
    # out), the ledger and the task store, and stops the embedded store if this process started it
    async with Runtime(None, settings) as rt:
        if uses_embedded(binding.input_connection, binding.out_connection) and not args.no_embedded:
            started = await rt.start_embedded()
            if started is not None:
                print(f"Embedded S3 store at {started.endpoint_url} (pid {started.pid})", flush=True)
        code = await join_cluster(rt, cluster_settings_from_args(args))  # --cluster: the steps run there
        if code != EXIT_OK:
            return code
        rt.bus.subscribe(watch_printer())
        remove_signal_handlers = on_stop_signals(loop, on_signal, with_signal=True)
        try:
            await announce_ffmpeg(rt.engine)  # one line on stderr: the FFmpeg the runs will use, and what it lacks
            if args.retries is not None:
                rt.storage.retries = args.retries
            runner = await rt.storage.watch(binding, on_status=(on_status,))
            b = binding
            print(f"Watching s3://{b.input_bucket}/{b.in_prefix} ({', '.join(b.suffixes) or 'all files'}) → "
                  f"s3://{b.out_bucket}/{b.out_prefix} with {runner.workflow.name!r} (binding {b.id}), "
                  f"by {runner.status.mode}. Ctrl-C stops.", flush=True)
            if runner.status.mode.startswith("polling") and runner.status.mode_detail:
                print(f"  ({runner.status.mode_detail})", file=sys.stderr, flush=True)
            await stop.wait()
            if at_once[0]:
                print("Stopping: canceling running tasks (they run again on the next start)…", file=sys.stderr,
                      flush=True)
                canceled = await runner.stop(cancel_runs=True)
            else:
                print("Stopping: waiting for running tasks (Ctrl-C again cancels them)…", file=sys.stderr, flush=True)
                stop.clear()
                waiter = asyncio.ensure_future(runner.stop(wait_runs=True))
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if not waiter.done():
                    canceled = await runner.stop(cancel_runs=True)  # their objects run again on the next start
                    await waiter
                stopper.cancel()
        except BindingBusyError as exc:
            err(str(exc), keep_lines=True)
            return EXIT_FAILED
        except ValueError as exc:
            err(str(exc), keep_lines=True)
            return EXIT_USAGE
        finally:
            remove_signal_handlers()
    return EXIT_CANCELED if canceled else EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    try:
        binding = _binding_from_args(args)
    except ValueError as exc:
        err(str(exc), keep_lines=True)
        return EXIT_USAGE
    problems = binding.problems()
    if problems:
        err("the binding cannot run: " + "; ".join(problems))
        return EXIT_USAGE
    cluster_problems = cluster_refusals(args)
    if cluster_problems:
        err("; ".join(cluster_problems))
        return EXIT_USAGE
    try:
        return asyncio.run(_watch_async(binding, args))
    except EventTargetsFileError as exc:  # nothing was watched: the configured targets must be right first
        err(str(exc))
        return EXIT_USAGE
    except EmbeddedStoreError as exc:
        err(str(exc), keep_lines=True)
        return EXIT_FAILED


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `watch` to the `mediaflow` parser's subcommands."""
    p = sub.add_parser("watch", parents=parents, help="watch a bucket and run a workflow for every new object",
                       description="Run a binding's watcher without the GUI: a BINDING.json, or flags.")
    p.add_argument("binding", nargs="?", metavar="BINDING.json")
    p.add_argument("--workflow", metavar="WF", help="the workflow (overrides the binding's)")
    p.add_argument("--bucket", metavar="BUCKET", help="the watched input bucket")
    p.add_argument("--prefix", metavar="P", help="only keys under this prefix")
    p.add_argument("--suffixes", metavar=".mp4,.mov", help="only keys ending so (default .mp4,.mov,.mkv)")
    p.add_argument("--output-bucket", metavar="BUCKET", help="where results go (default: the input bucket)")
    p.add_argument("--output-prefix", metavar="P", help="key prefix of the results (default results/)")
    p.add_argument("--connection", metavar="NAME", help="connection of the input bucket (default embedded)")
    p.add_argument("--output-connection", metavar="NAME", help="connection of the output bucket")
    p.add_argument("--name", help="a name for the binding made from flags")
    p.add_argument("--interval", type=float, metavar="SECONDS",
                   help="polling: the interval right after activity (default 0.5)")
    p.add_argument("--max-interval", type=float, metavar="SECONDS",
                   help="polling: the interval grows up to this while nothing happens (default 10)")
    p.add_argument("--detection", choices=("auto", "polling"),
                   help="auto (default): events where the store offers them (the embedded store, an SQS queue, "
                        "MinIO), else polling; polling: always poll")
    p.add_argument("--sqs-queue", metavar="URL|ARN|NAME",
                   help="the SQS queue the bucket's S3 notifications go to (set up when the keys allow it)")
    p.add_argument("--process-existing", action="store_true",
                   help="also run objects that are already in the bucket at the first start")
    p.add_argument("--no-embedded", action="store_true", help="do not start the embedded store")
    p.add_argument("--ffmpeg", metavar="PATH", help="the ffmpeg binary to use")
    p.add_argument("--retries", type=_retries, metavar="N",
                   help="how often an object whose run failed on an unreachable store (download or upload) is "
                        "run again, with back-off: 2 s, 10 s, 30 s, 1 min, 2 min, then every 5 min (default 3; "
                        "0: never; FFmpeg failures on bad media are never retried)")
    add_cluster_flags(p.add_argument_group("a Dask cluster (instead of this computer)"))
    add_event_flags(p)
    p.set_defaults(func=cmd_watch)


def _retries(text: str) -> int:
    from ..storage.runner import MAX_RETRIES
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of tries such as 3") from None
    if not 0 <= value <= MAX_RETRIES:
        raise argparse.ArgumentTypeError(f"{value} tries: choose 0 to {MAX_RETRIES}")
    return value
