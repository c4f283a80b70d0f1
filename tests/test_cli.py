"""The `mediaflow` CLI session: validate, run, status, status --json, tasks; via main() and a real process."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mediaflow_gui import __version__
from mediaflow_gui.cli import main
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from mediaflow_gui.paths import sample_workflow_path
from tests.engine.helpers import fast_transcode, parallel_workflow, small_snapshots

TASK_ID = re.compile(r"^TaskId: (mf-\d{8}-[0-9a-f]{8})$", re.MULTILINE)


@pytest.fixture()
def small_workflow(tmp_path: Path) -> Path:
    path = tmp_path / "small.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Small", fast_transcode()),
                                    task_node("snapshot", "Thumbs", small_snapshots()), name="Small"), path)
    return path


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(sample_workflow_path("standard.mfw.json"))]) == 0
    assert capsys.readouterr().out.startswith("OK")


def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wf = Workflow("bad")
    wf.add_node(Node(NodeKind.START))
    wf.add_node(Node(NodeKind.JOIN))
    path = tmp_path / "bad.mfw.json"
    save_workflow(wf, path)
    assert main(["validate", str(path)]) == 2  # a refused workflow: 2, as `run` refuses it
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 3  # no end, join unreachable, join with too few inputs, …
    assert any("no end" in line for line in lines)


def test_validate_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.mfw.json"
    path.write_text("{ not json", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "not valid JSON" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_run_status_tasks_session(tmp_path: Path, small_workflow: Path, video_clip: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    out = tmp_path / "results"
    code = main(["--data-dir", str(data), "run", str(small_workflow), str(video_clip), "--out", str(out),
                 "--concurrency", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    match = TASK_ID.search(captured.out)
    assert match, captured.out
    task_id = match.group(1)
    assert captured.out.splitlines()[0] == f"TaskId: {task_id}"  # printed first, on a line of its own
    assert "SUCCESS" in captured.out and "Traceback" not in captured.err
    assert (data / "tasks.sqlite3").is_file()

    assert main(["--data-dir", str(data), "status", task_id]) == 0
    status = capsys.readouterr().out
    assert task_id in status and "FINISH (SUCCESS)" in status
    for name in ("Small", "Thumbs"):
        assert re.search(rf"^{name}\s+\w+\s+SUCCESS", status, re.MULTILINE), status
    produced = sorted(p for p in out.iterdir())
    assert produced and all(str(p) in status for p in produced)

    assert main(["status", task_id[:-3], "--json", "--data-dir", str(data)]) == 0  # a unique prefix works too
    query = json.loads(capsys.readouterr().out)
    assert query["TaskId"] == task_id and query["TaskType"] == "WorkflowTask" and query["Status"] == "FINISH"
    results = query["WorkflowTask"]["MediaProcessResultSet"]
    assert sorted(r["Type"] for r in results) == ["SnapshotByTimeOffset", "Transcode"]
    assert all(r[r["Type"] + "Task"]["Status"] == "SUCCESS" for r in results)

    assert main(["--data-dir", str(data), "tasks"]) == 0
    listing = capsys.readouterr().out
    assert task_id in listing and "FINISH SUCCESS" in listing
    assert main(["--data-dir", str(data), "tasks", "--search", "no-such-input"]) == 0
    assert task_id not in capsys.readouterr().out


def test_failed_run_exits_nonzero_with_one_line(tmp_path: Path, small_workflow: Path, corrupt_file: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(small_workflow), str(corrupt_file), "--out", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert code == 1
    assert TASK_ID.search(captured.out)
    # besides the one "FFmpeg: …" line said before the runs, one line per failed run
    errors = [line for line in captured.err.strip().splitlines() if not line.startswith("FFmpeg: ")]
    assert len(errors) == 1 and "FAIL" in errors[0] and corrupt_file.name in errors[0]
    assert "Traceback" not in captured.out + captured.err
    task_id = TASK_ID.search(captured.out).group(1)
    assert main(["status", task_id]) == 0
    assert "FINISH (FAIL)" in capsys.readouterr().out


def test_status_names_the_failed_step(tmp_path: Path, audio_only: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A time-point snapshot of an audio-only file fails; `status` and `status --json` name its node."""
    shots = task_node("snapshot", "Shots", small_snapshots())
    path = tmp_path / "shots.mfw.json"
    save_workflow(parallel_workflow(shots, name="Shots"), path)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "run", str(path), str(audio_only), "--out", str(tmp_path / "o")]) == 1
    task_id = TASK_ID.search(capsys.readouterr().out).group(1)
    assert main(["--data-dir", str(data), "status", task_id, "--json"]) == 0
    task = json.loads(capsys.readouterr().out)["WorkflowTask"]
    extras = task["MediaFlow"]
    assert (task["ErrCode"], extras["ErrorCode"], extras["FailedStepId"]) == (1005, "InputNotSupported", shots.id)
    shots_result = task["MediaProcessResultSet"][0]["SnapshotByTimeOffsetTask"]
    assert shots_result["MediaFlow"]["StepId"] == shots.id
    assert (shots_result["Status"], shots_result["ErrCodeExt"]) == ("FAIL", "SourceFileError.NoVideoMedia")
    assert main(["--data-dir", str(data), "status", task_id]) == 0
    assert re.search(rf"^Failed step\s+Shots \({shots.id}\)$", capsys.readouterr().out, re.MULTILINE)


