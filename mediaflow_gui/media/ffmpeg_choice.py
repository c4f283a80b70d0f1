"""Which FFmpeg MediaFlow runs, and why — in words a person can read once.

The policy:
1. An explicit choice — the FFmpeg setting, `--ffmpeg`, or the MEDIAFLOW_FFMPEG environment variable —
   is used as long as it answers like ffmpeg; the notes say what it lacks and what MediaFlow does
   instead.
2. Otherwise the `ffmpeg` on PATH, when it is MIN_VERSION (5.1) or newer and lacks nothing that
   changes results (a lossless fallback such as the metadata filter for -stats_enc_pre, or -vsync
   for -fps_mode, does not count against it).
3. Otherwise the bundled FFmpeg (imageio-ffmpeg), with a reason naming what PATH's lacked. When
   there is no bundled one, PATH's is used anyway and says so.

`fusion` is False only when one process cannot serve sibling tasks (no split/asplit/select, or
neither -stats_enc_pre nor the metadata filter to follow its progress). Every answer comes from
media/ffmpeg_caps.py (cached per binary), so choosing again is cheap. No Qt, no engine imports.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .ffmpeg_caps import FFmpegCaps, capabilities
from .ffmpeg_locate import (FFMPEG_ENV, FFmpegBinary, FFmpegNotFoundError, bundled_ffmpeg, explicit_choice,
                            resolve_explicit)
from .ffmpeg_requirements import MIN_VERSION, Assessment, assess, version_text

# FFmpegBinary.source → how a summary says where the binary came from
WHERE = {"setting": "chosen explicitly", "environment": f"from {FFMPEG_ENV}", "PATH": "on PATH",
         "imageio-ffmpeg": "bundled"}
SUMMARY_ITEMS = 3  # missing things named in the one-line summary; `mediaflow doctor` lists them all


@dataclass(frozen=True)
class Candidate:
    """One FFmpeg that was looked at: where it came from, and what it is (or why it is unusable)."""

    where: str  # "setting" | "environment" | "PATH" | "bundled"
    path: Path | None  # None: there was none to look at
    caps: FFmpegCaps | None = None
    problem: str = ""  # why it cannot be used at all; "" when caps is set

    def describe(self) -> str:
        if self.caps is not None:
            return f"FFmpeg {self.caps.version_text} at {self.caps.path}"
        return self.problem


@dataclass(frozen=True)
class FFmpegChoice:
    binary: FFmpegBinary
    caps: FFmpegCaps
    fusion: bool  # one FFmpeg process may serve sibling tasks
    notes: tuple[str, ...]  # what it lacks and what MediaFlow does instead, one sentence each
    reason: str  # how it was chosen and why
    passed_over: str = ""  # the automatic choice skipped PATH's ffmpeg because …; "" when it did not

    @property
    def assessment(self) -> Assessment:
        return assess(self.caps)

    def summary(self) -> str:
        """The one line the CLI, the status bar and the settings dialog show."""
        a = self.assessment
        phrases = [f.phrase for f in a.missing]
        if a.too_old:
            phrases.insert(0, f"older than {version_text(MIN_VERSION)}, which MediaFlow does not support")
        if len(phrases) > SUMMARY_ITEMS:
            phrases[SUMMARY_ITEMS:] = [f"{len(phrases) - SUMMARY_ITEMS} more (see mediaflow doctor)"]
        if self.binary.source == "imageio-ffmpeg" and self.passed_over:
            head = f"using the bundled FFmpeg {self.binary.version} because {self.passed_over}"
            return "; ".join([head, *phrases])
        where = WHERE.get(self.binary.source, self.binary.source)
        head = f"FFmpeg {self.binary.version} from {self.binary.path} ({where})"
        return head + ": " + ("; ".join(phrases) if phrases else "has everything MediaFlow uses")


def _probe(where: str, path: Path | None, missing: str) -> Candidate:
    if path is None:
        return Candidate(where, None, problem=missing)
    try:
        return Candidate(where, path, capabilities(path))
    except FFmpegNotFoundError as exc:
        return Candidate(where, path, problem=str(exc))


def path_candidate() -> Candidate:
    found = shutil.which("ffmpeg")
    return _probe("PATH", Path(found) if found else None, "there is no ffmpeg on PATH")


def bundled_candidate() -> Candidate:
    try:
        path = bundled_ffmpeg()
    except FFmpegNotFoundError as exc:
        return Candidate("bundled", None, problem=str(exc))
    return _probe("bundled", path, "")


def candidates(setting: str | os.PathLike[str] | None = None) -> tuple[Candidate, ...]:
    """Every FFmpeg the choice may look at: the explicit one (if any), PATH's and the bundled one."""
    found: list[Candidate] = []
    explicit = explicit_choice(setting)
    if explicit is not None:
        try:
            found.append(_probe(explicit[1], resolve_explicit(*explicit), ""))
        except FFmpegNotFoundError as exc:
            found.append(Candidate(explicit[1], Path(explicit[0]).expanduser(), problem=str(exc)))
    return (*found, path_candidate(), bundled_candidate())


