"""The watermark task of its own: a transcode at the source size (H.264/AAC in mp4) carrying one
watermark. The overlay/drawtext chain lives in media/filters/watermark.py, shared with transcodes.
"""

from __future__ import annotations

from typing import Any, Callable

from ...model.params import TranscodeParams, WatermarkParams
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile, StreamSource
from . import common, transcode

KIND = "watermark"


def as_transcode(ctx: BuildContext) -> TranscodeParams:
    """The watermark task is a transcode at the source size, H.264/AAC in mp4, with one watermark."""
    wm = ctx.params
    assert isinstance(wm, WatermarkParams)
    audio = ctx.probe.audio_streams[0].codec if ctx.probe.audio_streams else ""
    return TranscodeParams(
        definition="watermark", container="mp4", video_codec="h264", short_side=0, crf=20,
        encoder_preset="veryfast", audio_codec="aac", audio_bitrate_kbps=160 if audio else 128,
        watermarks=[wm], output_name=wm.output_name)


def output_streams(ctx: BuildContext, source: StreamSource) -> list[Any]:
    return transcode.output_streams(ctx, source, params=as_transcode(ctx), naming_kind=KIND)


def make_finalize(ctx: BuildContext) -> Callable[[], list[OutputFile]]:
    return transcode.make_finalize(ctx, params=as_transcode(ctx), naming_kind=KIND)


def build(ctx: BuildContext) -> BuildResult:
    common.require_video(ctx)
    params = as_transcode(ctx)
    source = transcode.stream_source(ctx, common.input_stream(ctx), params)
    argv = common.compile_argv(ctx, *output_streams(ctx, source))
    return BuildResult([FFmpegJob(args=argv, duration=ctx.probe.duration, label=KIND)], make_finalize(ctx),
                       transcode.notes(ctx, params))
