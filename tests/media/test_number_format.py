"""Numbered outputs: the task's number format (the cloud service's ObjectNumberFormat), renaming what
FFmpeg numbered itself, workflow files without the field, validation in a person's words; and where a
run writes (run_folder, the default results folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaflow_gui.media.naming import (NamingError, makes_several_files, numbered_names, render, renumber,
                                        run_folder)
from mediaflow_gui.model.kinds import NodeKind
from mediaflow_gui.model.params import NumberFormat, SampleSnapshotParams, params_from_dict, params_to_dict
from mediaflow_gui.model.validation import validate
from mediaflow_gui.model.workflow import Node, Workflow, task_node
from mediaflow_gui.paths import default_results_dir


def test_the_default_pads_to_two_digits_so_a_batch_sorts_by_name() -> None:
    names = numbered_names("clip_sample_%d.jpg", 12)
    assert names[:2] == ["clip_sample_01.jpg", "clip_sample_02.jpg"] and names[-1] == "clip_sample_12.jpg"
    assert sorted(names) == names  # by name is by number
    unpadded = numbered_names("clip_sample_%d.jpg", 12, NumberFormat(min_length=1))
    assert sorted(unpadded) != unpadded  # what the padding is for: _10 before _2


def test_initial_value_increment_length_and_pad_character() -> None:
    fmt = NumberFormat(initial_value=0, increment=5, min_length=4, place_holder="_")
    assert [fmt.text(i) for i in range(3)] == ["___0", "___5", "__10"]
    assert NumberFormat(min_length=2).text(99) == "100"  # longer numbers are never cut
    # a literal '%' of the name (doubled for FFmpeg's image2 muxer) comes back as one
    assert numbered_names(render("{inputName}_{number}.jpg", {"inputName": "100%"}, sequence=True), 2) == [
        "100%_01.jpg", "100%_02.jpg"]
    with pytest.raises(NamingError):
        numbered_names("no number.jpg", 2)


def test_renumber_renames_what_ffmpeg_numbered_without_clobbering(tmp_path: Path) -> None:
    for i in range(1, 12):  # FFmpeg's image2: 1 … 11
        (tmp_path / f"s_{i}.jpg").write_text(f"frame {i}")
    (tmp_path / "other.txt").write_text("not ours")
    # from 0: the 11th file becomes s_10, the name the 10th had before (two passes keep both)
    names = renumber(tmp_path, "s_%d.jpg", NumberFormat(initial_value=0))
    assert names == [f"s_{i:02d}.jpg" for i in range(11)]
    assert [(tmp_path / n).read_text() for n in names] == [f"frame {i}" for i in range(1, 12)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names + ["other.txt"])


def test_old_workflow_files_load_with_the_default_format_and_new_ones_round_trip() -> None:
    old, problems = params_from_dict("sample_snapshot", {"interval": "2s"})
    assert problems == [] and old.number_format == NumberFormat()
    chosen = SampleSnapshotParams(number_format=NumberFormat(initial_value=0, increment=2, min_length=3,
                                                             place_holder="_"))
    again, problems = params_from_dict("sample_snapshot", params_to_dict(chosen))
    assert problems == [] and again == chosen
    _, problems = params_from_dict("image_sprite", {"number_format": {"digits": 3}})
    assert problems == ["number_format.digits is not a parameter of this task"]


@pytest.mark.parametrize("fmt, words", [
    (NumberFormat(min_length=0), "padded to a length of 1–10, not 0"),
    (NumberFormat(increment=0), "go up by 1–1000 each time, not 0"),
    (NumberFormat(initial_value=-1), "start at 0–1000000, not -1"),
    (NumberFormat(place_holder="/"), "be padded with one character such as 0 or _, not '/'"),
    (NumberFormat(place_holder="ab"), "not 'ab'"),
    (NumberFormat(place_holder="7"), "not '7'"),
])
def test_validation_refuses_a_bad_number_format_naming_the_node(fmt: NumberFormat, words: str) -> None:
    wf = Workflow("w")
    start, end = wf.add_node(Node(NodeKind.START)), wf.add_node(Node(NodeKind.END))
    shots = wf.add_node(task_node("sample_snapshot", "Contact sheet", SampleSnapshotParams(number_format=fmt)))
    wf.connect(start, shots)
    wf.connect(shots, end)
    [problem] = validate(wf)
    assert problem.node_id == shots.id
    assert problem.message.startswith("task 'Contact sheet': file numbers must") and words in problem.message


def test_a_folder_per_input_only_when_a_run_writes_several_files(tmp_path: Path) -> None:
    one = Workflow("one")
    one.add_node(task_node("transcode", "T"))
    several = Workflow("two")
    several.add_node(task_node("snapshot", "S"))
    assert not makes_several_files(one) and makes_several_files(several)

    clip = str(tmp_path / "in" / "holiday clip.mov")
    results = tmp_path / "results"
    assert run_folder(results, clip, beside_input=False, subfolder=False) == results
    assert run_folder(results, clip, beside_input=False, subfolder=True) == results / "holiday clip"
    assert run_folder(results, clip, beside_input=True, subfolder=False) == tmp_path / "in"
    assert run_folder(results, clip, beside_input=True, subfolder=True) == tmp_path / "in" / "holiday clip_mediaflow"
    # a bucket object has no folder to sit beside; its name is still one safe path component
    assert run_folder(results, "s3://b/x/../a:b.mp4", beside_input=True, subfolder=True) == results / "a_b"


def test_the_default_results_folder_moves_with_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIAFLOW_DATA_DIR", str(tmp_path / "portable" / "data"))
    assert default_results_dir() == tmp_path / "portable" / "MediaFlow results"
    assert not default_results_dir().exists()  # made when the first result is written, not before
    monkeypatch.delenv("MEDIAFLOW_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_results_dir() == tmp_path / "home" / "MediaFlow results"


def test_the_names_known_before_a_run_are_the_names_it_writes(make_ctx, video_clip: Path) -> None:  # noqa: ANN001
    """media/builders/expected.py (what on_existing "skip" checks) against real FFmpeg runs of each kind."""
    from mediaflow_gui.media.builders import build_step
    from mediaflow_gui.media.builders.expected import expected_outputs
    from mediaflow_gui.model.params import (AnimatedImageParams, ImageSpriteParams, SnapshotParams,
                                            TranscodeParams)
    from tests.media.conftest import run_jobs
    cases = [
        ("transcode", TranscodeParams(short_side=120, encoder_preset="ultrafast")),
        ("snapshot", SnapshotParams(offsets=["1s", "2s"], width=128)),
        ("sample_snapshot", SampleSnapshotParams(interval="1s", width=128,
                                                 number_format=NumberFormat(initial_value=0, min_length=3))),
        ("animated_image", AnimatedImageParams(end="1s", width=128)),
        ("image_sprite", ImageSpriteParams(interval="1s", rows=1, columns=2, width=64)),
    ]
    for kind, params in cases:
        ctx = make_ctx(kind, params, video_clip)
        expected = expected_outputs(ctx)
        made = run_jobs(build_step(ctx))
        assert expected == [(o.path.name, o.kind) for o in made], kind
    assert [name for name, _ in expected_outputs(make_ctx("sample_snapshot", cases[2][1], video_clip))][:2] == [
        "clip_sample_000.jpg", "clip_sample_001.jpg"]
