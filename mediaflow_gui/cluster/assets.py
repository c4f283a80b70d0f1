"""Files a step's parameters name besides its input (watermark images): read on the submitter, shipped
as bytes with the unit, written into the worker's temporary folder and the parameters pointed there.

Found by walking the parameter dataclasses for fields named `*_path` (WatermarkParams.image_path,
including the watermarks folded into a transcode), so a new file-valued parameter travels too."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

from ..model.plan import PlannedStep

MAX_ASSET_BYTES = 64 * 1024 * 1024  # an image watermark, not a video: refuse more than this


def _walk(value: Any, visit: Callable[[str], str]) -> Any:
    """A copy of `value` with every `*_path` string field of any nested dataclass passed through `visit`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            if f.name.endswith("_path") and isinstance(current, str) and current:
                changes[f.name] = visit(current)
            elif dataclasses.is_dataclass(current) or isinstance(current, (list, tuple)):
                changes[f.name] = _walk(current, visit)
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, list):
        return [_walk(v, visit) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, visit) for v in value)
    return value


def collect_assets(steps: list[PlannedStep]) -> dict[str, bytes]:
    """{path as the params name it: its bytes} for every file the steps' parameters name.

    A file that is not there is not shipped: the worker's builder then fails that step alone with the
    message a local run gives ("the watermark image … does not exist"), and the other members of its
    fused group still run (raising here failed the whole unit, every member, as "InputNotFound").
    Raises ValueError naming a file too large to send."""
    found: dict[str, bytes] = {}

    def read(path: str) -> str:
        if path not in found:
            file = Path(path).expanduser()
            if not file.is_file():
                return path
            size = file.stat().st_size
            if size > MAX_ASSET_BYTES:
                raise ValueError(f"{file} is {size / 1e6:.0f} MB: too large to send to a cluster worker "
                                 f"(at most {MAX_ASSET_BYTES // 2**20} MB)")
            found[path] = file.read_bytes()
        return path
    for step in steps:
        _walk(step.params, read)
    return found


def place_assets(steps: list[PlannedStep], assets: dict[str, bytes], folder: Path) -> list[PlannedStep]:
    """Write the shipped files into `folder` and return the steps with their parameters pointing there."""
    folder.mkdir(parents=True, exist_ok=True)
    placed: dict[str, str] = {}
    for index, (path, data) in enumerate(sorted(assets.items())):
        local = folder / f"{index}_{Path(path).name}"
        local.write_bytes(data)
        placed[path] = str(local)
    return [dataclasses.replace(step, params=_walk(step.params, lambda p: placed.get(p, p))) for step in steps]
