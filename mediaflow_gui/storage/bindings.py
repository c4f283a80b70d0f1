"""Bindings: a workflow tied to a watched bucket, and what one run of one object needs (ObjectJob).
The runner that makes uploads start runs is storage/runner.py.

A binding file (`mediaflow watch BINDING.json`) looks like:

    {"version": 1, "id": "…", "name": "Clips", "workflow": "clips.mfw.json",
     "input":  {"connection": "embedded", "bucket": "inbox", "prefix": "", "suffixes": [".mp4", ".mov", ".mkv"]},
     "output": {"connection": "embedded", "bucket": "results", "prefix": "out/"},
     "events": {"webhooks": [{"url": "http://…", "secret_env": "HOOK_SECRET"}], "sqs": [], "jsonl": ["events.jsonl"],
                "notify_key_env": "MPS_NOTIFY_KEY"},
     "enabled": true, "process_existing": false, "poll_interval": 0.5,
     "watch": {"detection": "auto", "sqs_queue": "", "max_interval": 10, "reconcile_every": 600}}

"watch" says how uploads are heard (storage/changes/choose.py): "auto" takes events where the store
offers them (the embedded store's filer stream, the SQS queue named in "sqs_queue", MinIO's listen
stream) and polls otherwise, from `poll_interval` after activity up to `max_interval` when idle;
"polling" always polls. Next to events a full listing every `reconcile_every` seconds catches
anything an event missed.

A relative workflow path is read relative to the binding file. Connections are names of saved
connections ("embedded" is the embedded store) or inline dicts (`access_key_env`/`secret_key_env`
name environment variables, so no secret needs to be in the file).

Identity: a binding without an "id" (a file without one, or `mediaflow watch --bucket …` flags)
gets one derived from what it watches — input connection, bucket, prefix, suffixes and the
workflow file's absolute path — recorded in the ledger on first start. So a restarted watcher finds
its ledger again (resumes: interrupted runs run again, uploads made while it was down are
processed), and two watchers of the same thing are the same binding: the second is refused by the
per-binding lock. Editing the workflow's content keeps the binding; moving the file makes a new one.

Each new or replaced object becomes `Engine.submit(workflow, "s3://bucket/key", None,
fetch_input=<download>, deliver=<upload>)`; an upload that fails makes the run FAIL
("DeliveryFailed", with the reason). Outputs go to `<output prefix><input folder below the input
prefix>/<output name>`. When input and output share a bucket, the output prefix is excluded from
watching (no loops); a layout where inputs would live inside the output prefix is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from botocore.client import BaseClient

from ..model.workflow import Workflow
from ..notify.sinks import EventTargets
from .changes.choose import WatchSettings
from .s3 import (S3Connection, content_type_for, download_object, download_probe_copy, error_text, make_client,
                 normalize_prefix, output_key, upload_file)
from .watcher import Delivery, Ledger, parse_suffixes

DEFAULT_SUFFIXES = (".mp4", ".mov", ".mkv")
BINDING_VERSION = 1


class BindingBusyError(ValueError):
    """Another process (or runner) is already watching this binding."""


@dataclass
class Binding:
    name: str
    workflow: str
    input_bucket: str
    output_bucket: str = ""  # "" = the input bucket
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    input_connection: str | dict[str, Any] = "embedded"
    input_prefix: str = ""
    suffixes: list[str] = field(default_factory=lambda: list(DEFAULT_SUFFIXES))
    output_connection: str | dict[str, Any] = ""  # "" = the input connection
    output_prefix: str = "results/"
    events: EventTargets = field(default_factory=EventTargets)
    enabled: bool = True
    process_existing: bool = False  # also run objects that were there before the first start
    poll_interval: float = 0.5  # polling: the fastest interval (right after activity)
    watch: WatchSettings = field(default_factory=WatchSettings)  # events or polling (storage/changes/)
    remove_local_outputs: bool = True  # delete the engine's local copies once uploaded
    source: str = ""  # the file this binding was loaded from (not saved)

    # -- derived ---------------------------------------------------------------------------------
    @property
    def out_bucket(self) -> str:
        return self.output_bucket or self.input_bucket

    @property
    def out_connection(self) -> str | dict[str, Any]:
        return self.output_connection or self.input_connection

    @property
    def in_prefix(self) -> str:
        return normalize_prefix(self.input_prefix)

    @property
    def out_prefix(self) -> str:
        return normalize_prefix(self.output_prefix)

    def shares_bucket(self) -> bool:
        return self.out_bucket == self.input_bucket and _conn_key(self.out_connection) == _conn_key(self.input_connection)

    def excluded_prefixes(self) -> tuple[str, ...]:
        return (self.out_prefix,) if self.shares_bucket() and self.out_prefix else ()

    def workflow_path(self) -> Path:
        path = Path(self.workflow).expanduser()
        if not path.is_absolute() and self.source:
            path = Path(self.source).resolve().parent / path
        return path

    def identity(self) -> str:
        """What this binding watches and runs, as canonical JSON (its id when none is given)."""
        return json.dumps({"connection": _conn_key(self.input_connection), "bucket": self.input_bucket,
                           "prefix": self.in_prefix, "suffixes": sorted(parse_suffixes(self.suffixes)),
                           "workflow": os.path.abspath(self.workflow_path())}, sort_keys=True)

    def derived_id(self) -> str:
        """A stable id from identity(): the same flags or file give the same binding at every start."""
        return "w" + hashlib.sha256(self.identity().encode("utf-8")).hexdigest()[:31]

    def problems(self) -> list[str]:
        out = []
        if not self.name.strip():
            out.append("the binding needs a name")
        if not self.workflow:
            out.append("choose a workflow")
        if not self.input_bucket:
            out.append("choose the input bucket")
        if self.poll_interval <= 0:
            out.append("the poll interval must be positive")
        out += self.watch.problems()
        if self.shares_bucket():
            if not self.out_prefix:
                out.append("input and output share a bucket: give the results an output prefix (e.g. results/) "
                           "so that they do not start new runs")
            elif self.in_prefix.startswith(self.out_prefix):
                out.append(f"the input prefix {self.in_prefix!r} lies inside the output prefix {self.out_prefix!r}: "
                           "results would start new runs")
        return out

    # -- JSON --------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": BINDING_VERSION, "id": self.id, "name": self.name, "workflow": self.workflow,
            "input": {"connection": self.input_connection, "bucket": self.input_bucket, "prefix": self.input_prefix,
                      "suffixes": list(self.suffixes)},
            "output": {"connection": self.output_connection, "bucket": self.output_bucket,
                       "prefix": self.output_prefix},
            "events": self.events.to_dict(), "enabled": self.enabled, "process_existing": self.process_existing,
            "poll_interval": self.poll_interval, "watch": self.watch.to_dict(),
            "remove_local_outputs": self.remove_local_outputs,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "") -> "Binding":
        if not isinstance(data, dict):
            raise ValueError(f"{source or 'binding'}: expected a JSON object")
        version = data.get("version", BINDING_VERSION)
        if version != BINDING_VERSION:
            raise ValueError(f"{source or 'binding'}: unsupported binding version {version!r}")
        inp, outp = data.get("input") or {}, data.get("output") or {}
        suffixes = inp.get("suffixes", list(DEFAULT_SUFFIXES))
        return cls(
            id=str(data.get("id") or ""), name=str(data.get("name", "")),  # "": derived when it starts
            workflow=str(data.get("workflow", "")),
            input_connection=inp.get("connection") or "embedded", input_bucket=str(inp.get("bucket", "")),
            input_prefix=str(inp.get("prefix", "")), suffixes=list(parse_suffixes(suffixes)),
            output_connection=outp.get("connection") or "", output_bucket=str(outp.get("bucket", "")),
            output_prefix=str(outp.get("prefix", "results/")),
            events=EventTargets.from_dict(data.get("events")), enabled=bool(data.get("enabled", True)),
            process_existing=bool(data.get("process_existing", False)),
            poll_interval=float(data.get("poll_interval", 0.5)), watch=WatchSettings.from_dict(data.get("watch")),
            remove_local_outputs=bool(data.get("remove_local_outputs", True)), source=source)


def _conn_key(spec: str | dict[str, Any]) -> str:
    if isinstance(spec, dict):
        return json.dumps({k: spec.get(k) for k in ("endpoint_url", "region")}, sort_keys=True)
    return spec or "embedded"


def load_binding(path: str | os.PathLike[str]) -> Binding:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the binding file {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    return Binding.from_dict(data, source=str(path))


def save_binding(binding: Binding, path: str | os.PathLike[str]) -> None:
    """Write the file atomically, readable by the owner only: its event targets may hold a webhook
    secret or the MPS notify key inline."""
    from ..paths import write_private

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(binding.to_dict(), indent=2, ensure_ascii=False) + "\n")


# -- the hooks given to the engine --------------------------------------------------------------------

@dataclass
class ObjectJob:
    """Everything one run of one object needs besides the engine."""

    source: S3Connection
    bucket: str
    key: str
    target: S3Connection
    out_bucket: str
    out_prefix: str
    in_prefix: str = ""
    remove_local_outputs: bool = True
    ledger: Ledger | None = None
    source_client: BaseClient | None = None
    target_client: BaseClient | None = None

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def clients(self) -> tuple[BaseClient, BaseClient]:
        if self.source_client is None:
            self.source_client = make_client(self.source)
        if self.target_client is None:
            self.target_client = self.source_client if self.target is self.source else make_client(self.target)
        return self.source_client, self.target_client

    async def fetch(self, work_dir: Path) -> Path:
        return await self._download(download_object, work_dir)

    async def fetch_probe_copy(self, work_dir: Path) -> Path:
        """For a run executing on a cluster: enough of the object to probe it (s3.download_probe_copy)."""
        return await self._download(download_probe_copy, work_dir)

    async def _download(self, download: Callable[[BaseClient, str, str, Path], Path], work_dir: Path) -> Path:
        src, _ = self.clients()
        try:
            return await asyncio.to_thread(download, src, self.bucket, self.key, work_dir)
        except Exception as exc:  # the engine records this as FetchFailed; give it a readable reason
            raise RuntimeError(f"download of {self.url} failed: {error_text(exc, self.source, self.bucket)}") from exc

    async def deliver(self, record: Any) -> None:
        _, dst = self.clients()
        outputs = [Path(o["path"]) for o in record.outputs() if o.get("path")]
        if not outputs:
            return
        uploaded: list[Path] = []
        for path in outputs:
            key = output_key(self.out_prefix, self.key, self.in_prefix, path.name)
            try:
                url = await asyncio.to_thread(upload_file, dst, path, self.out_bucket, key,
                                              {"mediaflow-task-id": record.task_id, "mediaflow-source": self.url})
            except Exception as exc:  # the engine turns this into a FAIL run (DeliveryFailed)
                raise RuntimeError(f"upload of {path.name} to s3://{self.out_bucket}/{key} failed: "
                                   f"{error_text(exc, self.target, self.out_bucket)}") from exc
            if self.ledger is not None:
                self.ledger.record_delivery(Delivery(record.task_id, str(path), self.out_bucket, key, url,
                                                     self.target.http_url(self.out_bucket, key), content_type_for(path)))
            uploaded.append(path)
        if self.remove_local_outputs:
            _remove_local(uploaded, record)

    def trigger(self, kind: str = "Explicit", **extra: Any) -> dict[str, Any]:
        return {"Type": kind, "Bucket": self.bucket, "Key": self.key, "Url": self.url,
                "Endpoint": self.source.endpoint_url or "AWS S3", "OutputBucket": self.out_bucket,
                "OutputPrefix": self.out_prefix, **extra}


def _remove_local(paths: list[Path], record: Any) -> None:
    """Delete the engine's local copies of uploaded outputs (only in its private work dir)."""
    if getattr(record, "out_dir", ""):
        return  # the user asked for an output folder: never delete there
    dirs: set[Path] = set()
    for path in paths:
        if record.task_id not in path.parts:  # only the run's own work dir (…/work/<TaskId>/out)
            continue
        try:
            path.unlink()
            dirs.add(path.parent)
        except OSError:
            pass
    for folder in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        for candidate in (folder, folder.parent):
            if candidate.name in ("out", record.task_id):
                try:
                    candidate.rmdir()
                except OSError:
                    pass


