"""The fusion planner: sibling steps that read one input share one FFmpeg process and one decode.

Given the steps that are ready at the same moment and read the same file, `plan_groups()`
decides which of them run together; `build_fused()` turns one group into a single FFmpeg
job: the input is opened and decoded once, `split` / `asplit` feed each member's own
`output_streams(ctx, source)` (media/builders), and every member keeps its own outputs,
encoder settings and `make_finalize(ctx)`. `FusedJob.culprits()` maps FFmpeg's error lines
back to the members they name (output index, filter instance, input index, file path).

When fusion pays (the rule, measured with benchmarks/standard_workflow.py on a 2-core machine:
fused 0.69x the wall time of separate commands, as close to the hand-written fused command as
the engine's own work allows):
- "Full-pass" members (transcode, watermark, sampled snapshots, image sprite) decode the whole
  input anyway: two or more of them always fuse (each one saved is a whole decode saved).
- A windowed member (animated image) only joins a group that has a full-pass member: inside
  that group it costs a trim and a few frames of scaling (the decode is paid already), while
  on its own it seeks to its window and decodes only that, cheaper than a full pass; so two
  windowed members without a full-pass one run apart, each with its own seek.
- Time-point snapshots ride in a group's process ("passengers"). When the group decodes the
  video anyway, each point takes its frame from that decode (a select of the first frame at or
  after the point: no decoding of its own, the same frame a `-ss` seek lands on); an `-ss` seek
  would decode from the previous keyframe, up to a whole GOP per point (on the 20 s 1080p clip
  with x264's 250-frame GOPs, 4 points cost ~70 % of a full decode). A group without a video
  decode gives each point its own seeking input (`-ss T -i`). Without a group, all points of a
  step are one process of seeks (build_seeking). The price of riding along: a passenger's
  subtask finishes with its group rather than as soon as its images exist.
- What a source needs before any output (deinterlacing, HDR→SDR tone-mapping: media/filters/
  source.py) runs once per process: the decode is split once per distinct SourceFormat of the
  members, the prepared frames once per member (_VideoFeed). A transcode that keeps HDR (h265/av1)
  next to SDR outputs gets its own untouched branch; the tone-map still runs once.
- Each member's audio comes from its own track (a transcode may pick one): one asplit per track.
- Progress: `-stats_enc_pre` on the steadiest video output where the FFmpeg has it (6.1+); else a
  `metadata=mode=print` tap on the decode writes each frame's time to a file the runner follows
  (FFmpeg 5.1's -progress says nothing until every output has started, then jumps to the furthest
  stream, usually the audio).
- Members need the same binary and a known input duration (progress and windows need it);
  a member whose builder rejects the input (TaskInputError) runs apart and fails on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

import ffmpeg

from ..model.params import TranscodeParams
from .base import BuildContext, FFmpegJob, OutputFile, StreamSource
from .builders import BUILDERS, FUSABLE, common
from .builders import snapshot as snapshot_builder
from .builders import transcode as transcode_builder
from .builders.watermark import as_transcode
from .filters.source import SourceFormat

# kinds that decode the whole input on their own (a shared decode saves one of those per member)
FULL_PASS = {"transcode", "watermark", "sample_snapshot", "image_sprite"}
# kinds that look at a time window only (on their own they seek to it)
WINDOWED = {"animated_image"}
# kinds that never share the decode but may ride in a group's process with their own seeking inputs
PASSENGERS = {"snapshot"}


def fusable(ctx: BuildContext) -> bool:
    """Whether this step may share a decode at all (kind and input allow it)."""
    from ..model.kinds import resolve_task_kind

    kind = resolve_task_kind(ctx.task_kind)
    if kind is None or (kind.id not in FUSABLE and kind.id not in PASSENGERS):
        return False
    if not ctx.probe.duration or ctx.probe.duration <= 0:
        return False  # a still image or a stream of unknown length: nothing to share, windows undefined
    return ctx.probe.has_video or ctx.probe.has_audio


def _kind(ctx: BuildContext) -> str:
    from ..model.kinds import resolve_task_kind

    kind = resolve_task_kind(ctx.task_kind)
    return kind.id if kind is not None else ctx.task_kind


def plan_groups(ctxs: list[BuildContext]) -> tuple[list[list[BuildContext]], list[BuildContext]]:
    """(groups of ≥2 steps to fuse, steps to run apart), following the rule in the module docstring."""
    apart = [c for c in ctxs if not fusable(c)]
    by_key: dict[tuple[str, str], list[BuildContext]] = {}
    for ctx in ctxs:
        if fusable(ctx):
            by_key.setdefault((str(Path(ctx.input_path).resolve()), ctx.ffmpeg), []).append(ctx)
    groups: list[list[BuildContext]] = []
    for members in by_key.values():
        full = [c for c in members if _kind(c) in FULL_PASS]
        windowed = [c for c in members if _kind(c) not in FULL_PASS and _kind(c) not in PASSENGERS]
        passengers = [c for c in members if _kind(c) in PASSENGERS]
        if not full:
            apart.extend(windowed + passengers)
            continue
        group = full + windowed + passengers
        if len(group) >= 2:
            groups.append(group)
        else:
            apart.extend(group)
    return groups, apart


# below this many pixels per frame one thread keeps a whole fused process busy: more threads per
# process only add synchronisation, and the cores are better used by other steps or runs
# (benchmarks/many_inputs.py: 320x240 inputs)
SMALL_FRAME = 1280 * 720


def _small(ctx: BuildContext) -> bool:
    return ctx.probe.width * ctx.probe.height < SMALL_FRAME


def group_weight(ctxs: list[BuildContext]) -> int:
    """How many parallel workers a group can keep busy: one per encoding member, plus the decode.

    Light outputs (images, GIF) ride along on the decode thread's time; small frames need no
    more than one worker. This is what the engine's ThreadBudget is asked for (it caps the
    request at the budget).
    """
    if not ctxs or _small(ctxs[0]):
        return 1
    heavy = sum(1 for c in ctxs if _kind(c) in ("transcode", "watermark"))
    return max(2, heavy + 1) if len(ctxs) > 1 else 1


def _transcode_params(ctx: BuildContext) -> TranscodeParams | None:
    """The transcode parameters of a transcode or watermark member (a watermark task is a transcode)."""
    kind = _kind(ctx)
    if kind == "transcode":
        assert isinstance(ctx.params, TranscodeParams)
        return ctx.params
    return as_transcode(ctx) if kind == "watermark" else None


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


@dataclass
class FusedJob:
    """One FFmpeg job serving several steps, and how to tell them apart afterwards."""

    job: FFmpegJob
    members: list[BuildContext]
    finalizers: dict[str, Callable[[], list[OutputFile]]]
    rejected: dict[str, Exception] = field(default_factory=dict)  # step id → why it cannot join
    output_owner: list[str] = field(default_factory=list)  # output file index → step id
    input_owner: dict[int, str] = field(default_factory=dict)  # input index → step id (watermark images)
    filter_owner: dict[int, str] = field(default_factory=dict)  # Parsed_*_N index → step id (shared ones absent)
    paths: dict[str, list[str]] = field(default_factory=dict)  # step id → paths only it uses (staging dir, images)
    notes: dict[str, list[str]] = field(default_factory=dict)  # step id → BuildResult.notes of the member

    @property
    def step_ids(self) -> list[str]:
        return [c.step_id for c in self.members]

    def culprits(self, stderr_lines: Iterable[str]) -> list[str]:
        """The members that FFmpeg's first attributable error line names ([] when none is named).

        The first such line is the cause; later ones are usually consequences (other outputs
        closing early, "Conversion failed!"), so they must not implicate innocent members.
        """
        for line in stderr_lines:
            if not _ERRORISH.search(line):
                continue
            named = self._named_in(line)
            if named:
                return [sid for sid in self.step_ids if sid in named]
        return []

    def _named_in(self, line: str) -> set[str]:
        named: set[str] = set()
        for m in _OUTPUT_REF.finditer(line):
            idx = int(next(g for g in m.groups() if g is not None))
            if 0 <= idx < len(self.output_owner):
                named.add(self.output_owner[idx])
        for m in _INPUT_REF.finditer(line):
            owner = self.input_owner.get(int(m.group(1)))
            if owner:
                named.add(owner)
        for m in _FILTER_REF.finditer(line):
            owner = self.filter_owner.get(int(m.group(1)))
            if owner:
                named.add(owner)
        for sid, paths in self.paths.items():
            if any(p and p in line for p in paths):
                named.add(sid)
        return named


# what an FFmpeg error line says about where it comes from
_ERRORISH = re.compile(r"error|invalid|fail|cannot|unable|could not|not supported|unsupported|no such|"
                       r"permission denied|not found|too many|out of|mismatch|incompatible", re.IGNORECASE)
_OUTPUT_REF = re.compile(r"\[(?:out|[vasdt]ost)#(\d+)|output (?:stream|file) #?(\d+)|Output #(\d+)",
                         re.IGNORECASE)
_INPUT_REF = re.compile(r"\[in#(\d+)")
_FILTER_REF = re.compile(r"Parsed_\w+?_(\d+)\b")


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
            if _kind(ctx) in PASSENGERS:
                BUILDERS[_kind(ctx)].build(ctx)
                continue
            params = _transcode_params(ctx)
            if params is not None:
                BUILDERS[_kind(ctx)].output_streams(ctx, transcode_builder.stream_source(ctx, probe_input, params))
            else:
                BUILDERS[_kind(ctx)].output_streams(ctx, StreamSource(
                    video=common.prepared(ctx, probe_input["v:0"]) if ctx.probe.has_video else None))
        except Exception as exc:  # recorded for that member only; it fails on its own
            rejected[ctx.step_id] = exc
            members.remove(ctx)
    if not members:
        return FusedJob(FFmpegJob([], None), [], {}, rejected)

    riders = [c for c in members if _kind(c) in PASSENGERS]
    members = [c for c in members if _kind(c) not in PASSENGERS] + riders  # decode sharers first
    sharers = [c for c in members if _kind(c) not in PASSENGERS]
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
            rider_outputs, finalizers[ctx.step_id] = _decoded_point_outputs(
                ctx, rider_points[ctx.step_id], lambda ctx=ctx: next_video(ctx))
        else:  # their own seeking inputs: nothing decodes the video for them here
            rider_outputs, finalizers[ctx.step_id] = _seek_outputs(ctx, per_input=threads)
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
        outputs += BUILDERS[_kind(ctx)].output_streams(ctx, source)
    argv = common.compile_argv(first, *outputs)
    if threads > 0:
        argv[1:1] = ["-filter_threads", str(threads)]
    finalizers.update({c.step_id: BUILDERS[_kind(c)].make_finalize(c) for c in members if c not in riders})
    names = ", ".join(f"'{c.step_name}'" for c in members)
    if not tapped:
        stats_path = _add_progress_stats(argv, sharers)
    job = FFmpegJob(args=argv, duration=first.probe.duration, label=f"fused: {names}", stats_file=stats_path,
                    stats_only=bool(tapped))
    fused = FusedJob(job, members, finalizers, rejected, notes=notes)
    _map_owners(fused, argv)
    return fused


_TAP_KEY = "mediaflow_progress"


def _progress_log_path(sharers: list[BuildContext]) -> str:
    """Where the progress tap of a fused process writes: the first sharer's staging dir."""
    return str(Path(_staging_prefix(sharers[0])) / ".mediaflow-progress.txt")


