"""HDR (PQ or HLG, BT.2020) to SDR (BT.709, limited range) for outputs that cannot carry HDR.

The main path is FFmpeg's own: zscale linearises (nominal peak 100 cd/m², so SDR white stays
at 1.0), converts the primaries to BT.709 in linear light, `tonemap` compresses the highlights
with the mobius curve (desat=0 keeps the colours; peak from the stream's MaxCLL or mastering
display, else 1000 cd/m²), and zscale writes BT.709 transfer and matrix in limited range.
Mobius, not hable: it leaves everything up to 30 % of SDR white untouched and bends only above,
so a scene keeps the brightness and contrast it was graded with; hable darkened SDR white to
55 % (measured on a converted test pattern: mean luma 80 vs the SDR original's 127; mobius 111).

Without zscale (some distribution builds) the same mathematics runs as a 3D LUT (`lut3d`, in
every FFmpeg since 3.x) that MediaFlow computes itself: R'G'B' as decoded with the BT.2020 matrix
→ linear (PQ EOTF, or HLG's inverse OETF + OOTF for a 1000 cd/m² display) → BT.709 primaries →
the same max-channel mobius curve → BT.709 OETF. It is an approximation (33 grid points per axis,
interpolated), close to the zscale path but not equal; runs that use it say so.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..colour import HLG, PQ

# linear light 1.0 = this many cd/m² (SDR reference white)
NOMINAL_PEAK = 100.0
MOBIUS_J = 0.3  # FFmpeg's default `param` for mobius: linear below this (in units of SDR white)
# what an HDR source peaks at when it does not say (HDR10 content is mastered for 1000 cd/m² mostly)
DEFAULT_PEAK_NITS = 1000.0
LUT_SIZE = 33

# BT.2020 → BT.709 primaries, linear RGB (ITU-R BT.2087)
_BT2020_TO_BT709 = ((1.6605, -0.5876, -0.0728), (-0.1246, 1.1329, -0.0083), (-0.0182, -0.1006, 1.1187))


def peak_for(transfer: str, peak_nits: float) -> float:
    """tonemap's `peak`: the source's brightest level in units of NOMINAL_PEAK."""
    nits = peak_nits if peak_nits > NOMINAL_PEAK else DEFAULT_PEAK_NITS
    return round(nits / NOMINAL_PEAK, 3)


def zscale_chain(video: Any, *, transfer: str, primaries: str, matrix: str, range_: str, peak: float) -> Any:
    """The zscale + tonemap chain; the stream's own tags are given explicitly (containers and
    bitstreams disagree more often than one would like, and the probe read the stream's)."""
    return (video
            .filter("zscale", tin=transfer, pin=primaries or "bt2020", min=matrix or "bt2020nc",
                    rin=range_ or "tv", t="linear", npl=f"{NOMINAL_PEAK:g}")
            .filter("format", "gbrpf32le")
            .filter("zscale", p="bt709")
            .filter("tonemap", tonemap="mobius", desat=0, peak=f"{peak:g}")
            .filter("zscale", t="bt709", m="bt709", r="tv")
            .filter("format", "yuv420p"))


def lut_chain(video: Any, lut_file: Path, *, matrix: str, range_: str) -> Any:
    """The zscale-free approximation: decode to R'G'B' with the BT.2020 matrix, apply the LUT, back to
    BT.709 limited-range YUV, and tag the frames so encoders and players know what they hold."""
    in_matrix = "bt2020" if (matrix or "bt2020nc").startswith("bt2020") else matrix
    return (video
            .filter("scale", in_color_matrix=in_matrix, in_range=range_ or "tv")
            .filter("format", "rgb48le")
            .filter("lut3d", file=str(lut_file), interp="tetrahedral")
            .filter("scale", out_color_matrix="bt709", out_range="tv")
            .filter("format", "yuv420p")
            .filter("setparams", color_primaries="bt709", color_trc="bt709", colorspace="bt709", range="tv"))


# -- the mathematics, shared by the LUT and the tests -------------------------------------------
_M1, _M2 = 2610 / 16384, 2523 / 4096 * 128
_C1, _C2, _C3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
_HLG_A, _HLG_B, _HLG_C = 0.17883277, 0.28466892, 0.55991073


