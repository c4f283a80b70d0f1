"""What every `mediaflow` command shares: exit codes, the stop signals, one-line messages, and the
one definition of the event-target flags (`--webhook`, `--webhook-secret-env`, `--sqs`, `--jsonl`)
that `run` and `watch` accept.

Exit codes: 0 success, 1 a run (or the command) failed, 2 bad usage or a refused workflow, 130
canceled (Ctrl-C, SIGTERM or SIGHUP). Errors are one line on stderr, prefixed `mediaflow: `.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any, Callable

from ..model.text import display_text
from ..notify.sinks import EventTargets, SqsTarget, WebhookTarget

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELED = 0, 1, 2, 130

# what ends a foreground command: Ctrl-C, a service manager's stop, a closed terminal
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def on_stop_signals(loop: Any, callback: Callable[..., None], *, with_signal: bool = False) -> Callable[[], None]:
    """Call `callback()` (or `callback(signal)`) on SIGINT, SIGTERM and SIGHUP where the loop can; returns
    the undo. (Windows' loop has no signal handlers: Ctrl-C arrives as KeyboardInterrupt there.)"""
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, callback, *((sig,) if with_signal else ()))
        except (NotImplementedError, RuntimeError):
            pass

    def remove() -> None:
        for sig in STOP_SIGNALS:
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):
                pass
    return remove


def err(message: str, *, keep_lines: bool = False) -> None:
    """One line on stderr, in display form (a non-UTF-8 file name shows its bytes as \\xNN). With
    `keep_lines` a message that carries lines on purpose (a log tail) keeps them."""
    text = display_text(str(message))
    print(f"mediaflow: {text if keep_lines else ' '.join(text.split())}", file=sys.stderr, flush=True)


def say(text: str) -> None:
    """One line on stdout in display form: a file name that is not UTF-8 shows its bytes as \\xNN
    (printing the lossless form would raise UnicodeEncodeError on a UTF-8 terminal)."""
    print(display_text(text))


def whole_number(text: str, minimum: int = 1) -> int:
    """An argparse type: a whole number of at least `minimum`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return whole_number(text, 1)


# -- event-target flags ---------------------------------------------------------------------------------

def add_event_flags(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """`--webhook URL`, `--webhook-secret-env VAR`, `--sqs QUEUE_URL`, `--jsonl FILE`: one-off targets of
    the run-finished events, on top of the ones configured for every run (event_targets.json)."""
    parser.add_argument("--webhook", action="append", default=[], metavar="URL",
                        help="POST the run-finished event here (repeatable)")
    parser.add_argument("--webhook-secret-env", metavar="VAR",
                        help="sign webhook bodies with the secret in this environment variable")
    parser.add_argument("--sqs", action="append", default=[], metavar="QUEUE_URL",
                        help="send run-finished events to an SQS queue (repeatable)")
    parser.add_argument("--jsonl", action="append", default=[], metavar="FILE",
                        help="append run-finished events to this JSON-lines file (repeatable)")


def event_targets_from_args(args: argparse.Namespace) -> EventTargets:
    """The targets named by the event flags (empty when none was given)."""
    secret_env = getattr(args, "webhook_secret_env", None) or ""
    return EventTargets(webhooks=[WebhookTarget(url, secret_env=secret_env) for url in getattr(args, "webhook", [])],
                        sqs=[SqsTarget(queue) for queue in getattr(args, "sqs", [])],
                        jsonl=list(getattr(args, "jsonl", [])))