# kinds whose video output runs through the whole input at the source's pace, best first
_PACE_KINDS = ("transcode", "watermark", "sample_snapshot")


def _add_progress_stats(argv: list[str], sharers: list[BuildContext]) -> str | None:
    """Ask FFmpeg to log each frame's timestamp for the member whose output follows the whole input
    steadily; insert the options before that member's first output file. Returns the log's path."""
    for kind in _PACE_KINDS:
        for ctx in sharers:
            if _kind(ctx) != kind or getattr(ctx.params, "video_codec", "") == "none":
                continue
            prefix = _staging_prefix(ctx)
            at = next((i for i, a in enumerate(argv) if i > 0 and str(a).startswith(prefix)), None)
            if at is None:
                continue
            path = str(Path(prefix) / ".mediaflow-progress.txt")
            argv[at:at] = ["-stats_enc_pre:v:0", path, "-stats_enc_pre_fmt:v:0", "{t}"]
            return path
    return None


def _staging_prefix(ctx: BuildContext) -> str:
    return str(Path(ctx.staging_dir).resolve())


def _watermark_images(ctx: BuildContext) -> list[str]:
    kind = _kind(ctx)
    params = ctx.params if kind == "transcode" else as_transcode(ctx) if kind == "watermark" else None
    marks = getattr(params, "watermarks", []) or []
    return [str(Path(m.image_path).expanduser().resolve()) for m in marks if m.type == "image" and m.image_path]


