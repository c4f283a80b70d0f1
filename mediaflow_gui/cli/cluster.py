"""The Dask cluster on the command line (issue 16):

    mediaflow worker --scheduler tcp://host:8786 [--nthreads N] [--name NAME] [--memory-limit X]
    mediaflow cluster local [--workers N] [--threads-per-worker T] [--host H] [--port P] [--dashboard]
    mediaflow cluster info ADDRESS [--timeout S] [--no-ffmpeg] [--json]

and what `run` and `watch` share to run on one: the `--cluster ADDRESS`, `--staging-connection NAME`,
`--staging-bucket NAME`, `--cluster-timeout S` and `--no-workers-timeout S` flags, and `join_cluster()`, which hands them to
`Runtime.use_cluster` (blocking: in a worker thread) and says in one line where the runs go.

`worker` is a thin wrapper: it replaces itself (exec) with `python -m distributed.cli.dask_worker`
of this same Python, with MediaFlow's preload (mediaflow_gui.cluster.preload), so the worker imports the
media code once and logs its FFmpeg choice; Dask then owns the process, its signals (SIGINT/SIGTERM
close the worker and leave the scheduler cleanly) and its exit code.

An unreachable scheduler is one line naming the address, never a traceback: exit 2 for `run`/`watch`
(nothing was run; like any other refused setting), 1 for `cluster info` (the check's answer). A closed
port fails at once (a plain TCP connect first), a silent host after the connect timeout.
`distributed` is imported only by the commands that use it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

from ..cluster.settings import DEFAULT_NO_WORKERS_TIMEOUT, DEFAULT_PORT, DEFAULT_STAGING_BUCKET, ClusterSettings
from .exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE, STOP_SIGNALS, err, positive_int, say, whole_number

WORKER_MODULE = "distributed.cli.dask_worker"  # what the `dask worker` entry point runs (distributed 2026.8)
LOCAL_DEFAULT_PORT = DEFAULT_PORT  # `cluster local` listens where `--cluster 127.0.0.1` looks


# -- the flags of `run` and `watch` ------------------------------------------------------------------------

def add_cluster_flags(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """`--cluster ADDRESS`, `--staging-connection NAME`, `--staging-bucket NAME`, `--cluster-timeout S`,
    `--no-workers-timeout S`."""
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help=f"run the steps on the Dask cluster whose scheduler is here (tcp://host:{DEFAULT_PORT}; "
                             "workers: `mediaflow worker`, or try `mediaflow cluster local`)")
    parser.add_argument("--staging-connection", metavar="NAME", default="",
                        help="the S3 connection inputs and outputs travel through to the workers (default: the "
                             "embedded store, reachable on this machine only)")
    parser.add_argument("--staging-bucket", metavar="NAME", default=DEFAULT_STAGING_BUCKET,
                        help=f"the bucket of that connection used for staging (default {DEFAULT_STAGING_BUCKET})")
    parser.add_argument("--cluster-timeout", type=_seconds, metavar="SECONDS", default=10.0,
                        help="how long to wait for the scheduler to answer (default 10)")
    parser.add_argument("--no-workers-timeout", type=_seconds, metavar="SECONDS", default=DEFAULT_NO_WORKERS_TIMEOUT,
                        help="how long a step waits while the cluster has no worker before it fails "
                             f"(default {DEFAULT_NO_WORKERS_TIMEOUT:g})")


def cluster_settings_from_args(args: argparse.Namespace) -> ClusterSettings | None:
    """The ClusterSettings the flags name; None without --cluster (the runs stay on this computer)."""
    address = getattr(args, "cluster", None)
    if not address:
        return None
    return ClusterSettings(address=address, staging_connection=args.staging_connection or "",
                           staging_bucket=args.staging_bucket, connect_timeout=args.cluster_timeout,
                           no_workers_timeout=args.no_workers_timeout)


def cluster_refusals(args: argparse.Namespace) -> list[str]:
    """Why the cluster flags cannot work, before anything is opened (each message names the flag)."""
    settings = cluster_settings_from_args(args)
    if settings is None:
        staging = [flag for flag, given in (("--staging-connection", args.staging_connection),
                                            ("--staging-bucket", args.staging_bucket != DEFAULT_STAGING_BUCKET))
                   if given]
        return [f"{' and '.join(staging)} {'need' if len(staging) > 1 else 'needs'} --cluster ADDRESS"] if staging else []
    return [f"--cluster: {problem}" for problem in settings.problems()]


async def join_cluster(rt: Any, settings: ClusterSettings | None) -> int:
    """Make `rt` run its steps on the cluster (nothing without settings): Runtime.use_cluster, which also
    starts the embedded store when it is the staging store. Says "Running on the Dask cluster at …" on
    stderr; returns EXIT_OK, or the exit code after saying in one line why not (unreachable, no workers,
    an unknown staging connection, a setting it refuses)."""
    if settings is None:
        return EXIT_OK
    from ..cluster.info import ClusterUnreachable
    from ..storage.connections import UnknownConnectionError
    from ..storage.embedded import EmbeddedStoreError

    address = settings.normalized_address()
    try:
        info = await asyncio.to_thread(rt.use_cluster, settings)  # a closed port fails at once there
    except ClusterUnreachable as exc:
        err(str(exc))
        return EXIT_USAGE
    except ValueError as exc:  # a setting use_cluster refuses
        err(f"cannot run on the Dask cluster at {address}: {exc}")
        return EXIT_USAGE
    except UnknownConnectionError as exc:
        err(f"--staging-connection: {exc}", keep_lines=True)
        return EXIT_USAGE
    except EmbeddedStoreError as exc:
        err(f"the staging store for the Dask cluster did not start: {exc}", keep_lines=True)
        return EXIT_FAILED
    summary = f" ({info.summary()})" if info is not None else ""
    print(f"Running on the Dask cluster at {getattr(info, 'address', address)}{summary}", file=sys.stderr, flush=True)
    return EXIT_OK


# -- mediaflow worker ----------------------------------------------------------------------------------------

def worker_argv(args: argparse.Namespace, python: str | None = None) -> list[str]:
    """The `dask worker` command line of `mediaflow worker` (run with this same Python)."""
    from ..cluster.local import PRELOAD

    argv = [python or sys.executable, "-m", WORKER_MODULE, ClusterSettings(args.scheduler).normalized_address(),
            "--preload", PRELOAD, "--nthreads", str(args.nthreads)]
    if args.name:
        argv += ["--name", args.name]
    if args.memory_limit:
        argv += ["--memory-limit", args.memory_limit]
    return argv


def cmd_worker(args: argparse.Namespace) -> int:
    import importlib.util

    problems = ClusterSettings(args.scheduler).problems()
    if problems:
        err(f"--scheduler: {'; '.join(problems)}")
        return EXIT_USAGE
    if importlib.util.find_spec("distributed") is None:
        err("`mediaflow worker` needs Dask distributed in this Python: pip install 'dask[distributed]>=2026.8'")
        return EXIT_FAILED
    argv = worker_argv(args)
    print(f"Starting a Dask worker for {argv[3]} with MediaFlow's preload ({args.nthreads} thread"
          f"{'s' if args.nthreads != 1 else ''}): {shlex.join(argv)}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    from ..cluster.tuning import worker_environment
    env = worker_environment()  # no 10 ms profiler and 20 ms ticks in a process that waits for FFmpeg
    if os.name == "posix":
        os.execve(argv[0], argv, env)  # Dask owns the process from here: its signals, its logs, its exit code
    return _run_forwarding_signals(argv, env)  # Windows: exec would detach the console; run it and wait


def _run_forwarding_signals(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Run `argv` as a child and pass on the stop signals (where exec is not the same process)."""
    proc = subprocess.Popen(argv, env=env)
    previous = {}
    for sig in STOP_SIGNALS:
        try:
            previous[sig] = signal.signal(sig, lambda s, _f: proc.send_signal(s))
        except (ValueError, OSError):
            pass
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:  # Windows: Ctrl-C reached the child too; keep waiting for it
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- mediaflow cluster local -----------------------------------------------------------------------------------

