"""The `mediaflow` parser and `main()`: global options, one subcommand group per module, and the
promise that an error is one line on stderr, never a traceback (MEDIAFLOW_DEBUG=1 shows one).

    mediaflow validate FILE                   run.py
    mediaflow run WORKFLOW INPUT... --out DIR run.py (s3:// inputs: --output-bucket …)
    mediaflow status TASKID [--json]          status.py
    mediaflow tasks [--limit N] [--search S]  status.py
    mediaflow doctor [--ffmpeg PATH]          doctor.py
    mediaflow storage …                       storage.py
    mediaflow watch …                         watch.py
    mediaflow api serve|keys                  api.py
    mediaflow mps import|export …             mps.py
    mediaflow worker / cluster local|info     cluster.py (run/watch --cluster: the same module)
    mediaflow --data-dir DIR ...              moves the data dir (same as MEDIAFLOW_DATA_DIR)
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..paths import DATA_DIR_ENV, secure_data_dir
from . import api, cluster, doctor, mps, run, status, storage, watch
from .exits import EXIT_CANCELED, EXIT_FAILED, EXIT_USAGE, err


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediaflow", description="Run MediaFlow workflows on local FFmpeg and query their tasks.")
    parser.add_argument("--version", action="version", version=f"mediaflow {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=f"where the task store lives (sets {DATA_DIR_ENV})")
    # also accepted after the command (`mediaflow tasks --data-dir D`); SUPPRESS keeps the global value
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run.add_parsers(sub, [common])
    status.add_parsers(sub, [common])
    doctor.add_subcommand(sub, [common])
    storage.add_parsers(sub, [common])
    watch.add_parsers(sub, [common])
    api.add_parsers(sub, [common])
    mps.add_parsers(sub, [common])
    cluster.add_parsers(sub, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ[DATA_DIR_ENV] = str(Path(args.data_dir).expanduser().resolve())
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    secure_data_dir()  # the data dir is the user's alone: checked once, repaired with a log line
    try:
        result = func(args)
        if inspect.isawaitable(result):
            result = asyncio.run(result)  # type: ignore[arg-type]
        return int(result or 0)
    except KeyboardInterrupt:
        err("interrupted")
        return EXIT_CANCELED
    except BrokenPipeError:
        # the reader went away (`mediaflow status … | head`): not an error of ours; keep
        # Python from complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the CLI promises one line, never a traceback
        if os.environ.get("MEDIAFLOW_DEBUG"):
            raise
        err(f"{type(exc).__name__}: {exc}")
        return EXIT_FAILED
