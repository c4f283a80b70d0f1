"""The Preview action (an excerpt run into a temporary folder, its outputs in the run details at once)
and the inspector's watermark preview (the placement on a real frame, live as the offsets change)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaflow_gui.media.excerpt import ExcerptRange
from mediaflow_gui.model.params import SnapshotParams, WatermarkParams
from mediaflow_gui.model.workflow import task_node
from tests import media_factory
from tests.engine.helpers import fast_transcode, parallel_workflow

from .conftest import until
from .test_run_details_live import pixmap_paths


@pytest.fixture(scope="module")
def six_seconds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media_factory.make_video(tmp_path_factory.mktemp("pv") / "clip.mov", width=320, height=180, seconds=6.0)


def _preview_workflow():  # noqa: ANN202 - Workflow
    shots = SnapshotParams(offsets=["1s", "3s", "90%"], format="jpg")
    small = fast_transcode(short_side=120)
    small.watermarks = [WatermarkParams(type="text", text="PREVIEW", origin="BottomRight", font_size=24)]
    return parallel_workflow(task_node("snapshot", "Shots", shots), task_node("transcode", "Small", small),
                             name="preview me")


def test_preview_shows_the_outputs_of_an_excerpt(window, run, six_seconds: Path, qtbot) -> None:  # noqa: ANN001
    window.controller.set_workflow(_preview_workflow())
    window.remember_input(str(six_seconds))  # as a drop does
    asked: list[tuple[str, ExcerptRange]] = []
    window.preview.ask_range = lambda src, rng: asked.append((src, rng)) or (src, rng)  # the dialog, accepted

    async def scenario() -> str:
        window.act_preview.trigger()
        tid = window.preview.task_id
        assert tid and tid in window.details_dialogs  # the details open at once and follow the run
        await until(lambda: window.adapter.run(tid).finished, 60)
        dialog = window.details_dialogs[tid]
        shots = dialog.record.subtask_named("Shots").step_id
        await until(lambda: len(pixmap_paths(dialog.cards[shots], dialog)) == 3, 30)  # thumbnails of the outputs
        return tid

    task_id = run(scenario())
    assert asked == [(str(six_seconds), ExcerptRange(0, 5))]  # the last dropped file, the first 5 s
    record = window.adapter.run(task_id)
    assert record.succeeded, record.message
    assert record.input == f"{six_seconds} [preview 0–5 s]"
    folder = Path(record.subtasks[0].outputs[0]["path"]).parent
    assert folder.is_dir() and folder.parent.name == "previews"  # the temporary folder, not the results
    assert not Path(window.settings.output_dir).exists() or not any(Path(window.settings.output_dir).iterdir())
    (small,) = record.subtask_named("Small").outputs
    assert small["duration"] == pytest.approx(5.0, abs=0.3)  # the run read the 5 s excerpt, not the 6 s file

    async def again() -> str:
        tid = window.preview.start(str(six_seconds), ExcerptRange(1, 2))
        await until(lambda: window.adapter.run(tid).finished, 60)
        return tid

    second = window.adapter.run(run(again()))
    assert second.succeeded and second.input.endswith("[preview 1–3 s]")

    async def retry() -> str:  # Retry on a preview in the task list: a new preview of the same range
        tid = window.adapter.retry(second.task_id)
        await until(lambda: window.adapter.run(tid).finished, 60)
        return tid

    third = window.adapter.run(run(retry()))
    assert third.succeeded and third.input == second.input
    assert not Path(second.subtasks[0].outputs[0]["path"]).exists()  # replaced, as by any new preview
    second = third
    assert not folder.exists()  # the next preview replaced the previous one's folder
    new_folder = Path(second.subtasks[0].outputs[0]["path"]).parent
    window.adapter.clear_previews()  # what quitting does (EngineAdapter.close)
    assert not new_folder.exists()


def test_preview_of_an_invalid_workflow_is_refused_before_asking(window) -> None:  # noqa: ANN001
    from mediaflow_gui.model.workflow import Workflow
    window.controller.set_workflow(Workflow("empty"))  # no start, no end: problems
    window.preview.ask_range = lambda src, rng: pytest.fail("asked for a range of an invalid workflow")
    assert window.preview.ask_and_start() == ""
    assert window.bottom_tabs.currentWidget() is window.problems


def _red(image, x: int, y: int) -> bool:  # noqa: ANN001
    c = image.pixelColor(x, y)
    return c.red() > 200 and c.green() < 60 and c.blue() < 60


def test_watermark_preview_follows_the_inspector(controller, qtbot, six_seconds: Path,  # noqa: ANN001
                                                 watermark_png: Path) -> None:
    from mediaflow_gui.media.watermark_placement import placement
    from mediaflow_gui.ui.inspector.panel import InspectorPanel
    from mediaflow_gui.ui.inspector.watermark_preview import NO_FILE_HINT
    node = controller.add_node("task:watermark", (0, 0))
    panel = InspectorPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(380, 900)
    panel.show()
    controller.select([node.id])
    preview = panel.wm_preview
    assert preview is not None
    qtbot.waitUntil(lambda: preview.image() is not None, timeout=15000)  # the test card first
    assert NO_FILE_HINT in preview.caption.text()

    assert panel.edit_field("image_path", str(watermark_png))
    assert panel.edit_field("origin", "TopLeft") is not None
    panel.edit_field("x_pos", "20px")
    panel.edit_field("width", "64px")
    panel.set_sample_input(str(six_seconds))
    qtbot.waitUntil(lambda: "clip.mov" in preview.caption.text(), timeout=15000)  # a real frame now
    image = preview.image()
    assert (image.width(), image.height()) == (320, 180)  # the source size: a watermark node keeps it
    place = placement(320, 180, 64, 32, node.params)
    inside = (place.x + place.w // 2, place.y + place.h // 2)
    assert _red(image, *inside)

    panel.edit_field("x_pos", "200px")  # as typed in the inspector: the logo moves at once
    moved = preview.image()
    assert not _red(moved, *inside)
    new_place = placement(320, 180, 64, 32, node.params)
    assert new_place.x == 200 and _red(moved, new_place.x + 5, new_place.y + 5)
    assert not _red(moved, new_place.x - 2, new_place.y + 5)  # nothing left of where FFmpeg starts it
    controller.undo_stack.undo()  # undo follows too
    assert _red(preview.image(), *inside)
    panel.edit_field("x_pos", "200px")


def test_watermarks_of_a_transcode_are_drawn_at_its_output_size(controller, qtbot, six_seconds: Path,
                                                                 watermark_png: Path) -> None:  # noqa: ANN001
    node = controller.add_node("task:transcode", (0, 0))
    from mediaflow_gui.ui.inspector.panel import InspectorPanel
    panel = InspectorPanel(controller)
    qtbot.addWidget(panel)
    panel.set_sample_input(str(six_seconds))
    controller.select([node.id])
    preview = panel.wm_preview
    assert preview is not None and preview.isHidden()  # no watermarks yet: nothing to place
    assert panel.watermarks.add_watermark("image", str(watermark_png))
    assert not preview.isHidden()
    qtbot.waitUntil(lambda: preview.image() is not None and "clip.mov" in preview.caption.text(), timeout=15000)
    short = node.params.short_side
    expected_h = min(short, 180)
    assert preview.image().height() == expected_h  # the transcode's output size, not the source's

    # a watermark node before a transcode runs inside it (the plan folds it): drawn at its output size
    small = controller.add_node("task:transcode", (300, 0))
    controller.set_params(small.id, fast_transcode(short_side=90))
    mark = controller.add_node("task:watermark", (-300, 0))
    assert controller.connect_nodes(mark.id, small.id)
    controller.select([mark.id])
    qtbot.waitUntil(lambda: panel.wm_preview is not None and panel.wm_preview.image() is not None, timeout=15000)
    assert (panel.wm_preview.image().width(), panel.wm_preview.image().height()) == (160, 90)


@pytest.mark.parametrize("text, origin, size", [("PREVIEW", "BottomRight", 24), ("Hello, gjy", "TopLeft", 36)])
def test_text_is_drawn_where_drawtext_draws_it(qapp, tmp_path: Path, text: str, origin: str,  # noqa: ANN001
                                              size: int) -> None:
    """The preview's text box against FFmpeg's drawtext on a black frame (same font file and size)."""
    import subprocess

    import ffmpeg
    from PySide6.QtGui import QColor, QImage

    import mediaflow_gui.media.builders  # noqa: F401 - the builders before the filter module (import order)
    from mediaflow_gui.media.filters import watermark
    from mediaflow_gui.model.params import TranscodeParams
    from mediaflow_gui.ui.inspector.watermark_preview import compose
    from tests.media.conftest import make_context
    w, h = 320, 240
    clip = tmp_path / "black.mp4"
    media_factory.run_ffmpeg(["-f", "lavfi", "-i", f"color=black:size={w}x{h}:rate=5:duration=0.4",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)])
    wm = WatermarkParams(type="text", text=text, origin=origin, font_size=size, x_pos="10px", y_pos="12px")
    ctx = make_context("transcode", TranscodeParams(short_side=0, watermarks=[wm]), clip, tmp_path / "st")
    video = watermark.apply_watermarks(ctx, ffmpeg.input(str(clip))["v"], [wm], w, h)
    argv = ffmpeg.output(video, "pipe:", format="rawvideo", pix_fmt="gray", frames=1).compile(
        cmd=media_factory.ffmpeg_exe())
    drawn = subprocess.run(argv, capture_output=True, timeout=60).stdout[:w * h]
    frame = QImage(w, h, QImage.Format.Format_RGB32)
    frame.fill(QColor("black"))
    shown = compose(frame, [wm], (w, h))

    def ink(lit) -> tuple[int, int, int, int]:  # noqa: ANN001
        points = [(x, y) for y in range(h) for x in range(w) if lit(x, y)]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    ffmpeg_box = ink(lambda x, y: drawn[y * w + x] > 128)
    qt_box = ink(lambda x, y: shown.pixelColor(x, y).red() > 128)
    assert all(abs(a - b) <= 1 for a, b in zip(ffmpeg_box, qt_box)), (ffmpeg_box, qt_box)


def test_range_dialog_checks_the_file_and_gives_the_range(qtbot, six_seconds: Path,  # noqa: ANN001
                                                         tmp_path: Path) -> None:
    from mediaflow_gui.ui.preview import PreviewRangeDialog
    dialog = PreviewRangeDialog("", ExcerptRange(), str(tmp_path))
    qtbot.addWidget(dialog)
    dialog._accept()
    assert dialog.result() == 0 and "Choose the file" in dialog.error_label.text()  # stays open, says why
    dialog.file_edit.setText(str(six_seconds))
    dialog.start_spin.setValue(2.5)
    dialog.length_spin.setValue(3)
    assert dialog.values() == (str(six_seconds), ExcerptRange(2.5, 3))