def _map_owners(fused: FusedJob, argv: list[str]) -> None:
    """Fill output_owner, input_owner, filter_owner and paths from the compiled argv."""
    prefixes = {c.step_id: _staging_prefix(c) + "/" for c in fused.members}
    images = {c.step_id: _watermark_images(c) for c in fused.members}
    image_users: dict[str, list[str]] = {}
    for sid, paths in images.items():
        for p in paths:
            image_users.setdefault(p, []).append(sid)
    fused.paths = {sid: [prefixes[sid]] + [p for p in images[sid] if len(image_users[p]) == 1]
                   for sid in prefixes}

    label_owner: dict[str, str] = {}  # [sN] label → member whose output maps it
    # a seeking input (`-ss T -i`) belongs to the passenger whose time points include T
    seekers: dict[str, list[str]] = {}
    for ctx in fused.members:
        if _kind(ctx) in PASSENGERS:
            from .builders import snapshot
            for t in snapshot.time_points(ctx):
                seekers.setdefault(f"{t:.3f}", []).append(ctx.step_id)
    pending_maps: list[str] = []
    seek: str | None = None
    input_index = 0
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-ss" and i + 1 < len(argv):
            seek = argv[i + 1]
            i += 2
            continue
        if arg == "-i" and i + 1 < len(argv):
            users = image_users.get(str(Path(argv[i + 1]).resolve()), [])
            if seek is not None:
                users = sorted(set(seekers.get(seek, [])))
            if len(users) == 1:
                fused.input_owner[input_index] = users[0]
            input_index += 1
            seek = None
            i += 2
            continue
        if arg == "-map" and i + 1 < len(argv):
            pending_maps.append(argv[i + 1])
            i += 2
            continue
        if arg.startswith("-stats_enc") and i + 1 < len(argv):  # the progress log, not an output
            i += 2
            continue
        owner = next((sid for sid, pre in prefixes.items() if arg.startswith(pre)), None)
        if owner is not None:  # only output files live in a member's staging dir
            fused.output_owner.append(owner)
            for label in pending_maps:
                label_owner[label.strip("[]")] = owner
            pending_maps = []
        i += 1
    if "-filter_complex" in argv:
        graph = argv[argv.index("-filter_complex") + 1]
        fused.filter_owner = _filter_owners(graph, label_owner)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, escaped, quoted = [], [], False, False
    for ch in text:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\":
            cur.append(ch)
            escaped = True
        elif ch == "'":
            cur.append(ch)
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


