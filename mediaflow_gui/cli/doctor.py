"""`mediaflow doctor [--ffmpeg PATH]`: the FFmpeg MediaFlow uses, what it can do, and what MediaFlow
does without what it lacks.

Prints the FFmpeg in use (path, version, how it was chosen and why), every row of the requirement
table (media/ffmpeg_requirements.py) as ok or MISSING with what MediaFlow does instead, and the
other candidates it looked at (an explicit choice, PATH's, the bundled one) with their versions.
Exit 0 when the chosen FFmpeg can run the standard workflow, 1 otherwise. No Qt.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..media.ffmpeg_choice import Candidate, FFmpegChoice, candidates, choose_ffmpeg
from ..media.ffmpeg_locate import FFmpegNotFoundError
from ..media.ffmpeg_requirements import MIN_VERSION, REQUIREMENTS, version_text
from .exits import EXIT_FAILED, EXIT_OK

# Candidate.where → how the doctor names it
WHERE = {"setting": "--ffmpeg", "environment": "MEDIAFLOW_FFMPEG", "PATH": "PATH", "bundled": "bundled"}


def _requirement_lines(choice: FFmpegChoice) -> list[str]:
    a = choice.assessment
    spoken = {id(f) for f in a.missing}
    present = {f.requirement.name for f in a.findings if f.present}
    lines = []
    for f in a.findings:
        r = f.requirement
        state = "ok" if f.present else "MISSING" if id(f) in spoken else "missing"
        lines.append(f"  {state:<8} {r.kind:<8} {r.short:<16} {r.used_for}")
        if f.present:
            continue
        if id(f) in spoken:
            lines.append(f"{'':<37}→ {f.effect}")
        elif r.backs_up in present:
            lines.append(f"{'':<37}→ not needed while {r.backs_up} is there")
        elif r.backs_up:
            lines.append(f"{'':<37}→ {r.backs_up} is missing too: see its row")
    return lines


def _candidate_lines(found: tuple[Candidate, ...], choice: FFmpegChoice | None) -> list[str]:
    lines = []
    for c in found:
        in_use = choice is not None and c.caps is not None and c.caps.path == choice.caps.path
        lines.append(f"  {WHERE.get(c.where, c.where):<17} {c.describe()}{'  (in use)' if in_use else ''}")
    return lines


def doctor_report(setting: str | None = None) -> tuple[list[str], int]:
    """The doctor's lines and exit code (a function of its own so tests and the GUI can read it)."""
    try:
        choice: FFmpegChoice | None = choose_ffmpeg(setting)
    except FFmpegNotFoundError as exc:
        choice = None
        problem = str(exc)
    lines: list[str] = []
    if choice is None:
        lines += [f"FFmpeg in use: none — {problem}", ""]
    else:
        a = choice.assessment
        lines += [
            f"FFmpeg in use: {choice.binary.path}",
            f"  version   {choice.caps.version_text} (MediaFlow supports {version_text(MIN_VERSION)} and newer"
            f"{'; this one is older' if a.too_old else ''})",
            f"  how       {choice.reason}",
            f"  summary   {choice.summary()}",
            "  fusion    " + ("on: sibling tasks may share one FFmpeg process" if choice.fusion
                                else "off: every task runs as its own FFmpeg process"),
            "",
            f"What MediaFlow relies on ({len(REQUIREMENTS)}; missing: {len(a.missing)}, "
            f"changing results: {len(a.degrading)}):",
            *_requirement_lines(choice),
            "",
        ]
        spoken = {f.note for f in a.missing}
        extra = [n for n in choice.notes if n not in spoken]
        if extra:
            lines += ["Notes:", *(f"  {n}" for n in extra), ""]
    lines += ["FFmpeg binaries looked at:", *_candidate_lines(candidates(setting), choice), ""]
    if choice is not None and choice.assessment.runs_standard:
        lines.append("Result: this FFmpeg can run the standard workflow.")
        return lines, EXIT_OK
    if choice is not None:
        a = choice.assessment
        why = [f"is older than {version_text(MIN_VERSION)}"] if a.too_old else []
        unmet = [f.requirement.short for f in a.findings if f.requirement.standard and not f.met]
        if unmet:
            why.append(f"lacks {', '.join(unmet)}")
        lines.append(f"Result: this FFmpeg cannot run the standard workflow: it {' and '.join(why)}.")
    else:
        lines.append("Result: no usable FFmpeg; install FFmpeg "
                     f"{version_text(MIN_VERSION)} or newer, or pass --ffmpeg PATH.")
    return lines, EXIT_FAILED


def cmd_doctor(args: argparse.Namespace) -> int:
    lines, code = doctor_report(args.ffmpeg)
    print("\n".join(lines))
    return code


def add_subcommand(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add `doctor` to the `mediaflow` parser's subcommands."""
    p = sub.add_parser("doctor", parents=parents,
                       help="show the FFmpeg in use, what it can do and what MediaFlow does without the rest")
    p.add_argument("--ffmpeg", metavar="PATH", help="check this ffmpeg binary instead of the automatic choice")
    p.set_defaults(func=cmd_doctor)
