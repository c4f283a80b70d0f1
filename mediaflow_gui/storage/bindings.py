"""Bindings: a workflow tied to a watched bucket, and the runner that makes uploads start runs.

A binding file (`mediaflow watch BINDING.json`) looks like:

    {"version": 1, "id": "…", "name": "Clips", "workflow": "clips.mfw.json",
     "input":  {"connection": "embedded", "bucket": "inbox", "prefix": "", "suffixes": [".mp4", ".mov", ".mkv"]},
     "output": {"connection": "embedded", "bucket": "results", "prefix": "out/"},
     "events": {"webhooks": [{"url": "http://…", "secret_env": "HOOK_SECRET"}], "sqs": [], "jsonl": ["events.jsonl"]},
     "enabled": true, "process_existing": false, "poll_interval": 0.5}

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
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from botocore.client import BaseClient

from ..model.serialization import load_workflow
from ..model.workflow import Workflow
from ..notify.sinks import EventTargets, make_sinks
from ..observe import Topic
from .connections import ConnectionRegistry
from .s3 import (S3Connection, content_type_for, download_object, error_text, make_client, normalize_prefix,
                 output_key, upload_file)
from .watcher import BucketWatcher, Delivery, Ledger, ObjectInfo, parse_suffixes

log = logging.getLogger(__name__)

DEFAULT_SUFFIXES = (".mp4", ".mov", ".mkv")
BINDING_VERSION = 1
# a run that failed for one of these reasons is run again (a new run) once the stores answer:
# an outage of the store explains them. Bounded: one new run after each delay, then never again.
RETRYABLE_ERRORS = ("DeliveryFailed", "FetchFailed")
RETRY_DELAYS = (2.0, 10.0, 30.0)  # seconds after the failure before the 1st, 2nd, 3rd new run


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
    poll_interval: float = 0.5
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
            "poll_interval": self.poll_interval, "remove_local_outputs": self.remove_local_outputs,
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
            poll_interval=float(data.get("poll_interval", 0.5)),
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(binding.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


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
        src, _ = self.clients()
        try:
            return await asyncio.to_thread(download_object, src, self.bucket, self.key, work_dir)
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
    task_id: str = engine.submit(workflow, job.url, None, input_label=job.url, fetch_input=job.fetch,
                                 deliver=job.deliver)
    if notifier is not None:
        notifier.route(task_id, sinks or [], trigger or job.trigger(), on_sent=on_sent)
    return task_id


# -- the runner ----------------------------------------------------------------------------------------

@dataclass
class BindingStatus:
    binding_id: str
    name: str
    state: str = "stopped"  # stopped | starting | watching | unreachable | error
    message: str = ""
    runs_started: int = 0
    last_activity: dict[str, Any] | None = None  # {time, key, task_id, result}
    since: float | None = None


class BindingRunner:
    """Watches one binding's bucket and starts a run for each new or replaced object.

    The ledger's states and what a restart does with each are in storage/watcher.py. Runs that
    failed because a store was away (RETRYABLE_ERRORS) are run again — a new run, bounded by
    `retry_delays` — once the object shows in a listing again and the output store answers.
    """

    def __init__(self, binding: Binding, engine: Any, *, connections: ConnectionRegistry | None = None,
                 ledger: Ledger | None = None, notifier: Any = None, workflow: Workflow | None = None,
                 max_backoff: float = 10.0, retry_delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        self.binding = binding
        self.engine = engine
        self.connections = connections or ConnectionRegistry()
        self.ledger = ledger or Ledger()
        self.notifier = notifier
        self.workflow = workflow
        self.max_backoff = max_backoff
        self.retry_delays = tuple(retry_delays)
        self.status = BindingStatus(binding.id, binding.name)
        # the status after every change, on the loop's thread
        self.status_changed: Topic[[BindingStatus]] = Topic(f"binding {binding.name}'s status")
        # (TaskId, object) once a run for an object was submitted and recorded as such
        self.submitted: Topic[[str, ObjectInfo]] = Topic(f"binding {binding.name}'s runs")
        self._watcher: BucketWatcher | None = None
        self._task: asyncio.Task[None] | None = None
        self._known: dict[tuple[str, str], str] = {}
        self._baselined = True
        self._runs: set[asyncio.Task[Any]] = set()
        self._inflight: dict[str, ObjectInfo] = {}
        self._attempts: dict[str, int] = {}  # TaskId → which attempt at its object it is
        self._retry: dict[tuple[str, str], tuple[int, float]] = {}  # (key, etag) → (attempts made, not before)
        self._source: S3Connection | None = None
        self._target: S3Connection | None = None
        self._clients: tuple[BaseClient, BaseClient] | None = None
        self._probe_client: BaseClient | None = None
        self._sinks: list[Any] = []
        self._lock_fd: int | None = None
        self._signature = ""

    # -- status ---------------------------------------------------------------------------------
    def _set(self, state: str, message: str = "") -> None:
        self.status.state, self.status.message = state, message
        self.status_changed.emit(self.status)  # a failing view is logged: it never breaks watching

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Resolve connections and the workflow, then watch in the background. Raises ValueError
        (with every problem) for a binding that cannot run, BindingBusyError (a ValueError) when
        another process watches it already."""
        if self.running:
            return
        b = self.binding
        problems = b.problems()
        if problems:
            raise ValueError(f"binding {b.name!r}: " + "; ".join(problems))
        self._set("starting")
        try:
            if not b.id:  # from flags or a file without an id: the same thing watched is the same binding
                b.id = self.ledger.binding_id_for(b.identity(), b.derived_id(), b.name)
            self.status.binding_id = b.id
            if self.workflow is None:
                self.workflow = load_workflow(b.workflow_path())
            self._source = self.connections.resolve(b.input_connection)
            self._target = self.connections.resolve(b.out_connection)
            if self._target == self._source:
                self._target = self._source
            self._acquire_lock()
        except BindingBusyError as exc:
            self._set("error", str(exc))
            raise BindingBusyError(f"binding {b.name!r} cannot start: {exc}") from exc
        except Exception as exc:
            self._set("error", str(exc))
            raise ValueError(f"binding {b.name!r} cannot start: {exc}") from exc
        try:
            src = make_client(self._source)
            dst = src if self._target is self._source else make_client(self._target)
            self._clients = (src, dst)
            self._sinks = make_sinks(b.events, self.connections.keys_of)
            self._reconcile()
        except Exception as exc:
            self._release_lock()
            self._set("error", str(exc))
            raise ValueError(f"binding {b.name!r} cannot start: {exc}") from exc
        signature = f"{_conn_key(b.input_connection)}|{b.input_bucket}|{b.in_prefix}"
        self._signature = signature
        self._baselined = b.process_existing or self.ledger.has_baseline(b.id, signature)
        listing_client = make_client(self._source, connect_timeout=2, read_timeout=10, max_attempts=1)
        self._watcher = BucketWatcher(
            listing_client, b.input_bucket, b.in_prefix, tuple(parse_suffixes(b.suffixes)), b.excluded_prefixes(),
            interval=b.poll_interval, max_backoff=self.max_backoff,
            describe=lambda exc: error_text(exc, self._source, b.input_bucket))
        if not self._baselined:
            # take the baseline now, so that everything uploaded after start() returns counts as new;
            # if the store does not answer yet, the first successful listing takes it instead
            try:
                await self._on_listing(await asyncio.to_thread(self._watcher.list_once))
            except Exception as exc:  # unreachable now: the watcher reports it and retries
                log.info("binding %s: baseline deferred (%s)", b.name, error_text(exc, self._source, b.input_bucket))
        self.status.since = time.time()
        self._set("watching")
        self._task = asyncio.get_running_loop().create_task(
            self._watcher.run(self._on_listing, self._on_state), name=f"mediaflow-watch-{b.id}")

    async def stop(self, wait_runs: bool = False, cancel_runs: bool = False) -> int:
        """Stop watching. `wait_runs`: also wait for the runs it started. `cancel_runs`: cancel them
        and forget their objects in the ledger, so that the next start runs them again. Returns how
        many runs were canceled."""
        if self._watcher is not None:
            self._watcher.stop()
        if self._task is not None:
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        canceled = 0
        if cancel_runs:
            for task_id, obj in list(self._inflight.items()):
                self.ledger.forget(self.binding.id, obj)
                self._known.pop((obj.key, obj.etag), None)
                canceled += bool(self.engine.cancel(task_id))
        if (wait_runs or cancel_runs) and self._runs:
            await asyncio.gather(*list(self._runs), return_exceptions=True)
        self._release_lock()
        self._set("stopped")
        return canceled

    async def wait_idle(self) -> None:
        """Wait until every run this runner started has finished (tests, CLI)."""
        while self._runs:
            await asyncio.gather(*list(self._runs), return_exceptions=True)

    # -- one watcher per binding across processes --------------------------------------------------
    def _acquire_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: no cross-process guard
            return
        from ..paths import data_dir
        folder = data_dir() / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / f"binding-{self.binding.id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            except OSError:
                owner = ""
            os.close(fd)
            b = self.binding
            raise BindingBusyError(
                f"another MediaFlow process{f' (pid {owner})' if owner.isdigit() else ''} is already watching "
                f"this binding (s3://{b.input_bucket}/{b.in_prefix} with {b.workflow_path().name}); "
                "stop that one first") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    # -- after a crash: resolve what the ledger says was under way ------------------------------
    def _reconcile(self) -> None:
        """Resolve rows a previous process left `submitted` or `finished` (storage/watcher.py has the
        rules), load the retry candidates, and fill the in-memory view of the ledger."""
        from ..model.statuses import RunStatus
        b = self.binding
        store = self.engine.store
        if hasattr(store, "mark_interrupted"):
            store.mark_interrupted()  # owners that died after this process opened the store
        running = set(self.engine.running()) if hasattr(self.engine, "running") else set()
        for row in self.ledger.unfinished(b.id):
            task_id = row["task_id"]
            obj = ObjectInfo(row["bucket"], row["key"], row["etag"], int(row["size"] or 0), 0)
            attempts = int(row.get("attempts") or 1)
            if task_id in running:  # this process runs it (a runner stopped without waiting): follow it
                self._adopt(task_id, obj, attempts)
                continue
            record = store.get(task_id) if task_id else None
            if record is not None and record.status == RunStatus.FINISH and record.error_code != "Interrupted":
                # it ended before the crash; its event may not have gone out: send it again
                result = record.result.value if record.result else ""
                self.ledger.mark_finished(b.id, task_id, result, record.error_code)
                if self.notifier is not None:
                    self.notifier.resend(task_id, self._sinks, self._trigger(self._job(obj), obj),
                                         on_sent=self._on_sent)
                else:
                    self.ledger.mark_done(b.id, task_id)
                log.info("binding %s: %s ended (%s) before a restart; its event is sent again", b.name,
                         row["key"], task_id)
                if (result == "FAIL" and record.error_code in RETRYABLE_ERRORS and attempts <= len(self.retry_delays)
                        and row["bucket"] == b.input_bucket):
                    self._retry[(row["key"], row["etag"])] = (attempts, time.monotonic())  # once the event is out
                continue
            if record is not None and record.status != RunStatus.FINISH:
                continue  # a live process other than this one runs it: leave it alone
            log.info("binding %s: %s was interrupted (%s); it will run again", b.name, row["key"], task_id)
            self.ledger.forget(b.id, obj)
        self._known = {(b_k[1], b_k[2]): s for b_k, s in self.ledger.known(b.id).items()
                       if b_k[0] == b.input_bucket}
        now = time.monotonic()
        for row in self.ledger.retry_candidates(b.id, RETRYABLE_ERRORS, len(self.retry_delays) + 1):
            if row["bucket"] == b.input_bucket:
                self._retry[(row["key"], row["etag"])] = (int(row["attempts"] or 1), now)

    def _adopt(self, task_id: str, obj: ObjectInfo, attempts: int) -> None:
        self._inflight[task_id] = obj
        self._attempts[task_id] = attempts
        run = asyncio.get_running_loop().create_task(self._follow(task_id, obj))
        self._runs.add(run)
        run.add_done_callback(self._runs.discard)

    # -- watching -----------------------------------------------------------------------------------
    def _on_state(self, state: str, reason: str) -> None:
        self._set(state, reason)

    async def _on_listing(self, listing: list[ObjectInfo]) -> None:
        b = self.binding
        if not self._baselined:
            fresh = [o for o in listing if (o.key, o.etag) not in self._known]
            self.ledger.mark_skipped(b.id, fresh)
            self.ledger.set_baseline(b.id, self._signature)
            for o in fresh:
                self._known[(o.key, o.etag)] = "skipped"
            self._baselined = True
            if fresh:
                log.info("binding %s: %d object(s) were there before the first start and are left alone "
                         "(set process_existing to run them)", b.name, len(fresh))
            return
        for obj in listing:
            if (obj.key, obj.etag) in self._known:
                continue
            self.process(obj)
        if self._retry:
            await self._retry_due(listing)

    def _job(self, obj: ObjectInfo) -> ObjectJob:
        assert self._source is not None and self._target is not None and self._clients is not None
        b = self.binding
        return ObjectJob(self._source, obj.bucket, obj.key, self._target, b.out_bucket, b.out_prefix,
                         in_prefix=b.in_prefix, remove_local_outputs=b.remove_local_outputs, ledger=self.ledger,
                         source_client=self._clients[0], target_client=self._clients[1])

    def _trigger(self, job: ObjectJob, obj: ObjectInfo) -> dict[str, Any]:
        b = self.binding
        return job.trigger("BucketUpload", Binding=b.name, BindingId=b.id, ETag=obj.etag, Size=obj.size)

    def process(self, obj: ObjectInfo, attempts: int = 1) -> str:
        """Start a run for one object now (also the Bindings page's "run again"); `attempts`
        counts the runs of this object so far, this one included."""
        b = self.binding
        job = self._job(obj)
        assert self.workflow is not None
        task_id = submit_object(self.engine, self.workflow, job, notifier=self.notifier, sinks=self._sinks,
                                trigger=self._trigger(job, obj), on_sent=self._on_sent)
        # the run is recorded (RunCreated was emitted; it cannot end before this line): from here on
        # the object counts as submitted
        self.ledger.mark_submitted(b.id, obj, task_id, attempts)
        self._known[(obj.key, obj.etag)] = "submitted"
        self.status.runs_started += 1
        self.status.last_activity = {"time": time.time(), "key": obj.key, "task_id": task_id, "result": None}
        log.info("binding %s: %s → run %s%s", b.name, obj.url, task_id,
                 f" (attempt {attempts})" if attempts > 1 else "")
        self.submitted.emit(task_id, obj)
        self._set(self.status.state, self.status.message)
        self._adopt(task_id, obj, attempts)
        return task_id

    def _on_sent(self, task_id: str) -> None:
        """The notifier handed the run's event to every target (on its thread): the row is done."""
        record = self.engine.store.get(task_id)
        result = record.result.value if record is not None and record.result is not None else None
        self.ledger.mark_done(self.binding.id, task_id, result, record.error_code if record is not None else None)

    async def _follow(self, task_id: str, obj: ObjectInfo) -> None:
        try:
            record = await self.engine.wait(task_id)
        finally:
            self._inflight.pop(task_id, None)
        attempts = self._attempts.pop(task_id, 1)
        result = record.result.value if record.result is not None else ""
        # the ledger may say `finished` only once the task store holds the end
        await asyncio.to_thread(self.engine.store.flush)
        self.ledger.mark_finished(self.binding.id, task_id, result, record.error_code)  # no-op if stop() forgot it
        if self.notifier is None:
            self.ledger.mark_done(self.binding.id, task_id)
        if (obj.key, obj.etag) in self._known:
            self._known[(obj.key, obj.etag)] = "done"
            if result == "FAIL" and record.error_code in RETRYABLE_ERRORS and attempts <= len(self.retry_delays):
                self._retry[(obj.key, obj.etag)] = (attempts, time.monotonic() + self.retry_delays[attempts - 1])
                log.info("binding %s: %s failed (%s); it runs again once the store answers (attempt %d of %d)",
                         self.binding.name, obj.key, record.error_code, attempts + 1, len(self.retry_delays) + 1)
        last = self.status.last_activity
        if last and last.get("task_id") == task_id:
            last["result"] = result
            last["message"] = record.message
        self._set(self.status.state, self.status.message)

    # -- bounded retries of runs a store outage failed ----------------------------------------------
    async def _retry_due(self, listing: list[ObjectInfo]) -> None:
        """A new run for each object whose failed run is due a retry, is still listed unchanged (the
        input store answers: this listing) and whose output store answers too."""
        now = time.monotonic()
        due = [o for o in listing if (o.key, o.etag) in self._retry and self._retry[(o.key, o.etag)][1] <= now]
        if not due:
            return
        if not await self._target_answers():
            for o in due:  # ask again in a while, not on every poll
                attempts, _ = self._retry[(o.key, o.etag)]
                self._retry[(o.key, o.etag)] = (attempts, now + min(self.max_backoff, 5.0))
            return
        b = self.binding
        for o in due:
            if self.ledger.state_of(b.id, o.bucket, o.key, o.etag) != "done":
                continue  # the failed run's event is still being sent: next listing
            attempts, _ = self._retry.pop((o.key, o.etag))
            self.process(o, attempts=attempts + 1)

    async def _target_answers(self) -> bool:
        """Whether the output store answers (any S3 answer counts; refused or timed out does not)."""
        if self._target is self._source:
            return True  # the listing that brought us here just came from it
        assert self._target is not None
        if self._probe_client is None:
            self._probe_client = make_client(self._target, connect_timeout=2, read_timeout=5, max_attempts=1)
        from botocore.exceptions import ClientError

        def probe() -> bool:
            try:
                self._probe_client.head_bucket(Bucket=self.binding.out_bucket)
            except ClientError:
                return True  # it answered (e.g. 403/404): reachable; the run will say what is wrong
            except Exception:  # connection refused, timeout, DNS: still away
                return False
            return True

        return await asyncio.to_thread(probe)
