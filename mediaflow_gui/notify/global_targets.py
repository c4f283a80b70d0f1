"""The event targets of every run: `<data dir>/event_targets.json`.

Every run — a file dropped on the window, a CLI run of a local file, a bucket run — sends its
run-finished event to these targets, besides a binding's own (the notifier sends a target named twice
once). The GUI's settings dialog edits the file and the Runtime reads it, so the GUI and the CLI share
one configuration; nothing here imports Qt.

    {"version": 1,
     "events": {"webhooks": [{"url": "https://…", "secret_env": "HOOK_SECRET"}],
                "sqs": [{"queue_url": "https://sqs…", "region": "…"}],
                "jsonl": ["events.jsonl"],
                "notify_key_env": "MPS_NOTIFY_KEY"}}

The `events` object is a binding's `events` (notify/sinks.py EventTargets). A webhook secret is given
by the name of an environment variable (`secret_env`, better) or inline (`secret`); the file is
written 0600 for that reason. So is the MPS notify key (`notify_key_env` or inline `notify_key`): when
set, every event carries the service's `Sign` = md5(Timestamp + key) (notify/payload.py). A relative JSON-lines path is taken from the file's folder (the data
dir). A missing file means no targets; a file that cannot be read or makes no sense raises
EventTargetsFileError naming the file and what is wrong.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..paths import write_private
from .sinks import EventTargets

FILE_NAME = "event_targets.json"
VERSION = 1


class EventTargetsFileError(ValueError):
    """The event targets file cannot be read or makes no sense (the message names the file)."""


def global_targets_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    if data_dir is None:
        from ..paths import data_dir as default_data_dir
        data_dir = default_data_dir()
    return Path(data_dir) / FILE_NAME


def target_problems(targets: EventTargets) -> list[str]:
    """What is wrong with a configuration, one line each (empty: nothing)."""
    problems = []
    for hook in targets.webhooks:
        parsed = urlparse(hook.url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(f"webhook URL {hook.url!r} must look like http(s)://host/…")
    for queue in targets.sqs:
        parsed = urlparse(queue.queue_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(f"SQS queue URL {queue.queue_url!r} must look like http(s)://host/…")
    problems += [f"JSON-lines path {p!r} is empty" for p in targets.jsonl if not str(p).strip()]
    return problems


def load_global_targets(path: str | os.PathLike[str] | None = None, *, resolve_paths: bool = True) -> EventTargets:
    """The targets in the file; none when it does not exist. Relative JSON-lines paths are made absolute
    (from the file's folder) unless `resolve_paths` is off (an editor that writes them back as written)."""
    path = Path(path) if path is not None else global_targets_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return EventTargets()
    except OSError as exc:
        raise EventTargetsFileError(f"cannot read the event targets file {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EventTargetsFileError(f"the event targets file {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("events", {}), dict):
        raise EventTargetsFileError(f"the event targets file {path} must hold an object with an \"events\" object")
    if data.get("version", VERSION) != VERSION:
        raise EventTargetsFileError(f"the event targets file {path} has version {data.get('version')!r}; "
                                    f"this MediaFlow reads version {VERSION}")
    try:
        targets = EventTargets.from_dict(data.get("events"))
    except (TypeError, ValueError) as exc:
        raise EventTargetsFileError(f"the event targets file {path}: {exc}") from exc
    problems = target_problems(targets)
    if problems:
        raise EventTargetsFileError(f"the event targets file {path}: " + "; ".join(problems))
    if resolve_paths:
        targets.jsonl = [str(path.parent / Path(p).expanduser()) for p in targets.jsonl]
    return targets


def save_global_targets(targets: EventTargets, path: str | os.PathLike[str] | None = None) -> Path:
    """Write the file atomically, readable by the owner only (an inline webhook secret may be in it).
    ValueError listing the problems of a configuration that makes no sense (nothing is written)."""
    problems = target_problems(targets)
    if problems:
        raise ValueError("; ".join(problems))
    path = Path(path) if path is not None else global_targets_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps({"version": VERSION, "events": _compact(targets)}, indent=2,
                                   ensure_ascii=False) + "\n")
    return path


def _compact(targets: EventTargets) -> dict[str, Any]:
    """The `events` object without the fields left at their defaults (a file people may read and edit)."""
    defaults = {"webhooks": {"secret": "", "secret_env": "", "timeout": 10.0, "max_attempts": 5, "headers": {}},
                "sqs": {"region": "", "endpoint_url": "", "connection": ""}}
    out = targets.to_dict()
    for kind, fields in defaults.items():
        out[kind] = [{k: v for k, v in item.items() if not (k in fields and v == fields[k])} for item in out[kind]]
    for key in ("notify_key", "notify_key_env"):
        if not out.get(key):
            out.pop(key, None)
    return out