def cmd_local(args: argparse.Namespace) -> int:
    """Start a LocalCluster, say its address (stdout's first line), run until SIGINT/SIGTERM/SIGHUP, close."""
    from ..cluster.local import start_local_cluster

    stop = threading.Event()
    previous = {}
    for sig in STOP_SIGNALS:  # before the start: a stop during it closes what started, then exits
        previous[sig] = signal.signal(sig, lambda _s, _f: stop.set())
    try:
        # Ctrl-C in a terminal reaches the whole process group: worker processes that took it themselves
        # would each print a KeyboardInterrupt traceback while this process closes them anyway. An ignored
        # SIGINT is what they inherit (through spawn's exec) when it is ignored while they are started;
        # a Ctrl-C in these seconds is lost (SIGTERM still stops)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            cluster = start_local_cluster(workers=args.workers, threads_per_worker=args.threads_per_worker,
                                          host=args.host, port=args.port, dashboard=args.dashboard)
        except Exception as exc:  # RuntimeError("Cluster failed to start") hides the reason: find it
            err(_start_failure(args, exc))
            return EXIT_FAILED
        finally:
            signal.signal(signal.SIGINT, lambda _s, _f: stop.set())
        try:
            address = cluster.scheduler_address
            say(address)  # the first line of stdout: what scripts read
            sys.stdout.flush()
            workers = (f"{args.workers} worker process{'es' if args.workers != 1 else ''} × "
                       f"{args.threads_per_worker} thread{'s' if args.threads_per_worker != 1 else ''}"
                       if args.workers else "no workers yet: add some with `mediaflow worker --scheduler "
                                            f"{address}`")
            print(f"Dask scheduler at {address} with {workers}.\n"
                  f"Use it: mediaflow run WORKFLOW FILE --out DIR --cluster {address}\n"
                  f"Ctrl-C (or SIGTERM) stops it.", file=sys.stderr, flush=True)
            if args.dashboard:
                print(f"Dashboard: {cluster.dashboard_link}{_dashboard_note()}", file=sys.stderr, flush=True)
            while not stop.wait(0.5):  # a timeout: the signal handler runs between the waits
                pass
            print("Stopping the cluster…", file=sys.stderr, flush=True)
        finally:
            cluster.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


