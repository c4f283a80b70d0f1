"""One FFmpeg job for a group of steps: the input opened and decoded once.

`build_fused()` prepares the decoded video once per distinct SourceFormat of the members (what a
source needs before any output: deinterlacing, HDR→SDR tone-mapping, media/filters/source.py),
splits the prepared frames to the members (`_VideoFeed`), gives each member the audio track it
reads (one asplit per track), and lets each member's builder add its own outputs
(`output_streams(ctx, source)`), encoder settings and `make_finalize(ctx)`. Time-point snapshots
ride along (media/fusion/seeking.py). Progress: `-stats_enc_pre` on the steadiest video output
where the FFmpeg has it (6.1+); else a `metadata=mode=print` tap on the decode writes each frame's
time to a file the runner follows (FFmpeg 5.1's -progress says nothing until every output has
started, then jumps to the furthest stream, usually the audio). A member whose builder rejects
the input (TaskInputError) is left out (`rejected`) and fails on its own.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from ...model.params import TranscodeParams
from ..base import BuildContext, FFmpegJob, OutputFile, StreamSource
from ..builders import BUILDERS, common
from ..builders import snapshot as snapshot_builder
from ..builders import transcode as transcode_builder
from ..builders import watermark as watermark_builder
from ..filters.source import SourceFormat
from .owners import FusedJob, map_owners, staging_prefix
from .rules import PASSENGERS, kind_of
from .seeking import decoded_point_outputs, seek_outputs

def _transcode_params(ctx: BuildContext) -> TranscodeParams | None:
    """The transcode parameters of a transcode or watermark member (a watermark task is a transcode)."""
    kind = kind_of(ctx)
    if kind == "transcode":
        return common.params_of(ctx, TranscodeParams)
    return watermark_builder.params(ctx) if kind == "watermark" else None


def _needs(ctx: BuildContext) -> tuple[bool, int | None]:
    """(needs the video stream, the audio track it reads: position among the audio streams or None)."""
    params = _transcode_params(ctx)
    if params is not None:
        video = transcode_builder.wants_video(params) and ctx.probe.has_video
        return video, transcode_builder.audio_position(ctx, params)
    return ctx.probe.has_video, None


def member_format(ctx: BuildContext) -> SourceFormat:
    """The source chain (deinterlace, tone-map) a member's video needs: members with equal formats
    share one chain in a fused process."""
    params = _transcode_params(ctx)
    if params is not None:
        return transcode_builder.source_format(ctx, params)
    return common.video_format(ctx)


class _VideoFeed:
    """Hands out the group's decoded video, prepared per SourceFormat, one branch per consumer.

    The decode is split once per distinct deinterlacing, each deinterlaced branch once per distinct
    tone-mapping, each prepared branch once per consumer: every filter of a source chain runs once
    per process, however many outputs read its frames (DESIGN.md: per-frame source filters run
    before the split, never once per output).
    """

    def __init__(self, decoded: Any, wanted: dict[SourceFormat, int], first: BuildContext) -> None:
        self._queues: dict[SourceFormat, list[Any]] = {}
        by_deint: dict[tuple[str, bool], list[SourceFormat]] = {}
        for fmt in wanted:
            by_deint.setdefault((fmt.parity, fmt.deint_all), []).append(fmt)
        deint_streams = _fan(decoded, len(by_deint))
        for (parity, deint_all), fmts in by_deint.items():
            stream = common.prepared(first, next(deint_streams), SourceFormat(parity=parity, deint_all=deint_all))
            tone_streams = _fan(stream, len(fmts))
            for fmt in fmts:
                prepared = common.prepared(first, next(tone_streams), SourceFormat(tonemap=fmt.tonemap,
                                                                                   peak=fmt.peak))
                self._queues[fmt] = list(_fan(prepared, wanted[fmt]))

    def take(self, fmt: SourceFormat) -> Any:
        return self._queues[fmt].pop(0)


def _fan(stream: Any, count: int, audio: bool = False) -> Any:
    """`count` branches of `stream` (the stream itself when one is enough)."""
    if count <= 1:
        yield stream
        return
    split = stream.asplit() if audio else stream.split()
    for i in range(count):
        yield split[i]


def build_fused(ctxs: list[BuildContext], threads: int) -> FusedJob:
    """One FFmpeg job feeding every member from one decode of their shared input.

    `threads` is the group's share of the thread budget: it becomes the decoder's threads, the
    filter graph's threads and each encoder's `-threads` (encoders of one process run side by
    side, so the slowest can use the whole share once the others are done).
    Members whose builder rejects the input are left out and listed in `rejected`.
    """
    if not ctxs:
        raise ValueError("a fused job needs at least one step")
    first = ctxs[0]
    if any(Path(c.input_path).resolve() != Path(first.input_path).resolve() for c in ctxs):
        raise ValueError("fused steps must read the same input")
    members = [replace(c, threads=threads) for c in ctxs]
    rejected: dict[str, Exception] = {}

    # dry run on plain input streams: a builder that refuses the input must not break the others
    probe_input = common.input_stream(first)
    for ctx in list(members):
        try:
            if kind_of(ctx) in PASSENGERS:
                BUILDERS[kind_of(ctx)].build(ctx)
                continue
            params = _transcode_params(ctx)
            if params is not None:
                BUILDERS[kind_of(ctx)].output_streams(ctx, transcode_builder.stream_source(ctx, probe_input, params))
            else:
                BUILDERS[kind_of(ctx)].output_streams(ctx, StreamSource(
                    video=common.prepared(ctx, probe_input["v:0"]) if ctx.probe.has_video else None))
        except Exception as exc:  # recorded for that member only; it fails on its own
            rejected[ctx.step_id] = exc
            members.remove(ctx)
    if not members:
        return FusedJob(FFmpegJob([], None), [], {}, rejected)

    riders = [c for c in members if kind_of(c) in PASSENGERS]
    members = [c for c in members if kind_of(c) not in PASSENGERS] + riders  # decode sharers first
    sharers = [c for c in members if kind_of(c) not in PASSENGERS]
    needs = [_needs(c) for c in sharers]
    inp = common.input_stream(first, threads=threads) if threads > 0 else common.input_stream(first)
    # time-point snapshots take their frames from the video decode when there is one (docstring), and
    # from a decode of their own in the group when the input's container cannot seek reliably
    from_decode = first.probe.has_video and (any(v for v, _ in needs) or not snapshot_builder.seeks_reliably(first))
    rider_points = {c.step_id: snapshot_builder.distinct_points(c) for c in riders} if from_decode else {}
    formats = {c.step_id: member_format(c) for c in members}
    wanted: dict[SourceFormat, int] = {}
    for ctx, (want_v, _) in zip(sharers, needs):
        if want_v:
            wanted[formats[ctx.step_id]] = wanted.get(formats[ctx.step_id], 0) + 1
    for ctx in riders:
        if from_decode:
            wanted[formats[ctx.step_id]] = wanted.get(formats[ctx.step_id], 0) + len(rider_points[ctx.step_id])
    decoded = inp["v:0"]
    stats_path: str | None = None
    tapped = not common.caps(first).has_option("stats_enc_pre") and wanted
    if tapped:  # this FFmpeg cannot log an encoder's frames: a print tap on the decode carries progress
        stats_path = _progress_log_path(sharers)
        decoded = (decoded.filter("metadata", mode="add", key=_TAP_KEY, value="1")
                   .filter("metadata", mode="print", key=_TAP_KEY, file=stats_path, direct=1))
    feed = _VideoFeed(decoded, wanted, first) if wanted else None
    tracks: dict[int, int] = {}
    for _, track in needs:
        if track is not None:
            tracks[track] = tracks.get(track, 0) + 1
    audio_feeds = {track: list(_fan(inp[f"a:{track}"], count, audio=True)) for track, count in tracks.items()}
    outputs: list[Any] = []

    def next_video(ctx: BuildContext) -> Any:
        assert feed is not None
        return feed.take(formats[ctx.step_id])

    finalizers: dict[str, Callable[[], list[OutputFile]]] = {}
    notes: dict[str, list[str]] = {}
    for ctx in riders:
        if from_decode:
            rider_outputs, finalizers[ctx.step_id] = decoded_point_outputs(
                ctx, rider_points[ctx.step_id], lambda ctx=ctx: next_video(ctx))
        else:  # their own seeking inputs: nothing decodes the video for them here
            rider_outputs, finalizers[ctx.step_id] = seek_outputs(ctx, per_input=threads)
        notes[ctx.step_id] = common.source_notes(ctx, formats[ctx.step_id])
        outputs += rider_outputs
    for ctx, (want_v, track) in zip(sharers, needs):
        params = _transcode_params(ctx)
        video = next_video(ctx) if want_v else None
        audio = audio_feeds[track].pop(0) if track is not None else None
        if params is not None:
            source = transcode_builder.stream_source(ctx, inp, params, video=video)
            source = replace(source, audio=audio)
            notes[ctx.step_id] = transcode_builder.notes(ctx, params)
        else:
            source = StreamSource(video=video)
            notes[ctx.step_id] = common.source_notes(ctx, formats[ctx.step_id])
        outputs += BUILDERS[kind_of(ctx)].output_streams(ctx, source)
    argv = common.compile_argv(first, *outputs)
    if threads > 0:
        argv[1:1] = ["-filter_threads", str(threads)]
    finalizers.update({c.step_id: BUILDERS[kind_of(c)].make_finalize(c) for c in members if c not in riders})
    names = ", ".join(f"'{c.step_name}'" for c in members)
    if not tapped:
        stats_path = _add_progress_stats(argv, sharers)
    job = FFmpegJob(args=argv, duration=first.probe.duration, label=f"fused: {names}", stats_file=stats_path,
                    stats_only=bool(tapped))
    fused = FusedJob(job, members, finalizers, rejected, notes=notes)
    map_owners(fused, argv)
    return fused


_TAP_KEY = "mediaflow_progress"


def _progress_log_path(sharers: list[BuildContext]) -> str:
    """Where the progress tap of a fused process writes: the first sharer's staging dir."""
    return str(Path(staging_prefix(sharers[0])) / ".mediaflow-progress.txt")


# kinds whose video output runs through the whole input at the source's pace, best first
_PACE_KINDS = ("transcode", "watermark", "sample_snapshot")


def _add_progress_stats(argv: list[str], sharers: list[BuildContext]) -> str | None:
    """Ask FFmpeg to log each frame's timestamp for the member whose output follows the whole input
    steadily; insert the options before that member's first output file. Returns the log's path."""
    for kind in _PACE_KINDS:
        for ctx in sharers:
            if kind_of(ctx) != kind or getattr(ctx.params, "video_codec", "") == "none":
                continue
            prefix = staging_prefix(ctx)
            at = next((i for i, a in enumerate(argv) if i > 0 and str(a).startswith(prefix)), None)
            if at is None:
                continue
            path = str(Path(prefix) / ".mediaflow-progress.txt")
            argv[at:at] = ["-stats_enc_pre:v:0", path, "-stats_enc_pre_fmt:v:0", "{t}"]
            return path
    return None


