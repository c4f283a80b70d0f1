"""Save screenshots of the GUI: `python -m mediaflow_gui.tools.screenshots OUT_DIR`.

Runs offscreen by default (QT_QPA_PLATFORM=offscreen unless set), with a private data dir,
generated test clips and the real engine, and writes:
  1-main-window.png        the main window with the standard workflow
  2-editing-problem.png    mid-edit: a new node not yet connected to the join, a value rejected
  3-two-runs-live.png      two runs in progress with live node states on the canvas
  4-run-details.png        a finished run's details with thumbnails
  5-buckets.png            the Buckets page: embedded store running, keys, example, a tested connection
  6-bindings.png           the Bindings page: the default binding watching, a run its upload triggered
  7-batch-queue.png        a 20-file batch: done, running and queued runs, speed, time left, the queue's line
  8-batch-notice.png       the batch's one notice when its last run ended
  9-replay.png             a finished run replayed: its snapshot with each node's time and outputs, the timeline
  10-watermark-placement.png  the watermark node's inspector: the logo placed on a frame of the dropped file
  11-preview.png           a dry-run preview's details: the workflow's outputs from a 5 s excerpt
With `--lang zh_CN` it loads that translation (ui/i18n.py) and writes only:
  12-zh-main-window.png    the main window in Chinese, the transcode node's inspector open
  13-zh-run.png            two runs in progress in Chinese: live node states, the task list, the queue line
With --cluster (a two-worker Dask LocalCluster started for the shots, on this machine):
  14-execution-settings.png  Settings → Execution: the cluster chosen, Test listing its workers
  15-cluster-run.png       two runs in progress on the cluster: live node states, "Runs on Dask cluster …"
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def make_clip(ffmpeg: str, path: Path, seconds: int, size: str = "640x360", rate: int = 25) -> Path:
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(path)], check=True, timeout=300)
    return path


async def _until(predicate, timeout: float = 120.0) -> None:  # noqa: ANN001
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.05)
    await asyncio.wait_for(poll(), timeout)


async def _pause(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mediaflow_gui.tools.screenshots")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--lang", choices=("zh_CN",), help="take the main window and a run in this language")
    parser.add_argument("--cluster", action="store_true",
                        help="take the Execution settings and runs on a two-worker Dask LocalCluster")
    args = parser.parse_args(argv)
    out: Path = args.out_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="mediaflow-shots-"))
    os.environ.setdefault("MEDIAFLOW_DATA_DIR", str(work / "data"))

    import qasync
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtWidgets import QApplication

    from ..media.ffmpeg_locate import find_ffmpeg
    from ..ui import icons
    from ..ui.buckets.bindings_page import COL_LAST
    from ..ui.context import AppContext
    from ..ui.documents import DISCARD
    from ..ui.main_window import MainWindow
    from ..ui.settings import AppSettings
    from ..ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("MediaFlow")
    app.setWindowIcon(icons.app_icon())
    apply_theme(app)
    from ..ui.i18n import ENGLISH, install_translators
    # as the app does at start: English too loads a file (its plural forms: "11 nodes", "Started 2 runs")
    if not install_translators(app, language=args.lang or ENGLISH):
        print(f"the {args.lang or ENGLISH} translation did not load", file=sys.stderr)
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    ffmpeg = str(find_ffmpeg().path)
    clips = [make_clip(ffmpeg, work / "holiday trip.mp4", 40), make_clip(ffmpeg, work / "interview.mp4", 40)]
    settings = AppSettings()
    settings.output_dir = str(work / "results")
    settings.max_threads = 8  # both runs at once, even on a 2-core machine
    cluster = None
    if args.cluster:  # worker processes, as a real cluster has; started before the Qt loop turns
        from ..cluster.local import start_local_cluster
        cluster = start_local_cluster(2, threads_per_worker=1)
        settings.cluster_enabled, settings.cluster_address = True, cluster.scheduler_address
    settings.sync()
    context = AppContext.create()
    window = MainWindow(context, use_tray=False)
    window.documents.ask_unsaved = lambda: DISCARD
    window.ask_stop_runs = lambda count: True
    window.resize(1600, 980)
    window.show()
    context.start()  # the embedded store starts in a pool thread, as in the app
    ctrl = window.controller

    def shot(widget, name: str) -> None:  # noqa: ANN001
        path = out / name
        widget.grab().save(str(path))
        print(path)

    async def translated_shots() -> None:
        """The main window and two runs in progress, in the language of --lang."""
        await _pause(0.5)
        transcode = next(n for n in ctrl.workflow.nodes.values() if n.task_kind == "transcode")
        ctrl.select([transcode.id])
        window.view.fit()
        await _pause()
        shot(window, f"12-{args.lang.split('_')[0]}-main-window.png")
        ctrl.select([])
        ids = window.process_files([str(c) for c in clips])
        live = [context.adapter.run(t) for t in ids]

        def running_with_percent() -> bool:  # FFmpeg reports progress every few seconds
            return any(s.status == "PROCESSING" and s.progress > 3 for r in live for s in r.steps.values())

        await _until(lambda: running_with_percent() or any(r.finished for r in live), 600)
        await _pause(0.15)
        shot(window, f"13-{args.lang.split('_')[0]}-run.png")
        await _until(lambda: all(r.finished for r in live), 600)
        await context.shutdown()

    async def cluster_shots() -> None:
        """Settings → Execution with the cluster tested, then two runs going on it."""
        from ..ui.settings_dialog import SettingsDialog
        await _until(lambda: context.execution.on_cluster or bool(context.execution.error), 90)
        if context.execution.error:
            print(f"the cluster was not used: {context.execution.error}")
        dialog = SettingsDialog(window.settings, window, connection_names=["studio-minio"])
        dialog.resize(900, 900)
        dialog.show()
        dialog.execution.test_button.click()
        await _pause(0.3)
        await _until(lambda: dialog.execution.test_button.isEnabled(), 30)
        dialog.show_execution()
        await _pause(0.5)
        shot(dialog, "14-execution-settings.png")
        dialog.reject()
        ids = window.process_files([str(c) for c in clips])
        live = [context.adapter.run(t) for t in ids]

        def running_with_percent() -> bool:
            return sum(1 for r in live for s in r.steps.values() if s.status == "PROCESSING" and s.progress > 3) >= 2

        await _until(lambda: running_with_percent() or all(r.finished for r in live), 600)
        await _pause(0.15)
        shot(window, "15-cluster-run.png")
        await _until(lambda: all(r.finished for r in live), 600)
        print("runs on the cluster:", ", ".join(f"{r.task_id} {r.status}" for r in live))
        await context.shutdown()

    async def scenario() -> None:
        if args.lang:
            await translated_shots()
            return
        if args.cluster:
            await cluster_shots()
            return
        await _pause(0.5)
        window.view.fit()
        await _pause()
        shot(window, "1-main-window.png")

        # mid-edit: a new animated image from the split, not yet joined; a rejected value
        split = next(n for n in ctrl.workflow.nodes.values() if n.kind.value == "split")
        node = ctrl.add_node("task:animated_image", QPointF(480, 400))
        ctrl.connect_nodes(split.id, node.id)
        ctrl.rename(node.id, "Teaser WebP")
        ctrl.select([node.id])
        window.view.fit()
        await _pause()
        window.inspector.edit_field("width", 50)  # 0 or 128–4096: marked, not written
        window.bottom_tabs.setCurrentWidget(window.problems)
        await _pause()
        shot(window, "2-editing-problem.png")
        ctrl.undo_stack.undo()
        ctrl.undo_stack.undo()
        ctrl.undo_stack.undo()
        window.view.fit()

        # two runs at once, live states on the canvas (the newest run is shown)
        ids = window.process_files([str(c) for c in clips])
        live = [context.adapter.run(t) for t in ids]

        def mid_run(need_percent: bool) -> bool:
            """Both runs under way, the newest one's steps well into their work (a fused run's steps
            all end together: waiting for one to succeed first caught every shot at 99 %)."""
            if any(r.finished for r in live) or any(r.begin_time is None for r in live):
                return False
            steps = list(live[-1].steps.values())
            running = [s for s in steps if s.status == "PROCESSING" and (15 < s.progress < 85 or not need_percent)]
            return bool(running)

        def live_now() -> bool:
            return not any(r.finished for r in live) and all(r.begin_time is not None for r in live) and \
                any(s.status == "PROCESSING" for s in live[-1].steps.values())
        # FFmpeg reports progress every few seconds only: prefer a moment with a percentage, but keep
        # a grab of the first live moment in case the runs end before a percentage comes (busy machine)
        fallback, fallback_rich, grabbed_at = None, False, 0.0
        while True:
            if mid_run(True):
                await _pause(0.15)
                shot(window, "3-two-runs-live.png")
                break
            now = loop.time()
            if mid_run(False) or (not fallback_rich and live_now() and now - grabbed_at > 0.5):
                fallback, grabbed_at = window.grab(), now  # the latest live moment wins
                fallback_rich = mid_run(False)
            if all(r.finished for r in live) or (fallback is not None and any(r.finished for r in live)):
                if fallback is not None:
                    fallback.save(str(out / "3-two-runs-live.png"))
                    print(out / "3-two-runs-live.png", "(no percentage yet at that moment)")
                else:
                    print("3-two-runs-live.png: the runs ended before a live moment was seen; not written")
                break
            await asyncio.sleep(0.05)

        await _until(lambda: all(r.finished for r in live), 600)
        await _pause(0.5)
        dialog = window.show_run(ids[0])
        dialog.resize(1000, 1060)
        await _until(lambda: dialog.record is not None and dialog.thumbs_loaded >= 8, 60)
        await _pause(0.3)
        shot(dialog, "4-run-details.png")
        dialog.close()
        await batch_of_twenty()
        await replay_placement_preview(ids[0])
        await buckets_and_bindings()

    async def replay_placement_preview(task_id: str) -> None:
        """The first two-run part's run replayed; the watermark's placement; a preview."""
        replay = window.show_replay(task_id)
        replay.resize(1300, 900)
        await _pause(0.8)
        shot(replay, "9-replay.png")
        replay.close()

        window.remember_input(str(clips[0]))  # as a drop does: the placement and the preview use it
        logo = next(n for n in ctrl.workflow.nodes.values() if n.task_kind == "watermark")
        ctrl.select([logo.id])
        await _until(lambda: window.inspector.wm_preview is not None
                     and clips[0].name in window.inspector.wm_preview.caption.text(), 60)
        window.resizeDocks([window.bottom_dock], [230], Qt.Orientation.Vertical)  # the inspector's full height
        await _pause(0.4)
        window.inspector.scroll.ensureWidgetVisible(window.inspector.wm_preview)
        await _pause(0.4)
        shot(window, "10-watermark-placement.png")
        ctrl.select([])

        window.preview.ask_range = lambda source, rng: (source, rng)  # the dialog, accepted as shown
        preview_id = window.preview.ask_and_start()
        preview_run = context.adapter.run(preview_id)
        await _until(lambda: preview_run.finished, 300)
        await _pause(1.5)  # thumbnails
        dialog = window.details_dialogs.get(preview_id) or window.show_run(preview_id)
        dialog.resize(1000, 1000)
        await _pause(0.5)
        shot(dialog, "11-preview.png")
        dialog.close()

    async def batch_of_twenty() -> None:
        """20 short clips dropped at once with two threads: the queue in the task list, then one notice."""
        for toast in window.notifier.live_toasts():
            toast.close_toast()
        names = ["beach", "city night", "concert", "drone shot", "family dinner", "garden", "harbour",
                 "interview B", "kids party", "lecture", "market", "mountain", "museum", "office tour",
                 "product demo", "rain", "snow day", "street food", "sunset", "wedding toast"]
        batch = work / "batch"
        batch.mkdir(exist_ok=True)
        first = make_clip(ffmpeg, batch / f"{names[0]}.mp4", 4, size="480x270")
        for name in names[1:]:  # the same pictures under 20 names: only the queue is the point here
            (batch / f"{name}.mp4").write_bytes(first.read_bytes())
        (batch / "rain.mp4").write_bytes(first.read_bytes()[:4000])  # a truncated upload: the one that fails
        settings.max_threads = 2  # two at a time: the rest queue, as on a busy 2-core laptop
        context.adapter.apply_settings()
        window.tasks.clear_finished()
        ids = window.process_files([str(batch)])  # the folder, as dropped: its 20 media files
        window.resizeDocks([window.bottom_dock], [560], Qt.Orientation.Vertical)  # room for the queue's rows
        runs = [context.adapter.run(t) for t in ids]

        def mixed() -> bool:
            done = sum(r.finished for r in runs)
            queued = sum(not r.finished and r.begin_time is None for r in runs)
            return done >= 3 and queued >= 5 and "about" in window.tasks.queue_summary()

        await _until(lambda: mixed() or all(r.finished for r in runs), 600)
        window.tasks.update_queue_summary()
        # the canvas follows a running run; the list shows the last done ones, the running ones, the queue
        running = [r for r in runs if not r.finished and r.begin_time is not None]
        if running:
            window.tasks.select_task(running[0].task_id)
            table = window.tasks.table
            table.scrollTo(table.currentIndex(), table.ScrollHint.PositionAtCenter)
        await _pause(0.3)
        shot(window, "7-batch-queue.png")
        await _until(lambda: all(r.finished for r in runs), 900)
        await _until(lambda: bool(window.notifier.live_toasts()), 30)
        await _pause(0.5)
        shot(window, "8-batch-notice.png")
        for toast in window.notifier.live_toasts():
            toast.close_toast()

    async def buckets_and_bindings() -> None:
        from ..storage.s3 import S3Connection
        from ..ui.buckets.controller import DEFAULT_INPUT_BUCKET
        storage = context.storage
        await _until(lambda: storage.embedded.state in ("running", "error"), 60)
        if storage.embedded.state == "error":
            print(f"the embedded store did not start: {storage.embedded.message}")
        await _until(lambda: any(s.state == "watching" for s in storage.statuses.values()), 60)
        # a saved connection whose endpoint is down, tested: the page shows the diagnosis
        storage.service.add_connection(S3Connection("minio-lab", "http://127.0.0.1:9", access_key="LABKEY",
                                                    secret_key="lab-secret"))
        page = window.buckets_page
        page.refresh_connections()
        await _until(lambda: len(page.connections) == 2, 30)
        page.select_connection("minio-lab")
        page.test_connection("minio-lab")
        await _until(lambda: "minio-lab" in page.diagnoses, 30)
        for toast in window.notifier.live_toasts():  # the earlier runs' toasts would cover the page
            toast.close_toast()
        window.pages.setCurrentWidget(page)
        await _pause(0.5)
        shot(window, "5-buckets.png")

        # an upload into the watched bucket starts a run of the default binding
        clip = make_clip(ffmpeg, work / "upload.mp4", 6)
        await asyncio.to_thread(storage.service.upload, "embedded", DEFAULT_INPUT_BUCKET, clip, "clips/upload.mp4")
        url = f"s3://{DEFAULT_INPUT_BUCKET}/clips/upload.mp4"
        await _until(lambda: any(r.input == url for r in context.adapter.runs.values()), 60)
        live = next(r for r in context.adapter.runs.values() if r.input == url)
        await _until(lambda: live.finished, 600)
        window.pages.setCurrentWidget(window.bindings_page)
        window.tasks.select_task(live.task_id)
        def last_activity() -> str:  # the row is refilled as statuses change: read the cell anew each time
            item = window.bindings_page.table.item(0, COL_LAST)
            return item.text() if item is not None else ""

        await _until(lambda: "→" in last_activity() and "running" not in last_activity(), 30)
        await _pause(0.5)
        shot(window, "6-bindings.png")
        await context.shutdown()  # stop watching, close the runtime and stop the store, as the app does on quit

    try:
        with loop:
            loop.run_until_complete(scenario())
    finally:
        window.close()
        context.close()
        if cluster is not None:
            cluster.close()
    print(f"work dir (clips, results): {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
