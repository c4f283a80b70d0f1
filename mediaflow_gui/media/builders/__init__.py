"""One builder per task kind; build_step() dispatches on the step's task kind.

Each module exposes `build(ctx) -> BuildResult`. The fusable ones (transcode,
sample_snapshot, animated_image, image_sprite, watermark) also expose
`output_streams(ctx, source: StreamSource) -> list[output node]` and
`make_finalize(ctx) -> Callable[[], list[OutputFile]]`, so media/fusion can feed several
of them from one decoded input and merge their outputs into one FFmpeg process.
"""

from __future__ import annotations

from types import ModuleType

from ...model.kinds import resolve_task_kind
from ..base import BuildContext, BuildResult
from . import animated_image, image_sprite, sample_snapshot, snapshot, transcode, watermark

BUILDERS: dict[str, ModuleType] = {
    "transcode": transcode,
    "snapshot": snapshot,
    "sample_snapshot": sample_snapshot,
    "animated_image": animated_image,
    "image_sprite": image_sprite,
    "watermark": watermark,
}
FUSABLE = {"transcode", "sample_snapshot", "animated_image", "image_sprite", "watermark"}


def builder_for(task_kind: str) -> ModuleType:
    kind = resolve_task_kind(task_kind)
    if kind is None or kind.id not in BUILDERS:
        raise KeyError(f"no builder for the task kind {task_kind!r}")
    return BUILDERS[kind.id]


def build_step(ctx: BuildContext) -> BuildResult:
    """The FFmpeg jobs and the finalize callback of one step (raises TaskInputError for unusable inputs)."""
    return builder_for(ctx.task_kind).build(ctx)
