"""BindingRunner: one binding's watcher — hears about uploads, asks the ledger, starts runs.

How it hears (storage/changes/): a change source chosen per connection — the embedded store's filer
stream, S3 → SQS notifications, MinIO's listen stream, or polling — and a full reconcile listing on
start, every `watch.reconcile_every` seconds next to an event source, and on each poll of a
polling source. Everything ends in one question to the ledger (storage/watcher.py): is this
(key, ETag) new for this binding? Only then a run starts, so events that repeat, overlap with a
reconcile or arrive after a restart never start a second run.

- An ObjectChange is checked against the prefix and suffix filters, then the key is listed once
  (changes.stat_object) for its current ETag; a key that cannot be listed now is tried again
  every half second.
- A reconcile streams pages and asks the ledger per page (ReconcilePass): memory stays flat in
  the number of objects; the first pass of a new binding takes the baseline (`skipped` rows).
- Until the baseline is taken, changes are left to it (as before: whatever is listed in the
  baseline was "there before the first start"). A listing that fails because the bucket does not
  exist (NoSuchBucket) takes an empty baseline: everything that appears once it exists is new.
- Runs that failed because a store was away (RETRYABLE_ERRORS) run again — a new run, bounded by
  `retry_delays` — once the object is still there unchanged and the output store answers.

The ledger's states and what a restart does with each are in storage/watcher.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from botocore.client import BaseClient

from ..model.serialization import load_workflow
from ..model.workflow import Workflow
from ..notify.sinks import make_sinks
from ..observe import Topic
from .bindings import Binding, BindingBusyError, BindingStatus, ObjectJob, _conn_key, submit_object
from .changes import ChangeSource, ObjectChange, ReconcilePass, Rescan, SourceRequest, choose_source, stat_object
from .connections import ConnectionRegistry
from .embedded import EMBEDDED_CONNECTION_NAME
from .s3 import S3Connection, error_text, make_client
from .watcher import Ledger, ObjectInfo, matches, parse_suffixes

log = logging.getLogger(__name__)

# a run that failed for one of these reasons is run again (a new run) once the stores answer:
# an outage of the store explains them. Bounded: one new run after each delay, then never again.
RETRYABLE_ERRORS = ("DeliveryFailed", "FetchFailed")
RETRY_DELAYS = (2.0, 10.0, 30.0)  # seconds after the failure before the 1st, 2nd, 3rd new run
BACKOFF = (2.0, 10.0, 30.0, 60.0, 120.0, 300.0)  # the delays of further tries: back-off, then every 5 min
MAX_RETRIES = 10


def retry_delays_for(retries: int) -> tuple[float, ...]:
    """The delays before each of `retries` new runs of an object whose run failed on a store (0: none).
    The first three are RETRY_DELAYS; later ones back off to five minutes apart."""
    retries = max(0, min(MAX_RETRIES, int(retries)))
    return tuple(BACKOFF[min(i, len(BACKOFF) - 1)] for i in range(retries))
_TICK = 0.5  # seconds between looks at keys to list again and retries due
RECONCILE_SHARE = 200.0  # next to events, full listings take at most 1/200 of the time (0.5 %)


def _no_such_bucket(exc: BaseException) -> bool:
    """Whether a listing failed because the bucket does not exist (S3's NoSuchBucket). Only that code:
    a bare 404 may also be a wrong endpoint or path (a proxy's page), where the bucket may well hold
    objects from before — those failures keep deferring the baseline, like an outage or AccessDenied."""
    from botocore.exceptions import ClientError
    return isinstance(exc, ClientError) and str(exc.response.get("Error", {}).get("Code", "")) == "NoSuchBucket"


class BindingRunner:
    """Watches one binding's bucket and starts a run for each new or replaced object."""

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
        self.change_source: ChangeSource | None = None
        self.reconciles = 0  # full listings completed (tests, the benchmark)
        self.last_listing_seconds = 0.0  # how long the last full listing took (its cost sets the next one's time)
        self.changes_seen = 0  # ObjectChanges the source reported
        self._task: asyncio.Task[None] | None = None
        self._baselined = True
        self._runs: set[asyncio.Task[Any]] = set()
        self._inflight: dict[str, ObjectInfo] = {}
        self._attempts: dict[str, int] = {}  # TaskId → which attempt at its object it is
        self._retry: dict[tuple[str, str], tuple[int, float]] = {}  # (key, etag) → (attempts made, not before)
        self._recheck: set[str] = set()  # keys whose change could not be listed yet
        self._source: S3Connection | None = None
        self._target: S3Connection | None = None
        self._clients: tuple[BaseClient, BaseClient] | None = None
        self._listing_client: BaseClient | None = None
        self._probe_client: BaseClient | None = None
        self._sinks: list[Any] = []
        self._lock_fd: int | None = None
        self._signature = ""
        self._reconcile_lock = asyncio.Lock()
        self._source_state = ("watching", "")
        self._listing_error = ""  # why the last full listing failed ("" when it worked)

    # -- status ---------------------------------------------------------------------------------
    def _set(self, state: str, message: str = "") -> None:
        self.status.state, self.status.message = state, message
        self.status_changed.emit(self.status)  # a failing view is logged: it never breaks watching

    def _update_state(self) -> None:
        """The binding is unreachable when its source or its last listing says so; watching otherwise.
        Each change is logged once (an outage is not logged on every retry)."""
        if self.status.state not in ("watching", "unreachable"):
            return
        source_state, source_reason = self._source_state
        if source_state == "unreachable":
            state, message = "unreachable", source_reason
        elif self._listing_error:
            state, message = "unreachable", self._listing_error
        else:
            state, message = "watching", ""
        if (state, message) == (self.status.state, self.status.message):
            return
        b = self.binding
        if state == "unreachable":
            log.warning("watching s3://%s/%s: %s (retrying with back-off)", b.input_bucket, b.in_prefix, message)
        elif self.status.state == "unreachable":
            log.info("watching s3://%s/%s: reachable again", b.input_bucket, b.in_prefix)
        self._set(state, message)

    def _on_source_state(self, state: str, reason: str) -> None:
        if state in ("watching", "unreachable"):
            self._source_state = (state, reason)
            self._update_state()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Resolve connections and the workflow, choose how to hear about uploads, list the bucket
        once, then watch in the background. Raises ValueError (with every problem) for a binding that
        cannot run, BindingBusyError (a ValueError) when another process watches it already."""
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
            self._recover()
            self._signature = f"{_conn_key(b.input_connection)}|{b.input_bucket}|{b.in_prefix}"
            self._baselined = b.process_existing or self.ledger.has_baseline(b.id, self._signature)
            self._listing_client = make_client(self._source, connect_timeout=2, read_timeout=10, max_attempts=1)
            source = await asyncio.to_thread(choose_source, self._source_request())
        except Exception as exc:
            self._release_lock()
            self._set("error", str(exc))
            raise ValueError(f"binding {b.name!r} cannot start: {exc}") from exc
        self.change_source = source
        self.status.mode, self.status.mode_detail = source.describe(), source.detail
        log.info("binding %s: watching s3://%s/%s by %s", b.name, b.input_bucket, b.in_prefix, source.describe())
        source.state_changed.subscribe(self._on_source_state)
        self._source_state = ("watching", "")
        # subscribed before the first listing: an upload while it lists is in the listing or in the stream
        await source.start()
        # the status stays "starting" through the first listing (_update_state leaves it alone): whoever
        # reads it must not see "watching" before start() has finished
        ok, _ = await self._reconcile_pass()
        if not ok and not self._baselined:
            log.info("binding %s: baseline deferred (%s)", b.name, self._listing_error)
        self.status.since = time.time()
        self._task = asyncio.get_running_loop().create_task(self._watch(source), name=f"mediaflow-watch-{b.id}")
        self.status.state = "watching"  # what _update_state starts from: it says "unreachable" if so
        self._update_state()
        self._set(self.status.state, self.status.message)

    def _source_request(self) -> SourceRequest:
        b = self.binding
        assert self._source is not None and self._listing_client is not None
        embedded = None
        if _conn_key(b.input_connection) == EMBEDDED_CONNECTION_NAME and self._source.name == EMBEDDED_CONNECTION_NAME:
            embedded = self.connections.embedded_store()
        return SourceRequest(conn=self._source, bucket=b.input_bucket, prefix=b.in_prefix, settings=b.watch,
                             poll_interval=b.poll_interval, max_backoff=self.max_backoff,
                             listing_client=self._listing_client, describe_error=self._describe,
                             embedded=embedded, config_id=f"mediaflow-{b.id[:16]}")

    def _describe(self, exc: BaseException) -> str:
        return error_text(exc, self._source, self.binding.input_bucket)

    async def stop(self, wait_runs: bool = False, cancel_runs: bool = False) -> int:
        """Stop watching. `wait_runs`: also wait for the runs it started. `cancel_runs`: cancel them
        and forget their objects in the ledger, so that the next start runs them again. Returns how
        many runs were canceled."""
        if self.change_source is not None:
            self.change_source.stop()
        if self._task is not None:
            self._task.cancel()  # a listing in progress is dropped; the next start lists again
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        canceled = 0
        if cancel_runs:
            for task_id, obj in list(self._inflight.items()):
                self.ledger.forget(self.binding.id, obj)
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
    def _recover(self) -> None:
        """Resolve rows a previous process left `submitted` or `finished` (storage/watcher.py has the
        rules) and load the retry candidates."""
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
    async def _watch(self, source: ChangeSource) -> None:
        helpers = [asyncio.get_running_loop().create_task(self._tick_loop())]
        if source.pushes:  # a poller lists on every poll already
            helpers.append(asyncio.get_running_loop().create_task(self._reconcile_loop()))
        changes = source.changes()
        try:
            async for change in changes:
                try:
                    if isinstance(change, Rescan):
                        ok, found = await self._reconcile_pass()
                        source.reconciled(ok, found, self.last_listing_seconds)
                    else:
                        await self._on_change(change)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a bug in the handling must not stop the watching
                    log.exception("binding %s: handling %s failed", self.binding.name, change)
        finally:
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            await changes.aclose()  # type: ignore[attr-defined]

    async def reconcile_now(self) -> bool:
        """One full listing now, compared with the ledger (what the timer and a poll do). True if it
        could be made."""
        ok, found = await self._reconcile_pass()
        if self.change_source is not None and not self.change_source.pushes:
            self.change_source.reconciled(ok, found, self.last_listing_seconds)
        return ok

    async def _reconcile_loop(self) -> None:
        """Next to an event source: a full listing every `watch.reconcile_every` seconds, or every
        RECONCILE_SHARE times its own length when that is longer (a bucket of 100,000 objects lists
        for ~25 s: the safety net must not cost more than the events save); sooner while listings
        fail (the first one may not have taken the baseline yet)."""
        every = self.binding.watch.reconcile_every

        def next_delay(ok: bool) -> float:
            return max(every, RECONCILE_SHARE * self.last_listing_seconds) if ok else min(self.max_backoff, every)

        delay = next_delay(not self._listing_error)
        while True:
            await asyncio.sleep(delay)
            ok, _ = await self._reconcile_pass()
            delay = next_delay(ok)

    async def _reconcile_pass(self) -> tuple[bool, int]:
        """List the prefix page by page; start a run for every object the ledger does not know.
        Returns (listed without error, runs started)."""
        b = self.binding
        assert self._listing_client is not None
        async with self._reconcile_lock:
            began = time.monotonic()
            listing = ReconcilePass(self._listing_client, self.ledger, b.id, b.input_bucket, b.in_prefix,
                                    tuple(parse_suffixes(b.suffixes)), b.excluded_prefixes(),
                                    baseline=not self._baselined, signature=self._signature)
            found = 0
            try:
                while True:
                    page = await asyncio.to_thread(listing.next_page)
                    if page is None:
                        break
                    for obj in page:
                        found += self._consider(obj)
            except Exception as exc:  # the store is down or refuses: the binding says so, listings go on
                if listing.baseline and _no_such_bucket(exc):
                    self._take_empty_baseline()
                self._listing_error = self._describe(exc)
                self._update_state()
                return False, found
            if listing.baseline:
                self._baselined = True
                if listing.listed:
                    log.info("binding %s: %d object(s) were there before the first start and are left alone "
                             "(set process_existing to run them)", b.name, listing.listed)
            self.reconciles += 1
            self.last_listing_seconds = time.monotonic() - began
            self._listing_error = ""
            self._update_state()
            return True, found

    def _take_empty_baseline(self) -> None:
        """The bucket does not exist: record the baseline as taken, and empty. A bucket that does not
        exist has nothing "from before": whatever appears once it is created is an upload to run.
        Deferring the baseline here (as for an outage) would make the first listing that works — right
        after someone creates the bucket and uploads into it — count those uploads as "there before
        the first start" and leave them alone. Recorded as ReconcilePass records a finished baseline
        listing (Ledger.set_baseline with this binding's signature), so a restart does not take it again."""
        b = self.binding
        self.ledger.set_baseline(b.id, self._signature)
        self._baselined = True
        log.info("binding %s: the bucket %r does not exist yet; everything uploaded into it once it does "
                 "will be run", b.name, b.input_bucket)

    def _consider(self, obj: ObjectInfo) -> int:
        """Start a run for `obj` unless the ledger knows its (key, ETag). No await between the
        question and mark_submitted (in process): two paths can never both start it."""
        if self.ledger.state_of(self.binding.id, obj.bucket, obj.key, obj.etag) is not None:
            return 0
        self.process(obj)
        return 1

    async def _on_change(self, change: ObjectChange) -> None:
        b = self.binding
        self.changes_seen += 1
        if change.bucket != b.input_bucket or not self._baselined:
            return  # before the baseline, the baseline listing decides
        if not matches(change.key, b.in_prefix, tuple(parse_suffixes(b.suffixes)), b.excluded_prefixes()):
            return
        if change.etag and self.ledger.state_of(b.id, b.input_bucket, change.key, change.etag) is not None:
            return  # known already: no need to ask the store
        await self._check_key(change.key)

    async def _check_key(self, key: str) -> None:
        assert self._listing_client is not None
        try:
            obj = await asyncio.to_thread(stat_object, self._listing_client, self.binding.input_bucket, key)
        except Exception as exc:  # the store hiccuped: list this key again shortly
            log.info("binding %s: cannot list %s now (%s); trying again", self.binding.name, key, self._describe(exc))
            self._recheck.add(key)
            return
        if obj is not None:  # None: deleted again meanwhile
            self._consider(obj)

    async def _tick_loop(self) -> None:
        """Keys to list again, and retries that are due (only work when there is some)."""
        while True:
            await asyncio.sleep(_TICK)
            if self._recheck:
                keys, self._recheck = sorted(self._recheck), set()
                for key in keys:
                    await self._check_key(key)
            if self._retry:
                await self._retry_due()

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
    async def _retry_due(self) -> None:
        """A new run for each object whose failed run is due a retry, is still there unchanged (the
        input store answers: it was just listed) and whose output store answers too."""
        now = time.monotonic()
        due = [k for k, (_, not_before) in self._retry.items() if not_before <= now]
        if not due:
            return
        b = self.binding
        assert self._listing_client is not None
        later = now + min(self.max_backoff, 5.0)  # ask again in a while, not on every tick
        for key, etag in due:
            try:
                obj = await asyncio.to_thread(stat_object, self._listing_client, b.input_bucket, key)
            except Exception:  # the input store is still away
                for k in due:
                    if k in self._retry:
                        self._retry[k] = (self._retry[k][0], later)
                return
            if obj is None or obj.etag != etag:
                self._retry.pop((key, etag), None)  # gone, or replaced (a replaced object runs as a new one)
                continue
            if not await self._target_answers():
                for k in due:
                    if k in self._retry:
                        self._retry[k] = (self._retry[k][0], later)
                return
            if self.ledger.state_of(b.id, obj.bucket, key, etag) != "done":
                continue  # the failed run's event is still being sent: next tick
            attempts, _ = self._retry.pop((key, etag))
            self.process(obj, attempts=attempts + 1)

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
