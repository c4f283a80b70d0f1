"""Helpers every builder shares: input checks, sizes, times, argv assembly, output listing.

Sizes are computed here in Python from the probe (display size, so rotation is already
applied: FFmpeg turns rotated frames before our filters run), which makes every output
size known before FFmpeg starts and keeps the filter graphs free of size expressions.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, TypeVar

import ffmpeg

from ...model.kinds import resolve_task_kind
from ...model.values import parse_offset
from ..base import (BuildContext, BuildResult, FFmpegJob, MediaInfo, MissingCapabilityError, OutputFile,
                    StreamSource, TaskInputError)
from ..ffmpeg_caps import FFmpegCaps, capabilities
from ..ffmpeg_python_fix import install as _hash_any_path
from ..filters import source as source_filters
from ..naming import input_values, name_max, render, template_for

_hash_any_path()  # graph nodes for files whose names are not valid UTF-8 (see ffmpeg_python_fix)

# a small margin so a frame exactly on an interval boundary is not lost to float rounding
_EPS = 1e-4


P = TypeVar("P")


def params_of(ctx: BuildContext, kind: type[P]) -> P:
    """The step's parameters as the builder's own type (TypeError naming both when they do not match)."""
    if not isinstance(ctx.params, kind):
        raise TypeError(f"the {kind.__name__} builder got {type(ctx.params).__name__} for {task_label(ctx)}")
    return ctx.params


def task_label(ctx: BuildContext) -> str:
    kind = resolve_task_kind(ctx.task_kind)
    title = kind.title.lower() if kind else ctx.task_kind
    return f"'{ctx.step_name}' ({title})"


def require_video(ctx: BuildContext) -> None:
    """A video task on a file without pictures cannot run: say which file and which task."""
    if not ctx.probe.has_video:
        raise TaskInputError(
            f"'{ctx.input_path.name}' has no video stream, so the task {task_label(ctx)} cannot run on it")
    require_picture_size(ctx)


# the smallest picture a video task reads: every output size is even and at least 2 (even()), and a
# 1-pixel side scales to nothing for the filters that follow it (FFmpeg: "Rescaled dimensions 1x0")
MIN_VIDEO_SIDE = 2


def require_picture_size(ctx: BuildContext) -> None:
    """A picture below MIN_VIDEO_SIDE on a side (or of unknown size) is refused before FFmpeg starts,
    naming the file, its size and the task."""
    w, h = ctx.probe.width, ctx.probe.height
    if w >= MIN_VIDEO_SIDE and h >= MIN_VIDEO_SIDE:
        return
    size = f"is {w}×{h}" if w > 0 and h > 0 else "does not say its picture size"
    raise TaskInputError(f"'{ctx.input_path.name}' {size}; the task {task_label(ctx)} needs at least "
                         f"{MIN_VIDEO_SIDE}×{MIN_VIDEO_SIDE}")


def caps(ctx: BuildContext) -> FFmpegCaps:
    """What the FFmpeg this step runs can do (probed once per binary, cached)."""
    return capabilities(ctx.ffmpeg)


def _lacks(ctx: BuildContext, what: str, fix: str) -> MissingCapabilityError:
    c = caps(ctx)
    return MissingCapabilityError(
        f"the task {task_label(ctx)} needs {what}, which FFmpeg {c.version_text} at {c.path} does not have; "
        f"{fix}, or use an FFmpeg that has it (clear Settings → FFmpeg or MEDIAFLOW_FFMPEG for the bundled one, "
        "or give --ffmpeg)")


def require_encoder(ctx: BuildContext, *names: str, fix: str = "choose another format") -> str:
    """The first of `names` the FFmpeg in use can encode with; MissingCapabilityError naming the task if none."""
    found = caps(ctx).first_encoder(*names)
    if found is None:
        raise _lacks(ctx, f"the encoder {' or '.join(names)}", fix)
    return found


def require_filter(ctx: BuildContext, name: str, fix: str) -> None:
    if not caps(ctx).has_filter(name):
        raise _lacks(ctx, f"the filter {name}", fix)


def video_format(ctx: BuildContext, *, hdr: str = "tonemap",
                 deinterlace: str = "auto") -> source_filters.SourceFormat:
    """The chain this step's video needs before its own filters (deinterlace, HDR→SDR)."""
    return source_filters.source_format(ctx.probe, hdr=hdr, deinterlace=deinterlace)


def prepared(ctx: BuildContext, video: Any, fmt: source_filters.SourceFormat | None = None) -> Any:
    """`video` (a decoded stream of this step's input) with its source chain appended."""
    fmt = fmt if fmt is not None else video_format(ctx)
    return source_filters.prepare(video, fmt, ctx.probe, caps=caps(ctx), workdir=Path(ctx.staging_dir))


