"""What a source's pictures need before any output sees them: deinterlacing and HDR→SDR.

`source_format(info, hdr=…, deinterlace=…)` decides, from the probe, a SourceFormat: the field
parity to deinterlace with (or none) and the tone-mapping (or none). `prepare(video, fmt, …)`
appends that chain to an ffmpeg-python stream. Builders call both for their own decode; the
fusion (media/fusion/graph.py) calls them once per distinct SourceFormat of a group and splits the prepared
frames to the members, so a fused group deinterlaces and tone-maps once, not once per output.

Order: deinterlace first (on the decoded fields, before anything resamples them), then
tone-map; each output's own scale comes after. FFmpeg's autorotation runs before all of this.

Choices (the reasons a person would ask for):
- deinterlace "auto": the stream's field order (tt/bb/tb/bt) says interlaced, or, where the flag
  is missing in a container that often lies, idet said so (MediaInfo.detected_field_order).
  Deinterlacing is bwdif (yadif without it), one frame per frame (send_frame: the frame rate stays),
  with the parity given explicitly; `deint=interlaced` when the stream flags its interlaced
  frames (mixed material keeps its progressive frames untouched), `deint=all` when the flags lie.
- deinterlace "on" deinterlaces whatever the flags say (top field first unless known); "off" never.
- hdr "tonemap": a PQ/HLG source becomes BT.709 SDR (media/filters/tonemap.py); "keep": untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .. import colour
from ..base import MediaInfo
from . import tonemap

HDR_MODES = ("auto", "keep", "tonemap")
DEINTERLACE_MODES = ("auto", "on", "off")


@dataclass(frozen=True)
class SourceFormat:
    """The per-source chain one output needs; equal formats share one chain in a fused group."""

    parity: str = ""  # "tff" | "bff": deinterlace with this field first; "": no deinterlacing
    deint_all: bool = False  # deinterlace every frame (the flags cannot be trusted)
    tonemap: str = ""  # the HDR transfer to tone-map from ("smpte2084" | "arib-std-b67"); "": none
    peak: float = 0.0  # tonemap peak in units of SDR white

    @property
    def untouched(self) -> bool:
        return not self.parity and not self.tonemap

    def describe(self) -> str:
        """In words, for logs and a run's notes."""
        parts = []
        if self.parity:
            parts.append(f"deinterlaced ({self.parity.upper()})")
        if self.tonemap:
            parts.append(f"tone-mapped from {'PQ' if self.tonemap == colour.PQ else 'HLG'} HDR to SDR")
        return ", ".join(parts) or "as decoded"


def source_format(info: MediaInfo, *, hdr: str = "tonemap", deinterlace: str = "auto") -> SourceFormat:
    """The chain an output of `info`'s video needs. `hdr` is "tonemap" or "keep" (transcodes resolve
    "auto" against their codec first); `deinterlace` is auto | on | off."""
    video = info.video
    if video is None:
        return SourceFormat()
    parity, deint_all = "", False
    if deinterlace == "on":
        parity = colour.interlaced_parity(video, info.detected_field_order) or "tff"
        deint_all = True
    elif deinterlace == "auto":
        parity = colour.interlaced_parity(video, info.detected_field_order)
        deint_all = bool(parity) and video.field_order not in colour.INTERLACED_ORDERS
    transfer = video.color_transfer if hdr == "tonemap" and colour.is_hdr(video) else ""
    peak = tonemap.peak_for(transfer, info.hdr.peak_nits if info.hdr else 0.0) if transfer else 0.0
    return SourceFormat(parity=parity, deint_all=deint_all, tonemap=transfer, peak=peak)


class Capabilities(Protocol):
    """What `prepare` asks of the FFmpeg in use (media.ffmpeg_caps.FFmpegCaps has it)."""

    def has_filter(self, name: str) -> bool: ...


def deinterlace_filter(caps: Capabilities | None) -> str:
    return "bwdif" if caps is None or caps.has_filter("bwdif") else "yadif"


def tonemap_path(caps: Capabilities | None) -> str:
    """"zscale" when the FFmpeg in use has zscale and tonemap, else "lut" (the approximation)."""
    if caps is None or (caps.has_filter("zscale") and caps.has_filter("tonemap")):
        return "zscale"
    return "lut"


def prepare(video: Any, fmt: SourceFormat, info: MediaInfo, *, caps: Capabilities | None = None,
            workdir: Path | None = None) -> Any:
    """`video` with the chain of `fmt` appended (the stream itself when nothing is needed).

    `workdir` receives the LUT file of the zscale-free tone-mapping (a step's staging dir).
    """
    if fmt.parity:
        video = video.filter(deinterlace_filter(caps), mode="send_frame", parity=fmt.parity,
                             deint="all" if fmt.deint_all else "interlaced")
    if fmt.tonemap:
        stream = info.video
        assert stream is not None
        if tonemap_path(caps) == "zscale":
            video = tonemap.zscale_chain(video, transfer=fmt.tonemap, primaries=stream.color_primaries,
                                         matrix=stream.color_space, range_=stream.color_range, peak=fmt.peak)
        else:
            if workdir is None:
                raise ValueError("the LUT tone-mapping needs a folder for its LUT file")
            lut = tonemap.write_cube(workdir, fmt.tonemap, fmt.peak)
            video = tonemap.lut_chain(video, lut, matrix=stream.color_space, range_=stream.color_range)
    return video
