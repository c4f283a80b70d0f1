"""`mediaflow api`: the local MPS-compatible API (mediaflow_gui/api/).

    mediaflow api serve [--port N] [--no-embedded] [--ffmpeg PATH]
                                    answer the MPS SDK on 127.0.0.1 (a free port unless --port);
                                    prints the endpoint and the SecretId; Ctrl-C or SIGTERM stops
    mediaflow api keys [--json]     the SecretId/SecretKey pair callers sign with (made on first use)

`serve` starts the embedded store when it is not running (COS/AWS-S3 inputs and workflow triggers
use it), and the triggers of enabled workflows made through CreateWorkflow. On a stop signal it stops
listening, then the Runtime closes: running runs are canceled and recorded CANCELED.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from .exits import EXIT_FAILED, EXIT_OK, err, on_stop_signals


def cmd_keys(args: argparse.Namespace) -> int:
    from ..api.keys import keys_path, load_or_make_keys

    keys = load_or_make_keys()
    if args.json:
        print(json.dumps({"SecretId": keys.secret_id, "SecretKey": keys.secret_key}))
    else:
        print(f"SecretId:  {keys.secret_id}\nSecretKey: {keys.secret_key}\n(kept in {keys_path()}, readable by you only)")
    return EXIT_OK


async def _serve(args: argparse.Namespace) -> int:
    from ..api.service import ApiService
    from ..engine.engine import EngineSettings
    from ..runtime import Runtime, RuntimeSettings
    from ..storage.embedded import EmbeddedStoreError

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    settings = RuntimeSettings(engine=EngineSettings(ffmpeg_path=args.ffmpeg), storage=True)
    async with Runtime(None, settings) as rt:
        if not args.no_embedded:
            try:
                started = await rt.start_embedded()
            except EmbeddedStoreError as exc:
                err(f"the embedded store did not start ({exc}); COS/AWS-S3 inputs on it will fail", keep_lines=True)
            else:
                if started is not None:
                    print(f"Embedded S3 store at {started.endpoint_url} (pid {started.pid})", flush=True)
        service = ApiService(rt, port=args.port)
        try:
            await service.start()
        except OSError as exc:
            err(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}")
            return EXIT_FAILED
        remove_signal_handlers = on_stop_signals(loop, stop.set)
        try:
            if service.api.workflows is not None:
                for problem in await service.api.workflows.start_enabled():
                    err(problem, keep_lines=True)
            print(f"MPS API at http://{service.endpoint} (SecretId {service.keys.secret_id}; "
                  "`mediaflow api keys` shows the SecretKey). Ctrl-C stops.", flush=True)
            await stop.wait()
            print("Stopping the MPS API…", file=sys.stderr, flush=True)
        finally:
            remove_signal_handlers()
            await service.close()
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> Any:
    return _serve(args)  # main() runs the coroutine


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `api serve` and `api keys` to the `mediaflow` parser's subcommands."""
    p = sub.add_parser("api", parents=parents, help="a local MPS-compatible API for the cloud service's SDK",
                       description="Answer the MPS SDK (MpsClient) on 127.0.0.1 with MediaFlow's engine.")
    api_sub = p.add_subparsers(dest="api_command", metavar="SUBCOMMAND")
    serve = api_sub.add_parser("serve", parents=parents, help="serve the API on 127.0.0.1")
    serve.add_argument("--port", type=_port, default=0, metavar="N", help="the port (default: a free one)")
    serve.add_argument("--no-embedded", action="store_true", help="do not start the embedded store")
    serve.add_argument("--ffmpeg", metavar="PATH", help="the ffmpeg binary to use")
    serve.set_defaults(func=cmd_serve)
    keys = api_sub.add_parser("keys", parents=parents, help="show the SecretId/SecretKey callers sign with")
    keys.add_argument("--json", action="store_true", help='print {"SecretId": …, "SecretKey": …}')
    keys.set_defaults(func=cmd_keys)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value}: choose 0 (a free port) to 65535")
    return value