def source_notes(ctx: BuildContext, fmt: source_filters.SourceFormat) -> list[str]:
    """What a person should know about how the source was treated (an approximation, in words)."""
    if fmt.tonemap and source_filters.tonemap_path(caps(ctx)) == "lut":
        c = caps(ctx)
        return [f"HDR tone-mapped with MediaFlow's LUT approximation: FFmpeg {c.version_text} at {c.path} "
                "has no zscale"]
    return []


def require_duration(ctx: BuildContext) -> float:
    """The input's duration in seconds; a task that places things in time needs one above zero."""
    duration = ctx.probe.duration
    if not duration or duration <= 0:
        raise TaskInputError(
            f"'{ctx.input_path.name}' has no known duration (a still image or a broken file?), "
            f"so the task {task_label(ctx)} cannot place its time points")
    return duration


def frame_duration(info: MediaInfo) -> float:
    return 1.0 / info.fps if info.fps > 0 else 0.04


def last_frame_time(info: MediaInfo) -> float:
    """Time of the last video frame: from the frame count when known (the video may end before the audio)."""
    duration = info.duration or 0.0
    if info.video_streams:
        vs = info.video_streams[0]
        if vs.frames > 0 and vs.fps > 0:
            return max(0.0, min(duration, (vs.frames - 1) / vs.fps) if duration else (vs.frames - 1) / vs.fps)
    return max(0.0, duration - frame_duration(info))


def seconds(ctx: BuildContext, text: str, name: str) -> float:
    """A parameter's offset (`3.5s`, `10%`, negative from the end) in seconds, as TaskInputError if unusable."""
    try:
        return parse_offset(text).seconds(ctx.probe.duration)
    except ValueError as exc:
        raise TaskInputError(f"{name} of the task {task_label(ctx)}: {exc}") from exc


def interval_seconds(ctx: BuildContext, text: str) -> float:
    duration = require_duration(ctx)
    iv = seconds(ctx, text, "interval")
    if iv <= 0:
        raise TaskInputError(f"the interval of the task {task_label(ctx)} must be above zero, not {text!r}")
    return min(iv, duration) if iv > duration else iv


def bucket_select(interval: float) -> str:
    """A select expression taking the first frame of every `interval`-long bucket.

    Unlike "t - prev_selected_t >= interval" it does not drift when the interval is not a
    multiple of the frame duration, so the number of frames is predictable (bucket_count).
    """
    return (f"isnan(prev_selected_t)+gt(floor((t+{_EPS})/{interval:.6f}),"
            f"floor((prev_selected_t+{_EPS})/{interval:.6f}))")


def bucket_count(info: MediaInfo, interval: float) -> int:
    """How many frames bucket_select keeps for this input."""
    return int(math.floor((last_frame_time(info) + _EPS) / interval)) + 1


def even(value: float) -> int:
    """The nearest even integer ≥ 2 (H.264 and yuv420p need even sizes); halfway rounds up, so an
    anamorphic 853-wide display (720 × 32/27 = 853.3) becomes 854, as FFmpeg's own `-2` would."""
    return max(2, int(math.floor(value / 2.0 + 0.5)) * 2)


def fit_size(src_w: int, src_h: int, width: int = 0, height: int = 0, short_side: int = 0,
             upscale: bool = True) -> tuple[int, int]:
    """Output size with the source aspect kept and even sides.

    short_side > 0 wins: the shorter side becomes short_side (never above the source when
    upscale is False). width and height both given: the largest size inside that box.
    One of them: the other follows the aspect. Neither: the source size.
    """
    if src_w <= 0 or src_h <= 0:
        raise ValueError("the source size is unknown")
    aspect = src_w / src_h
    if short_side > 0:
        target = short_side if upscale else min(short_side, min(src_w, src_h))
        if src_w <= src_h:
            w, h = target, target / aspect
        else:
            w, h = target * aspect, target
    elif width > 0 and height > 0:
        scale = min(width / src_w, height / src_h)
        w, h = src_w * scale, src_h * scale
    elif width > 0:
        w, h = width, width / aspect
    elif height > 0:
        w, h = height * aspect, height
    else:
        w, h = src_w, src_h
    return even(w), even(h)


def input_stream(ctx: BuildContext, **kwargs: Any) -> Any:
    """The step's input as an ffmpeg-python node; always an absolute path, so a leading '-' is harmless."""
    return ffmpeg.input(str(Path(ctx.input_path).resolve()), **kwargs)


def output_kwargs(ctx: BuildContext, **kwargs: Any) -> dict[str, Any]:
    if ctx.threads > 0:
        kwargs.setdefault("threads", ctx.threads)
    return kwargs


def build_video_only(ctx: BuildContext, output_streams: Any, make_finalize: Any, label: str) -> BuildResult:
    """The whole build of a kind that reads only the video stream and writes one job's outputs
    (sampled snapshots, sprites): its own decode fed through the kind's fusion seam."""
    require_video(ctx)
    fmt = video_format(ctx)
    source = StreamSource(video=prepared(ctx, input_stream(ctx)["v:0"], fmt))
    argv = compile_argv(ctx, *output_streams(ctx, source))
    return BuildResult([FFmpegJob(args=argv, duration=ctx.probe.duration, label=label)], make_finalize(ctx),
                       source_notes(ctx, fmt))


