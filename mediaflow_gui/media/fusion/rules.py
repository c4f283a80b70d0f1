"""Which steps share one FFmpeg process, and how many threads a process can keep busy.

The rule, measured with benchmarks/standard_workflow.py on a 2-core machine (fused 0.69x the wall
time of separate commands, as close to the hand-written fused command as the engine's work allows):
- "Full-pass" members (transcode, watermark, sampled snapshots, image sprite) decode the whole
  input anyway: two or more of them always fuse (each one saved is a whole decode saved).
- A windowed member (animated image) only joins a group that has a full-pass member: inside
  that group it costs a trim and a few frames of scaling (the decode is paid already), while
  on its own it seeks to its window and decodes only that, cheaper than a full pass; so two
  windowed members without a full-pass one run apart, each with its own seek.
- Time-point snapshots ride in a group's process ("passengers", media/fusion/seeking.py).
- Members need the same binary and a known input duration (progress and windows need it).
The candidates come from the compiled plan (model/plan.py: steps with one input and one set of
dependencies); `plan_groups` decides among them once the input is probed.
"""

from __future__ import annotations

from pathlib import Path

from ...model.kinds import resolve_task_kind
from ..base import BuildContext
from ..builders import FUSABLE

# kinds that decode the whole input on their own (a shared decode saves one of those per member)
FULL_PASS = {"transcode", "watermark", "sample_snapshot", "image_sprite"}
# kinds that look at a time window only (on their own they seek to it)
WINDOWED = {"animated_image"}
# kinds that never share the decode but may ride in a group's process with their own seeking inputs
PASSENGERS = {"snapshot"}


def fusable(ctx: BuildContext) -> bool:
    """Whether this step may share a decode at all (kind and input allow it)."""
    kind = resolve_task_kind(ctx.task_kind)
    if kind is None or (kind.id not in FUSABLE and kind.id not in PASSENGERS):
        return False
    if not ctx.probe.duration or ctx.probe.duration <= 0:
        return False  # a still image or a stream of unknown length: nothing to share, windows undefined
    return ctx.probe.has_video or ctx.probe.has_audio


def kind_of(ctx: BuildContext) -> str:
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
        full = [c for c in members if kind_of(c) in FULL_PASS]
        windowed = [c for c in members if kind_of(c) not in FULL_PASS and kind_of(c) not in PASSENGERS]
        passengers = [c for c in members if kind_of(c) in PASSENGERS]
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


def is_small(ctx: BuildContext) -> bool:
    return ctx.probe.width * ctx.probe.height < SMALL_FRAME


def group_weight(ctxs: list[BuildContext]) -> int:
    """How many parallel workers a group can keep busy: one per encoding member, plus the decode.

    Light outputs (images, GIF) ride along on the decode thread's time; small frames need no
    more than one worker. This is what the engine's ThreadBudget is asked for (it caps the
    request at the budget).
    """
    if not ctxs or is_small(ctxs[0]):
        return 1
    heavy = sum(1 for c in ctxs if kind_of(c) in ("transcode", "watermark"))
    return max(2, heavy + 1) if len(ctxs) > 1 else 1