def _choice(caps: FFmpegCaps, source: str, reason: str, passed_over: str = "") -> FFmpegChoice:
    a = assess(caps)
    notes = []
    if a.too_old:
        notes.append(f"FFmpeg {caps.version_text} is older than {version_text(MIN_VERSION)}, the oldest "
                     "MediaFlow supports: tasks may fail in ways this check cannot foresee.")
    notes += [f.note for f in a.missing]
    if not a.fusion:
        notes.append("Sibling tasks run as separate FFmpeg processes: this FFmpeg cannot serve them from one "
                     "decode.")
    return FFmpegChoice(FFmpegBinary(caps.path, caps.version_text, source), caps, a.fusion,
                        tuple(notes), reason, passed_over)


def choose_ffmpeg(setting: str | os.PathLike[str] | None = None) -> FFmpegChoice:
    """The FFmpeg to run (see the module docstring for the order). Raises FFmpegNotFoundError when an
    explicit choice is not a working ffmpeg, or when there is no usable FFmpeg at all."""
    explicit = explicit_choice(setting)
    if explicit is not None:
        value, source = explicit
        caps = capabilities(resolve_explicit(value, source))
        how = "the FFmpeg setting (or --ffmpeg)" if source == "setting" else f"the {FFMPEG_ENV} environment variable"
        return _choice(caps, source, f"chosen explicitly with {how}; it is used as long as it answers like ffmpeg")

    on_path = path_candidate()
    if on_path.caps is not None:
        a = assess(on_path.caps)
        if not a.too_old and not a.degrading:
            return _choice(on_path.caps, "PATH", f"found on PATH; it is FFmpeg {version_text(MIN_VERSION)} or newer "
                                                 "and lacks nothing that changes results")
        # the reason and the notes name everything it lacks; the one-line summary only the first few
        why = f"FFmpeg {on_path.caps.version_text} on PATH ({on_path.caps.path}) {a.lacks()}"
        short_why = f"FFmpeg {on_path.caps.version_text} on PATH {a.lacks(SUMMARY_ITEMS)}"
    elif on_path.path is None:
        why = short_why = on_path.problem
    else:
        why = short_why = f"the ffmpeg on PATH cannot be used ({on_path.problem})"

    bundled = bundled_candidate()
    if bundled.caps is not None:
        return _choice(bundled.caps, "imageio-ffmpeg", f"the bundled FFmpeg is used because {why}", short_why)
    if on_path.caps is not None:
        return _choice(on_path.caps, "PATH", f"{why}, but it is used: there is no bundled FFmpeg to fall back to "
                                             f"({bundled.problem})")
    raise FFmpegNotFoundError(
        f"no usable FFmpeg: {why}, and {bundled.problem or 'the bundled FFmpeg cannot be used'}; install FFmpeg "
        f"{version_text(MIN_VERSION)} or newer, or set its path in Settings (or with --ffmpeg)")