def test_status_of_unknown_task(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "mf-19990101-deadbeef"]) == 1
    assert "no task" in capsys.readouterr().err


def test_unreadable_workflow_for_run(tmp_path: Path, video_clip: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path / "missing.mfw.json"), str(video_clip), "--out", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "mediaflow"
    assert script.exists(), f"the console script is not installed next to {sys.executable}"
    return [str(script)]


@pytest.mark.slow  # the installed console script on real FFmpeg
def test_console_script_with_awkward_name(tmp_path: Path, small_workflow: Path, video_clip: Path) -> None:
    odd = tmp_path / "-my clip ü é.mp4"
    shutil.copyfile(video_clip, odd)
    env = {**os.environ, "MEDIAFLOW_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "results"
    proc = subprocess.run([*_console_script(), "run", str(small_workflow), "--out", str(out), "--", odd.name],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    task_id = TASK_ID.search(proc.stdout).group(1)
    names = [p.name for p in out.iterdir()]
    assert names and all(n.startswith("-my clip ü é") for n in names)
    proc = subprocess.run([*_console_script(), "status", task_id, "--json"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    query = json.loads(proc.stdout)
    assert query["WorkflowTask"]["MediaFlow"]["Input"] == str(odd)


@pytest.mark.slow  # the CLI as a process, interrupted mid-run
def test_ctrl_c_cancels_cleanly(tmp_path: Path, media_dir: Path) -> None:
    from tests import media_factory

    long_clip = media_dir / "long-for-cli-cancel.mp4"
    if not long_clip.exists():
        media_factory.make_video(long_clip, seconds=30, audio=False)
    wf_path = tmp_path / "slow.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Slow", fast_transcode("slow", 480, "veryslow")),
                                    name="Slow"), wf_path)
    env = {**os.environ, "MEDIAFLOW_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "results"
    proc = subprocess.Popen([*_console_script(), "run", str(wf_path), str(long_clip), "--out", str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # wait until FFmpeg is running
        lines.append(line)
        if "Slow: started" in line:
            break
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, "".join(lines) + rest + err
    assert "Traceback" not in err
    task_id = TASK_ID.search("".join(lines)).group(1)
    status = subprocess.run([*_console_script(), "status", task_id], env=env, capture_output=True, text=True,
                            timeout=60)
    assert "FINISH (CANCELED)" in status.stdout
    assert re.search(r"^Slow\s+\w+\s+CANCELED", status.stdout, re.MULTILINE)
    assert not out.exists() or list(out.iterdir()) == []
    import psutil
    orphans = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and any(long_clip.name in a for a in p.info["cmdline"] or []):
                orphans.append(p)
        except psutil.NoSuchProcess:
            continue
    assert orphans == []  # FFmpeg went down with the run


def test_run_of_a_folder_runs_its_media_files_and_says_what_it_skipped(tmp_path: Path, small_workflow: Path,
                                                                       video_clip: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    (folder / "more").mkdir(parents=True)
    shutil.copy(video_clip, folder / "b.mp4")
    shutil.copy(video_clip, folder / "more" / "a.mp4")
    (folder / "readme.txt").write_text("no media here")
    code = main(["--data-dir", str(tmp_path / "data"), "run", str(small_workflow), str(folder),
                 "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert len(TASK_ID.findall(captured.out)) == 2  # one run per media file, none for the text file
    assert "skipped 1 file that is not media (readme.txt)" in captured.err
    # nothing but non-media: refused, nothing recorded
    assert main(["--data-dir", str(tmp_path / "data2"), "run", str(small_workflow), str(folder / "readme.txt"),
                 "--out", str(tmp_path / "out")]) == 2
    assert "nothing to run" in capsys.readouterr().err