def compile_argv(ctx: BuildContext, *outputs: Any) -> list[str]:
    """argv for one FFmpeg process: global flags right after the binary, outputs last.

    ffmpeg-python appends `-y` after the outputs; we put our globals first instead so
    the runner can insert `-progress pipe:1 -nostats` after args[0] and the last
    arguments stay the output files. `-y` is safe: outputs go to the private staging dir.
    """
    node = outputs[0] if len(outputs) == 1 else ffmpeg.merge_outputs(*outputs)
    return [ctx.ffmpeg, "-hide_banner", "-nostdin", "-y", *node.get_args()]


def vfr_kwargs(ctx: BuildContext) -> dict[str, str]:
    """Keep only the frames the filters chose (no duplicates for a constant rate).

    `-fps_mode` appeared in FFmpeg 5.1; older builds (Ubuntu 22.04's 4.4) only know `-vsync`.
    """
    return {"fps_mode": "vfr"} if caps(ctx).has_option("fps_mode") else {"vsync": "vfr"}


def staging_file(ctx: BuildContext, name: str) -> Path:
    return Path(ctx.staging_dir).resolve() / name


def name_for(ctx: BuildContext, kind: str, output_name: str, values: dict[str, object], *,
             sequence: bool = False, ensure_ext: str | None = None) -> str:
    vals = input_values(ctx.source_name, Path(ctx.input_path), ctx.step_name)
    vals.update(values)
    return render(template_for(kind, output_name, ctx.name_templates), vals, sequence=sequence,
                  ensure_ext=ensure_ext, limit=name_limit(ctx))


def name_limit(ctx: BuildContext) -> int:
    """NAME_MAX of the file system the step writes to (its staging dir, next to the outputs)."""
    return name_max(ctx.staging_dir)


def describe_output(path: Path, kind: str) -> OutputFile:
    """An OutputFile with real properties read back from the file (cheap: header only)."""
    from ..probe import MediaProbeError, probe

    out = OutputFile(path=path, kind=kind, size=path.stat().st_size)
    if path.suffix.lower() == ".webp":
        # FFmpeg cannot demux animated WebP; its RIFF header tells size, frames and duration
        from ..webp_info import NotWebPError, webp_info

        try:
            info = webp_info(path)
        except NotWebPError:
            return out
        out.width, out.height = info.width, info.height
        out.duration = info.duration if kind == "animation" else None
        out.extra.update({"codec": "webp", "frames": info.frames})
        return out
    if kind in ("video", "audio", "image", "animation"):
        try:
            info = probe(path)
        except MediaProbeError:
            return out  # the file exists and FFmpeg succeeded; the size alone still helps
        out.width, out.height = info.width, info.height
        out.duration = info.duration if kind in ("video", "audio", "animation") else None
        if info.video_streams:
            out.extra["codec"] = info.video_streams[0].codec
        elif info.audio_streams:
            out.extra["codec"] = info.audio_streams[0].codec
        if kind in ("video", "audio"):  # the streams as written (the task query's Video/AudioStreamSet)
            out.extra["streams"] = {
                "video": [{"codec": s.codec, "width": s.width, "height": s.height, "fps": s.fps,
                           "bitrate": s.bitrate} for s in info.video_streams],
                "audio": [{"codec": s.codec, "sample_rate": s.sample_rate, "channels": s.channels,
                           "bitrate": s.bitrate} for s in info.audio_streams]}
    return out


class OutputMissingError(RuntimeError):
    """FFmpeg exited 0 but an expected file is not there (the input ended early, …)."""


def missing_output(ctx: BuildContext, path: Path) -> OutputMissingError:
    return OutputMissingError(
        f"FFmpeg finished the task {task_label(ctx)} on '{ctx.input_path.name}' without writing {path.name}")


IMAGE_ENCODERS = {"jpg": "mjpeg", "png": "png", "webp": "libwebp"}


def image_codec_kwargs(fmt: str, ctx: BuildContext | None = None) -> dict[str, Any]:
    """Encoder options for still images written by the image2 muxer (which also handles webp stills).

    With `ctx`, the encoder is checked against the FFmpeg in use first (MissingCapabilityError)."""
    if fmt not in IMAGE_ENCODERS:
        raise ValueError(f"unknown image format {fmt!r}")
    if ctx is not None:
        require_encoder(ctx, IMAGE_ENCODERS[fmt], fix="choose jpg or png")
    if fmt == "jpg":
        return {"c:v": "mjpeg", "q:v": 2, "f": "image2"}
    if fmt == "png":
        return {"c:v": "png", "f": "image2"}
    return {"c:v": "libwebp", "quality": 85, "f": "image2"}
