"""Which handed-over paths are media to run: folders expanded recursively in natural order, media by
extension or by a quick probe, everything else skipped and summed up in one line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mediaflow_gui.media.inputs import collect_inputs, natural_key


def test_a_folder_gives_its_media_files_in_natural_order_and_skips_the_rest(tmp_path: Path, video_clip: Path) -> None:
    folder = tmp_path / "shoot day"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    for name in ("clip 10.mp4", "clip 2.mp4", "sub/a.MOV", ".hidden/x.mp4", "camera.xyz"):
        shutil.copy(video_clip, folder / name)  # camera.xyz: real media under an odd suffix (probed)
    (folder / "notes.txt").write_text("not media")
    (folder / "cover.jpg").write_bytes(b"\xff\xd8 not looked at")
    (folder / "junk.bin").write_bytes(b"plain bytes, no stream" * 50)
    os.symlink(folder, folder / "sub" / "loop")  # a link back up is not followed

    got = collect_inputs([str(folder), str(folder / "clip 2.mp4")])  # the file again: once
    names = [str(Path(p).relative_to(folder)) for p in got.files]
    assert names == ["camera.xyz", "clip 2.mp4", "clip 10.mp4", "sub/a.MOV"]
    assert sorted(Path(p).name for p, _ in got.skipped) == ["cover.jpg", "junk.bin", "notes.txt"]
    assert got.folders == 1
    assert got.summary() == "skipped 3 files that are not media (cover.jpg, junk.bin, notes.txt)"


def test_single_files_missing_ones_and_urls(tmp_path: Path, video_clip: Path, corrupt_file: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    missing = str(tmp_path / "gone.mp4")
    got = collect_inputs([str(notes), str(corrupt_file), missing, "s3://inbox/a.mp4", str(video_clip)])
    # a text file given by hand is probed and skipped; a damaged .mp4 and a missing file still become
    # runs, so that the run names the file and what is wrong with it
    assert got.files == [str(corrupt_file), missing, "s3://inbox/a.mp4", str(video_clip)]
    assert [Path(p).name for p, _ in got.skipped] == ["notes.txt"]
    assert got.summary() == "skipped 1 file that is not media (notes.txt)"
    assert collect_inputs([]).summary() == ""


def test_natural_order_and_a_long_summary() -> None:
    assert sorted(["b10", "B2", "a1"], key=natural_key) == ["a1", "B2", "b10"]
    got = collect_inputs([], is_media=lambda p: False)
    got.skipped = [(f"/x/f{i}.txt", "") for i in range(5)]
    assert got.summary() == "skipped 5 files that are not media (f0.txt, f1.txt, f2.txt and 2 more)"
