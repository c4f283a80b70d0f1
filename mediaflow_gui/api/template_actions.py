"""The six template kinds' actions over mps/templates.py's TemplateStore (`<data dir>/mps-templates.json`):

    Create{Kind}Template     → {"Definition"} (Watermark also "ImageUrl")
    Describe{Kind}Templates  → {"TotalCount", "{Kind}TemplateSet"}: presets (Type "Preset") then the
                               custom ones; Definitions, Type, Name filters; Offset/Limit (default 10, ≤ 100)
    Modify{Kind}Template     → {} (presets refused: InvalidParameterValue.Definition)
    Delete{Kind}Template     → {}
Kinds: Transcode, SnapshotByTimeOffset, SampleSnapshot, AnimatedGraphics, ImageSprite, Watermark.
The store's TemplateError carries the service's code; it is answered as that ApiError.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..mps.templates import KINDS, TemplateError, TemplateStore
from .errors import ApiError

MAX_LIMIT = 100
# request fields that are about the call, not the template
_CALL_FIELDS = ("Definition",)


def _ints(value: Any, name: str) -> list[int] | None:
    if value in (None, "", []):
        return None
    try:
        return [int(v) for v in (value if isinstance(value, list) else [value])]
    except (TypeError, ValueError):
        raise ApiError("InvalidParameterValue", f"{name} must be a list of integers") from None


class TemplateActions:
    def __init__(self, runtime: Any, store: TemplateStore | None = None) -> None:
        self.store = store if store is not None else TemplateStore(Path(runtime.data_dir) / "mps-templates.json")

    def actions(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        table: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        for kind in KINDS:
            table[f"Create{kind}Template"] = lambda p, k=kind: self.create(k, p)
            table[f"Describe{kind}Templates"] = lambda p, k=kind: self.describe(k, p)
            table[f"Modify{kind}Template"] = lambda p, k=kind: self.modify(k, p)
            table[f"Delete{kind}Template"] = lambda p, k=kind: self.delete(k, p)
        return table

    @staticmethod
    def _definition(params: dict[str, Any]) -> int:
        if params.get("Definition") in (None, ""):
            raise ApiError("MissingParameter", "Definition is required")
        try:
            return int(params["Definition"])
        except (TypeError, ValueError):
            raise ApiError("InvalidParameterValue.Definition", f"Definition {params['Definition']!r} is not an integer") from None

    def create(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            definition = self.store.create(kind, dict(params))
            out: dict[str, Any] = {"Definition": definition}
            if kind == "Watermark":
                out["ImageUrl"] = (self.store.get(kind, definition).get("ImageTemplate") or {}).get("ImageUrl")
            return out
        except TemplateError as exc:
            raise ApiError(exc.code, str(exc)) from exc

    def describe(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        offset = int(params.get("Offset") or 0)
        limit = int(params.get("Limit") or 10)
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            raise ApiError("InvalidParameterValue.Limit", f"Offset ≥ 0 and Limit 1–{MAX_LIMIT}")
        try:
            found = self.store.describe(kind, _ints(params.get("Definitions"), "Definitions"),
                                        str(params.get("Type") or "") or None)
        except TemplateError as exc:
            raise ApiError(exc.code, str(exc)) from exc
        name = str(params.get("Name") or "")
        if name:
            found = [t for t in found if name in str(t.get("Name", ""))]
        return {"TotalCount": len(found), f"{kind}TemplateSet": found[offset:offset + limit]}

    def modify(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        definition = self._definition(params)
        try:
            self.store.modify(kind, definition, {k: v for k, v in params.items() if k not in _CALL_FIELDS})
        except TemplateError as exc:
            raise ApiError(exc.code, str(exc)) from exc
        return {}

    def delete(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            self.store.delete(kind, self._definition(params))
        except TemplateError as exc:
            raise ApiError(exc.code, str(exc)) from exc
        return {}
