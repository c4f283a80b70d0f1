"""The watermark task of its own: a transcode at the source size carrying one watermark.

The compiler (model/plan.py) turns a standalone watermark step into those transcode parameters
(`watermark_as_transcode`); a context built by hand may still carry WatermarkParams, which are
converted the same way here. Outputs are named as a watermark's (`{inputName}_watermark.{ext}`).
The overlay/drawtext chain lives in media/filters/watermark.py, shared with every transcode.
"""

from __future__ import annotations

from typing import Any, Callable

from ...model.params import TranscodeParams, WatermarkParams
from ...model.plan import watermark_as_transcode
from ..base import BuildContext, BuildResult, OutputFile, StreamSource
from . import transcode

KIND = "watermark"


def params(ctx: BuildContext) -> TranscodeParams:
    """This step's transcode parameters (compiled already, or converted from WatermarkParams)."""
    if isinstance(ctx.params, TranscodeParams):
        return ctx.params
    assert isinstance(ctx.params, WatermarkParams)
    return watermark_as_transcode(ctx.params)


def output_streams(ctx: BuildContext, source: StreamSource) -> list[Any]:
    return transcode.output_streams(ctx, source, params=params(ctx), naming_kind=KIND)


def make_finalize(ctx: BuildContext) -> Callable[[], list[OutputFile]]:
    return transcode.make_finalize(ctx, params=params(ctx), naming_kind=KIND)


def build(ctx: BuildContext) -> BuildResult:
    return transcode.build(ctx, params=params(ctx), naming_kind=KIND)
