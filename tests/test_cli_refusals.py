"""`mediaflow validate` and `mediaflow run` refuse a bad workflow alike: every problem named with its
node, exit code 2, nothing run or recorded, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.params import WatermarkParams
from mediaflow_gui.model.serialization import save_workflow, workflow_to_dict
from mediaflow_gui.model.workflow import task_node
from tests.engine.helpers import fast_transcode, parallel_workflow


def _workflow_file(tmp_path: Path, name: str, *marks: WatermarkParams, output_name: str = "") -> Path:
    params = fast_transcode("SD", 120)
    params.watermarks = list(marks)
    params.output_name = output_name
    path = tmp_path / f"{name}.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Marked", params), name="Checked"), path)
    return path


def _image(path: Path) -> WatermarkParams:
    return WatermarkParams(type="image", image_path=str(path), width="20%")


def _cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text_png = tmp_path / "text.png"
    text_png.write_text("hello", encoding="utf-8")
    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    (tmp_path / "dir.png").mkdir()
    return {
        "missing": (_workflow_file(tmp_path, "missing", _image(tmp_path / "gone.png")), "does not exist"),
        "text .png": (_workflow_file(tmp_path, "text", _image(text_png)), "is not an image file FFmpeg can read"),
        "/dev/zero": (_workflow_file(tmp_path, "zero", _image(Path("/dev/zero"))), "is a device, not an image file"),
        "fifo": (_workflow_file(tmp_path, "fifo", _image(fifo)), "is a named pipe (fifo), not an image file"),
        "folder": (_workflow_file(tmp_path, "folder", _image(tmp_path / "dir.png")), "is a folder, not an image file"),
        "colour": (_workflow_file(tmp_path, "colour", WatermarkParams(type="text", text="hi", font_color="blu")),
                   "watermark 1: Font colour: 'blu' is not a colour FFmpeg knows"),
        "placeholder": (_workflow_file(tmp_path, "placeholder", output_name="{inputName}_{resolution}.mp4"),
                        "Output name: {resolution} is not a placeholder"),
    }


CASES = ["missing", "text .png", "/dev/zero", "fifo", "folder", "colour", "placeholder"]


@pytest.fixture()
def cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    return _cases(tmp_path)


@pytest.mark.parametrize("case", CASES)
def test_validate_refuses_naming_the_node(cases: dict, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path, words = cases[case]
    began = time.perf_counter()
    assert main(["validate", str(path)]) == 2
    assert time.perf_counter() - began < 10  # a fifo is never opened (it would block)
    out = capsys.readouterr().out
    (line,) = out.strip().splitlines()
    assert line.startswith("task 'Marked'") and words in line, line


@pytest.mark.parametrize("case", ["/dev/zero", "placeholder"])
def test_run_of_a_refused_workflow_exits_2_and_runs_nothing(cases: dict, case: str, tmp_path: Path,
                                                            video_clip: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, words = cases[case]
    data = tmp_path / "data"
    out = tmp_path / "out"
    assert main(["--data-dir", str(data), "run", str(path), str(video_clip), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "TaskId" not in captured.out
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"mediaflow: cannot run {path}: task 'Marked'") and words in line
    assert not out.exists()
    with TaskStore(data / "tasks.sqlite3") as store:
        assert store.list() == []


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "mediaflow"
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.mark.slow  # the CLI as a process, many times
def test_limits_are_refused_by_the_command_with_exit_2(tmp_path: Path, video_clip: Path) -> None:
    from tests.model.test_limits import fan_out

    wide = tmp_path / "wide.mfw.json"
    wide.write_text(json.dumps(workflow_to_dict(fan_out(596))), encoding="utf-8")  # 600 nodes
    big = tmp_path / "big.mfw.json"
    big.write_text(json.dumps({**workflow_to_dict(fan_out(1)), "description": "x" * (6 << 20)}), encoding="utf-8")
    deep = tmp_path / "deep.mfw.json"
    deep.write_text('{"version": 1, "nodes": ' + "[" * 10_000 + "]" * 10_000 + ', "edges": []}', encoding="utf-8")
    env = {"MEDIAFLOW_DATA_DIR": str(tmp_path / "data")}
    for path, words in ((wide, "600 nodes; a workflow may have at most 500"),
                        (big, "larger than 5.0 MB, the limit for a workflow file"),
                        (deep, "nested 10,001 deep; a workflow file may nest them at most 64 deep")):
        began = time.perf_counter()
        proc = _cli("validate", str(path), env=env)
        took = time.perf_counter() - began
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert words in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
        assert took < 10, took  # the process start included; the refusal itself is milliseconds
        proc = _cli("run", str(path), str(video_clip), "--out", str(tmp_path / "out"), env=env)
        assert proc.returncode == 2 and words in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr and "TaskId" not in proc.stdout
    assert not (tmp_path / "out").exists()


def test_a_valid_workflow_with_its_files_passes(tmp_path: Path, watermark_png: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "logo.png").write_bytes(watermark_png.read_bytes())
    path = _workflow_file(tmp_path, "fine", WatermarkParams(type="image", image_path="logo.png", width="20%"),
                          WatermarkParams(type="text", text="© me", font_color="white@0.5"),
                          output_name="{inputName}_{definition}.{ext}")
    assert main(["validate", str(path)]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.startswith("OK")

