"""Node kinds and task kinds, with stable ids and aliases for renamed kinds.

A task kind id is what the workflow file stores (`"task_kind": "transcode"`); aliases
let older files and the cloud service's names (`SnapshotByTimeOffset`, …) load too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class NodeKind(str, Enum):
    START = "start"
    SPLIT = "split"
    TASK = "task"
    JOIN = "join"
    END = "end"


@dataclass(frozen=True)
class TaskKind:
    id: str  # stable id stored in workflow files
    title: str  # what the UI shows
    result_type: str  # the cloud service's MediaProcessResultSet Type
    produces_video: bool  # its primary output can feed a following video task
    aliases: tuple[str, ...] = ()


TRANSCODE = TaskKind("transcode", "Transcode", "Transcode", True, ("Transcode", "mediaflow.transcode"))
SNAPSHOT = TaskKind(
    "snapshot", "Time-point snapshots", "SnapshotByTimeOffset", False,
    ("SnapshotByTimeOffset", "time_point_snapshot", "mediaflow.snapshot"),
)
SAMPLE_SNAPSHOT = TaskKind(
    "sample_snapshot", "Sampled snapshots", "SampleSnapshot", False,
    ("SampleSnapshot", "sampled_snapshot", "mediaflow.sample_snapshot"),
)
ANIMATED_IMAGE = TaskKind(
    "animated_image", "Animated image", "AnimatedGraphics", False,
    ("AnimatedGraphics", "gif", "mediaflow.animated_image"),
)
IMAGE_SPRITE = TaskKind(
    "image_sprite", "Image sprite", "ImageSprites", False,
    ("ImageSprites", "sprite", "mediaflow.image_sprite"),
)
WATERMARK = TaskKind("watermark", "Watermark", "Watermark", True, ("Watermark", "mediaflow.watermark"))

TASK_KINDS: dict[str, TaskKind] = {
    k.id: k for k in (TRANSCODE, SNAPSHOT, SAMPLE_SNAPSHOT, ANIMATED_IMAGE, IMAGE_SPRITE, WATERMARK)
}
_ALIASES: dict[str, str] = {a.lower(): k.id for k in TASK_KINDS.values() for a in (k.id, *k.aliases)}


def resolve_task_kind(name: str) -> TaskKind | None:
    """The task kind for an id or alias (case-insensitive), or None when unknown."""
    kid = _ALIASES.get(str(name).lower())
    return TASK_KINDS[kid] if kid else None