def _start_failure(args: argparse.Namespace, exc: Exception) -> str:
    if args.port:
        try:
            with socket.socket() as s:
                s.bind((args.host, args.port))
        except OSError:
            return (f"cannot start a Dask scheduler on {args.host}:{args.port}: the port is taken (another "
                    "cluster?); --port 0 picks a free one")
    return f"cannot start a local Dask cluster on {args.host}: {type(exc).__name__}: {exc}"


def _dashboard_note() -> str:
    import importlib.util
    return "" if importlib.util.find_spec("bokeh") else " (its pages need bokeh: pip install bokeh)"


# -- mediaflow cluster info --------------------------------------------------------------------------------------

def cmd_info(args: argparse.Namespace) -> int:
    from ..cluster.info import ClusterUnreachable, describe_cluster

    settings = ClusterSettings(args.address)
    problems = settings.problems()
    if problems:
        err("; ".join(problems))
        return EXIT_USAGE
    address = settings.normalized_address()
    try:
        info = describe_cluster(address, timeout=args.timeout, with_ffmpeg=not args.no_ffmpeg)  # checks the port first
    except ClusterUnreachable as exc:
        err(str(exc))
        return EXIT_FAILED
    if args.json:
        print(json.dumps({"address": info.address, "workers": [dataclasses.asdict(w) for w in info.workers]},
                         indent=2))
        return EXIT_OK
    say(f"Dask cluster at {info.address}: {info.summary()}")
    for w in info.workers:
        memory = f"{w.memory / 1e9:.1f} GB" if w.memory else "no memory limit"
        if not w.name or w.name == w.address:
            name = ""
        else:  # a LocalCluster numbers its workers: "worker 0", not a bare "0"
            name = f" (worker {w.name})" if w.name.isdigit() else f" ({w.name})"
        say(f"  {w.address}{name}: {w.threads} thread{'s' if w.threads != 1 else ''}, {memory}")
        if not args.no_ffmpeg:
            say(f"    FFmpeg: {w.ffmpeg or 'cannot tell'}")
    return EXIT_OK


# -- parsers ---------------------------------------------------------------------------------------------------

def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def _workers(text: str) -> int:
    return whole_number(text, 0)  # 0: a scheduler alone


def _port(text: str) -> int:
    value = _workers(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535)")
    return value


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `worker` and `cluster local|info` to the `mediaflow` subcommands."""
    p = sub.add_parser("worker", parents=parents, help="run a Dask worker with MediaFlow for a cluster's scheduler",
                       description="A Dask worker with MediaFlow's preload (`dask worker SCHEDULER --preload "
                                   "mediaflow_gui.cluster.preload …`), for `run`/`watch --cluster` and the app's "
                                   "Dask cluster setting. SIGINT/SIGTERM stop it cleanly.")
    p.add_argument("--scheduler", required=True, metavar="ADDRESS", help=f"the scheduler: tcp://host:{DEFAULT_PORT}")
    p.add_argument("--nthreads", type=positive_int, default=1, metavar="N",
                   help="steps this worker runs at once (default 1: each FFmpeg uses the cores itself)")
    p.add_argument("--name", help="the worker's name (shown by `mediaflow cluster info`)")
    p.add_argument("--memory-limit", metavar="X", help="memory the worker may use: 4GB, 0.5 (of the RAM), 0 "
                                                      "(no limit); default Dask's 'auto'")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("cluster", parents=parents, help="try a Dask cluster on this machine, or look at one")
    csub = p.add_subparsers(dest="cluster_command", metavar="COMMAND", required=True)
    q = csub.add_parser("local", parents=parents, help="start a Dask scheduler (and workers) on this machine",
                        description="Start a Dask LocalCluster with MediaFlow's workers and print its address "
                                    "(the first line of stdout); runs until Ctrl-C or SIGTERM.")
    q.add_argument("--workers", type=_workers, default=2, metavar="N",
                   help="worker processes (default 2; 0: a scheduler alone, for `mediaflow worker`)")
    q.add_argument("--threads-per-worker", type=positive_int, default=1, metavar="T", help="default 1")
    q.add_argument("--host", default="127.0.0.1",
                   help="the interface to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for others)")
    q.add_argument("--port", type=_port, default=LOCAL_DEFAULT_PORT, metavar="P",
                   help=f"the scheduler's port (default {LOCAL_DEFAULT_PORT}; 0: a free one)")
    q.add_argument("--dashboard", action="store_true", help="also serve Dask's dashboard (on a free port)")
    q.set_defaults(func=cmd_local)

    q = csub.add_parser("info", parents=parents, help="list a cluster's workers: threads, memory, FFmpeg")
    q.add_argument("address", metavar="ADDRESS", help=f"the scheduler: tcp://host:{DEFAULT_PORT}")
    q.add_argument("--timeout", type=_seconds, default=5.0, metavar="SECONDS", help="default 5")
    q.add_argument("--no-ffmpeg", action="store_true", help="do not ask each worker for its FFmpeg")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_info)