def pq_eotf(signal: float) -> float:
    """PQ signal (0–1) → cd/m² (SMPTE ST 2084)."""
    p = max(signal, 0.0) ** (1 / _M2)
    return 10000.0 * (max(p - _C1, 0.0) / (_C2 - _C3 * p)) ** (1 / _M1)


def hlg_inverse_oetf(signal: float) -> float:
    """HLG signal (0–1) → relative scene light (0–1) (ARIB STD-B67 / BT.2100)."""
    e = max(signal, 0.0)
    return e * e / 3 if e <= 0.5 else (math.exp((e - _HLG_C) / _HLG_A) + _HLG_B) / 12


def mobius(x: float, peak: float, j: float = MOBIUS_J) -> float:
    """FFmpeg's vf_tonemap mobius(): identity up to j, then a Möbius curve reaching 1.0 at `peak`."""
    if x <= j:
        return x
    a = -j * j * (peak - 1.0) / (j * j - 2.0 * j + peak)
    b = (j * j - 2.0 * j * peak + peak) / max(peak - 1.0, 1e-6)
    return (b * b + 2.0 * b * j + j * j) / (b - a) * (x + a) / (x + b)


def bt1886_inverse(linear: float) -> float:
    """Display light (0–1) → a BT.709 signal as a BT.1886 display (gamma 2.4) shows it back. This, not
    the camera OETF, is what zscale writes for t=bt709 in its display-referred default: the LUT must
    agree with it (measured: dark reds 41 vs zscale's 68 of 255 with the OETF, equal with this)."""
    return min(max(linear, 0.0), 1.0) ** (1 / 2.4)


def to_sdr(rgb: tuple[float, float, float], transfer: str, peak: float) -> tuple[float, float, float]:
    """One HDR R'G'B' triple (BT.2020, 0–1) → BT.709 SDR R'G'B' (0–1), as the zscale chain maps it."""
    if transfer == PQ:
        linear = [pq_eotf(v) / NOMINAL_PEAK for v in rgb]
    elif transfer == HLG:
        scene = [hlg_inverse_oetf(v) for v in rgb]
        ys = 0.2627 * scene[0] + 0.6780 * scene[1] + 0.0593 * scene[2]
        display = 1000.0 * (ys ** 0.2 if ys > 0 else 0.0)  # OOTF, system gamma 1.2 at 1000 cd/m²
        linear = [display * v / NOMINAL_PEAK for v in scene]
    else:
        raise ValueError(f"not an HDR transfer: {transfer!r}")
    r, g, b = (sum(m * v for m, v in zip(row, linear)) for row in _BT2020_TO_BT709)
    r, g, b = max(r, 0.0), max(g, 0.0), max(b, 0.0)
    sig = max(r, g, b)
    if sig > 1e-9:
        scale = mobius(sig, peak) / sig
        r, g, b = r * scale, g * scale, b * scale
    return bt1886_inverse(r), bt1886_inverse(g), bt1886_inverse(b)


@lru_cache(maxsize=8)
def cube_text(transfer: str, peak: float, size: int = LUT_SIZE) -> str:
    """The .cube file (Adobe/Resolve format, red fastest) of to_sdr on a size³ grid."""
    lines = [f"TITLE \"MediaFlow {transfer} to BT.709, peak {peak:g}\"", f"LUT_3D_SIZE {size}"]
    step = 1.0 / (size - 1)
    for bi in range(size):
        for gi in range(size):
            for ri in range(size):
                r, g, b = to_sdr((ri * step, gi * step, bi * step), transfer, peak)
                lines.append(f"{r:.6f} {g:.6f} {b:.6f}")
    return "\n".join(lines) + "\n"


def write_cube(directory: Path, transfer: str, peak: float) -> Path:
    """Write the LUT into `directory` (a step's staging dir) and return its path."""
    path = Path(directory) / f".mediaflow-tonemap-{'pq' if transfer == PQ else 'hlg'}-{peak:g}.cube"
    if not path.is_file():
        path.write_text(cube_text(transfer, peak), encoding="ascii")
    return path
