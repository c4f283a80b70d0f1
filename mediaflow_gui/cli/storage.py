"""`mediaflow storage …`: the embedded S3 store in the foreground and the saved S3 connections.

    mediaflow storage serve [--port N]            the embedded S3 store in the foreground; prints
                                                  endpoint and keys; Ctrl-C / SIGTERM / SIGHUP stop it
    mediaflow storage status [--json]             is it running, where, which access key
    mediaflow storage test [--connection NAME] [--bucket B]
    mediaflow storage connections                 list saved connections (no secrets)
    mediaflow storage add-connection NAME --endpoint URL [--region R] --access-key K
                                      (--secret-key S | --secret-key-env VAR) [--addressing path|virtual]
    mediaflow storage remove-connection NAME

`serve` runs the store alone, without an engine: it is the one storage command that needs no Runtime.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from typing import Any

from ..storage.embedded import EMBEDDED_CONNECTION_NAME, EmbeddedStore, EmbeddedStoreError
from .exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE, STOP_SIGNALS, err


def uses_embedded(*specs: Any) -> bool:
    """Whether a connection spec names the embedded store (None and "" default to it)."""
    return any(s in (None, "", EMBEDDED_CONNECTION_NAME) for s in specs if not isinstance(s, dict))


# -- storage serve / status / test / connections -----------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    store = EmbeddedStore(s3_port=args.port)
    owner = store.owner_pid()
    if owner is not None and owner != os.getpid():
        status = store.status()
        err(f"the embedded store already runs in MediaFlow process {owner} at {status.endpoint_url}")
        return EXIT_FAILED
    try:
        status = store.start()
    except EmbeddedStoreError as exc:
        err(str(exc), keep_lines=True)
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
    # a weed that exits is restarted by the store's supervisor (storage/embedded/supervisor.py); say so as it happens
    def tell(state: Any) -> None:
        if not state.gave_up:  # giving up is said below, with the log lines
            err(f"the embedded store {state.notice}")

    store.supervision_changed.subscribe(tell)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOP_SIGNALS}
    code = EXIT_OK
    try:
        while not stop.wait(0.5):
            if store.gave_up:
                err(f"the embedded store {store.supervision.notice}. Last log lines:\n{store.supervision.log_tail}",
                    keep_lines=True)
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
    from ..storage.connections import ConnectionRegistry
    from ..storage.s3 import test_connection

    registry = ConnectionRegistry()
    conn = registry.get(args.connection)
    if args.connection == EMBEDDED_CONNECTION_NAME and not conn.endpoint_url:
        err("the embedded store has never run: start it with `mediaflow storage serve`")
        return EXIT_FAILED
    diag = test_connection(conn, args.bucket)
    print(f"{'OK' if diag.ok else diag.code}: {diag.message}")
    return EXIT_OK if diag.ok else EXIT_FAILED


def cmd_connections(args: argparse.Namespace) -> int:
    from ..storage.connections import ConnectionRegistry

    for conn in ConnectionRegistry().list():
        print(f"{conn.name:<16} {conn.endpoint_url or '(AWS S3)':<32} {conn.region:<12} {conn.addressing:<8} "
              f"{conn.access_key or '-'}")
    return EXIT_OK


def cmd_add_connection(args: argparse.Namespace) -> int:
    from ..storage.connections import ConnectionRegistry
    from ..storage.s3 import S3Connection

    secret = os.environ.get(args.secret_key_env, "") if args.secret_key_env else (args.secret_key or "")
    conn = S3Connection(args.name, args.endpoint or "", args.region, args.access_key or "", secret, args.addressing)
    try:
        ConnectionRegistry().add(conn)
    except ValueError as exc:
        err(str(exc), keep_lines=True)
        return EXIT_USAGE
    print(f"saved connection {args.name!r}")
    return EXIT_OK


def cmd_remove_connection(args: argparse.Namespace) -> int:
    from ..storage.connections import ConnectionRegistry

    if ConnectionRegistry().remove(args.name):
        print(f"removed connection {args.name!r}")
        return EXIT_OK
    err(f"no connection named {args.name!r}")
    return EXIT_FAILED


def add_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `storage …` to the `mediaflow` parser's subcommands."""
    storage = sub.add_parser("storage", parents=parents, help="the embedded S3 store and saved S3 connections")
    ssub = storage.add_subparsers(dest="storage_command", metavar="ACTION")
    storage.set_defaults(func=lambda args: (storage.print_help(), EXIT_USAGE)[1])

    p = ssub.add_parser("serve", parents=parents, help="run the embedded S3 store in the foreground")
    p.add_argument("--port", type=int, metavar="N", help="the S3 port (default: the last one, else 8333, else free)")
    p.set_defaults(func=cmd_serve)
    p = ssub.add_parser("status", parents=parents, help="is the embedded store running, and where")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)
    p = ssub.add_parser("test", parents=parents, help="check a connection (and a bucket) and say what fails")
    p.add_argument("--connection", default=EMBEDDED_CONNECTION_NAME, metavar="NAME")
    p.add_argument("--bucket", metavar="BUCKET")
    p.set_defaults(func=cmd_test)
    p = ssub.add_parser("connections", parents=parents, help="list saved S3 connections")
    p.set_defaults(func=cmd_connections)
    p = ssub.add_parser("add-connection", parents=parents, help="save an S3-compatible endpoint")
    p.add_argument("name")
    p.add_argument("--endpoint", metavar="URL", help="e.g. https://cos.ap-guangzhou.myqcloud.com ('' = AWS S3)")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--access-key", metavar="KEY")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--secret-key", metavar="SECRET")
    secret.add_argument("--secret-key-env", metavar="VAR", help="read the secret from this environment variable")
    p.add_argument("--addressing", choices=("path", "virtual"), default="path")
    p.set_defaults(func=cmd_add_connection)
    p = ssub.add_parser("remove-connection", parents=parents, help="forget a saved connection")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove_connection)
