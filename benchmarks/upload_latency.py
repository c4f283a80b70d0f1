#!/usr/bin/env python3
"""Upload-to-run-start latency of a watched bucket on the embedded store, and the watcher's idle CPU.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/upload_latency.py [--files 20] [--interval 0.5] [--idle-seconds 20]

It starts a private embedded SeaweedFS (in a temporary data dir), binds a one-snapshot workflow to a
bucket with the poll interval given, uploads N small clips with boto3 one after another (at random
gaps, so uploads do not fall in step with the polls), and prints for each upload:
  detect = upload finished → RunCreated (the run is recorded and shows in the task list)
  start  = upload finished → RunStarted (input downloaded and probed, FFmpeg about to run)
then the median and p95 of both, and the CPU use of this process (the watcher, idle, polling) and
of weed over --idle-seconds after the runs are done (percent of one core, psutil).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_clip(path: Path) -> bytes:
    import imageio_ffmpeg
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=10:duration=1.5", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                    "-preset", "ultrafast", str(path)], check=True)
    return path.read_bytes()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def main(args: argparse.Namespace) -> None:
    import psutil

    from mediaflow_gui.engine.engine import Engine, EngineSettings
    from mediaflow_gui.engine.events import RunCreated, RunStarted
    from mediaflow_gui.engine.store import TaskStore
    from mediaflow_gui.model.kinds import NodeKind
    from mediaflow_gui.model.params import SnapshotParams
    from mediaflow_gui.model.workflow import Node, Workflow, task_node
    from mediaflow_gui.storage.bindings import Binding, BindingRunner
    from mediaflow_gui.storage.connections import ConnectionRegistry
    from mediaflow_gui.storage.embedded import EmbeddedStore
    from mediaflow_gui.storage.s3 import make_client
    from mediaflow_gui.storage.watcher import Ledger

    data = Path(tempfile.mkdtemp(prefix="mediaflow-bench-"))
    os.environ["MEDIAFLOW_DATA_DIR"] = str(data)
    store = EmbeddedStore(data / "seaweedfs", prefer_default_ports=False)
    t0 = time.monotonic()
    store.start()
    print(f"embedded store up in {time.monotonic() - t0:.2f} s at {store.endpoint_url}")
    clip = make_clip(data / "clip.mp4")
    client = make_client(store.connection())
    client.create_bucket(Bucket="bench-in")

    wf = Workflow("bench snapshot")
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    snap = wf.add_node(task_node("snapshot", "Snap", SnapshotParams(offsets=["0.5s"], width=160)))
    wf.connect(start, snap)
    wf.connect(snap, end)

    tasks = TaskStore(data / "tasks.sqlite3")
    engine = Engine(tasks, settings=EngineSettings())
    ledger = Ledger(data / "storage.sqlite3")
    created: dict[str, float] = {}
    started: dict[str, float] = {}
    key_of: dict[str, str] = {}

    def on_event(event: object) -> None:
        now = time.time()
        if isinstance(event, RunCreated):
            key_of[event.task_id] = event.input.rsplit("/", 1)[1]
            created[key_of[event.task_id]] = now
        elif isinstance(event, RunStarted):
            started[key_of[event.task_id]] = now

    engine.bus.subscribe(on_event)
    binding = Binding("bench", "unused", "bench-in", output_prefix="out/", poll_interval=args.interval)
    runner = BindingRunner(binding, engine, connections=ConnectionRegistry(data / "c.json", embedded=store),
                           ledger=ledger, workflow=wf)
    await runner.start()

    uploaded: dict[str, float] = {}

    def uploader() -> None:
        upload_client = make_client(store.connection())
        rng = random.Random(7)
        for i in range(args.files):
            key = f"clip-{i:02d}.mp4"
            upload_client.put_object(Bucket="bench-in", Key=key, Body=clip + bytes([i]))
            uploaded[key] = time.time()
            time.sleep(rng.uniform(0.3, 1.2))

    thread = threading.Thread(target=uploader)
    thread.start()
    while thread.is_alive() or len(started) < args.files:
        await asyncio.sleep(0.05)
        if not thread.is_alive() and time.time() - max(uploaded.values()) > 60:
            break
    await runner.wait_idle()

    detect = [created[k] - uploaded[k] for k in uploaded if k in created]
    begin = [started[k] - uploaded[k] for k in uploaded if k in started]
    print(f"\n{'key':<14} {'detect s':>9} {'start s':>9}")
    for k in sorted(uploaded):
        print(f"{k:<14} {created.get(k, float('nan')) - uploaded[k]:>9.3f} {started.get(k, float('nan')) - uploaded[k]:>9.3f}")
    print(f"\nuploads: {len(uploaded)}, runs started: {len(begin)}, poll interval {args.interval} s")
    print(f"upload → run recorded (RunCreated): median {statistics.median(detect):.3f} s, "
          f"p95 {percentile(detect, 0.95):.3f} s, max {max(detect):.3f} s")
    print(f"upload → run started  (RunStarted): median {statistics.median(begin):.3f} s, "
          f"p95 {percentile(begin, 0.95):.3f} s, max {max(begin):.3f} s")

    me = psutil.Process()
    weed = psutil.Process(store.pid)
    me.cpu_percent(None)
    weed.cpu_percent(None)
    polls_before = runner._watcher.polls if runner._watcher else 0
    await asyncio.sleep(args.idle_seconds)
    polls = (runner._watcher.polls if runner._watcher else 0) - polls_before
    print(f"idle over {args.idle_seconds:.0f} s ({polls} polls): watcher process CPU {me.cpu_percent(None):.1f} % "
          f"of one core, weed CPU {weed.cpu_percent(None):.1f} %, weed RSS {weed.memory_info().rss / 2**20:.0f} MiB")

    await runner.stop()
    tasks.close()
    ledger.close()
    store.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    asyncio.run(main(parser.parse_args()))
