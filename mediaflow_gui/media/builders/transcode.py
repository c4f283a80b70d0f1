"""Transcode: container, video codec, size, fps, CRF or bitrate, preset, audio, watermarks.

Sizes keep the source aspect and are even; `short_side` never upscales (a 480p source
asked for "HD 720p" stays 480p, as cloud services do), while an explicit width/height
is honoured. An input without audio simply gives an output without audio; a video
transcode of an audio-only input is a TaskInputError.

Fusion seam: `output_streams(ctx, source)` takes its streams from a StreamSource, so a
planner can feed several transcodes from one decode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import ffmpeg

from ...model.params import AUDIO_ONLY_CONTAINERS, TranscodeParams
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile, StreamSource, TaskInputError
from . import common
from .watermark import apply_watermarks

KIND = "transcode"
MUXERS = {"mp4": "mp4", "webm": "webm", "mkv": "matroska", "mov": "mov", "mp3": "mp3", "m4a": "ipod"}
VIDEO_ENCODERS = {"h264": "libx264", "h265": "libx265", "vp9": "libvpx-vp9", "av1": "libsvtav1"}
AUDIO_ENCODERS = {"aac": "aac", "opus": "libopus", "mp3": "libmp3lame"}
OPUS_RATES = (48000, 24000, 16000, 12000, 8000)
# x264/x265 preset names mapped onto the speed knobs of the other encoders
VP9_CPU_USED = {"ultrafast": 8, "superfast": 7, "veryfast": 6, "faster": 5, "fast": 4, "medium": 3,
                "slow": 2, "slower": 1, "veryslow": 0}
SVT_PRESET = {"ultrafast": 12, "superfast": 11, "veryfast": 10, "faster": 9, "fast": 8, "medium": 7,
              "slow": 5, "slower": 4, "veryslow": 2}


def _params(ctx: BuildContext, params: TranscodeParams | None) -> TranscodeParams:
    p = params if params is not None else ctx.params
    if not isinstance(p, TranscodeParams):
        raise TypeError(f"the transcode builder got {type(p).__name__}")
    return p


def wants_video(p: TranscodeParams) -> bool:
    return p.video_codec != "none" and p.container not in AUDIO_ONLY_CONTAINERS


def check_input(ctx: BuildContext, p: TranscodeParams) -> None:
    if wants_video(p):
        if not ctx.probe.has_video:
            raise TaskInputError(
                f"'{ctx.input_path.name}' has no video stream, so the video transcode {common.task_label(ctx)} "
                "cannot run on it (choose an audio-only container such as m4a for audio files)")
    elif not ctx.probe.has_audio:
        raise TaskInputError(
            f"'{ctx.input_path.name}' has no audio stream, so the audio-only transcode "
            f"{common.task_label(ctx)} has nothing to encode")


def output_size(ctx: BuildContext, p: TranscodeParams) -> tuple[int, int]:
    return common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height, p.short_side, upscale=False)


def output_path(ctx: BuildContext, p: TranscodeParams, naming_kind: str = KIND) -> Path:
    ext = p.container
    name = common.name_for(ctx, naming_kind, p.output_name, {"definition": p.definition, "ext": ext, "format": ext},
                           ensure_ext=ext)
    return common.staging_file(ctx, name)


def _video_options(p: TranscodeParams) -> dict[str, Any]:
    enc = VIDEO_ENCODERS[p.video_codec]
    opts: dict[str, Any] = {"c:v": enc, "pix_fmt": "yuv420p"}
    if p.video_bitrate_kbps > 0:
        opts["b:v"] = f"{p.video_bitrate_kbps}k"
    if enc in ("libx264", "libx265"):
        opts["preset"] = p.encoder_preset
        if p.video_bitrate_kbps <= 0:
            opts["crf"] = p.crf
        if enc == "libx265":
            opts["x265-params"] = "log-level=error"
            if p.container in ("mp4", "mov"):
                opts["tag:v"] = "hvc1"  # Apple players refuse HEVC tagged hev1
    elif enc == "libvpx-vp9":
        opts.update({"deadline": "good", "cpu-used": VP9_CPU_USED[p.encoder_preset], "row-mt": 1})
        if p.video_bitrate_kbps <= 0:
            opts.update({"crf": min(63, round(p.crf * 63 / 51)), "b:v": 0})  # b:v 0 selects constant quality
    elif enc == "libsvtav1":
        opts["preset"] = SVT_PRESET[p.encoder_preset]
        if p.video_bitrate_kbps <= 0:
            opts["crf"] = min(63, round(p.crf * 63 / 51))
    return opts


def _audio_options(ctx: BuildContext, p: TranscodeParams) -> dict[str, Any]:
    opts: dict[str, Any] = {"c:a": AUDIO_ENCODERS[p.audio_codec], "b:a": f"{p.audio_bitrate_kbps}k"}
    rate = p.sample_rate
    if p.audio_codec == "opus" and rate and rate not in OPUS_RATES:
        rate = 48000  # Opus only runs at these rates; 44100 and friends would fail
    if rate:
        opts["ar"] = rate
    channels = p.channels
    if p.audio_codec in ("opus", "mp3") and channels > 2:
        channels = 2  # these encoders need extra mapping setup beyond stereo; stereo is what a person expects
    if channels:
        opts["ac"] = channels
    return opts


def output_streams(ctx: BuildContext, source: StreamSource, *, params: TranscodeParams | None = None,
                   naming_kind: str = KIND) -> list[Any]:
    """The ffmpeg-python output node(s) of this transcode, fed from `source`."""
    p = _params(ctx, params)
    check_input(ctx, p)
    streams: list[Any] = []
    opts: dict[str, Any] = {"f": MUXERS[p.container]}
    if wants_video(p):
        w, h = output_size(ctx, p)
        video = source.video
        if p.fps > 0:
            video = video.filter("fps", fps=f"{p.fps:g}")
        video = video.filter("scale", w=w, h=h).filter("setsar", "1")
        if p.watermarks:
            video = apply_watermarks(ctx, video, p.watermarks, w, h)
        streams.append(video)
        opts.update(_video_options(p))
    if p.audio_codec != "none" and ctx.probe.has_audio and source.audio is not None:
        streams.append(source.audio)
        opts.update(_audio_options(ctx, p))
    if p.container in ("mp4", "mov", "m4a"):
        opts["movflags"] = "+faststart"  # playable while downloading
    out = ffmpeg.output(*streams, str(output_path(ctx, p, naming_kind)), **common.output_kwargs(ctx, **opts))
    return [out]


def make_finalize(ctx: BuildContext, *, params: TranscodeParams | None = None,
                  naming_kind: str = KIND) -> Callable[[], list[OutputFile]]:
    p = _params(ctx, params)
    path = output_path(ctx, p, naming_kind)
    kind = "video" if wants_video(p) else "audio"

    def finalize() -> list[OutputFile]:
        if not path.is_file():
            raise common.missing_output(ctx, path)
        return [common.describe_output(path, kind)]

    return finalize


def build(ctx: BuildContext) -> BuildResult:
    p = _params(ctx, None)
    check_input(ctx, p)
    inp = common.input_stream(ctx)
    source = StreamSource(video=inp["v:0"] if ctx.probe.has_video else None,
                          audio=inp["a:0"] if ctx.probe.has_audio else None)
    argv = common.compile_argv(ctx, *output_streams(ctx, source))
    return BuildResult([FFmpegJob(args=argv, duration=ctx.probe.duration, label=KIND)], make_finalize(ctx))
