"""ClusterUnits: the engine's remote seam (engine/remote.py) on a Dask cluster.

For each unit the executor hands over, on the submitting machine:
1. the input: a bucket run's own object when the engine knows it (the worker reads the input bucket
   itself), else a copy of the local file staged once per run and path under `<task>/input/…` in the
   staging store (the submitter and every worker reach that store: the embedded one for a cluster on
   this computer, a shared S3 for workers elsewhere);
2. the files the parameters name (watermark images) go with the unit as bytes (cluster/assets.py);
3. `worker_side.run_unit(spec)` is submitted as one Dask task (a fused group stays one task: it shares a
   decode); the scheduler places it, and runs it again elsewhere if its worker dies;
4. while it runs, the worker's SubtaskStarted / SubtaskProgress arrive as Dask events (one subscription
   per client, each message names its unit) and are emitted on this machine's bus;
5. its result names each step's outputs in the staging store: they are downloaded into the steps' local
   staging dirs and handed back; the executor publishes them as it publishes local outputs.
Cancel sets the unit's distributed.Event (the worker kills FFmpeg within CANCEL_POLL) and cancels the
future; a unit whose result has come is released the same way (set, then cleared: its worker's watch
sees the unit over and ends). When a run ends, its staging prefix is removed in the background.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import logging
import threading
import time
import uuid
from urllib.parse import urlparse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from ..engine.errors import ErrorCode, StepFailure
from ..engine.events import Event, SubtaskProgress, SubtaskStarted
from ..engine.remote import RemoteOutcome, UnitRequest
from ..media.base import OutputFile
from ..model.statuses import SubtaskStatus
from ..storage.s3 import S3Connection, error_text, make_client
from .info import ClusterInfo, ClusterUnreachable, workers_of
from .settings import ClusterSettings
from .spec import PROGRESS_TOPIC, StoreRef, UnitResult, UnitSpec
from .transfer import transfer_config

log = logging.getLogger(__name__)

CAPACITY_REFRESH = 5.0  # seconds the known number of worker threads is trusted
WORKERLESS_CHECK = 1.0  # seconds between looks at the workers while a unit waits
UNITS_PER_THREAD = 2  # units out at once per worker thread (see capacity())


class ClusterUnits:
    """Runs units on the Dask cluster `settings.address`, staging files in `staging` (an S3 connection)."""

    def __init__(self, settings: ClusterSettings, staging: S3Connection) -> None:
        self.settings = settings
        self.address = settings.normalized_address()
        self.label = f"the Dask cluster at {self.address}"
        self.staging_conn = staging
        self.staging = StoreRef(staging.to_dict(with_secret=True), settings.staging_bucket)
        self._client: Any = None
        self._s3: Any = None
        self._info = ClusterInfo(self.address)
        self._info_at = 0.0
        self._refreshing = False
        self._workerless_since: float | None = None  # monotonic time the cluster was first seen without workers
        # unit id → (loop, emit, task id): where a worker's events for that unit go
        self._listeners: dict[str, tuple[asyncio.AbstractEventLoop, Callable[[Event], None], str, str]] = {}
        # task id → {local path: staging key}; and a lock per run so parallel units stage a file once
        self._staged: dict[str, dict[str, str]] = {}
        self._stage_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        # S3 transfers and blocking Dask calls: a pool of our own, so that many units in flight never
        # starve asyncio's default executor (which the engine uses for probes and publishing)
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mediaflow-cluster")
        self._close_when_idle = False
        self._closed = False
        # what close_when_idle waits for: units in run() (from their staging on, not only once submitted)
        # and runs between run_began and run_ended (a chain's next step, a queued run's first, come later)
        self._units_out = 0
        self._runs: set[str] = set()
        # (worker, began, ended) of the last units that came back: what benchmarks/cluster_scaling.py
        # reads as each worker's busy time
        self.unit_times: collections.deque[tuple[str, float, float]] = collections.deque(maxlen=10_000)

    # -- connection --------------------------------------------------------------------------------
    def connect(self) -> ClusterInfo:
        """Blocking: reach the scheduler, check it has workers, make sure the staging bucket exists."""
        from distributed import Client

        problems = self.settings.problems()
        if problems:
            raise ValueError("; ".join(problems))
        try:
            client = Client(self.address, timeout=self.settings.connect_timeout, set_as_default=False)
        except Exception as exc:
            raise ClusterUnreachable(f"the Dask scheduler at {self.address} did not answer within "
                                     f"{self.settings.connect_timeout:g} s: {type(exc).__name__}: {exc}") from exc
        try:
            info = ClusterInfo(self.address, workers_of(client.scheduler_info(n_workers=-1)))
            if not info.workers:  # a scheduler alone may get workers soon: wait a little for the first
                client.wait_for_workers(1, timeout=self.settings.connect_timeout)
                info = ClusterInfo(self.address, workers_of(client.scheduler_info(n_workers=-1)))
            self._check_workers_reach_staging(client, info)
            self._s3 = make_client(self.staging_conn)
            self._ensure_bucket()
            client.subscribe_topic(PROGRESS_TOPIC, self._on_worker_event)
        except BaseException as exc:
            client.close()
            if isinstance(exc, TimeoutError):
                raise ClusterUnreachable(f"the Dask scheduler at {self.address} has no workers: start one with "
                                         f"`mediaflow worker --scheduler {self.address}`") from exc
            raise
        self._client = client
        self._info, self._info_at = info, time.monotonic()
        return info

    def _check_workers_reach_staging(self, client: Any, info: ClusterInfo) -> None:
        """Every worker must open a connection to the staging store: the embedded one listens on this
        computer's loopback only, and a worker elsewhere would fail every unit at its first download."""
        from .info import connect_problem

        endpoint = self.staging_conn.endpoint_url or f"https://s3.{self.staging_conn.region or 'us-east-1'}.amazonaws.com"
        parsed = urlparse(endpoint)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            problems = client.run(connect_problem, parsed.hostname, port, on_error="return")
        except Exception as exc:  # the workers cannot run MediaFlow's code: the units would fail too
            raise ClusterUnreachable(f"the workers of {self.address} cannot run MediaFlow: {exc}") from exc
        for worker, problem in sorted(problems.items()):
            if isinstance(problem, BaseException) or problem:
                hint = (" The embedded store listens on this computer only: choose a staging connection every "
                        "worker reaches (Settings → Execution, --staging-connection)."
                        if parsed.hostname in ("127.0.0.1", "localhost", "::1") else "")
                raise ClusterUnreachable(f"worker {worker} cannot reach the staging store {endpoint}: {problem}.{hint}")

    def _ensure_bucket(self) -> None:
        bucket = self.staging.bucket
        try:
            self._s3.head_bucket(Bucket=bucket)
            return
        except Exception:
            pass
        try:
            self._s3.create_bucket(Bucket=bucket)
        except Exception as exc:
            raise ClusterUnreachable(f"the staging bucket {bucket} on {self.staging_conn.endpoint_url or 'AWS S3'} "
                                     f"cannot be used: {error_text(exc, self.staging_conn, bucket)}") from exc

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        client, self._client = self._client, None
        if client is not None:
            try:
                client.unsubscribe_topic(PROGRESS_TOPIC)
            except Exception:
                pass
            client.close()
        self._pool.shutdown(wait=True)  # removals of staged files already asked for finish first
        for task_id in list(self._staged):
            self._remove_staged(task_id)

    def close_when_idle(self) -> None:
        """Close once no unit is out and every run that sent one here has ended (now, when none has):
        runs switched away from this cluster keep the client their steps in flight, and the next steps
        of a chain, and runs queued before their first unit (Engine._execute: run_began), need."""
        self._close_when_idle = True
        self._close_if_idle()

    def _idle(self) -> bool:
        return self._units_out == 0 and not self._runs

    def _close_if_idle(self) -> None:
        """close() when asked to and nothing needs the client any more — in a thread of its own: it waits
        for the pool's transfers and removes staged files (blocking S3 calls), and is called from the
        engine's event loop too (the last unit or run_ended)."""
        if self._close_when_idle and self._idle() and not self._closed:
            # not a daemon: the client and the staged files are closed and removed even at exit
            threading.Thread(target=self.close, name="mediaflow-cluster-close").start()

    def info(self) -> ClusterInfo:
        """The workers as last seen (refreshed in the background at most every CAPACITY_REFRESH s: the
        status bar asks while nothing runs, and a worker leaving must show there too)."""
        self._refresh_when_stale()
        return self._info

    def _refresh_when_stale(self) -> None:
        if time.monotonic() - self._info_at > CAPACITY_REFRESH and not self._refreshing and self._client is not None:
            self._refreshing = True
            try:
                self._pool.submit(self._refresh)
            except RuntimeError:  # closing: the pool takes no more work
                self._refreshing = False

    def capacity(self) -> int:
        self._refresh_when_stale()
        # two units per worker thread: one running, one staged and queued on the scheduler, so the
        # next unit's input upload and the last one's output download overlap a worker's FFmpeg (with
        # one per thread, a one-worker cluster sat idle during every transfer: 1.75× local's time)
        return max(1, UNITS_PER_THREAD * self._info.threads)

    def _refresh(self) -> None:
        try:
            if self._client is not None:
                self._info = ClusterInfo(self.address, workers_of(self._client.scheduler_info(n_workers=-1)))
                if self._info.workers:
                    self._workerless_since = None
                elif self._workerless_since is None:
                    self._workerless_since = time.monotonic()
        except Exception:
            log.debug("cluster info not refreshed", exc_info=True)
        finally:
            self._info_at = time.monotonic()
            self._refreshing = False

    # -- events from workers -------------------------------------------------------------------------
    def _on_worker_event(self, event: tuple[float, dict[str, Any]]) -> None:
        """On the client's thread: one worker message → one engine event on the unit's loop."""
        _, msg = event
        listener = self._listeners.get(msg.get("unit", ""))
        if listener is None:
            return
        loop, emit, task_id, input_path = listener
        if msg.get("kind") == "started":
            made: Event = SubtaskStarted(task_id, msg["step"], tuple(msg.get("command") or ()),
                                         time=msg.get("time") or time.time(), input=input_path,
                                         threads=int(msg.get("threads") or 0))
        elif msg.get("kind") == "progress":
            made = SubtaskProgress(task_id, msg["step"], float(msg.get("percent") or 0.0), msg.get("speed"))
        else:
            return
        try:
            loop.call_soon_threadsafe(emit, made)
        except RuntimeError:  # the loop closed meanwhile
            pass

    # -- one unit -------------------------------------------------------------------------------------
    async def _blocking(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def run(self, request: UnitRequest, emit: Callable[[Event], None]) -> dict[str, RemoteOutcome]:
        client = self._client
        if client is None:
            raise StepFailure(ErrorCode.CLUSTER_FAILED, detail=f"{self.label} is not connected")
        self._units_out += 1
        try:
            return await self._run(client, request, emit)
        finally:
            self._units_out -= 1
            self._close_if_idle()

    async def _run(self, client: Any, request: UnitRequest, emit: Callable[[Event], None]) -> dict[str, RemoteOutcome]:
        from . import worker_side

        loop = asyncio.get_running_loop()
        unit_id = f"{request.task_id}-{'+'.join(request.step_ids)}-{uuid.uuid4().hex[:8]}"
        first = request.contexts[0]
        try:
            input_store, input_key = await self._blocking(self._input_of, request)
            from .assets import collect_assets
            assets = await self._blocking(collect_assets, request.steps)
        except StepFailure:
            raise
        except FileNotFoundError as exc:
            raise StepFailure(ErrorCode.INPUT_NOT_FOUND, detail=str(exc)) from exc
        except ValueError as exc:  # a parameter's file too large to ship: the step cannot use it
            raise StepFailure(ErrorCode.INPUT_NOT_SUPPORTED, detail=str(exc)) from exc
        spec = UnitSpec(
            task_id=request.task_id, unit_id=unit_id, workflow_name=request.task_id, steps=list(request.steps),
            input_store=input_store, input_key=input_key, input_name=Path(first.input_path).name,
            probe=first.probe, source_name=first.source_name, name_templates=dict(first.name_templates),
            fused=request.fused, threads_per_step=request.threads_per_step, staging=self.staging,
            output_prefix=f"{request.task_id}/out/{unit_id}/", cancel_event=f"mediaflow-cancel-{unit_id}",
            assets=assets)
        done: asyncio.Future[None] = loop.create_future()

        def settled(_: Any) -> None:  # on Dask's callback thread
            try:
                loop.call_soon_threadsafe(lambda: done.done() or done.set_result(None))
            except RuntimeError:  # the loop closed meanwhile (a canceled unit's future ends after it)
                pass
        self._listeners[unit_id] = (loop, emit, request.task_id, str(first.input_path))
        try:
            future = client.submit(worker_side.run_unit, spec, key=f"mediaflow-{unit_id}", pure=False)
            future.add_done_callback(settled)
            try:
                await self._settled_or_workerless(done, request)
            except (asyncio.CancelledError, StepFailure):
                await asyncio.shield(self._blocking(self._cancel, spec.cancel_event, future))
                raise
            try:
                result: UnitResult = await self._blocking(self._result, future, request)
            finally:
                await self._blocking(self._release_watch, spec.cancel_event)
            self.unit_times.append((result.worker, result.began, result.ended))
            return await self._blocking(self._download, request, result)
        finally:
            self._listeners.pop(unit_id, None)

    async def _settled_or_workerless(self, done: asyncio.Future[None], request: UnitRequest) -> None:
        """Wait for the unit's Dask future; fail the unit when the cluster has had no worker for
        `no_workers_timeout` seconds (the scheduler keeps a task of a cluster without workers queued
        for ever; a worker that dies mid-unit with others left is Dask's to handle: it re-runs it)."""
        limit = self.settings.no_workers_timeout
        while True:
            await asyncio.wait({done}, timeout=WORKERLESS_CHECK)
            if done.done():
                return
            self._refresh_when_stale()
            since = self._workerless_since
            if since is not None and time.monotonic() - since >= limit:
                raise StepFailure(ErrorCode.CLUSTER_FAILED, detail=(
                    f"{self.label} has had no workers for {limit:g} s, so {request.names} could not run; "
                    f"start one with `mediaflow worker --scheduler {self.address}`"))

    def _cancel(self, event_name: str, future: Any) -> None:
        """Blocking: tell the worker to stop (it polls the event), then forget the task."""
        from distributed import Event as DaskEvent

        try:
            DaskEvent(event_name, client=self._client).set()
        except Exception:
            log.warning("could not set the cancel event %s", event_name, exc_info=True)
        future.cancel()

    def _release_watch(self, event_name: str) -> None:
        """Blocking: the unit is over; wake the worker's cancel watch (it sees its unit has ended and
        stops) and clear the event, so the scheduler forgets it once the watch has left."""
        from distributed import Event as DaskEvent

        try:
            event = DaskEvent(event_name, client=self._client)
            event.set()
            event.clear()
        except Exception:  # the watch then ends at its own timeout
            log.debug("could not release the cancel watch %s", event_name, exc_info=True)

    def _result(self, future: Any, request: UnitRequest) -> UnitResult:
        try:
            return future.result()
        except Exception as exc:
            kind = type(exc).__name__
            if kind == "KilledWorker":
                detail = (f"{self.label} lost every worker that tried {request.names} (each died while "
                          f"running it); the scheduler gave up: {exc}")
            else:
                detail = f"{self.label} could not run {request.names}: {kind}: {exc}"
            raise StepFailure(ErrorCode.CLUSTER_FAILED, detail=detail) from exc
        finally:
            future.release()

    # -- staging -------------------------------------------------------------------------------------
    def _input_of(self, request: UnitRequest) -> tuple[StoreRef, str]:
        """Where the worker reads the unit's input: the bucket object itself, or a staged copy."""
        if request.source_object is not None:
            conn, bucket, key = request.source_object
            return StoreRef(conn.to_dict(with_secret=True), bucket), key
        path = Path(request.contexts[0].input_path)
        with self._lock:
            lock = self._stage_locks.setdefault(request.task_id, threading.Lock())
        with lock:
            staged = self._staged.setdefault(request.task_id, {})
            key = staged.get(str(path))
            if key is None:
                digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
                key = f"{request.task_id}/input/{digest}/{path.name}"
                try:
                    self._s3.upload_file(str(path), self.staging.bucket, key,
                                         Config=transfer_config(path.stat().st_size))
                except Exception as exc:
                    raise StepFailure(ErrorCode.CLUSTER_FAILED, detail=(
                        f"could not stage {path.name} for {self.label}: "
                        f"{error_text(exc, self.staging_conn, self.staging.bucket)}")) from exc
                staged[str(path)] = key
        return self.staging, key

    def _download(self, request: UnitRequest, result: UnitResult) -> dict[str, RemoteOutcome]:
        """Bring each successful step's outputs into its local staging dir."""
        outcomes: dict[str, RemoteOutcome] = {}
        for ctx in request.contexts:
            step = result.steps.get(ctx.step_id)
            if step is None:
                continue
            status = SubtaskStatus(step.status)
            files: list[OutputFile] = []
            if status == SubtaskStatus.SUCCESS:
                staging_dir = Path(ctx.staging_dir)
                staging_dir.mkdir(parents=True, exist_ok=True)
                for ref in step.outputs:
                    name = Path(ref.file.path).name  # a bare name; never a path the worker could aim elsewhere
                    local = staging_dir / name
                    try:
                        self._s3.download_file(self.staging.bucket, ref.key, str(local),
                                               Config=transfer_config(ref.file.size))
                    except Exception as exc:
                        raise StepFailure(ErrorCode.CLUSTER_FAILED, detail=(
                            f"the output {name} of '{ctx.step_name}' could not be fetched from the staging "
                            f"store: {error_text(exc, self.staging_conn, self.staging.bucket)}")) from exc
                    files.append(replace(ref.file, path=local, size=local.stat().st_size))
            outcomes[ctx.step_id] = RemoteOutcome(status, files, step.error_code, step.message, step.started,
                                                  step.log_tail, where=f"worker {result.worker}")
        return outcomes

    def run_began(self, task_id: str) -> None:
        self._runs.add(task_id)  # close_when_idle waits for it: its first unit may come after a gap

    def run_ended(self, task_id: str) -> None:
        self._runs.discard(task_id)
        if self._client is not None:
            try:
                self._pool.submit(self._remove_staged, task_id)
            except RuntimeError:  # the pool is shut down: close() removes what is left
                pass
        self._close_if_idle()

    def _remove_staged(self, task_id: str) -> None:
        """Delete everything under `<task_id>/` in the staging bucket (inputs staged, outputs fetched)."""
        with self._lock:
            stage_lock = self._stage_locks.get(task_id)
        if stage_lock is not None:
            # a unit canceled while its input was uploading leaves the upload going in the pool: wait for
            # it, else it lands after the listing below and stays in the bucket for good
            with stage_lock:
                pass
        with self._lock:
            self._staged.pop(task_id, None)
            self._stage_locks.pop(task_id, None)
        if self._s3 is None:
            return
        try:
            paginator = self._s3.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.staging.bucket, Prefix=f"{task_id}/"):
                keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if keys:
                    self._s3.delete_objects(Bucket=self.staging.bucket, Delete={"Objects": keys, "Quiet": True})
        except Exception:
            log.warning("staged files of %s not removed from %s", task_id, self.staging.bucket, exc_info=True)
