"""The files a step will write, known before FFmpeg runs: for the existing-file policy "skip".

`expected_outputs(ctx)` gives (file name, output kind) for each file the step's builder would
write, named as its builder names them (so, in the output dir, as they would be published), or None
when they cannot be known in advance (an input without a duration, an unknown kind). The executor
does not run a step again when every one of them is already in the output dir; a wrong None only
costs a run, never a skipped file that was missing.
"""

from __future__ import annotations

from ...model.kinds import resolve_task_kind
from ...model.params import ImageSpriteParams, SampleSnapshotParams, SnapshotParams
from ..base import BuildContext
from ..naming import numbered_names
from . import animated_image, common, image_sprite, sample_snapshot, snapshot, transcode, watermark


def expected_outputs(ctx: BuildContext) -> list[tuple[str, str]] | None:
    kind = resolve_task_kind(ctx.task_kind)
    try:
        if kind is None:
            return None
        if kind.id in ("transcode", "watermark"):
            p = watermark.params(ctx) if kind.id == "watermark" else transcode._params(ctx, None)
            name = transcode.output_path(ctx, p, naming_kind=kind.id).name
            return [(name, "video" if transcode.wants_video(p) else "audio")]
        if kind.id == "animated_image":
            return [(animated_image.output_path(ctx).name, "animation")]
        if kind.id == "snapshot":
            paths = snapshot.output_paths(ctx, len(common.params_of(ctx, SnapshotParams).offsets))
            return [(path.name, "image") for path in paths]
        if kind.id == "sample_snapshot":
            fmt = common.params_of(ctx, SampleSnapshotParams).number_format
            names = numbered_names(sample_snapshot.output_pattern(ctx), sample_snapshot.expected_count(ctx), fmt)
            return [(name, "image") for name in names]
        if kind.id == "image_sprite":
            fmt = common.params_of(ctx, ImageSpriteParams).number_format
            _, _, sheets = image_sprite.layout(ctx)
            names = numbered_names(image_sprite.sheet_pattern(ctx), sheets, fmt)
            return [(name, "image") for name in names] + [(image_sprite.vtt_name(ctx), "subtitle")]
    except Exception:  # noqa: BLE001 - the builder will say what is wrong when the step runs
        return None
    return None
