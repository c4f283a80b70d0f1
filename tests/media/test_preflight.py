"""Preflight: the files a workflow's tasks need are checked before FFmpeg starts, each problem naming
its node and saying what the file really is (never opening a fifo or a device)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from mediaflow_gui.media import fonts, preflight
from mediaflow_gui.media.preflight import InputFileError, check_workflow_inputs, image_info
from mediaflow_gui.model import Node, NodeKind, Workflow
from mediaflow_gui.model.params import TranscodeParams, WatermarkParams
from mediaflow_gui.model.workflow import task_node
from tests import media_factory


def linear(*tasks: Node) -> Workflow:
    wf = Workflow("t")
    nodes = [wf.add_node(Node(NodeKind.START)), *(wf.add_node(t) for t in tasks), wf.add_node(Node(NodeKind.END))]
    for a, b in zip(nodes, nodes[1:]):
        wf.connect(a, b)
    return wf


@pytest.fixture()
def bad_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Paths that are no image, with the words each must be refused with."""
    text_png = tmp_path / "notes.png"
    text_png.write_text("not a picture at all\n", encoding="utf-8")
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.png"
    folder.mkdir()
    video = media_factory.make_video(tmp_path / "clip.mp4", width=64, height=48, seconds=0.5, audio=False)
    empty = tmp_path / "empty.png"
    empty.touch()
    return {
        "missing": (tmp_path / "gone.png", "does not exist"),
        "text": (text_png, "is not an image file FFmpeg can read"),
        "device": (Path("/dev/zero"), "is a device, not an image file"),
        "fifo": (fifo, "is a named pipe (fifo), not an image file"),
        "folder": (folder, "is a folder, not an image file"),
        "video": (video, "is a video or audio file (mov,mp4"),
        "empty": (empty, "is empty (0 bytes), not an image"),
    }


def _in_thread(fn, *args):
    """Run fn(*args) in a thread; fail (instead of hanging the suite) if it blocks."""
    result: list[object] = []

    def call() -> None:
        try:
            result.append(fn(*args))
        except BaseException as exc:  # handed back to the test
            result.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), f"{fn.__name__}{args} blocked"
    return result[0]


@pytest.mark.parametrize("case", ["missing", "text", "device", "fifo", "folder", "video", "empty"])
def test_what_is_not_an_image_is_refused_by_its_nature(bad_paths: dict, case: str) -> None:
    path, words = bad_paths[case]
    outcome = _in_thread(image_info, path)
    assert isinstance(outcome, InputFileError), outcome
    assert words in str(outcome)


def test_an_image_gives_its_size(watermark_png: Path, tmp_path: Path) -> None:
    info = image_info(watermark_png)
    assert (info.width, info.height, info.format) == (64, 32, "png_pipe")
    jpeg = tmp_path / "logo.jpg"
    media_factory.run_ffmpeg(["-i", str(watermark_png), "-pix_fmt", "yuvj444p", str(jpeg)])
    assert (image_info(jpeg).width, image_info(jpeg).height) == (64, 32)


def test_an_edited_image_is_checked_again(tmp_path: Path) -> None:
    logo = media_factory.make_png(tmp_path / "logo.png", width=40, height=20)
    assert image_info(logo).width == 40
    media_factory.make_png(tmp_path / "other.png", width=80, height=20)
    os.replace(tmp_path / "other.png", logo)  # a new file (inode, size): not the cached answer
    assert image_info(logo).width == 80
    logo.write_text("now it is text", encoding="utf-8")
    with pytest.raises(InputFileError):
        image_info(logo)


@pytest.mark.parametrize("case", ["missing", "text", "device", "fifo", "folder"])
def test_every_watermark_image_problem_names_its_node(bad_paths: dict, case: str, watermark_png: Path) -> None:
    path, words = bad_paths[case]
    task = task_node("watermark", "Corner logo", WatermarkParams(type="image", image_path=str(path)))
    inside = task_node("transcode", "HD", TranscodeParams(watermarks=[
        WatermarkParams(type="image", image_path=str(watermark_png)),
        WatermarkParams(type="image", image_path=str(path))]))
    fine = task_node("transcode", "SD", TranscodeParams(watermarks=[
        WatermarkParams(type="image", image_path=str(watermark_png))]))
    wf = linear(task, inside, fine)
    problems = _in_thread(check_workflow_inputs, wf)
    assert [(p.code, p.node_id) for p in problems] == [("watermark_image", task.id), ("watermark_image", inside.id)]
    assert problems[0].message.startswith(f"task 'Corner logo': the watermark image '{path}' {words}")
    assert problems[1].message.startswith(f"task 'HD', watermark 2: the watermark image '{path}' {words}")


def test_relative_images_are_looked_for_next_to_the_workflow(tmp_path: Path, watermark_png: Path) -> None:
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "logo.png").write_bytes(watermark_png.read_bytes())
    task = task_node("watermark", "Logo", WatermarkParams(type="image", image_path="art/logo.png"))
    wf = linear(task)
    wf.base_dir = str(tmp_path)
    assert check_workflow_inputs(wf) == []
    wf.base_dir = str(tmp_path / "elsewhere")
    (problem,) = check_workflow_inputs(wf)
    assert f"'{tmp_path / 'elsewhere' / 'art' / 'logo.png'}' does not exist" in problem.message


def test_text_watermarks_need_a_real_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task = task_node("transcode", "Captioned", TranscodeParams(watermarks=[WatermarkParams(type="text", text="hi")]))
    wf = linear(task)
    assert check_workflow_inputs(wf) == []  # the machine's font
    not_a_font = tmp_path / "Fake.ttf"
    not_a_font.write_text("hello", encoding="utf-8")
    monkeypatch.setattr(preflight, "find_font", lambda preferred=None: not_a_font)
    (problem,) = check_workflow_inputs(wf)
    assert problem.code == "font" and problem.node_id == task.id
    assert f"task 'Captioned', watermark 1: cannot draw the text: the font file '{not_a_font}' is not a TrueType" \
        in problem.message

    def no_font(preferred: str | None = None) -> Path:
        raise fonts.FontNotFoundError("no font file was found for the text watermark")

    monkeypatch.setattr(preflight, "find_font", no_font)
    assert "no font file was found" in check_workflow_inputs(wf)[0].message