_LABELS_AT_START = re.compile(r"^((?:\[[^\]]*\])*)")
_LABELS_AT_END = re.compile(r"((?:\[[^\]]*\])*)$")


def _filter_owners(graph: str, label_owner: dict[str, str]) -> dict[int, str]:
    """Parsed_<name>_<N> index → the one member that filter works for (shared filters are left out).

    FFmpeg numbers the filters of a parsed graph in the order they are written; each chain
    (';'-separated) is linear, so its filters belong to whoever consumes its output labels.
    """
    chains = []
    index = 0
    for chain_text in _split_unescaped(graph, ";"):
        filters = _split_unescaped(chain_text, ",")
        ins = re.findall(r"\[([^\]]*)\]", _LABELS_AT_START.match(filters[0].strip()).group(1))
        outs = re.findall(r"\[([^\]]*)\]", _LABELS_AT_END.search(filters[-1].strip()).group(1))
        chains.append((ins, outs, list(range(index, index + len(filters)))))
        index += len(filters)
    consumers: dict[str, int] = {}
    for ci, (ins, _, _) in enumerate(chains):
        for label in ins:
            consumers[label] = ci
    owners: dict[int, set[str]] = {}

    def chain_owners(ci: int, seen: frozenset[int] = frozenset()) -> set[str]:
        if ci in owners:
            return owners[ci]
        found: set[str] = set()
        for label in chains[ci][1]:
            if label in label_owner:
                found.add(label_owner[label])
            elif label in consumers and consumers[label] not in seen:
                found |= chain_owners(consumers[label], seen | {ci})
        owners[ci] = found
        return found

    result: dict[int, str] = {}
    for ci, (_, _, indices) in enumerate(chains):
        found = chain_owners(ci)
        if len(found) == 1:
            owner = next(iter(found))
            for n in indices:
                result[n] = owner
    return result


