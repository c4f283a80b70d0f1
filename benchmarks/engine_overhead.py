"""What the engine costs on top of FFmpeg: 100 trivial subtasks vs. a plain asyncio script.

    python benchmarks/engine_overhead.py [--tasks 100] [--rounds 3] [--concurrency N]

Each subtask decodes a tiny clip (160x120, 1 s, 10 fps) to FFmpeg's null muxer (`-f null -`).
They go through the real Engine (plan compilation, input checks, probing, the thread budget, the
FFmpeg runner with progress parsing, events, the SQLite task store, staging and publishing); only
the builder is replaced, through Engine's `build=` parameter, by one that makes that `-f null`
command (the real builders always write files, and fusion would turn siblings into one process;
an injected builder switches fusion off). Two shapes are measured:
  one run  = one workflow with N sibling tasks (start → split → N tasks → join → end)
  N runs   = N runs of a one-task workflow, all submitted at once (a dropped folder)
The baseline runs the very same argv lists (as the engine recorded them in SubtaskStarted) from a
plain asyncio script with a semaphore of the same concurrency, output pipes drained to /dev/null.
Prints the median wall time of each and the ratios (target <= 1.10).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timer, bench_dir, ffmpeg_exe, load_text, make_clip, median  # noqa: E402

from mediaflow_gui.engine.engine import Engine, EngineSettings  # noqa: E402
from mediaflow_gui.engine.events import SubtaskStarted  # noqa: E402
from mediaflow_gui.engine.store import TaskStore  # noqa: E402
from mediaflow_gui.media.base import BuildContext, BuildResult, FFmpegJob, OutputFile  # noqa: E402
from mediaflow_gui.model.kinds import NodeKind  # noqa: E402
from mediaflow_gui.model.params import SampleSnapshotParams  # noqa: E402
from mediaflow_gui.model.workflow import Node, Workflow, task_node  # noqa: E402


def null_build(ctx: BuildContext) -> BuildResult:
    """Decode the input to the null muxer; the 'output' is the input itself (left where it is)."""
    argv = [ctx.ffmpeg, "-hide_banner", "-nostdin", "-y"]
    if ctx.threads > 0:
        argv += ["-threads", str(ctx.threads)]
    argv += ["-i", str(ctx.input_path), "-f", "null", "-"]
    path = Path(ctx.input_path)
    return BuildResult([FFmpegJob(argv, ctx.probe.duration, label="null")],
                       lambda: [OutputFile(path=path, kind="video", size=path.stat().st_size)])


def workflow(tasks: int) -> Workflow:
    wf = Workflow(f"{tasks} trivial tasks")
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    if tasks == 1:
        t = wf.add_node(task_node("sample_snapshot", "Null", SampleSnapshotParams()))
        wf.connect(start, t)
        wf.connect(t, end)
        return wf
    split, join = wf.add_node(Node(NodeKind.SPLIT)), wf.add_node(Node(NodeKind.JOIN))
    wf.connect(start, split)
    wf.connect(join, end)
    for i in range(tasks):
        t = wf.add_node(task_node("sample_snapshot", f"Null {i}", SampleSnapshotParams()))
        wf.connect(split, t)
        wf.connect(t, join)
    return wf


async def through_engine(clip: Path, tasks: int, runs: int, concurrency: int, data: Path) -> tuple[float, list]:
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    store = TaskStore(data / "tasks.sqlite3")
    engine = Engine(store, settings=EngineSettings(max_threads=concurrency, work_dir=data / "work"), build=null_build)
    commands: list[tuple[str, ...]] = []
    engine.bus.subscribe(lambda e: commands.append(e.command) if isinstance(e, SubtaskStarted) else None)
    wf = workflow(tasks)
    with Timer() as t:
        ids = [engine.submit(wf, clip, data / "out") for _ in range(runs)]
        records = await asyncio.gather(*(engine.wait(i) for i in ids))  # each gets its record when it ends
    bad = [r for r in records if r.result.value != "SUCCESS"]
    if bad:
        raise RuntimeError(f"{len(bad)} runs failed: {bad[0].message}")
    store.close()
    return t.seconds, commands


async def plain(commands: list[tuple[str, ...]], concurrency: int) -> float:
    sem = asyncio.Semaphore(concurrency)

    async def one(argv: tuple[str, ...]) -> None:
        async with sem:
            proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                        stdout=asyncio.subprocess.DEVNULL,
                                                        stderr=asyncio.subprocess.DEVNULL)
            if await proc.wait() != 0:
                raise RuntimeError(f"failed: {argv}")

    with Timer() as t:
        await asyncio.gather(*(one(c) for c in commands))
    return t.seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=os.cpu_count() or 2,
                    help="thread budget of the engine = semaphore of the plain script (default: cores)")
    ap.add_argument("--bench-dir", default=None)
    args = ap.parse_args(argv)
    root = bench_dir(args.bench_dir)
    clip = make_clip(root / "tiny_160x120_1s.mp4", width=160, height=120, fps=10, seconds=1, audio=False)
    ffmpeg_exe()
    print(f"{args.tasks} trivial subtasks (-f null of {clip.name}), concurrency {args.concurrency}; {load_text()}")
    shapes = {"one run": (args.tasks, 1), f"{args.tasks} runs": (1, args.tasks)}
    results: dict[str, dict[str, list[float]]] = {s: {"engine": [], "plain": []} for s in shapes}
    # warm-up (imports, the worker-thread pool, SQLite): paid once per process, not per subtask
    asyncio.run(through_engine(clip, 2, 2, args.concurrency, root / "overhead"))
    for r in range(1, args.rounds + 1):
        for shape, (tasks, runs) in shapes.items():
            cpu0 = time.process_time()
            seconds, commands = asyncio.run(through_engine(clip, tasks, runs, args.concurrency,
                                                           root / "overhead"))
            cpu1 = time.process_time()
            assert len(commands) == args.tasks, len(commands)
            base = asyncio.run(plain(commands, args.concurrency))
            cpu2 = time.process_time()
            results[shape]["engine"].append(seconds)
            results[shape]["plain"].append(base)
            print(f"round {r} {shape:>9}: engine {seconds:6.2f} s, plain asyncio {base:6.2f} s, "
                  f"ratio {seconds / base:.3f}; Python CPU {cpu1 - cpu0:.2f} s vs {cpu2 - cpu1:.2f} s   ({load_text()})",
                  flush=True)
    print()
    for shape, res in results.items():
        e, p = median(res["engine"]), median(res["plain"])
        verdict = "met" if e / p <= 1.10 else "MISSED"
        paired = median([a / b for a, b in zip(res["engine"], res["plain"])])
        print(f"{shape:>9}: engine median {e:.2f} s, plain median {p:.2f} s, ratio {e / p:.3f} "
              f"(target <= 1.10: {verdict}); median of the per-round ratios {paired:.3f}; "
              f"per subtask {1000 * (e - p) / args.tasks:+.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
