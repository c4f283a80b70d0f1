"""200 short inputs through one workflow: throughput, peak RSS, and the default concurrency vs. others.

    python benchmarks/many_inputs.py [--inputs 200] [--settings 1,2,3,4,6] [--seconds 2] [--rounds 2]

Makes one short clip (320x240, 25 fps, H.264 + AAC) and N copies of it under distinct names, then
for each thread-budget setting submits all N runs at once to one Engine (as a dropped folder or a
burst of bucket uploads would) with a small workflow: a 240p transcode, sampled snapshots and one
time-point snapshot (fusion on: the first two share one FFmpeg process). Prints inputs per second,
the engine process's peak RSS (psutil, sampled every 20 ms) and its RSS after each quarter of the
runs (flat = no per-run leak), and whether the default setting (number of cores) is within 10 %
of the best setting found. With several rounds (every other round in the reverse order, since
on a shared VM the same setting varied by ±10 % between runs) each setting's median counts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timer, bench_dir, load_text, make_clip  # noqa: E402

import psutil  # noqa: E402

from mediaflow_gui.engine.engine import Engine, EngineSettings  # noqa: E402
from mediaflow_gui.engine.store import TaskStore  # noqa: E402
from mediaflow_gui.model.kinds import NodeKind  # noqa: E402
from mediaflow_gui.model.params import SampleSnapshotParams, SnapshotParams, transcode_preset  # noqa: E402
from mediaflow_gui.model.workflow import Node, Workflow, task_node  # noqa: E402


def small_workflow() -> Workflow:
    wf = Workflow("many inputs")
    small = transcode_preset("SD 540p")
    small.definition, small.short_side, small.encoder_preset, small.crf, small.audio_bitrate_kbps = \
        "240p", 240, "veryfast", 28, 64
    tasks = [task_node("transcode", "240p", small),
             task_node("sample_snapshot", "Samples", SampleSnapshotParams(interval="50%", width=160)),
             task_node("snapshot", "Poster", SnapshotParams(offsets=["50%"], width=160))]
    start, split, join, end = (wf.add_node(Node(k)) for k in (NodeKind.START, NodeKind.SPLIT, NodeKind.JOIN,
                                                              NodeKind.END))
    wf.connect(start, split)
    wf.connect(join, end)
    for t in tasks:
        wf.add_node(t)
        wf.connect(split, t)
        wf.connect(t, join)
    return wf


class RssSampler:
    def __init__(self, interval: float = 0.02) -> None:
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def now(self) -> int:
        return self.proc.memory_info().rss


async def run_all(inputs: list[Path], threads: int, data: Path) -> tuple[float, int, list[int], int]:
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    store = TaskStore(data / "tasks.sqlite3")
    engine = Engine(store, settings=EngineSettings(max_threads=threads, work_dir=data / "work"))
    wf = small_workflow()
    quarters: list[int] = []
    with RssSampler() as rss, Timer() as t:
        ids = [engine.submit(wf, path, data / "out") for path in inputs]
        done = 0
        failed = 0

        async def one(task_id: str) -> None:
            nonlocal done, failed
            record = await engine.wait(task_id)
            done += 1
            failed += record.result.value != "SUCCESS"
            if done % max(1, len(ids) // 4) == 0:
                quarters.append(rss.now())

        await asyncio.gather(*(one(t) for t in ids))
    store.close()
    return t.seconds, rss.peak, quarters, failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--settings", default="1,2,3,4,6", help="thread budgets to compare (the default is added)")
    ap.add_argument("--bench-dir", default=None)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    default = os.cpu_count() or 2
    settings = sorted({int(s) for s in args.settings.split(",") if s.strip()} | {default})

    root = bench_dir(args.bench_dir)
    clip = make_clip(root / f"short_320x240_{args.seconds:g}s.mp4", width=320, height=240, fps=25,
                     seconds=args.seconds)
    in_dir = root / "many_inputs"
    in_dir.mkdir(exist_ok=True)
    inputs = []
    for i in range(args.inputs):
        path = in_dir / f"input {i:03d}.mp4"
        if not path.exists():
            shutil.copyfile(clip, path)
        inputs.append(path)
    print(f"{len(inputs)} inputs ({clip.name}), default thread budget {default}; {load_text()}")
    mb = 1024 * 1024
    rates: dict[int, list[float]] = {t: [] for t in settings}
    for r in range(1, args.rounds + 1):
        for threads in (settings if r % 2 else list(reversed(settings))):
            seconds, peak, quarters, failed = asyncio.run(run_all(inputs, threads, root / "many_inputs_run"))
            rates[threads].append(len(inputs) / seconds)
            mark = " (default)" if threads == default else ""
            print(f"round {r} budget {threads}{mark}: {seconds:6.2f} s, {rates[threads][-1]:5.2f} inputs/s, peak RSS "
                  f"{peak / mb:.0f} MB, RSS after each quarter {', '.join(f'{q / mb:.0f}' for q in quarters)} MB"
                  f"{f', {failed} FAILED' if failed else ''}   ({load_text()})", flush=True)
    results = {t: statistics.median(v) for t, v in rates.items()}
    print()
    for threads in settings:
        print(f"budget {threads}: median {results[threads]:5.2f} inputs/s "
              f"(rounds: {', '.join(f'{x:.2f}' for x in rates[threads])})")
    best = max(results, key=results.get)
    share = results[default] / results[best]
    print()
    print(f"best: budget {best} at {results[best]:.2f} inputs/s; default ({default}) reaches {100 * share:.1f} % "
          f"of it (target >= 90 %: {'met' if share >= 0.9 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
