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
- Members need the same binary and a known input duration (progress and windows need it);
  a member whose builder rejects the input (TaskInputError) runs apart and fails on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

import ffmpeg

from .base import BuildContext, FFmpegJob, OutputFile, StreamSource
from .builders import BUILDERS, FUSABLE, common
from .builders import transcode as transcode_builder
from .builders.watermark import as_transcode

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


def _needs(ctx: BuildContext) -> tuple[bool, bool]:
    """(needs the video stream, needs the audio stream) of one member."""
    kind = _kind(ctx)
    if kind in ("transcode", "watermark"):
        params = ctx.params if kind == "transcode" else as_transcode(ctx)
        video = transcode_builder.wants_video(params) and ctx.probe.has_video
        audio = params.audio_codec != "none" and ctx.probe.has_audio
        return video, audio
    return ctx.probe.has_video, False


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
            BUILDERS[_kind(ctx)].output_streams(ctx, StreamSource(
                video=probe_input["v:0"] if ctx.probe.has_video else None,
                audio=probe_input["a:0"] if ctx.probe.has_audio else None))
        except Exception as exc:  # recorded for that member only; it fails on its own
            rejected[ctx.step_id] = exc
            members.remove(ctx)
    if not members:
        return FusedJob(FFmpegJob([], None), [], {}, rejected)

    riders = [c for c in members if _kind(c) in PASSENGERS]
    members = [c for c in members if _kind(c) not in PASSENGERS] + riders  # decode sharers first
    needs = [_needs(c) for c in members if _kind(c) not in PASSENGERS]
    inp = common.input_stream(first, threads=threads) if threads > 0 else common.input_stream(first)
    n_video, n_audio = sum(v for v, _ in needs), sum(a for _, a in needs)
    # time-point snapshots take their frames from the video decode when there is one (docstring)
    from_decode = n_video > 0 and first.probe.has_video
    rider_points = {c.step_id: _distinct_points(c) for c in riders} if from_decode else {}
    n_video += sum(len(points) for points in rider_points.values())
    video_split = inp["v:0"].split() if n_video > 1 else None
    audio_split = inp["a:0"].asplit() if n_audio > 1 else None
    outputs: list[Any] = []
    vi = ai = 0

    def next_video() -> Any:
        nonlocal vi
        vi += 1
        return video_split[vi - 1] if video_split is not None else inp["v:0"]

    finalizers: dict[str, Callable[[], list[OutputFile]]] = {}
    for ctx in riders:
        if from_decode:
            rider_outputs, finalizers[ctx.step_id] = _decoded_point_outputs(ctx, rider_points[ctx.step_id],
                                                                             next_video)
        else:  # their own seeking inputs: nothing decodes the video for them here
            rider_outputs, finalizers[ctx.step_id] = _seek_outputs(ctx, per_input=threads)
        outputs += rider_outputs
    for ctx, (want_v, want_a) in zip(members, needs):
        video = audio = None
        if want_v:
            video = next_video()
        if want_a:
            audio = audio_split[ai] if audio_split is not None else inp["a:0"]
            ai += 1
        outputs += BUILDERS[_kind(ctx)].output_streams(ctx, StreamSource(video=video, audio=audio))
    argv = common.compile_argv(first, *outputs)
    if threads > 0:
        argv[1:1] = ["-filter_threads", str(threads)]
    finalizers.update({c.step_id: BUILDERS[_kind(c)].make_finalize(c) for c in members if c not in riders})
    names = ", ".join(f"'{c.step_name}'" for c in members)
    stats_file = _add_progress_stats(argv, [c for c in members if c not in riders])
    job = FFmpegJob(args=argv, duration=first.probe.duration, label=f"fused: {names}", stats_file=stats_file)
    fused = FusedJob(job, members, finalizers, rejected)
    _map_owners(fused, argv)
    return fused


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

    if _kind(ctx) != "snapshot":
        return False
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
    for t_text, same in by_point.items():
        kwargs: dict[str, Any] = {"ss": t_text, "t": window}
        if per_input > 0:
            kwargs["threads"] = per_input
        video = common.input_stream(ctx, **kwargs)["v:0"].filter("scale", w=w, h=h).filter("setsar", "1")
        streams = [video] if len(same) == 1 else [video.split()[i] for i in range(len(same))]
        for stream, path in zip(streams, same):
            outputs.append(ffmpeg.output(stream, str(path), **common.output_kwargs(
                ctx, **{"frames:v": 1, "update": 1}, **common.image_codec_kwargs(p.format))))
    return outputs, apart.finalize


def _distinct_points(ctx: BuildContext) -> dict[str, list[Path]]:
    """A time-point snapshot step's output files by point ("%.3f" seconds); two offsets on one
    frame (1s and 25% of 4s) share one point."""
    from .builders import snapshot

    points = snapshot.time_points(ctx)
    by_point: dict[str, list[Path]] = {}
    for t, path in zip(points, snapshot.output_paths(ctx, len(points))):
        by_point.setdefault(f"{t:.3f}", []).append(path)
    return by_point


def _decoded_point_outputs(ctx: BuildContext, by_point: dict[str, list[Path]],
                           next_video: Callable[[], Any]) -> tuple[list[Any], Callable[[], list[OutputFile]]]:
    """A time-point snapshot step fed by a shared decode: per point, the first frame at or after it.

    That is the frame an accurate `-ss T` lands on (FFmpeg drops the decoded frames before T),
    so the images equal those of the step run apart. After its one frame the select passes
    nothing, so the branch costs an expression per frame and nothing more.
    """
    from .builders import snapshot
    from ..model.params import SnapshotParams

    apart = snapshot.build(ctx)  # checks the input, names the files, and gives the finalize we keep
    p = ctx.params
    assert isinstance(p, SnapshotParams)
    w, h = common.fit_size(ctx.probe.width, ctx.probe.height, p.width, p.height)
    outputs = []
    for t_text, same in by_point.items():
        video = (next_video().filter("select", expr=f"isnan(prev_selected_t)*gte(t,{t_text})")
                 .filter("scale", w=w, h=h).filter("setsar", "1"))
        streams = [video] if len(same) == 1 else [video.split()[i] for i in range(len(same))]
        for stream, path in zip(streams, same):
            outputs.append(ffmpeg.output(stream, str(path), **common.output_kwargs(
                ctx, **{"frames:v": 1, "update": 1}, **common.image_codec_kwargs(p.format))))
    return outputs, apart.finalize


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
    return BuildResult([job], finalize)
