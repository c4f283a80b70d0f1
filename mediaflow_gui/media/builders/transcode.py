"""Transcode: container, video codec, size, fps, CRF or bitrate, preset, audio, watermarks.

Sizes keep the source aspect and are even; `short_side` never upscales (a 480p source
asked for "HD 720p" stays 480p, as cloud services do), while an explicit width/height
is honoured. An input without audio simply gives an output without audio; a video
transcode of an audio-only input is a TaskInputError.

Real sources (media/filters/source.py decides, the caller applies): an interlaced source is
deinterlaced, an HDR source becomes BT.709 SDR unless `hdr` keeps it (auto keeps it for h265/av1:
10-bit with its colour tags and, for H.265, its mastering metadata), a full-range source becomes
limited range. Outputs say what they hold: BT.709 tags after tone-mapping, `color_range tv`.
One audio track goes out (`audio_track` picks it: the default-flagged one, a number or a
language); subtitles and data streams are dropped unless `subtitles` is keep (text subtitles
only, converted to what the container takes).

Fusion seam: `output_streams(ctx, source)` takes its streams from a StreamSource, so a
fusion (media/fusion) can feed several transcodes from one decode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import ffmpeg

from ...model.params import AUDIO_ONLY_CONTAINERS, HDR_CODECS, TranscodeParams
from .. import colour
from ..base import BuildContext, BuildResult, FFmpegJob, OutputFile, StreamSource, TaskInputError
from ..filters.source import SourceFormat
from ..filters.watermark import apply_watermarks
from . import common

KIND = "transcode"
MUXERS = {"mp4": "mp4", "webm": "webm", "mkv": "matroska", "mov": "mov", "mp3": "mp3", "m4a": "ipod"}
# each codec's encoders, best first (AV1: SVT-AV1 is several times faster than libaom at equal quality)
VIDEO_ENCODERS: dict[str, tuple[str, ...]] = {"h264": ("libx264",), "h265": ("libx265",), "vp9": ("libvpx-vp9",),
                                              "av1": ("libsvtav1", "libaom-av1")}
AUDIO_ENCODERS = {"aac": "aac", "opus": "libopus", "mp3": "libmp3lame"}
# text subtitle codecs, and what each container takes them as (bitmap subtitles are never converted)
TEXT_SUBTITLES = {"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"}
SUBTITLE_CODECS = {"mp4": "mov_text", "mov": "mov_text", "mkv": "srt", "webm": "webvtt"}
OPUS_RATES = (48000, 24000, 16000, 12000, 8000)
# x264/x265 preset names mapped onto the speed knobs of the other encoders
VP9_CPU_USED = {"ultrafast": 8, "superfast": 7, "veryfast": 6, "faster": 5, "fast": 4, "medium": 3,
                "slow": 2, "slower": 1, "veryslow": 0}
SVT_PRESET = {"ultrafast": 12, "superfast": 11, "veryfast": 10, "faster": 9, "fast": 8, "medium": 7,
              "slow": 5, "slower": 4, "veryslow": 2}


def _params(ctx: BuildContext, params: TranscodeParams | None) -> TranscodeParams:
    """`params` when given (a watermark step's compiled transcode), else the step's own."""
    return params if params is not None else common.params_of(ctx, TranscodeParams)


def wants_video(p: TranscodeParams) -> bool:
    return p.video_codec != "none" and p.container not in AUDIO_ONLY_CONTAINERS


def check_input(ctx: BuildContext, p: TranscodeParams) -> None:
    if wants_video(p):
        if not ctx.probe.has_video:
            raise TaskInputError(
                f"'{ctx.input_path.name}' has no video stream, so the video transcode {common.task_label(ctx)} "
                "cannot run on it (choose an audio-only container such as m4a for audio files)")
        common.require_picture_size(ctx)
    elif not ctx.probe.has_audio:
        raise TaskInputError(
            f"'{ctx.input_path.name}' has no audio stream, so the audio-only transcode "
            f"{common.task_label(ctx)} has nothing to encode")


def keeps_hdr(ctx: BuildContext, p: TranscodeParams) -> bool:
    """An HDR source stays HDR: asked for (keep), or auto with a codec that carries it (10-bit h265/av1)."""
    if not colour.is_hdr(ctx.probe.video) or not wants_video(p):
        return False
    return p.hdr == "keep" or (p.hdr == "auto" and p.video_codec in HDR_CODECS)


def source_format(ctx: BuildContext, p: TranscodeParams | None = None) -> SourceFormat:
    """The chain this transcode needs on its source (deinterlace, tone-map), as its parameters say."""
    p = _params(ctx, p)
    return common.video_format(ctx, hdr="keep" if keeps_hdr(ctx, p) else "tonemap", deinterlace=p.deinterlace)


def audio_position(ctx: BuildContext, p: TranscodeParams) -> int | None:
    """Which audio stream (position among the audio streams, FFmpeg's `a:N`) this transcode takes;
    None when it takes none. A track that is not there is a TaskInputError listing those that are."""
    tracks = ctx.probe.audio_streams
    if p.audio_codec == "none" or not tracks:
        return None
    wanted = p.audio_track.strip().lower()
    if not wanted:
        return next((i for i, t in enumerate(tracks) if t.default), 0)
    if wanted.isdigit():
        if 1 <= int(wanted) <= len(tracks):
            return int(wanted) - 1
    else:
        found = next((i for i, t in enumerate(tracks) if t.language == wanted), None)
        if found is not None:
            return found
    listed = ", ".join(f"{i + 1} ({t.language or 'no language'}, {t.codec})" for i, t in enumerate(tracks))
    raise TaskInputError(f"'{ctx.input_path.name}' has no audio track {p.audio_track!r} for the task "
                         f"{common.task_label(ctx)}; its audio tracks: {listed}")


def subtitle_positions(ctx: BuildContext, p: TranscodeParams) -> list[int]:
    """Positions (FFmpeg's `s:N`) of the text subtitles this transcode keeps."""
    if p.subtitles != "keep" or p.container not in SUBTITLE_CODECS:
        return []
    return [i for i, s in enumerate(ctx.probe.subtitle_streams) if s.codec in TEXT_SUBTITLES]


def output_size(ctx: BuildContext, p: TranscodeParams) -> tuple[int, int]:
    return common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height, p.short_side, upscale=False)


def output_path(ctx: BuildContext, p: TranscodeParams, naming_kind: str = KIND) -> Path:
    ext = p.container
    name = common.name_for(ctx, naming_kind, p.output_name, {"definition": p.definition, "ext": ext, "format": ext},
                           ensure_ext=ext)
    return common.staging_file(ctx, name)


def _colour_options(ctx: BuildContext, p: TranscodeParams) -> dict[str, Any]:
    """Pixel format and colour tags: what the output holds, said so that players need not guess."""
    video = ctx.probe.video
    if keeps_hdr(ctx, p) and video is not None:
        opts: dict[str, Any] = {"pix_fmt": "yuv420p10le", "color_primaries": video.color_primaries or "bt2020",
                                "color_trc": video.color_transfer, "colorspace": video.color_space or "bt2020nc",
                                "color_range": "tv"}
        return opts
    opts = {"pix_fmt": "yuv420p"}
    if source_format(ctx, p).tonemap:
        opts.update({"color_primaries": "bt709", "color_trc": "bt709", "colorspace": "bt709", "color_range": "tv"})
    elif colour.is_full_range(video):
        opts["color_range"] = "tv"
    return opts


def _x265_params(ctx: BuildContext, p: TranscodeParams) -> str:
    """x265's own parameters; for kept HDR also its VUI and static metadata (FFmpeg 5.1 passes only
    the colour tags to x265, not the mastering display or light levels)."""
    params = ["log-level=error"]
    video = ctx.probe.video
    if keeps_hdr(ctx, p) and video is not None:
        params += [f"colorprim={video.color_primaries or 'bt2020'}", f"transfer={video.color_transfer}",
                   f"colormatrix={video.color_space or 'bt2020nc'}", "range=limited"]
        meta = ctx.probe.hdr
        if video.color_transfer == colour.PQ:
            params.append("hdr10=1")
            if meta is not None and colour.x265_master_display(meta):
                params.append(f"master-display={colour.x265_master_display(meta)}")
            if meta is not None and meta.max_cll:
                params.append(f"max-cll={meta.max_cll},{meta.max_fall}")
    return ":".join(params)


def _video_options(ctx: BuildContext, p: TranscodeParams) -> dict[str, Any]:
    enc = common.require_encoder(ctx, *VIDEO_ENCODERS[p.video_codec], fix="choose another video codec")
    opts: dict[str, Any] = {"c:v": enc, **_colour_options(ctx, p)}
    if p.video_bitrate_kbps > 0:
        opts["b:v"] = f"{p.video_bitrate_kbps}k"
    if enc in ("libx264", "libx265"):
        opts["preset"] = p.encoder_preset
        if p.video_bitrate_kbps <= 0:
            opts["crf"] = p.crf
        if enc == "libx265":
            opts["x265-params"] = _x265_params(ctx, p)
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
    elif enc == "libaom-av1":  # the fallback when an FFmpeg has no SVT-AV1: same quality scale, row threads
        opts.update({"cpu-used": min(8, VP9_CPU_USED[p.encoder_preset] + 2), "row-mt": 1})
        if p.video_bitrate_kbps <= 0:
            opts.update({"crf": min(63, round(p.crf * 63 / 51)), "b:v": 0})
    return opts


def _audio_options(ctx: BuildContext, p: TranscodeParams) -> dict[str, Any]:
    enc = common.require_encoder(ctx, AUDIO_ENCODERS[p.audio_codec], fix="choose another audio codec")
    opts: dict[str, Any] = {"c:a": enc, "b:a": f"{p.audio_bitrate_kbps}k"}
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
    """The ffmpeg-python output node(s) of this transcode, fed from `source`.

    `source.video` must already carry this transcode's source chain (source_format()); `source.audio`
    must be the track audio_position() names."""
    p = _params(ctx, params)
    check_input(ctx, p)
    streams: list[Any] = []
    opts: dict[str, Any] = {"f": MUXERS[p.container]}
    if wants_video(p):
        w, h = output_size(ctx, p)
        video = source.video
        if p.fps > 0:
            video = video.filter("fps", fps=f"{p.fps:g}")
        scale: dict[str, Any] = {"w": w, "h": h}
        if colour.is_full_range(ctx.probe.video) and not source_format(ctx, p).tonemap:
            scale["out_range"] = "tv"  # webcam/MJPEG full range: limited range is what players expect
        video = video.filter("scale", **scale).filter("setsar", "1")
        if p.watermarks:
            video = apply_watermarks(ctx, video, p.watermarks, w, h)
        streams.append(video)
        opts.update(_video_options(ctx, p))
    if p.audio_codec != "none" and ctx.probe.has_audio and source.audio is not None:
        streams.append(source.audio)
        opts.update(_audio_options(ctx, p))
    if source.subtitles and p.container in SUBTITLE_CODECS:
        streams.extend(source.subtitles)
        opts["c:s"] = SUBTITLE_CODECS[p.container]
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


def stream_source(ctx: BuildContext, inp: Any, p: TranscodeParams, video: Any = None) -> StreamSource:
    """This transcode's streams from the input node `inp`: its audio track and kept subtitles, and its
    prepared video (`video` when the caller prepared it already, as a fused group does)."""
    if video is None and ctx.probe.has_video and wants_video(p):
        video = common.prepared(ctx, inp["v:0"], source_format(ctx, p))
    track = audio_position(ctx, p)
    return StreamSource(video=video, audio=inp[f"a:{track}"] if track is not None else None,
                        subtitles=tuple(inp[f"s:{i}"] for i in subtitle_positions(ctx, p)))


def notes(ctx: BuildContext, p: TranscodeParams) -> list[str]:
    """What this transcode does differently from the letter of its parameters (in words)."""
    out = common.source_notes(ctx, source_format(ctx, p)) if wants_video(p) else []
    if p.subtitles == "keep" and ctx.probe.subtitle_streams:
        kept = set(subtitle_positions(ctx, p))
        dropped = [s.codec for i, s in enumerate(ctx.probe.subtitle_streams) if i not in kept]
        if dropped:
            out.append(f"subtitles not kept: {', '.join(dropped)} (only text subtitles are converted, "
                       "into mp4, mov, mkv or webm)")
    return out


def build(ctx: BuildContext, *, params: TranscodeParams | None = None, naming_kind: str = KIND) -> BuildResult:
    p = _params(ctx, params)
    check_input(ctx, p)
    inp = common.input_stream(ctx)
    argv = common.compile_argv(ctx, *output_streams(ctx, stream_source(ctx, inp, p), params=p,
                                                    naming_kind=naming_kind))
    return BuildResult([FFmpegJob(args=argv, duration=ctx.probe.duration, label=naming_kind)],
                       make_finalize(ctx, params=p, naming_kind=naming_kind), notes(ctx, p))
