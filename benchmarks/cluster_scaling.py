"""N inputs through a Dask LocalCluster of 1, 2 and 4 worker processes (one thread each) vs. this computer.

    python benchmarks/cluster_scaling.py [--inputs 8] [--workers 1,2,4] [--seconds 10] [--rounds 1]

Makes one 640x360 25 fps H.264 + AAC clip of `--seconds` and N copies under distinct names, starts a
private embedded store (SeaweedFS, the staging store) and, for each worker count, a LocalCluster of that
many worker processes with one thread each; submits all N runs at once (a dropped folder) with one x264
360p transcode each, and waits for all. The baseline is the same N runs on this computer with a budget of
one thread (one FFmpeg at a time, the same -threads as a one-thread worker), so "1 worker vs. local" is the
cost of going through the cluster: staging the input, Dask, fetching the output.

Prints for each worker count: wall time, inputs per second, throughput per worker, speed-up over one
worker and the share of linear it reaches (speed-up ÷ workers) — honest only up to the cores this
machine has (`os.cpu_count()`); past them the workers share cores. So it also prints the simulated
scaling: each worker's busy time (its units' start → end, measured on the worker) ÷ the wall time, averaged
over the workers: how well the dispatcher keeps every worker fed, which is what linear scaling needs on a
machine (or machines) with a core per worker. Targets (issue 16): ≥ 0.8× linear per added worker up to
the cores available; 1 worker no more than 5 % slower than local.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_dir, load_text, make_clip  # noqa: E402

from mediaflow_gui.cluster.local import start_local_cluster  # noqa: E402
from mediaflow_gui.cluster.settings import ClusterSettings  # noqa: E402
from mediaflow_gui.engine.engine import EngineSettings  # noqa: E402
from mediaflow_gui.model.kinds import NodeKind  # noqa: E402
from mediaflow_gui.model.params import transcode_preset  # noqa: E402
from mediaflow_gui.model.statuses import RunResult  # noqa: E402
from mediaflow_gui.model.workflow import Node, Workflow, task_node  # noqa: E402
from mediaflow_gui.runtime import Runtime, RuntimeSettings  # noqa: E402
from mediaflow_gui.storage.embedded import EmbeddedStore  # noqa: E402


def workflow() -> Workflow:
    wf = Workflow("cluster scaling")
    params = transcode_preset("SD 540p")
    params.definition, params.short_side, params.encoder_preset, params.crf = "360p", 360, "veryfast", 26
    start, task, end = wf.add_node(Node(NodeKind.START)), wf.add_node(task_node("transcode", "360p", params)), \
        wf.add_node(Node(NodeKind.END))
    wf.connect(start, task)
    wf.connect(task, end)
    return wf


def inputs(folder: Path, count: int, seconds: float) -> list[Path]:
    clip = make_clip(bench_dir() / f"scaling_640x360_{seconds:g}s.mp4", width=640, height=360, fps=25,
                     seconds=seconds)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        copy = folder / f"input_{i:02d}.mp4"
        if not copy.exists():
            shutil.copyfile(clip, copy)
        made.append(copy)
    return made


async def run_all(rt: Runtime, files: list[Path], out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    wf = workflow()
    began = time.perf_counter()
    ids = [rt.engine.submit(wf, f, out) for f in files]
    records = [await rt.engine.wait(t) for t in ids]
    wall = time.perf_counter() - began
    failed = [r for r in records if r.result != RunResult.SUCCESS]
    if failed:
        raise SystemExit(f"{len(failed)} run(s) failed: {failed[0].message}")
    return wall


async def local_wall(data: Path, store: EmbeddedStore, files: list[Path], out: Path, threads: int = 1) -> float:
    settings = RuntimeSettings(engine=EngineSettings(max_threads=threads, threads_per_step=1), storage=True,
                               embedded=store, stop_embedded=False)
    async with Runtime(data, settings) as rt:
        return await run_all(rt, files, out)


async def cluster_wall(data: Path, store: EmbeddedStore, files: list[Path], out: Path, address: str
                       ) -> tuple[float, dict[str, float]]:
    settings = RuntimeSettings(engine=EngineSettings(threads_per_step=1), storage=True, embedded=store,
                               stop_embedded=False)
    async with Runtime(data, settings) as rt:
        await asyncio.to_thread(rt.use_cluster, ClusterSettings(address))
        wall = await run_all(rt, files, out)
        busy: dict[str, float] = defaultdict(float)
        for worker, began, ended in rt._cluster.unit_times:
            busy[worker] += max(0.0, ended - began)
        return wall, dict(busy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=1, help="repeat each measurement; the median counts")
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    cores = os.cpu_count() or 1
    root = Path(tempfile.mkdtemp(prefix="mediaflow-cluster-bench-"))
    files = inputs(bench_dir() / f"scaling_inputs_{args.seconds:g}s", args.inputs, args.seconds)
    store = EmbeddedStore(root / "seaweedfs", prefer_default_ports=False)
    store.start(timeout=60)
    print(f"{args.inputs} inputs of {args.seconds:g} s 640x360 → one x264 360p transcode each; {cores} cores; "
          f"load {load_text()}")
    try:
        walls: dict[int, float] = {}
        locals_: list[float] = []
        ceilings: dict[int, list[float]] = defaultdict(list)  # this computer running k FFmpegs at once
        for k in counts:
            cluster = start_local_cluster(k, threads_per_worker=1)
            measured = []
            try:
                for r in range(args.rounds):
                    if k == counts[0]:  # local and cluster rounds alternate: a shared VM drifts over minutes
                        locals_.append(asyncio.run(local_wall(root / f"local-{r}", store, files, root / "out-local")))
                    elif k <= cores:  # what this machine gives at k at once without a cluster: the ceiling
                        ceilings[k].append(asyncio.run(local_wall(root / f"local{k}-{r}", store, files,
                                                                  root / "out-local", threads=k)))
                    measured.append(asyncio.run(cluster_wall(root / f"c{k}-{r}", store, files, root / f"out-{k}",
                                                             cluster.scheduler_address)))
            finally:
                cluster.close()
            if k == counts[0]:
                local = statistics.median(locals_)
                print(f"local, 1 thread:        {local:7.2f} s   {args.inputs / local:5.2f} inputs/s   "
                      f"(rounds: {', '.join(f'{w:.2f}' for w in locals_)})")
            wall, busy = sorted(measured, key=lambda m: m[0])[len(measured) // 2]
            walls[k] = wall
            rounds = f"   (rounds: {', '.join(f'{m[0]:.2f}' for m in measured)})" if len(measured) > 1 else ""
            speedup = walls[1] / wall if 1 in walls else float("nan")
            per_worker = args.inputs / wall / k
            # each worker's busy time ÷ wall, a worker that got no unit counting 0
            fed = [busy.get(w, 0.0) / wall for w in busy] + [0.0] * (k - len(busy))
            honest = " (past this machine's cores: they share them)" if k > cores else ""
            print(f"cluster, {k} worker{'s' if k > 1 else ' '}:     {wall:7.2f} s   {args.inputs / wall:5.2f} inputs/s   "
                  f"{per_worker:5.2f} per worker   speed-up {speedup:4.2f}× = {speedup / k:4.2f}× linear{honest}{rounds}")
            unit = sum(busy.values()) / args.inputs  # grows past the cores: the workers share them
            print(f"    simulated scaling: busy ÷ wall per worker {statistics.mean(fed):4.2f} (lowest {min(fed):4.2f}),"
                  f" {unit:5.2f} s per unit on a worker → ≈{statistics.mean(fed):4.2f}× linear with a core per worker"
                  " (the share of the wall each worker was running a unit)")
        if 1 in walls:
            print(f"1 worker vs. local: {walls[1] / local:4.2f}× the time (target ≤ 1.05)")
        for k in counts:
            if 1 < k <= cores and 1 in walls:
                print(f"{k} workers: {walls[1] / walls[k] / k:4.2f}× linear (target ≥ 0.80; {cores} cores here)")
                if ceilings.get(k):
                    ceiling = statistics.median(ceilings[k])
                    print(f"    this computer alone, {k} FFmpegs at once: {ceiling:.2f} s = {local / ceiling:4.2f}× its one-at-a-"
                          f"time speed (the cores' own ceiling); the cluster's {k} workers reach "
                          f"{(walls[1] / walls[k]) / (local / ceiling):4.2f} of that ceiling")
    finally:
        store.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
