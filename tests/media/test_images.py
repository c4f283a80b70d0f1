"""Snapshots, sampled snapshots, animated images and sprites: counts, sizes, frames, VTT."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import av
import pytest

from mediaflow_gui.media.base import TaskInputError
from mediaflow_gui.media.builders import build_step
from mediaflow_gui.media.webp_info import webp_info
from mediaflow_gui.model.params import AnimatedImageParams, ImageSpriteParams, SampleSnapshotParams, SnapshotParams
from tests.media.avcheck import frame_at, last_frame, props


def frame_times(path: Path) -> list[float]:
    """Presentation times of every video frame of the source, read independently of the builders."""
    with av.open(str(path)) as c:
        return sorted(float(f.time) for f in c.decode(video=0))


def buckets(path: Path, interval: float) -> int:
    """How many `interval`-long stretches of the source hold at least one frame."""
    return len({math.floor(t / interval + 1e-6) for t in frame_times(path)})


# --- time-point snapshots ---

def test_snapshots_at_time_points(video_clip: Path, build_and_run) -> None:
    offsets = ["0s", "1.5s", "50%", "100%", "10s"]
    outs = build_and_run("snapshot", SnapshotParams(offsets=offsets, format="png"), video_clip)
    assert [o.path.name for o in outs] == [f"clip_snapshotByTimeOffset_320x240_{i:02d}.png" for i in range(1, 6)]
    for o in outs:
        p = props(o.path, count_frames=False)
        assert (p.video[0].codec, p.video[0].width, p.video[0].height) == ("png", 320, 240)
        assert (o.width, o.height, o.kind) == (320, 240, "image")
    shots = [frame_at(o.path) for o in outs]
    # each snapshot is closest to the source frame at its own time
    for shot, t in zip(shots[:3], (0.0, 1.5, 2.0)):
        own = shot.mean_abs_diff(frame_at(video_clip, t))
        other = shot.mean_abs_diff(frame_at(video_clip, (t + 1.0) % 3.0))
        assert own < other / 2, (t, own, other)
    # 100 % and a point past the end both give the last frame
    final = last_frame(video_clip)
    for shot in shots[3:]:
        assert shot.mean_abs_diff(final) < shot.mean_abs_diff(frame_at(video_clip, 3.0)) / 2


@pytest.mark.parametrize("fmt, width, height, size", [
    ("jpg", 160, 0, (160, 120)),
    ("webp", 0, 128, (170, 128)),
    ("jpg", 200, 200, (200, 150)),
])
def test_snapshot_sizes_and_formats(video_clip: Path, build_and_run, fmt: str, width: int, height: int,
                                    size: tuple[int, int]) -> None:
    (out,) = build_and_run("snapshot", SnapshotParams(offsets=["1s"], format=fmt, width=width, height=height),
                           video_clip)
    assert out.path.suffix == "." + fmt
    assert (out.width, out.height) == size
    if fmt == "webp":
        assert (webp_info(out.path).width, webp_info(out.path).height) == size
    else:
        p = props(out.path, count_frames=False)
        assert (p.video[0].codec, p.video[0].width, p.video[0].height) == ("mjpeg", *size)


def test_snapshot_jobs_seek_before_input(video_clip: Path, make_ctx) -> None:
    result = build_step(make_ctx("snapshot", SnapshotParams(offsets=["1s", "2s"]), video_clip))
    assert len(result.jobs) == 2
    for job, t in zip(result.jobs, ("1.000", "2.000")):
        assert job.args.index("-ss") < job.args.index("-i") and job.args[job.args.index("-ss") + 1] == t


# --- sampled snapshots ---

@pytest.mark.parametrize("interval, seconds", [("1s", 1.0), ("25%", 1.0), ("0.3s", 0.3), ("30s", 4.0)])
def test_sampled_snapshot_count(video_clip: Path, build_and_run, interval: str, seconds: float) -> None:
    outs = build_and_run("sample_snapshot", SampleSnapshotParams(interval=interval, width=128), video_clip)
    assert len(outs) == buckets(video_clip, seconds)
    assert [o.path.name for o in outs] == [f"clip_sample_{i:02d}.jpg" for i in range(1, len(outs) + 1)]
    assert all((o.width, o.height) == (128, 96) for o in outs)


def test_sampled_snapshots_follow_time(video_clip: Path, build_and_run) -> None:
    outs = build_and_run("sample_snapshot", SampleSnapshotParams(interval="1s", format="png"), video_clip)
    for i, out in enumerate(outs):
        shot = frame_at(out.path)
        assert shot.mean_abs_diff(frame_at(video_clip, float(i))) < shot.mean_abs_diff(
            frame_at(video_clip, float(i) + 0.5)) / 2


# --- animated images ---

@pytest.mark.parametrize("start, end, fps, length", [
    ("1s", "-1s", 10, 2.0),
    ("0s", "50%", 6, 2.0),
    ("-1.5s", "100%", 12, 1.5),
])
def test_gif_frames_and_size(video_clip: Path, build_and_run, start: str, end: str, fps: int, length: float) -> None:
    (out,) = build_and_run("animated_image", AnimatedImageParams(start=start, end=end, fps=fps, width=160),
                           video_clip)
    assert out.path.name == "clip_animated.gif" and out.kind == "animation"
    p = props(out.path)
    assert (p.video[0].codec, p.video[0].width, p.video[0].height) == ("gif", 160, 120)
    assert abs(p.video[0].frames - fps * length) <= 1
    assert p.duration == pytest.approx(length, abs=2.0 / fps)


def test_gif_starts_at_start(video_clip: Path, build_and_run) -> None:
    (out,) = build_and_run("animated_image", AnimatedImageParams(start="2s", end="3s", fps=5, width=320), video_clip)
    first = frame_at(out.path)
    own = first.mean_abs_diff(frame_at(video_clip, 2.0))
    # closer to the frame at 2 s than to its neighbours one frame (0.04 s) away
    assert own < first.mean_abs_diff(frame_at(video_clip, 1.96))
    assert own < first.mean_abs_diff(frame_at(video_clip, 2.04))


def test_animated_webp(video_clip: Path, build_and_run) -> None:
    params = AnimatedImageParams(start="0s", end="2s", fps=8, width=0, height=128, format="webp", quality=60)
    (out,) = build_and_run("animated_image", params, video_clip)
    info = webp_info(out.path)
    assert (info.width, info.height) == (170, 128) and info.loop == 0
    assert abs(info.frames - 16) <= 1
    assert info.duration == pytest.approx(2.0, abs=0.25)
    assert (out.width, out.height) == (170, 128)


def test_animated_window_outside_the_clip(video_clip: Path, make_ctx) -> None:
    ctx = make_ctx("animated_image", AnimatedImageParams(start="-0.5s", end="1s"), video_clip, name="GIF")
    with pytest.raises(TaskInputError, match="'GIF'.*empty.*'clip.mp4'"):
        build_step(ctx)


# --- image sprites ---

VTT_CUE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")


def parse_vtt(text: str) -> list[tuple[float, float, str, tuple[int, int, int, int]]]:
    lines = text.split("\n")
    assert lines[0] == "WEBVTT"
    cues = []
    for i, line in enumerate(lines):
        m = VTT_CUE.match(line)
        if m:
            g = [int(x) for x in m.groups()]
            start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
            end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
            target, _, frag = lines[i + 1].partition("#xywh=")
            x, y, w, h = (int(v) for v in frag.split(","))
            cues.append((start, end, target, (x, y, w, h)))
    return cues


@pytest.mark.parametrize("interval, rows, cols, width, cell", [
    ("0.3s", 2, 3, 64, (64, 48)),
    ("1s", 5, 5, 160, (160, 120)),
    ("10%", 3, 2, 0, None),  # height only, below
])
def test_sprite_sheets_and_vtt(video_clip: Path, build_and_run, interval: str, rows: int, cols: int, width: int,
                               cell: tuple[int, int] | None) -> None:
    height = 0 if width else 60
    cell = cell or (80, 60)
    params = ImageSpriteParams(interval=interval, rows=rows, columns=cols, width=width, height=height)
    outs = build_and_run("image_sprite", params, video_clip)
    sheets, vtt = outs[:-1], outs[-1]
    seconds = float(interval[:-1]) if interval.endswith("s") else 4.0 * float(interval[:-1]) / 100
    cells = buckets(video_clip, seconds)
    assert len(sheets) == math.ceil(cells / (rows * cols))
    assert [s.path.name for s in sheets] == [f"clip_sprite_{i:02d}.jpg" for i in range(1, len(sheets) + 1)]
    for s in sheets:
        p = props(s.path, count_frames=False)
        assert (p.video[0].width, p.video[0].height) == (cols * cell[0], rows * cell[1])
    assert vtt.kind == "subtitle" and vtt.path.name == "clip_sprite.vtt"
    cues = parse_vtt(vtt.path.read_text(encoding="utf-8"))
    assert len(cues) == cells
    assert cues[0][0] == 0.0 and cues[-1][1] == pytest.approx(4.0, abs=0.05)
    for (s0, e0, *_), (s1, *_rest) in zip(cues, cues[1:]):
        assert s0 < e0 == pytest.approx(s1)
    names = {s.path.name for s in sheets}
    for _, _, target, (x, y, w, h) in cues:
        assert target in names
        assert (w, h) == cell
        assert 0 <= x and x + w <= cols * cell[0] and 0 <= y and y + h <= rows * cell[1]


def test_sprite_cells_show_their_time(video_clip: Path, build_and_run) -> None:
    outs = build_and_run("image_sprite", ImageSpriteParams(interval="1s", rows=2, columns=2, width=160, format="png"),
                         video_clip)
    sheet = frame_at(outs[0].path)
    cues = parse_vtt(outs[-1].path.read_text(encoding="utf-8"))
    assert len(cues) >= 3
    starts = [c[0] for c in cues]
    for start, _, _, (x, y, w, h) in cues:
        cell = sheet.crop(x, y, w, h)
        own = cell.mean_abs_diff(frame_at(video_clip, start, size=(w, h)))
        for other in starts:
            if other != start:
                assert own < cell.mean_abs_diff(frame_at(video_clip, other, size=(w, h))) / 2, (start, other)


def test_sprite_vtt_links_odd_names(video_clip: Path, tmp_path: Path, build_and_run) -> None:
    odd = tmp_path / "my clip #1 ü.mp4"
    shutil.copy(video_clip, odd)
    outs = build_and_run("image_sprite", ImageSpriteParams(interval="2s", rows=1, columns=1, width=64), odd)
    cues = parse_vtt(outs[-1].path.read_text(encoding="utf-8"))
    assert outs[-1].path.name == "my clip #1 ü_sprite.vtt"
    for _, _, target, _ in cues:
        assert " " not in target and "#" not in target  # URL-escaped in the VTT
        assert (outs[-1].path.parent / unquote(target)).is_file()


def test_sprite_output_name_names_the_vtt_too(video_clip: Path, build_and_run) -> None:
    params = ImageSpriteParams(interval="2s", rows=1, columns=2, width=64, output_name="thumbs_{number}.{format}")
    outs = build_and_run("image_sprite", params, video_clip)
    assert [o.path.name for o in outs] == ["thumbs_01.jpg", "thumbs.vtt"]


# --- inputs that cannot feed image tasks ---

@pytest.mark.parametrize("kind, params", [
    ("snapshot", SnapshotParams()),
    ("sample_snapshot", SampleSnapshotParams()),
    ("animated_image", AnimatedImageParams()),
    ("image_sprite", ImageSpriteParams()),
])
def test_audio_only_input_for_video_tasks(audio_only: Path, make_ctx, kind: str, params: object) -> None:
    with pytest.raises(TaskInputError) as err:
        build_step(make_ctx(kind, params, audio_only, name="My task"))
    assert "'tone.m4a' has no video stream" in str(err.value) and "'My task'" in str(err.value)
