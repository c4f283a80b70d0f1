"""`mediaflow run --on-existing keep-both|overwrite|skip`: what a second run into the same folder does."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaflow_gui.cli import main
from mediaflow_gui.model.serialization import save_workflow
from mediaflow_gui.model.workflow import task_node
from tests.engine.helpers import parallel_workflow, small_snapshots


@pytest.fixture()
def shots_workflow(tmp_path: Path) -> Path:
    path = tmp_path / "shots.mfw.json"
    save_workflow(parallel_workflow(task_node("snapshot", "Thumbs", small_snapshots()), name="Shots"), path)
    return path


def test_a_second_run_keeps_both_by_default_and_skips_when_asked(tmp_path: Path, shots_workflow: Path,
                                                                   video_clip: Path) -> None:
    out = tmp_path / "out"
    run = ["run", str(shots_workflow), str(video_clip), "--out", str(out)]
    assert main(run) == 0
    first = sorted(p.name for p in out.iterdir())
    assert first == ["clip_snapshotByTimeOffset_320x240_01.jpg", "clip_snapshotByTimeOffset_320x240_02.jpg"]
    marker = out / first[0]
    marker.write_bytes(b"edited by hand")

    assert main([*run, "--on-existing", "skip"]) == 0
    assert sorted(p.name for p in out.iterdir()) == first and marker.read_bytes() == b"edited by hand"

    assert main(run) == 0  # keep both: the new files get " (1)"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        first + ["clip_snapshotByTimeOffset_320x240_01 (1).jpg", "clip_snapshotByTimeOffset_320x240_02 (1).jpg"])

    assert main([*run, "--on-existing", "overwrite"]) == 0
    assert marker.read_bytes()[:2] == b"\xff\xd8"  # a JPEG again
    assert len(list(out.iterdir())) == 4


def test_an_unknown_policy_is_refused(shots_workflow: Path, video_clip: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", str(shots_workflow), str(video_clip), "--out", str(tmp_path), "--on-existing", "replace"])
    assert exc.value.code == 2 and "invalid choice: 'replace'" in capsys.readouterr().err
