"""What a Dask worker runs for one unit: `run_unit(spec)` (submitted by cluster/dispatcher.py).

The worker does what the submitting machine would have done, with the same code: it downloads the input
from S3 into a private temporary folder, writes the shipped watermark images there, chooses its own FFmpeg
(media/ffmpeg_choice: its capabilities are checked like the local one's, so a missing encoder fails the
step with FFmpegLacksFeature naming the worker's FFmpeg), and runs the unit's steps with a PlanExecutor of
its own — builders, fusion, the FFmpeg runner, a failing member of a fused group run again without it.
Its SubtaskStarted / SubtaskProgress go to the submitter as Dask events (PROGRESS_TOPIC) as they happen;
each step's outcome comes back as the task's result, with its output files uploaded to the staging store.

Cancel: a thread waits on the unit's distributed.Event (a long-poll at the scheduler); when it is set, the
executor is canceled (FFmpeg killed). `Future.cancel()` alone does not stop a running task's thread.
Worker loss: the process dies, FFmpeg with it (its parent-death signal); Dask runs the task again on
another worker, which starts over in a fresh folder — the submitter hears of one result. The dead worker's
folder (named with its PID) is removed by the next worker that starts on that machine (the preload).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from ..engine.budget import ThreadBudget
from ..engine.events import Event, EventBus, SubtaskFinished, SubtaskProgress, SubtaskStarted
from ..engine.executor import PlanExecutor
from ..media.ffmpeg_choice import choose_ffmpeg
from ..media.ffmpeg_locate import FFmpegNotFoundError
from ..model.plan import ExecutionPlan
from ..model.statuses import SubtaskStatus
from ..storage.s3 import S3Connection, local_name_for_key, make_client
from .assets import place_assets
from .spec import PROGRESS_TOPIC, OutputRef, StepResult, UnitResult, UnitSpec
from .transfer import transfer_config

log = logging.getLogger(__name__)

CANCEL_WAIT = 2.0  # seconds one wait for the cancel event lasts at most (it returns at once when set)
CANCEL_WAIT_CONFIG = "mediaflow.cancel-wait"  # Dask config key (env DASK_MEDIAFLOW__CANCEL_WAIT) that overrides it
CANCEL_POLL = 0.25  # seconds before looking again after the scheduler did not answer
UNIT_DIR_PREFIX = "mediaflow-unit-"  # + the worker's PID: a killed worker's folder is found by it


def sweep_orphan_folders(root: Path | None = None) -> list[Path]:
    """Remove the unit folders of worker processes that are gone (a worker killed mid-step skips its
    `finally`, leaving a copy of its input behind each time). Called by the preload when a worker starts;
    a folder whose process is alive — or whose name says no PID — is left alone. Returns what it removed."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{UNIT_DIR_PREFIX}*-*"):
        pid = folder.name[len(UNIT_DIR_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or another user's: not ours to judge)
        except ProcessLookupError:
            pass
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


_clients: dict[tuple[tuple[str, Any], ...], Any] = {}
_clients_lock = threading.Lock()


def _s3_for(connection: dict[str, Any]) -> Any:
    """One boto3 client per store per worker process (making one costs 0.1–0.3 s; they are thread-safe)."""
    key = tuple(sorted(connection.items()))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = make_client(S3Connection.from_dict(connection))
        return client


def _worker() -> Any:
    from distributed import get_worker
    return get_worker()


def _cores_per_slot(worker: Any) -> int:
    """FFmpeg threads one unit may use: the machine's cores shared by the worker's task slots."""
    slots = max(1, int(getattr(getattr(worker, "state", None), "nthreads", 0) or getattr(worker, "nthreads", 1) or 1))
    return max(1, (os.cpu_count() or 1) // slots)


def _forwarder(worker: Any, unit_id: str) -> Callable[[Event], None]:
    """Send the unit's Started/Progress events to the submitter (what it needs to show them live)."""
    address = worker.address

    def forward(event: Event) -> None:
        if isinstance(event, SubtaskStarted):
            msg = {"unit": unit_id, "kind": "started", "step": event.step_id, "command": list(event.command),
                   "time": event.time, "threads": event.threads, "worker": address}
        elif isinstance(event, SubtaskProgress):
            msg = {"unit": unit_id, "kind": "progress", "step": event.step_id, "percent": event.percent,
                   "speed": event.speed, "worker": address}
        else:
            return
        try:
            worker.log_event(PROGRESS_TOPIC, msg)
        except Exception:  # progress is a courtesy: never fail a step over it
            log.debug("progress event for %s not sent", unit_id, exc_info=True)
    return forward


def _cancel_flag(event_name: str) -> Any:
    """The unit's distributed.Event, made in the task's own thread (where Dask finds the worker's
    client; a thread of our own would not), or None when it cannot be made (no cancel then)."""
    from distributed import Event as DaskEvent
    from distributed import get_client

    try:  # the client given now: Event looks it up lazily, and finds none from the watcher's thread
        return DaskEvent(event_name, client=get_client())
    except Exception:
        log.warning("cannot watch the cancel event %s", event_name, exc_info=True)
        return None


def _watch_cancel(flag: Any, loop: asyncio.AbstractEventLoop, cancel: Callable[[], None],
                  stop: threading.Event) -> None:
    """Wait for the unit's cancel event (in a thread of its own); cancel the executor when it is set.

    Event.wait returns as soon as the scheduler sees the event set, so the stop comes within a network
    round trip whatever CANCEL_WAIT is. The submitter sets the event once it has the unit's result too
    (ClusterUnits._release_watch), so this thread ends then instead of at its wait's timeout: a scheduler
    closed while the wait was pending logged a CancelledError traceback. (Polling is_set every 0.25 s
    cost the scheduler four requests a second per running unit.)"""
    import dask

    wait = float(dask.config.get(CANCEL_WAIT_CONFIG, CANCEL_WAIT))
    while not stop.is_set():
        try:
            is_set = flag.wait(timeout=wait)
        except Exception:  # the scheduler is briefly away: look again
            log.debug("cancel event not read", exc_info=True)
            if stop.wait(CANCEL_POLL):
                return
            continue
        if is_set and not stop.is_set():
            loop.call_soon_threadsafe(cancel)
            return


async def _run(executor: PlanExecutor, flag: Any) -> None:
    stop = threading.Event()
    if flag is not None:
        watcher = threading.Thread(target=_watch_cancel, args=(flag, asyncio.get_running_loop(), executor.cancel, stop),
                                   name=f"mediaflow-cancel-{executor.task_id}", daemon=True)
        watcher.start()
    try:
        await executor.run()
    finally:
        stop.set()


def _unless_canceled(flag: Any, s3: Any, spec: UnitSpec, uploaded: list[str]) -> None:
    """After a step's uploads: a cancel that came once FFmpeg was done (the watcher has stopped) removes what
    this unit uploaded — the submitter removed the run's staging prefix already, and nobody would again."""
    try:
        canceled = flag is not None and flag.is_set()
    except Exception:  # the scheduler is briefly away: the submitter's own clean-up covers the usual case
        return
    if not canceled:
        return
    try:
        for start in range(0, len(uploaded), 1000):  # at most 1000 keys per request
            s3.delete_objects(Bucket=spec.staging.bucket, Delete={
                "Objects": [{"Key": k} for k in uploaded[start:start + 1000]], "Quiet": True})
    except Exception:
        log.warning("outputs of the canceled unit %s left in %s", spec.unit_id, spec.staging.bucket, exc_info=True)
    raise asyncio.CancelledError(f"unit {spec.unit_id} was canceled")


def run_unit(spec: UnitSpec) -> UnitResult:
    """Run one unit on this worker (the function the dispatcher submits). Raises for a failure of the unit
    as a whole (the input cannot be downloaded, no FFmpeg); a step's own failure is in its StepResult."""
    worker = _worker()
    began = time.time()
    try:
        choice = choose_ffmpeg(None)
    except FFmpegNotFoundError as exc:
        raise RuntimeError(f"worker {worker.address} has no usable FFmpeg: {exc}") from exc
    tmp = Path(tempfile.mkdtemp(prefix=f"{UNIT_DIR_PREFIX}{os.getpid()}-"))
    try:
        s3_in = _s3_for(spec.input_store.connection)
        input_path = tmp / "input" / local_name_for_key(spec.input_name)
        input_path.parent.mkdir(parents=True)
        try:
            s3_in.download_file(spec.input_store.bucket, spec.input_key, str(input_path),
                                Config=transfer_config(spec.probe.size))
        except Exception as exc:
            raise RuntimeError(f"worker {worker.address} could not download its input "
                               f"s3://{spec.input_store.bucket}/{spec.input_key}: {exc}") from exc
        steps = place_assets([replace(s, input_from=None, depends_on=set()) for s in spec.steps],
                             spec.assets, tmp / "assets")
        ids = [s.node_id for s in steps]
        plan = ExecutionPlan(spec.workflow_name, {s.node_id: s for s in steps}, ids,
                             groups=[tuple(ids)] if spec.fused and len(ids) > 1 else [])
        bus = EventBus()
        bus.subscribe(_forwarder(worker, spec.unit_id))
        finished: dict[str, SubtaskFinished] = {}
        bus.subscribe(lambda e: finished.__setitem__(e.step_id, e) if isinstance(e, SubtaskFinished) else None)
        executor = PlanExecutor(
            spec.task_id, plan, input_path, tmp / "out", bus=bus, budget=ThreadBudget(_cores_per_slot(worker)),
            ffmpeg=str(choice.binary.path), source_name=spec.source_name, threads_per_step=spec.threads_per_step,
            name_templates=spec.name_templates, probe_cache={str(input_path): replace(spec.probe, path=input_path)},
            fusion=spec.fused and choice.fusion, on_existing="keep-both")
        flag = _cancel_flag(spec.cancel_event)
        asyncio.run(_run(executor, flag))
        s3_out = _s3_for(spec.staging.connection)
        result = UnitResult(worker=worker.address, ffmpeg=choice.summary(), began=began)
        uploaded: list[str] = []
        for sid, outcome in executor.outcomes.items():
            outputs = []
            for out in outcome.outputs if outcome.status == SubtaskStatus.SUCCESS else []:
                path = Path(out.path)
                key = f"{spec.output_prefix}{sid}/{path.name}"
                s3_out.upload_file(str(path), spec.staging.bucket, key, Config=transfer_config(path.stat().st_size))
                uploaded.append(key)
                outputs.append(OutputRef(key, replace(out, path=Path(path.name), size=path.stat().st_size,
                                                      extra=dict(out.extra or {}))))
            if outputs:  # one look at the cancel event per step that uploaded (a sprite has many files)
                _unless_canceled(flag, s3_out, spec, uploaded)
            done = finished.get(sid)
            result.steps[sid] = StepResult(status=outcome.status.value, error_code=outcome.error_code,
                                           message=outcome.message, started=outcome.started, outputs=outputs,
                                           log_tail=done.log_tail if done is not None else "")
        result.ended = time.time()
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