async def run_object(engine: Any, workflow: Workflow, job: ObjectJob, *, notifier: Any = None,
                     sinks: list[Any] | None = None, trigger: dict[str, Any] | None = None) -> Any:
    """The explicit trigger: run `workflow` on one object and wait; returns the RunRecord."""
    task_id = submit_object(engine, workflow, job, notifier=notifier, sinks=sinks, trigger=trigger)
    return await engine.wait(task_id)


def submit_object(engine: Any, workflow: Workflow, job: ObjectJob, *, notifier: Any = None,
                  sinks: list[Any] | None = None, trigger: dict[str, Any] | None = None,
                  on_sent: Callable[[str], None] | None = None) -> str:
    # when the run executes on a cluster (the engine decides as it starts), the workers read the object
    # from its bucket themselves and this machine fetches only what probing needs (engine/remote.py)
    task_id: str = engine.submit(workflow, job.url, None, input_label=job.url, fetch_input=job.fetch,
                                 deliver=job.deliver, source_object=(job.source, job.bucket, job.key),
                                 fetch_probe_copy=job.fetch_probe_copy)
    if notifier is not None:
        notifier.route(task_id, sinks or [], trigger or job.trigger(), on_sent=on_sent)
    return task_id


# -- a running binding's status (the runner is storage/runner.py) ------------------------------------

@dataclass
class BindingStatus:
    binding_id: str
    name: str
    state: str = "stopped"  # stopped | starting | watching | unreachable | error
    message: str = ""
    runs_started: int = 0
    last_activity: dict[str, Any] | None = None  # {time, key, task_id, result}
    since: float | None = None
    mode: str = ""  # how uploads are heard: "events (filer stream)", "polling every 0.5–10 s" (changes/)
    mode_detail: str = ""  # why that way, and what to set up for events where polling was the fallback
