"""`mediaflow run` on file names at the file system's limit and on names that are not UTF-8, as a
real process with a deadline, so that a hang fails the test instead of stopping the suite.

Issue 10 (2) and (3): a 250-byte name hung the run at ~95 % CPU (a cut that removed a sequence's
`%d`, then a listing of the same name for ever); a non-UTF-8 name killed the task store's writer
and left the run unrecorded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.model.text import has_lone_surrogates
from mediaflow_gui.paths import sample_workflow_path
from tests import media_factory

pytestmark = pytest.mark.slow  # the CLI as a process, on real FFmpeg

DEADLINE = 120  # seconds for one `mediaflow` process; the runs take ~2 s
TASK_ID = re.compile(rb"^TaskId: (mf-\d{8}-[0-9a-f]{8})$", re.MULTILINE)
STANDARD = str(sample_workflow_path("standard.mfw.json"))


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = media_factory.make_video(tmp_path_factory.mktemp("clip") / "c.mp4", seconds=1, width=160, height=120)
    return path.read_bytes()


def mediaflow(data: Path, *args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    """The console script in its own process (bytes in and out: names are bytes)."""
    script = Path(sys.executable).parent / "mediaflow"
    env = {**os.environ, "MEDIAFLOW_DATA_DIR": str(data)}
    proc = subprocess.run([str(script), *args], env=env, capture_output=True, timeout=DEADLINE)
    assert b"Traceback" not in proc.stdout + proc.stderr, (proc.stdout + proc.stderr).decode("utf-8", "replace")
    return proc


def task_ids(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    return [m.decode() for m in TASK_ID.findall(proc.stdout)]


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def output_paths(query: dict[str, Any]) -> list[str]:
    return [o["Path"] for r in query["WorkflowTask"]["MediaProcessResultSet"]
            for key, task in r.items() if key.endswith("Task") for o in task["MediaFlow"]["Outputs"]]


def test_a_name_at_the_limit_runs_the_standard_workflow(tmp_path: Path, tiny_clip: bytes) -> None:
    source = tmp_path / ("a" * 246 + ".mp4")  # 250 bytes
    source.write_bytes(tiny_clip)
    out, data = tmp_path / "out", tmp_path / "data"
    proc = mediaflow(data, "run", STANDARD, str(source), "--out", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    names = sorted(p.name for p in out.iterdir())
    limit = os.pathconf(out, "PC_NAME_MAX")
    assert len(names) >= 7 and all(len(os.fsencode(n)) <= limit for n in names), names
    assert all(n.startswith("a" * 100) for n in names)  # still readable: the head is the input's name
    # the sprite's WebVTT names sheets that exist (its links follow the shortened names)
    vtt = next(out.glob("*.vtt")).read_text(encoding="utf-8")
    sheets = {unquote(line.split("#")[0]) for line in vtt.splitlines() if "#xywh=" in line}
    assert sheets and all((out / s).is_file() for s in sheets)
    (task_id,) = task_ids(proc)
    status = mediaflow(data, "status", task_id, "--json")
    query = json.loads(status.stdout.decode("utf-8"))
    assert query["WorkflowTask"]["MediaFlow"]["Result"] == "SUCCESS"
    assert sorted(Path(p).name for p in output_paths(query)) == names


def test_long_names_sharing_a_prefix_give_distinct_outputs(tmp_path: Path, tiny_clip: bytes) -> None:
    sources = [tmp_path / ("é" * 120 + f"{i}.mp4") for i in (1, 2)]  # a 240-byte prefix in common
    for source in sources:
        source.write_bytes(tiny_clip)
    out, data = tmp_path / "out", tmp_path / "data"
    proc = mediaflow(data, "run", STANDARD, *map(str, sources), "--out", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    per_run = []
    for task_id in task_ids(proc):
        query = json.loads(mediaflow(data, "status", task_id, "--json").stdout.decode("utf-8"))
        per_run.append(set(output_paths(query)))
    assert len(per_run) == 2 and per_run[0] and len(per_run[0]) == len(per_run[1])
    assert not per_run[0] & per_run[1]  # no run's output replaced, or was named like, the other's
    on_disk = {str(p) for p in out.iterdir()}
    assert on_disk == per_run[0] | per_run[1]
    assert all(len(os.fsencode(Path(p).name)) <= os.pathconf(out, "PC_NAME_MAX") for p in on_disk)


def test_a_name_that_is_not_utf8_is_run_recorded_and_shown(tmp_path: Path, tiny_clip: bytes) -> None:
    base = os.fsencode(tmp_path)
    source, out = base + b"/caf\xe9 \xff\xfe.mp4", base + b"/out \xfe"  # the output folder too
    with open(source, "wb") as fh:
        fh.write(tiny_clip)
    data = tmp_path / "data"
    proc = mediaflow(data, b"run", STANDARD.encode(), source, b"--out", out)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    proc.stdout.decode("utf-8")  # what it printed is valid UTF-8
    assert "caf\\xe9 \\xff\\xfe.mp4" in proc.stdout.decode()
    (task_id,) = task_ids(proc)

    status = mediaflow(data, "status", task_id)
    assert status.returncode == 0 and "FINISH (SUCCESS)" in status.stdout.decode("utf-8")
    assert "caf\\xe9 \\xff\\xfe.mp4" in status.stdout.decode()
    as_json = mediaflow(data, "status", task_id, "--json")
    assert as_json.returncode == 0
    query = json.loads(as_json.stdout.decode("utf-8"))
    assert not [s for s in strings(query) if has_lone_surrogates(s)]
    assert query["WorkflowTask"]["MediaFlow"]["Input"].endswith("/caf\\xe9 \\xff\\xfe.mp4")
    listing = mediaflow(data, "tasks")
    assert listing.returncode == 0 and task_id in listing.stdout.decode("utf-8")

    files = sorted(os.fsdecode(os.path.join(out, name)) for name in os.listdir(out))
    assert len(files) >= 7
    assert all(Path(f).name.startswith("caf\ufffd \ufffd\ufffd_") for f in files)  # valid UTF-8 names
    with TaskStore(data / "tasks.sqlite3", work_root=data / "work") as store:
        record = store.get_stored(task_id)
    assert record is not None and record.succeeded
    assert os.fsencode(record.input) == source and os.path.isfile(record.input)  # the real file, exactly
    assert os.fsencode(record.out_dir) == out
    recorded = sorted(o["path"] for o in record.outputs())
    assert recorded == files and all(os.path.isfile(p) for p in recorded)