# -- time-point snapshots: one process, one seek per point ---------------------------------------
def seeks_fusable(ctx: BuildContext) -> bool:
    """A time-point snapshot step with several points can take all its seeks in one process."""
    from .builders import snapshot

    if _kind(ctx) != "snapshot" or not snapshot.seeks_reliably(ctx):
        return False  # without reliable seeks the builder decodes once for all points itself
    try:
        return len(snapshot.time_points(ctx)) > 1
    except Exception:  # the builder will report the problem itself when it builds apart
        return False


def apart_weight(ctx: BuildContext) -> int:
    """Parallel workers of a step that runs apart: one per seeking input of a fused snapshot step."""
    if seeks_fusable(ctx) and not _small(ctx):
        from .builders import snapshot

        return len(snapshot.time_points(ctx))
    return 1


def _seek_outputs(ctx: BuildContext, per_input: int) -> tuple[list[Any], Callable[[], list[OutputFile]]]:
    """The output nodes of a time-point snapshot step, each point its own `-ss T -i input`, and its finalize."""
    from .builders import snapshot
    from ..model.params import SnapshotParams

    apart = snapshot.build(ctx)  # checks the input, names the files, and gives the finalize we keep
    p = ctx.params
    assert isinstance(p, SnapshotParams)
    points = snapshot.time_points(ctx)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    paths = snapshot.output_paths(ctx, len(points))
    outputs = []
    by_point: dict[str, list[Path]] = {}  # two offsets on one frame (1s and 25% of 4s) share one seek
    for t, path in zip(points, paths):
        by_point.setdefault(f"{t:.3f}", []).append(path)
    # read a short stretch from each point only: inside a long fused process an input whose single-
    # frame output is done would otherwise go on being demuxed and decoded to the end of the file
    window = f"{max(0.5, 4 * common.frame_duration(ctx.probe)):.3f}"
    fmt = common.video_format(ctx)
    for t_text, same in by_point.items():
        kwargs: dict[str, Any] = {"ss": t_text, "t": window}
        if per_input > 0:
            kwargs["threads"] = per_input
        video = common.prepared(ctx, common.input_stream(ctx, **kwargs)["v:0"], fmt)
        video = video.filter("scale", w=w, h=h).filter("setsar", "1")
        streams = [video] if len(same) == 1 else [video.split()[i] for i in range(len(same))]
        for stream, path in zip(streams, same):
            outputs.append(ffmpeg.output(stream, str(path), **common.output_kwargs(
                ctx, **{"frames:v": 1, "update": 1}, **common.image_codec_kwargs(p.format, ctx))))
    return outputs, apart.finalize


def _decoded_point_outputs(ctx: BuildContext, by_point: dict[str, list[Path]],
                           next_video: Callable[[], Any]) -> tuple[list[Any], Callable[[], list[OutputFile]]]:
    """A time-point snapshot step fed by the group's decode (snapshot.decoded_outputs), and its finalize."""
    from .builders import snapshot

    apart = snapshot.build(ctx)  # checks the input, names the files, and gives the finalize we keep
    return snapshot.decoded_outputs(ctx, by_point, next_video), apart.finalize


def build_seeking(ctx: BuildContext) -> "BuildResult":
    """Time-point snapshots as ONE FFmpeg process: each point its own `-ss T -i input` (a seek, never
    a shared full decode), one single-frame output per point. The same files and finalize as the
    builder's one-process-per-point jobs; the process start-up is paid once instead of once per point.
    FFmpeg opens the inputs one after another, so each input's decoder may use the step's whole share.
    """
    from .base import BuildResult
    from .builders import snapshot

    outputs, finalize = _seek_outputs(ctx, per_input=ctx.threads)
    points = snapshot.time_points(ctx)
    argv = common.compile_argv(ctx, *outputs)
    job = FFmpegJob(args=argv, duration=None, label=f"snapshots at {', '.join(f'{t:.2f}s' for t in points)}")
    return BuildResult([job], finalize, common.source_notes(ctx, common.video_format(ctx)))
