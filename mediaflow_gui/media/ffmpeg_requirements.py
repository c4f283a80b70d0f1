"""What MediaFlow relies on in FFmpeg, and what it does without each piece: one table, read by the
FFmpeg choice (media/ffmpeg_choice.py), `mediaflow doctor`, the GUI and the README.

Each row names an encoder, filter, muxer or main option, what uses it, what MediaFlow does when it
is missing, and whether doing without it loses or worsens results. A row may name a fallback that
does the same job (libaom-av1 for libsvtav1, yadif for bwdif, the metadata filter tap for
-stats_enc_pre, -vsync for -fps_mode); a row that only exists as another's fallback says so in
`backs_up` and is not worth a word while the row it backs up is satisfied.

The table describes the builders and media/fusion; it does not drive them (they ask the probe,
media/ffmpeg_caps.py, directly). Keep both in step when a builder starts using something new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .ffmpeg_caps import FFmpegCaps

MIN_VERSION = (5, 1)  # Debian 12's FFmpeg; the README states it; older builds are used only when chosen explicitly


def version_text(version: tuple[int, ...]) -> str:
    return ".".join(str(x) for x in version)


@dataclass(frozen=True)
class Requirement:
    kind: str  # "encoder" | "filter" | "muxer" | "option"
    name: str  # FFmpeg's own name ("libx264", "zscale", "mp4", "stats_enc_pre")
    used_for: str  # what in MediaFlow uses it
    without: str  # what MediaFlow does when it (and its fallback, if any) is missing
    degrades: bool  # doing without it loses or worsens results (False: the same results another way)
    fallback: tuple[str, str] | None = None  # (kind, name) that does the job instead
    instead: str = ""  # what MediaFlow does with the fallback
    backs_up: str = ""  # this row only stands in for that one: silent while that one is present
    standard: bool = False  # the standard workflow (resources/workflows/standard.mfw.json) needs it

    @property
    def label(self) -> str:
        """How a person reads it: "-stats_enc_pre option", "libx265 encoder", "zscale filter"."""
        return f"-{self.name} option" if self.kind == "option" else f"{self.name} {self.kind}"

    @property
    def short(self) -> str:
        """"-stats_enc_pre", "libx265"."""
        return f"-{self.name}" if self.kind == "option" else self.name


def _row(kind: str, name: str, used_for: str, without: str, standard: bool = False, *, degrades: bool = True,
         fallback: tuple[str, str] | None = None, instead: str = "", backs_up: str = "") -> Requirement:
    return Requirement(kind, name, used_for, without, degrades, fallback, instead, backs_up, standard)


def _enc(*args: Any, **kw: Any) -> Requirement:
    return _row("encoder", *args, **kw)


def _filter(*args: Any, **kw: Any) -> Requirement:
    return _row("filter", *args, **kw)


def _mux(*args: Any, **kw: Any) -> Requirement:
    return _row("muxer", *args, **kw)


REQUIREMENTS: tuple[Requirement, ...] = (
    # encoders: a missing one fails the tasks that need it, with FFmpeg's "Unknown encoder" in the message
    _enc("libx264", "H.264 transcodes (the default video codec)", "H.264 transcodes fail", True),
    _enc("libx265", "H.265 transcodes", "H.265 transcodes fail"),
    _enc("libvpx-vp9", "VP9 transcodes", "VP9 transcodes fail"),
    _enc("libsvtav1", "AV1 transcodes", "AV1 transcodes fail", degrades=False, fallback=("encoder", "libaom-av1"),
         instead="AV1 is encoded with libaom-av1 (slower)"),
    _enc("aac", "AAC audio (the default audio codec)", "transcodes with AAC audio fail", True),
    _enc("libopus", "Opus audio", "transcodes with Opus audio fail"),
    _enc("libmp3lame", "MP3 audio", "transcodes with MP3 audio fail"),
    _enc("mjpeg", "JPEG snapshots, sampled snapshots and sprites", "JPEG images fail", True),
    _enc("png", "PNG snapshots, sampled snapshots and sprites", "PNG images fail"),
    _enc("libwebp", "WebP snapshots, sampled snapshots and sprites", "WebP images fail"),
    _enc("libwebp_anim", "animated WebP", "animated WebP images fail"),
    _enc("gif", "animated GIF", "animated GIFs fail", True),
    # filters
    _filter("scale", "resizing in every task", "every task that resizes fails", True),
    _filter("split", "decoding once for sibling tasks (fusion), GIF palettes",
            "animated GIFs fail and sibling tasks run as separate processes", True),
    _filter("asplit", "sharing one audio decode among sibling tasks (fusion)",
            "sibling tasks run as separate processes", degrades=False),
    _filter("select", "sampled snapshots, sprites, snapshots taken from a shared decode",
            "sampled snapshots and sprites fail and sibling tasks run as separate processes", True),
    _filter("trim", "the time window of animated images", "animated images fail", True),
    _filter("setpts", "the time window of animated images", "animated images fail", True),
    _filter("fps", "the frame rate of animated images and transcodes", "animated images and transcodes "
            "with a frame rate fail", True),
    _filter("setsar", "square pixels in every resized output", "every task that resizes fails", True),
    _filter("format", "pixel-format conversion inside filter graphs (tone-mapping, deinterlacing)",
            "HDR and interlaced sources are not converted"),
    _filter("tile", "image sprites", "image sprites fail", True),
    _filter("palettegen", "animated GIF palettes", "animated GIFs fail", True),
    _filter("paletteuse", "animated GIF palettes", "animated GIFs fail", True),
    _filter("overlay", "image watermarks", "image watermarks fail", True),
    _filter("drawtext", "text watermarks", "text watermarks fail"),
    _filter("zscale", "HDR to SDR conversion (with tonemap)",
            "HDR sources are converted by an approximation (less accurate colours)"),
    _filter("tonemap", "HDR to SDR conversion", "HDR sources are not tone-mapped (washed-out colours)"),
    _filter("bwdif", "deinterlacing", "interlaced sources are not deinterlaced (combing)",
            fallback=("filter", "yadif"), instead="interlaced sources are deinterlaced with yadif (a little softer)"),
    _filter("yadif", "deinterlacing when bwdif is missing", "deinterlacing needs bwdif", degrades=False,
            backs_up="bwdif"),
    _filter("idet", "finding interlaced video that is not flagged as such",
            "only video flagged as interlaced is deinterlaced"),
    _filter("metadata", "progress of fused processes when -stats_enc_pre is missing (FFmpeg before 6.1)",
            "fused progress needs -stats_enc_pre", degrades=False, backs_up="stats_enc_pre"),
    # muxers
    _mux("mp4", "MP4 outputs", "MP4 transcodes fail", True),
    _mux("mov", "MOV outputs", "MOV transcodes fail"),
    _mux("matroska", "MKV outputs", "MKV transcodes fail"),
    _mux("webm", "WebM outputs", "WebM transcodes fail"),
    _mux("mp3", "MP3 outputs", "MP3 transcodes fail"),
    _mux("ipod", "M4A (audio-only) outputs", "M4A transcodes fail"),
    _mux("image2", "still images (snapshots, sampled snapshots, sprites)", "still images fail", True),
    _mux("gif", "animated GIF files", "animated GIFs fail", True),
    _mux("webp", "animated WebP files", "animated WebP images fail"),
    # main options
    _row("option", "stats_enc_pre", "following the progress of fused processes (FFmpeg 6.1+)",
         "sibling tasks run as separate processes", degrades=False, fallback=("filter", "metadata"),
         instead="fused progress is read from a filter"),
    _row("option", "fps_mode", "keeping only the frames the filters chose (FFmpeg 5.1+)",
         "sampled snapshots and sprites may repeat frames", True, degrades=False, fallback=("option", "vsync"),
         instead="-vsync is used instead"),
    _row("option", "filter_threads", "keeping fused processes within the thread budget",
         "fused processes let FFmpeg choose how many filter threads to use", degrades=False),
)

# what one fused process needs: without these, sibling tasks run as separate processes
FUSION_FILTERS = ("split", "asplit", "select")


@dataclass(frozen=True)
class Finding:
    """One requirement checked against one FFmpeg."""

    requirement: Requirement
    present: bool
    fallback_present: bool = False  # False when there is no fallback

    @property
    def met(self) -> bool:
        """It, or its fallback, is there: the job gets done."""
        return self.present or self.fallback_present

    @property
    def degrades(self) -> bool:
        """Missing in a way that loses or worsens results (a missing fallback counts as that)."""
        if self.present:
            return False
        return self.requirement.degrades if self.met or self.requirement.fallback is None else True

    @property
    def effect(self) -> str:
        """What MediaFlow does about it ("" when present)."""
        if self.present:
            return ""
        return self.requirement.instead if self.fallback_present else self.requirement.without

    @property
    def note(self) -> str:
        """One sentence for a person: "No -stats_enc_pre option: fused progress is read from a filter."."""
        return f"No {self.requirement.label}: {self.effect}."

    @property
    def phrase(self) -> str:
        """The short form for one-line summaries: "fused progress is read from a filter (no -stats_enc_pre)"."""
        return f"{self.effect} (no {self.requirement.short})"


@dataclass(frozen=True)
class Assessment:
    """Every requirement checked against one FFmpeg, and what follows from it."""

    caps: FFmpegCaps
    findings: tuple[Finding, ...]

    @property
    def too_old(self) -> bool:
        return not self.caps.at_least(*MIN_VERSION)

    @property
    def missing(self) -> tuple[Finding, ...]:
        """Missing requirements worth a word. A missing stand-in (yadif, metadata) is never one: while
        what it backs up is there nothing is lost, and when that is missing too, its own row says so."""
        return tuple(f for f in self.findings if not f.present and not f.requirement.backs_up)

    @property
    def degrading(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.missing if f.degrades)

    @property
    def fusion(self) -> bool:
        """One FFmpeg process can serve sibling tasks: split/asplit/select, and a way to follow progress."""
        caps = self.caps
        return all(caps.has_filter(n) for n in FUSION_FILTERS) and (
            caps.has_option("stats_enc_pre") or caps.has_filter("metadata"))

    @property
    def runs_standard(self) -> bool:
        """Supported (MIN_VERSION or newer) and has all the standard workflow needs."""
        return not self.too_old and all(f.met for f in self.findings if f.requirement.standard)

    def lacks(self, limit: int | None = None) -> str:
        """What it lacks that changes results, in words: "is older than 5.1 and lacks libx264, aac (encoders)".

        With `limit`, names at most that many ("lacks libx264, libx265 and 20 more"), for one-line summaries.
        """
        parts = []
        if self.too_old:
            parts.append(f"is older than {version_text(MIN_VERSION)}")
        degrading = self.degrading
        if degrading and limit is not None:
            names = ", ".join(f.requirement.short for f in degrading[:limit])
            more = len(degrading) - limit
            parts.append(f"lacks {names}" + (f" and {more} more" if more > 0 else ""))
        elif degrading:
            by_kind: dict[str, list[str]] = {}
            for f in degrading:
                by_kind.setdefault(f.requirement.kind, []).append(f.requirement.short)
            parts.append("lacks " + "; ".join(f"{', '.join(names)} ({kind}{'s' if len(names) > 1 else ''})"
                                             for kind, names in by_kind.items()))
        return " and ".join(parts)


def assess(caps: FFmpegCaps) -> Assessment:
    findings = []
    for r in REQUIREMENTS:
        fallback = caps.has(*r.fallback) if r.fallback is not None else False
        findings.append(Finding(r, caps.has(r.kind, r.name), fallback))
    return Assessment(caps, tuple(findings))
