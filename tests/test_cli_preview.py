"""`mediaflow run --preview`: the workflow on an excerpt of each input, into --out or a temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.engine.store import TaskStore
from mediaflow_gui.media.probe import probe
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.workflow import task_node
from tests import media_factory
from tests.engine.helpers import fast_transcode, parallel_workflow

TASK_ID = re.compile(r"^TaskId: (mf-\d{8}-[0-9a-f]{8})$", re.MULTILINE)


def test_run_preview_range_into_a_temporary_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = media_factory.make_video(tmp_path / "clip.mp4", width=160, height=120, seconds=5.0, audio=False)
    workflow = tmp_path / "w.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Small", fast_transcode(short_side=96))), workflow)
    data = tmp_path / "data"
    code = main(["--data-dir", str(data), "run", str(workflow), str(clip), "--preview-range", "1,2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    (task_id,) = TASK_ID.findall(captured.out)
    (out,) = (data / "work" / "previews").glob("*/clip_*.mp4")  # no --out: the data dir's preview folder
    assert probe(out).duration == pytest.approx(2.0, abs=0.25)
    store = TaskStore(data / "tasks.sqlite3")
    try:
        assert store.get(task_id).input == f"{clip} [preview 1–3 s]"
    finally:
        store.close()


def test_run_preview_refuses_a_bad_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workflow = tmp_path / "w.mfw.json"
    save_workflow(parallel_workflow(task_node("transcode", "Small", fast_transcode())), workflow)
    code = main(["--data-dir", str(tmp_path / "data"), "run", str(workflow), str(workflow),
                 "--preview-range", "soon"])
    assert code == 2 and "not a preview range" in capsys.readouterr().err
