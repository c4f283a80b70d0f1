"""Event-loop stalls of the GUI while 8 runs are in progress (QTimer probe, p99 < 50 ms).

    python benchmarks/gui_stalls.py [--runs 8] [--seconds 20] [--threads N] [--window]

Opens the real main window (offscreen unless --window) on a qasync loop, with a private data dir,
and drops N copies of a 720p30 10 s clip on it at once: N runs of the standard workflow (fusion
on), their progress flowing into the canvas, the task list and the notifier. A QTimer fires every
10 ms; each tick records how late it came (the stall: time since the previous tick minus 10 ms).
The probe runs for a few idle seconds first (the baseline), then for --seconds while the runs are
in progress; then the runs are canceled. Prints p50 / p99 / max stalls for both phases and how many
runs were processing and waiting. --threads sets the engine's thread budget (default: the app's
setting, number of cores), e.g. 8 to have all runs' FFmpeg processes progress at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_dir, load_text, make_clip  # noqa: E402

INTERVAL_MS = 10


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--idle", type=float, default=3.0, help="seconds of baseline probing before the runs")
    ap.add_argument("--threads", type=int, default=0, help="engine thread budget (0: the app's setting)")
    ap.add_argument("--window", action="store_true", help="use the real display instead of offscreen")
    ap.add_argument("--bench-dir", default=None)
    args = ap.parse_args(argv)
    if not args.window:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = bench_dir(args.bench_dir)
    clip = make_clip(root / "clip_720p30_10s.mp4", width=1280, height=720, fps=30, seconds=10)
    data = Path(tempfile.mkdtemp(prefix="mediaflow-gui-bench-"))
    os.environ["MEDIAFLOW_DATA_DIR"] = str(data)  # settings, task store: never the user's own
    inputs = []
    for i in range(args.runs):
        path = data / "inputs" / f"clip {i}.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, path)
        inputs.append(str(path))

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from mediaflow_gui.paths import sample_workflow_path
    from mediaflow_gui.ui.context import AppContext
    from mediaflow_gui.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from mediaflow_gui.ui import gc_guard
    collector = gc_guard.install(app)  # as the app does: cyclic GC runs on the GUI thread (its pauses count)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    context = AppContext.create()
    context.settings.output_dir = str(data / "out")  # results into the private dir, removed at the end
    if args.threads:
        context.settings.max_threads = args.threads
        context.adapter.apply_settings()
    window = MainWindow(context, str(sample_workflow_path("standard.mfw.json")), use_tray=False,
                        load_history=False)
    window.resize(1400, 900)
    window.show()

    stalls: dict[str, list[float]] = {"idle": [], "runs": []}
    phase = {"name": "idle", "last": time.perf_counter()}

    def tick() -> None:
        now = time.perf_counter()
        stalls[phase["name"]].append(max(0.0, (now - phase["last"]) * 1000 - INTERVAL_MS))
        phase["last"] = now

    timer = QTimer()
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(tick)

    state: dict[str, object] = {}

    async def scenario() -> None:
        await asyncio.sleep(0.5)  # let the window settle
        phase["last"] = time.perf_counter()
        timer.start()
        await asyncio.sleep(args.idle)
        phase["name"] = "runs"
        phase["last"] = time.perf_counter()
        task_ids = window.process_files(inputs)
        state["task_ids"] = task_ids
        end = time.monotonic() + args.seconds
        samples = []
        while time.monotonic() < end:
            await asyncio.sleep(1.0)
            engine = context.adapter.engine
            samples.append((len(engine.running()), engine.budget.in_use))
        timer.stop()
        state["samples"] = samples
        state["progress"] = {t: round(run.progress, 1) for t in task_ids
                             if (run := context.adapter.run(t)) is not None}
        await context.shutdown()  # cancels the runs and lets the store record them

    with loop:
        loop.run_until_complete(scenario())
    window.controller.dispose()
    window.deleteLater()
    app.processEvents()

    print(f"{args.runs} runs of the standard workflow on {clip.name}, engine budget "
          f"{context.adapter.engine.settings.max_threads} threads, fusion "
          f"{'on' if context.adapter.engine.settings.fusion else 'off'}; {load_text()}")
    samples = state.get("samples", [])
    if samples:
        print(f"runs in progress during the probe: {min(s[0] for s in samples)}–{max(s[0] for s in samples)}; "
              f"thread tokens in use: {min(s[1] for s in samples)}–{max(s[1] for s in samples)}")
    print(f"progress when the probe ended: {sorted(state.get('progress', {}).values())}")
    for name, values in stalls.items():
        print(f"{name:>5}: {len(values)} ticks, stall p50 {percentile(values, 50):.1f} ms, "
              f"p99 {percentile(values, 99):.1f} ms, max {max(values, default=float('nan')):.1f} ms")
    p99 = percentile(stalls["runs"], 99)
    print(f"p99 stall with runs in progress: {p99:.1f} ms (target < 50 ms: {'met' if p99 < 50 else 'MISSED'})")
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
