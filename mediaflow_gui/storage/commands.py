"""Headless bucket commands for `mediaflow` (cli.py calls `add_subcommands(subparsers)`).

    mediaflow storage serve [--port N]            the embedded S3 store in the foreground; prints
                                                  endpoint and keys; Ctrl-C / SIGTERM / SIGHUP stop it
    mediaflow storage status                      is it running, where, which access key
    mediaflow storage test [--connection NAME] [--bucket B]
    mediaflow storage connections                 list saved connections (no secrets)
    mediaflow storage add-connection NAME --endpoint URL [--region R] --access-key K
                                      (--secret-key S | --secret-key-env VAR) [--addressing path|virtual]
    mediaflow storage remove-connection NAME
    mediaflow watch BINDING.json                  run a binding's watcher without the GUI
    mediaflow watch --workflow WF --bucket B [--prefix P] [--suffixes .mp4,.mov] --output-bucket O …
    mediaflow run WORKFLOW s3://bucket/key --output-bucket B [--output-prefix P] [--connection NAME]

`run` with s3:// inputs is routed here by cli.py (`run_s3`); the storage options of `run` are
added to cli.py's `run` parser by `add_subcommands`. The "embedded" connection starts the
embedded store when it is not running (or uses the one the app already runs).

Signals: Ctrl-C (SIGINT) stops `watch` after the running tasks (a second one cancels them);
SIGTERM and SIGHUP — what a service manager or a closed terminal sends — cancel at once: runs are
recorded CANCELED, FFmpeg is stopped, staging and work dirs are removed, and the objects of the
canceled runs run again at the next start. `watch` then exits 130 (0 when nothing had to be
canceled); `run … s3://…` treats all three like Ctrl-C (cancel, exit 130).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from typing import Any

from .embedded import EMBEDDED_CONNECTION_NAME, EmbeddedStore, EmbeddedStoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELED = 0, 1, 2, 130
# what ends a foreground command: Ctrl-C, a service manager's stop, a closed terminal
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _err(message: str) -> None:
    print(f"mediaflow: {message}", file=sys.stderr, flush=True)


def _uses_embedded(*specs: Any) -> bool:
    return any(s in (None, "", EMBEDDED_CONNECTION_NAME) for s in specs if not isinstance(s, dict))


def _ensure_embedded(store: EmbeddedStore, quiet: bool = False) -> None:
    if store.health_check():
        return
    status = store.start()
    if not quiet:
        print(f"Embedded S3 store at {status.endpoint_url} (pid {status.pid})", flush=True)


# -- storage serve / status / test / connections -----------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    store = EmbeddedStore(s3_port=args.port)
    owner = store.owner_pid()
    if owner is not None and owner != os.getpid():
        status = store.status()
        _err(f"the embedded store already runs in MediaFlow process {owner} at {status.endpoint_url}")
        return EXIT_FAILED
    try:
        status = store.start()
    except EmbeddedStoreError as exc:
        _err(str(exc))
        return EXIT_FAILED
    conn = store.connection()
    print("Embedded S3 store (SeaweedFS) running", flush=True)
    for label, value in (("Endpoint", conn.endpoint_url), ("Region", conn.region), ("Access key", conn.access_key),
                         ("Secret key", conn.secret_key), ("Addressing", "path-style"),
                         ("Data", str(store.root)), ("PID", str(status.pid))):
        print(f"  {label + ':':<12} {value}")
    print(f"Try: AWS_ACCESS_KEY_ID={conn.access_key} AWS_SECRET_ACCESS_KEY=… "
          f"aws --endpoint-url {conn.endpoint_url} s3 ls")
    print("Press Ctrl-C to stop.", flush=True)
    # a weed that exits is restarted by the store's supervisor (weed_supervisor.py); say so as it happens
    def tell(state: Any) -> None:
        if not state.gave_up:  # giving up is said below, with the log lines
            _err(f"the embedded store {state.notice}")

    store.listeners.append(tell)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOP_SIGNALS}
    code = EXIT_OK
    try:
        while not stop.wait(0.5):
            if store.gave_up:
                _err(f"the embedded store {store.supervision.notice}. Last log lines:\n{store.supervision.log_tail}")
                code = EXIT_FAILED
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("Stopping the embedded store…", flush=True)
        store.stop()
        print("Stopped.", flush=True)
    return code


def cmd_status(args: argparse.Namespace) -> int:
    status = EmbeddedStore().status()
    if args.json:
        import json
        print(json.dumps(status.to_dict(), indent=2))
    elif status.running:
        print(f"Embedded store: running (pid {status.pid}), endpoint {status.endpoint_url}, "
              f"access key {status.access_key}, data {status.root}")
    else:
        print(f"Embedded store: stopped (data {status.root})")
    if status.notice and not args.json:
        print(f"  {status.notice}")  # what its supervisor did: restarted after an exit, or gave up
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    from .connections import ConnectionRegistry
    from .s3 import test_connection

    registry = ConnectionRegistry()
    conn = registry.get(args.connection)
    if args.connection == EMBEDDED_CONNECTION_NAME and not conn.endpoint_url:
        _err("the embedded store has never run: start it with `mediaflow storage serve`")
        return EXIT_FAILED
    diag = test_connection(conn, args.bucket)
    print(f"{'OK' if diag.ok else diag.code}: {diag.message}")
    return EXIT_OK if diag.ok else EXIT_FAILED


def cmd_connections(args: argparse.Namespace) -> int:
    from .connections import ConnectionRegistry

    for conn in ConnectionRegistry().list():
        print(f"{conn.name:<16} {conn.endpoint_url or '(AWS S3)':<32} {conn.region:<12} {conn.addressing:<8} "
              f"{conn.access_key or '-'}")
    return EXIT_OK


def cmd_add_connection(args: argparse.Namespace) -> int:
    from .connections import ConnectionRegistry
    from .s3 import S3Connection

    secret = os.environ.get(args.secret_key_env, "") if args.secret_key_env else (args.secret_key or "")
    conn = S3Connection(args.name, args.endpoint or "", args.region, args.access_key or "", secret, args.addressing)
    try:
        ConnectionRegistry().add(conn)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    print(f"saved connection {args.name!r}")
    return EXIT_OK


def cmd_remove_connection(args: argparse.Namespace) -> int:
    from .connections import ConnectionRegistry

    if ConnectionRegistry().remove(args.name):
        print(f"removed connection {args.name!r}")
        return EXIT_OK
    _err(f"no connection named {args.name!r}")
    return EXIT_FAILED


# -- watch ---------------------------------------------------------------------------------------------

def _binding_from_args(args: argparse.Namespace) -> Any:
    from ..notify.sinks import EventTargets, SqsTarget, WebhookTarget
    from .bindings import Binding, load_binding

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
        from .watcher import parse_suffixes
        binding.suffixes = list(parse_suffixes(args.suffixes))
    if args.process_existing:
        binding.process_existing = True
    extra = EventTargets(webhooks=[WebhookTarget(u, secret_env=args.webhook_secret_env or "") for u in args.webhook],
                         sqs=[SqsTarget(q) for q in args.sqs], jsonl=list(args.jsonl))
    binding.events.webhooks += extra.webhooks
    binding.events.sqs += extra.sqs
    binding.events.jsonl += extra.jsonl
    return binding


def _event_printer(stream: Any = None) -> Any:
    from ..engine.events import RunCreated, RunFinished

    out = stream or sys.stdout

    def show(event: Any) -> None:
        if isinstance(event, RunCreated):
            print(f"TaskId: {event.task_id}  {event.input}", file=out, flush=True)
        elif isinstance(event, RunFinished):
            detail = f": {' '.join(event.message.split())}" if event.message and event.result.value != "SUCCESS" else ""
            print(f"{event.task_id} {event.result.value}{detail}", file=out, flush=True)

    return show


async def _watch_async(binding: Any, args: argparse.Namespace) -> int:
    from ..engine.engine import Engine, EngineSettings
    from ..engine.store import TaskStore
    from ..notify.notifier import Notifier
    from .bindings import BindingBusyError, BindingRunner
    from .connections import ConnectionRegistry
    from .watcher import Ledger

    embedded = EmbeddedStore()
    if _uses_embedded(binding.input_connection, binding.out_connection) and not args.no_embedded:
        await asyncio.to_thread(_ensure_embedded, embedded)
    store = TaskStore()
    ledger = Ledger()
    engine = Engine(store, settings=EngineSettings(ffmpeg_path=args.ffmpeg))
    notifier = Notifier(store, deliveries=ledger.deliveries).attach(engine.bus)
    engine.bus.subscribe(_event_printer())
    runner = BindingRunner(binding, engine, connections=ConnectionRegistry(embedded=embedded), ledger=ledger,
                           notifier=notifier)
    last_state = [""]

    def on_status(status: Any) -> None:
        if status.state != last_state[0] and status.state in ("unreachable", "watching") and last_state[0]:
            print(f"[{status.state}] {status.message}".rstrip(), file=sys.stderr, flush=True)
        last_state[0] = status.state

    runner.listeners.append(on_status)
    stop = asyncio.Event()
    at_once = [False]  # SIGTERM/SIGHUP: cancel the running tasks instead of waiting for them

    def on_signal(sig: int) -> None:
        if sig != signal.SIGINT:
            at_once[0] = True
        stop.set()

    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, on_signal, sig)
        except (NotImplementedError, RuntimeError):
            pass
    canceled = 0
    try:
        from ..cli import announce_ffmpeg  # one line on stderr: the FFmpeg the runs will use, and what it lacks
        await announce_ffmpeg(engine)
        await runner.start()
        b = binding
        print(f"Watching s3://{b.input_bucket}/{b.in_prefix} ({', '.join(b.suffixes) or 'all files'}) → "
              f"s3://{b.out_bucket}/{b.out_prefix} with {runner.workflow.name!r} (binding {b.id}). Ctrl-C stops.",
              flush=True)
        await stop.wait()
        if at_once[0]:
            print("Stopping: canceling running tasks (they run again on the next start)…", file=sys.stderr, flush=True)
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
        _err(str(exc))
        return EXIT_FAILED
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    finally:
        notifier.close(timeout=30)
        store.close()
        ledger.close()
        for sig in STOP_SIGNALS:
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):
                pass
        embedded.stop()  # only if this process started it
    return EXIT_CANCELED if canceled else EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    try:
        binding = _binding_from_args(args)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    problems = binding.problems()
    if problems:
        _err("the binding cannot run: " + "; ".join(problems))
        return EXIT_USAGE
    try:
        return asyncio.run(_watch_async(binding, args))
    except EmbeddedStoreError as exc:
        _err(str(exc))
        return EXIT_FAILED


# -- run WORKFLOW s3://… (the explicit trigger) ------------------------------------------------------------

def run_s3(args: argparse.Namespace, workflow: Any) -> int:
    """`mediaflow run WORKFLOW s3://bucket/key… --output-bucket B`: download, run, upload; one TaskId each."""
    from .s3 import parse_s3_url

    inputs = list(args.inputs)
    try:
        locations = [parse_s3_url(i) for i in inputs]
    except ValueError as exc:
        _err(f"{exc} (s3:// and local inputs cannot be mixed in one run command)")
        return EXIT_USAGE
    if not getattr(args, "output_bucket", None):
        _err("an s3:// input needs --output-bucket BUCKET (results are uploaded there)")
        return EXIT_USAGE
    try:
        return asyncio.run(_run_s3_async(args, workflow, locations))
    except EmbeddedStoreError as exc:
        _err(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("stopped; unfinished runs will show as Interrupted")
        return EXIT_CANCELED


async def _run_s3_async(args: argparse.Namespace, workflow: Any, locations: list[Any]) -> int:
    from ..engine.engine import Engine, EngineSettings
    from ..engine.store import TaskStore
    from ..model.statuses import RunResult
    from ..notify.notifier import Notifier
    from ..notify.sinks import EventTargets, WebhookTarget, make_sinks
    from .bindings import ObjectJob, submit_object
    from .connections import ConnectionRegistry, UnknownConnectionError
    from .s3 import normalize_prefix
    from .watcher import Ledger

    source_name = args.connection or EMBEDDED_CONNECTION_NAME
    target_name = args.output_connection or source_name
    embedded = EmbeddedStore()
    registry = ConnectionRegistry(embedded=embedded)
    if _uses_embedded(source_name, target_name):
        await asyncio.to_thread(_ensure_embedded, embedded, True)
    try:
        source, target = registry.get(source_name), registry.get(target_name)
    except UnknownConnectionError as exc:
        _err(str(exc))
        return EXIT_USAGE
    if target_name == source_name:
        target = source
    settings = EngineSettings(ffmpeg_path=getattr(args, "ffmpeg", None))
    if getattr(args, "concurrency", None):
        settings.max_threads = args.concurrency
    store, ledger = TaskStore(), Ledger()
    engine = Engine(store, settings=settings)
    sinks = make_sinks(EventTargets(webhooks=[WebhookTarget(u, secret_env=args.webhook_secret_env or "")
                                              for u in args.webhook], jsonl=list(args.jsonl)))
    notifier = Notifier(store, deliveries=ledger.deliveries).attach(engine.bus)
    try:
        from ..cli import ProgressPrinter, announce_ffmpeg
        engine.bus.subscribe(ProgressPrinter(sys.stdout))
    except ImportError:
        engine.bus.subscribe(_event_printer())
    else:
        await announce_ffmpeg(engine)  # one line on stderr: the FFmpeg the runs will use, and what it lacks
    loop = asyncio.get_running_loop()

    def on_interrupt() -> None:
        for task_id in engine.running():
            engine.cancel(task_id)

    for sig in STOP_SIGNALS:  # Ctrl-C, SIGTERM and SIGHUP: the same clean cancel
        try:
            loop.add_signal_handler(sig, on_interrupt)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        task_ids = []
        for loc in locations:
            job = ObjectJob(source, loc.bucket, loc.key, target, args.output_bucket,
                            normalize_prefix(args.output_prefix or ""), ledger=ledger)
            task_ids.append(submit_object(engine, workflow, job, notifier=notifier, sinks=sinks,
                                          trigger=job.trigger("Explicit")))
        records = [await engine.wait(t) for t in task_ids]
        notifier.flush(60)
    finally:
        for sig in STOP_SIGNALS:
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):
                pass
        notifier.close(10)
        store.close()
        embedded.stop()  # only if this process started it
    code = EXIT_OK
    for record in records:
        if record.result == RunResult.SUCCESS:
            urls = [d.url for d in ledger.deliveries(record.task_id)]
            print(f"{record.task_id} SUCCESS: {len(urls)} file(s) uploaded")
            for url in urls:
                print(f"  {url}")
        else:
            _err(f"{record.task_id} {record.result.value if record.result else record.status.value}: "
                 f"{record.message or record.error_code}")
            code = EXIT_CANCELED if record.result == RunResult.CANCELED and code != EXIT_FAILED else EXIT_FAILED
    ledger.close()
    return code


# -- parser ------------------------------------------------------------------------------------------------

def _add_event_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--webhook", action="append", default=[], metavar="URL",
                   help="POST the run-finished event here (repeatable)")
    p.add_argument("--webhook-secret-env", metavar="VAR",
                   help="sign webhook bodies with the secret in this environment variable")
    p.add_argument("--jsonl", action="append", default=[], metavar="FILE",
                   help="append run-finished events to this JSON-lines file (repeatable)")


def add_subcommands(sub: Any) -> None:
    """Add `storage …` and `watch`, and the s3 options of `run`, to cli.py's subparsers."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    storage = sub.add_parser("storage", parents=[common], help="the embedded S3 store and saved S3 connections")
    ssub = storage.add_subparsers(dest="storage_command", metavar="ACTION")
    storage.set_defaults(func=lambda args: (storage.print_help(), EXIT_USAGE)[1])

    p = ssub.add_parser("serve", parents=[common], help="run the embedded S3 store in the foreground")
    p.add_argument("--port", type=int, metavar="N", help="the S3 port (default: the last one, else 8333, else free)")
    p.set_defaults(func=cmd_serve)
    p = ssub.add_parser("status", parents=[common], help="is the embedded store running, and where")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)
    p = ssub.add_parser("test", parents=[common], help="check a connection (and a bucket) and say what fails")
    p.add_argument("--connection", default=EMBEDDED_CONNECTION_NAME, metavar="NAME")
    p.add_argument("--bucket", metavar="BUCKET")
    p.set_defaults(func=cmd_test)
    p = ssub.add_parser("connections", parents=[common], help="list saved S3 connections")
    p.set_defaults(func=cmd_connections)
    p = ssub.add_parser("add-connection", parents=[common], help="save an S3-compatible endpoint")
    p.add_argument("name")
    p.add_argument("--endpoint", metavar="URL", help="e.g. https://cos.ap-guangzhou.myqcloud.com ('' = AWS S3)")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--access-key", metavar="KEY")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--secret-key", metavar="SECRET")
    secret.add_argument("--secret-key-env", metavar="VAR", help="read the secret from this environment variable")
    p.add_argument("--addressing", choices=("path", "virtual"), default="path")
    p.set_defaults(func=cmd_add_connection)
    p = ssub.add_parser("remove-connection", parents=[common], help="forget a saved connection")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove_connection)

    p = sub.add_parser("watch", parents=[common], help="watch a bucket and run a workflow for every new object",
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
    p.add_argument("--interval", type=float, metavar="SECONDS", help="poll interval (default 0.5)")
    p.add_argument("--process-existing", action="store_true",
                   help="also run objects that are already in the bucket at the first start")
    p.add_argument("--sqs", action="append", default=[], metavar="QUEUE_URL", help="send events to an SQS queue")
    p.add_argument("--no-embedded", action="store_true", help="do not start the embedded store")
    p.add_argument("--ffmpeg", metavar="PATH", help="the ffmpeg binary to use")
    _add_event_flags(p)
    p.set_defaults(func=cmd_watch)

    run = sub.choices.get("run")
    if run is not None:  # the explicit trigger: options of `run` for s3:// inputs
        group = run.add_argument_group("s3:// inputs (the explicit trigger)")
        group.add_argument("--output-bucket", metavar="BUCKET", help="upload the results to this bucket")
        group.add_argument("--output-prefix", metavar="P", default="", help="key prefix of the results")
        group.add_argument("--connection", metavar="NAME", help="connection of the input (default embedded)")
        group.add_argument("--output-connection", metavar="NAME", help="connection of the output bucket")
        group.add_argument("--webhook", action="append", default=[], metavar="URL",
                           help="POST the run-finished event here (repeatable)")
        group.add_argument("--webhook-secret-env", metavar="VAR", help="sign webhook bodies with this env var's secret")
        group.add_argument("--jsonl", action="append", default=[], metavar="FILE",
                           help="append run-finished events to this JSON-lines file")
