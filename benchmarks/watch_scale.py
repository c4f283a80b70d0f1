#!/usr/bin/env python3
"""What watching a big bucket costs on the embedded store: events (the filer stream) vs. polling.

Run by hand (not part of the test suite; a few minutes per object count on two cores):

    .venv/bin/python benchmarks/watch_scale.py [--counts 20000,100000] [--modes events,polling,before]
                                               [--uploads 20] [--idle-seconds 20]

It starts a private embedded SeaweedFS, and for each object count fills a bucket with that many
1-byte `.mp4` objects (several processes × threads of put_object; the fill time is printed), then
for each mode starts a watcher in its own process (its own data dir, so a fresh ledger that takes
the baseline of the bucket) and measures:
  - idle CPU over --idle-seconds (after --settle seconds) of the watcher process with its children
    (the `weed filer.meta.tail` of the events mode) and of weed, in percent of one core (psutil);
  - one full reconcile listing (what the events mode does every `watch.reconcile_every` seconds and
    the polling mode on every poll): wall time and CPU of watcher and weed;
  - upload → run recorded (RunCreated) and → run started (RunStarted) over --uploads uploads of a tiny
    clip at random gaps (real FFmpeg runs a snapshot);
  - the watcher's RSS (and the tail's).
Modes: `events` (detection auto: the filer stream), `polling` (the adaptive fallback, 0.5–10 s) and
`before` (the code of the last commit, `git archive HEAD`, polling every 0.5 s: the issue's baseline;
only while that commit still has the old watcher).
The lines starting with "RESULT" are the ones to quote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


# -- the watcher process ---------------------------------------------------------------------------------

def child_main(args: argparse.Namespace) -> None:
    """One watcher: prints JSON lines (ready, run, reconcile, bye); reads commands on stdin."""
    sys.path.insert(0, args.code_root or str(REPO))
    os.environ["MEDIAFLOW_DATA_DIR"] = args.data
    asyncio.run(_child(args))


async def _child(args: argparse.Namespace) -> None:
    import psutil

    from mediaflow_gui.engine.engine import Engine, EngineSettings
    from mediaflow_gui.engine.events import RunCreated, RunStarted
    from mediaflow_gui.engine.store import TaskStore
    from mediaflow_gui.model.kinds import NodeKind
    from mediaflow_gui.model.params import SnapshotParams
    from mediaflow_gui.model.workflow import Node, Workflow, task_node
    from mediaflow_gui.storage import bindings
    from mediaflow_gui.storage.connections import ConnectionRegistry
    from mediaflow_gui.storage.embedded import EmbeddedStore
    from mediaflow_gui.storage.watcher import Ledger
    try:
        from mediaflow_gui.storage.runner import BindingRunner
    except ImportError:  # the code before push detection
        BindingRunner = bindings.BindingRunner  # type: ignore[attr-defined]

    def say(**data: object) -> None:
        print(json.dumps(data), flush=True)

    data = Path(args.data)
    store = EmbeddedStore(args.root)  # the benchmark's running store (its ports are in weed.json)
    wf = Workflow("bench snapshot")
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    snap = wf.add_node(task_node("snapshot", "Snap", SnapshotParams(offsets=["0.5s"], width=160)))
    wf.connect(start, snap)
    wf.connect(snap, end)
    tasks = TaskStore(data / "tasks.sqlite3")
    engine = Engine(tasks, settings=EngineSettings(max_threads=2))
    ledger = Ledger(data / "storage.sqlite3")
    created: dict[str, float] = {}
    key_of: dict[str, str] = {}

    def on_event(event: object) -> None:
        now = time.time()
        if isinstance(event, RunCreated):
            key_of[event.task_id] = event.input.split("/", 3)[3]
            created[event.task_id] = now
        elif isinstance(event, RunStarted):
            say(type="run", key=key_of.get(event.task_id, ""), created=created.get(event.task_id), started=now)

    engine.bus.subscribe(on_event)
    binding = bindings.Binding("bench", "unused", args.bucket, output_prefix="out/", poll_interval=0.5)
    if args.mode == "polling":
        binding.watch.detection = "polling"
    runner = BindingRunner(binding, engine, connections=ConnectionRegistry(data / "c.json", embedded=store),
                           ledger=ledger, workflow=wf)
    t0 = time.monotonic()
    await runner.start()
    started = time.monotonic() - t0
    mode = getattr(runner.status, "mode", "") or "polling every 0.5 s (before)"
    say(type="ready", mode=mode, start_s=started, pid=os.getpid())

    weed = psutil.Process(args.weed_pid)
    me = psutil.Process()
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        command = line.strip()
        if command == "reconcile":
            cpu_me, cpu_weed = sum(me.cpu_times()[:2]), sum(weed.cpu_times()[:2])
            t0 = time.monotonic()
            if hasattr(runner, "reconcile_now"):
                await runner.reconcile_now()
            else:  # before: what each of its polls did
                listing = await asyncio.to_thread(runner._watcher.list_once)
                await runner._on_listing(listing)
            say(type="reconcile", seconds=time.monotonic() - t0, cpu_watcher=sum(me.cpu_times()[:2]) - cpu_me,
                cpu_weed=sum(weed.cpu_times()[:2]) - cpu_weed)
        elif command == "count":
            polls = getattr(runner, "reconciles", None)
            if polls is None:
                polls = runner._watcher.polls
            say(type="count", listings=polls, mode=getattr(runner.status, "mode", mode))
        elif command in ("quit", ""):
            await runner.wait_idle()
            await runner.stop()
            import resource
            say(type="bye", maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            break
    tasks.close()
    ledger.close()


# -- filling a bucket -------------------------------------------------------------------------------------

def _fill_part(conn: dict[str, str], bucket: str, start: int, stop: int, threads: int) -> int:
    sys.path.insert(0, str(REPO))
    from mediaflow_gui.storage.s3 import S3Connection, make_client

    local = threading.local()

    def put(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = make_client(S3Connection(**conn), max_attempts=5)
        client.put_object(Bucket=bucket, Key=f"fill/{i // 1000:04d}/obj-{i:07d}.mp4", Body=b"x")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(put, range(start, stop)))
    return stop - start


def fill(conn: dict[str, str], bucket: str, count: int, procs: int, threads: int) -> float:
    t0 = time.monotonic()
    step = -(-count // procs)
    with ProcessPoolExecutor(procs, mp_context=get_context("spawn")) as pool:
        done = sum(pool.map(_fill_part, [conn] * procs, [bucket] * procs, range(0, count, step),
                            [min(count, s + step) for s in range(0, count, step)], [threads] * procs))
    assert done == count, done
    return time.monotonic() - t0


# -- measuring one mode -----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Watcher:
    def __init__(self, mode: str, store_root: Path, bucket: str, weed_pid: int, code_root: str) -> None:
        self.data = Path(tempfile.mkdtemp(prefix=f"mediaflow-scale-{mode}-"))
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", "--mode", mode, "--root", str(store_root),
                "--bucket", bucket, "--data", str(self.data), "--weed-pid", str(weed_pid)]
        if code_root:
            argv += ["--code-root", code_root]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
        self.runs: dict[str, dict[str, float]] = {}
        self.pending: list[dict[str, object]] = []
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                if item.get("type") == "run":
                    self.runs[item["key"]] = item
                else:
                    self.pending.append(item)
                self.lock.notify_all()

    def wait(self, kind: str, timeout: float) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for item in self.pending:
                    if item.get("type") == kind:
                        self.pending.remove(item)
                        return item
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(f"the watcher gave no {kind!r} within {timeout:.0f} s")
                self.lock.wait(min(left, 1.0))

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def close(self) -> dict[str, object]:
        try:
            self.send("quit")
            bye = self.wait("bye", 120)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(30)
        return bye


def cpu_of(proc: "object", with_children: bool) -> float:
    import psutil
    assert isinstance(proc, psutil.Process)
    total = sum(proc.cpu_times()[:2])
    if with_children:
        for child in proc.children(recursive=True):
            try:
                total += sum(child.cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
    return total


def measure(mode: str, count: int, bucket: str, store: "object", clip: bytes, args: argparse.Namespace,
            code_root: str) -> None:
    import psutil

    from mediaflow_gui.storage.s3 import make_client

    weed = psutil.Process(store.pid)  # type: ignore[attr-defined]
    watcher = Watcher(mode, store.root, bucket, store.pid, code_root)  # type: ignore[attr-defined]
    try:
        ready = watcher.wait("ready", 1800)
        me = psutil.Process(watcher.proc.pid)
        time.sleep(args.settle)
        watcher.send("count")
        before = watcher.wait("count", 60)
        c0, w0, t0 = cpu_of(me, True), cpu_of(weed, False), time.monotonic()
        time.sleep(args.idle_seconds)
        c1, w1, t1 = cpu_of(me, True), cpu_of(weed, False), time.monotonic()
        watcher.send("count")
        after = watcher.wait("count", 60)
        rss = me.memory_info().rss / 2**20
        tail_rss = sum(c.memory_info().rss for c in me.children(recursive=True)) / 2**20
        idle_watcher, idle_weed = 100 * (c1 - c0) / (t1 - t0), 100 * (w1 - w0) / (t1 - t0)
        listings = int(after["listings"]) - int(before["listings"])  # type: ignore[arg-type]

        watcher.send("reconcile")
        rec = watcher.wait("reconcile", 1800)

        client = make_client(store.connection())  # type: ignore[attr-defined]
        rng = random.Random(7)
        uploaded: dict[str, float] = {}
        for i in range(args.uploads):
            key = f"up/{mode}/clip-{i:02d}.mp4"
            client.put_object(Bucket=bucket, Key=key, Body=clip + bytes([i]))
            uploaded[key] = time.time()
            time.sleep(rng.uniform(0.3, 1.2))
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with watcher.lock:
                if all(k in watcher.runs for k in uploaded):
                    break
            time.sleep(0.1)
        with watcher.lock:
            runs = dict(watcher.runs)
        detect = [float(runs[k]["created"]) - t for k, t in uploaded.items() if k in runs and runs[k].get("created")]
        start = [float(runs[k]["started"]) - t for k, t in uploaded.items() if k in runs]
        bye = watcher.close()
    finally:
        if watcher.proc.poll() is None:
            watcher.proc.kill()
    total_idle = idle_watcher + idle_weed
    # next to events a full listing comes every reconcile_every s (600), or 200x its own length when longer
    every = max(600.0, 200.0 * float(rec["seconds"]))  # type: ignore[arg-type]
    rec_cpu = float(rec["cpu_watcher"]) + float(rec["cpu_weed"])  # type: ignore[arg-type]
    print(f"RESULT {count:,} objects, {mode}: watched by {ready['mode']}; start (baseline listing) "
          f"{float(ready['start_s']):.1f} s", flush=True)  # type: ignore[arg-type]
    print(f"RESULT   idle {args.idle_seconds:.0f} s: watcher {idle_watcher:.1f} % + weed {idle_weed:.1f} % = "
          f"{total_idle:.1f} % of one core ({listings} full listings in the window)"
          + ("  [target < 2 %: " + ("met" if total_idle < 2 else "NOT met") + "]" if mode == "events" else ""),
          flush=True)
    print(f"RESULT   one full reconcile: {float(rec['seconds']):.2f} s, CPU watcher "  # type: ignore[arg-type]
          f"{float(rec['cpu_watcher']):.2f} s + weed {float(rec['cpu_weed']):.2f} s"  # type: ignore[arg-type]
          + (f" (every {every:.0f} s: {100 * rec_cpu / every:.2f} % of one core on average)" if mode == "events"
             else ""), flush=True)
    print(f"RESULT   upload → run recorded: median {statistics.median(detect):.2f} s, p95 "
          f"{percentile(detect, 0.95):.2f} s; → run started: median {statistics.median(start):.2f} s, p95 "
          f"{percentile(start, 0.95):.2f} s, max {max(start):.2f} s ({len(start)} of {len(uploaded)} uploads)"
          + ("  [target p95 ≤ 1 s: " + ("met" if percentile(start, 0.95) <= 1 else "NOT met") + "]"
             if mode == "events" else ""), flush=True)
    print(f"RESULT   watcher RSS {rss:.0f} MB after idling (peak {float(bye['maxrss_mb']):.0f} MB)"  # type: ignore[arg-type]
          + (f", its filer.meta.tail {tail_rss:.0f} MB" if tail_rss else "")
          + ("  [target < 150 MB: " + ("met" if max(rss, float(bye['maxrss_mb'])) < 150 else "NOT met") + "]"  # type: ignore[arg-type]
             if mode == "events" else ""), flush=True)


def export_head() -> str:
    """The last commit's package in a temporary folder (read-only use of git: archive)."""
    folder = Path(tempfile.mkdtemp(prefix="mediaflow-before-"))
    archive = subprocess.run(["git", "archive", "HEAD", "mediaflow_gui"], cwd=REPO, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    if (folder / "mediaflow_gui" / "storage" / "runner.py").exists():
        raise SystemExit("HEAD already has the push-based watcher: there is no 'before' to measure")
    return str(folder)


def main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(REPO))
    from benchmarks._common import load_text, make_clip
    from mediaflow_gui.storage.embedded import EmbeddedStore
    from mediaflow_gui.storage.s3 import make_client

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    code_root = export_head() if "before" in modes else ""
    data = Path(tempfile.mkdtemp(prefix="mediaflow-scale-"))
    os.environ["MEDIAFLOW_DATA_DIR"] = str(data)
    store = EmbeddedStore(data / "seaweedfs", prefer_default_ports=False)
    store.start(60)
    try:
        clip_path = make_clip(data / "clip.mp4", width=320, height=240, fps=10, seconds=1.5, audio=False)
        clip = clip_path.read_bytes()
        conn = store.connection()
        client = make_client(conn)
        print(f"embedded store at {store.endpoint_url} (pid {store.pid}); {load_text()}", flush=True)
        for count in [int(c) for c in args.counts.split(",")]:
            bucket = f"scale-{count}"
            client.create_bucket(Bucket=bucket)
            seconds = fill({k: v for k, v in conn.to_dict().items()}, bucket, count, args.fill_procs,
                           args.fill_threads)
            print(f"RESULT fill: {count:,} objects of 1 byte in {seconds:.1f} s ({count / seconds:.0f}/s, "
                  f"{args.fill_procs} processes × {args.fill_threads} threads of put_object)", flush=True)
            for mode in modes:
                measure(mode, count, bucket, store, clip, args, code_root if mode == "before" else "")
        print(load_text(), flush=True)
    finally:
        store.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="20000,100000")
    parser.add_argument("--modes", default="events,polling,before")
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after start before the idle window")
    parser.add_argument("--fill-procs", type=int, default=2)
    parser.add_argument("--fill-threads", type=int, default=24)
    # the watcher process (internal)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="events", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--bucket", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--weed-pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--code-root", default="", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.child:
        child_main(parsed)
    else:
        main(parsed)
