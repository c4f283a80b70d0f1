"""Telling the members of a fused process apart afterwards: which output, input and filter belong to
which step (from the compiled argv), and which members FFmpeg's error lines name (`culprits`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ...model.params import WatermarkParams
from ..base import BuildContext, FFmpegJob, OutputFile
from ..builders import snapshot as snapshot_builder
from .rules import PASSENGERS, kind_of

@dataclass
class FusedJob:
    """One FFmpeg job serving several steps, and how to tell them apart afterwards."""

    job: FFmpegJob
    members: list[BuildContext]
    finalizers: dict[str, Callable[[], list[OutputFile]]]
    rejected: dict[str, Exception] = field(default_factory=dict)  # step id → why it cannot join
    output_owner: list[str] = field(default_factory=list)  # output file index → step id
    input_owner: dict[int, str] = field(default_factory=dict)  # input index → step id (watermark images)
    filter_owner: dict[int, str] = field(default_factory=dict)  # Parsed_*_N index → step id (shared ones absent)
    paths: dict[str, list[str]] = field(default_factory=dict)  # step id → paths only it uses (staging dir, images)
    notes: dict[str, list[str]] = field(default_factory=dict)  # step id → BuildResult.notes of the member

    @property
    def step_ids(self) -> list[str]:
        return [c.step_id for c in self.members]

    def culprits(self, stderr_lines: Iterable[str]) -> list[str]:
        """The members that FFmpeg's first attributable error line names ([] when none is named).

        The first such line is the cause; later ones are usually consequences (other outputs
        closing early, "Conversion failed!"), so they must not implicate innocent members.
        """
        for line in stderr_lines:
            if not _ERRORISH.search(line):
                continue
            named = self._named_in(line)
            if named:
                return [sid for sid in self.step_ids if sid in named]
        return []

    def _named_in(self, line: str) -> set[str]:
        named: set[str] = set()
        for m in _OUTPUT_REF.finditer(line):
            idx = int(next(g for g in m.groups() if g is not None))
            if 0 <= idx < len(self.output_owner):
                named.add(self.output_owner[idx])
        for m in _INPUT_REF.finditer(line):
            owner = self.input_owner.get(int(m.group(1)))
            if owner:
                named.add(owner)
        for m in _FILTER_REF.finditer(line):
            owner = self.filter_owner.get(int(m.group(1)))
            if owner:
                named.add(owner)
        for sid, paths in self.paths.items():
            if any(p and p in line for p in paths):
                named.add(sid)
        return named


# what an FFmpeg error line says about where it comes from
_ERRORISH = re.compile(r"error|invalid|fail|cannot|unable|could not|not supported|unsupported|no such|"
                       r"permission denied|not found|too many|out of|mismatch|incompatible", re.IGNORECASE)
_OUTPUT_REF = re.compile(r"\[(?:out|[vasdt]ost)#(\d+)|output (?:stream|file) #?(\d+)|Output #(\d+)",
                         re.IGNORECASE)
_INPUT_REF = re.compile(r"\[in#(\d+)")
_FILTER_REF = re.compile(r"Parsed_\w+?_(\d+)\b")


def staging_prefix(ctx: BuildContext) -> str:
    return str(Path(ctx.staging_dir).resolve())


def _watermark_images(ctx: BuildContext) -> list[str]:
    """The watermark images only this member reads (a transcode's, or a watermark step's own)."""
    params = ctx.params
    marks = [params] if isinstance(params, WatermarkParams) else list(getattr(params, "watermarks", []) or [])
    return [str(Path(m.image_path).expanduser().resolve()) for m in marks if m.type == "image" and m.image_path]


def map_owners(fused: FusedJob, argv: list[str]) -> None:
    """Fill output_owner, input_owner, filter_owner and paths from the compiled argv."""
    prefixes = {c.step_id: staging_prefix(c) + "/" for c in fused.members}
    images = {c.step_id: _watermark_images(c) for c in fused.members}
    image_users: dict[str, list[str]] = {}
    for sid, paths in images.items():
        for p in paths:
            image_users.setdefault(p, []).append(sid)
    fused.paths = {sid: [prefixes[sid]] + [p for p in images[sid] if len(image_users[p]) == 1]
                   for sid in prefixes}

    label_owner: dict[str, str] = {}  # [sN] label → member whose output maps it
    # a seeking input (`-ss T -i`) belongs to the passenger whose time points include T
    seekers: dict[str, list[str]] = {}
    for ctx in fused.members:
        if kind_of(ctx) in PASSENGERS:
            for t in snapshot_builder.time_points(ctx):
                seekers.setdefault(f"{t:.3f}", []).append(ctx.step_id)
    pending_maps: list[str] = []
    seek: str | None = None
    input_index = 0
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-ss" and i + 1 < len(argv):
            seek = argv[i + 1]
            i += 2
            continue
        if arg == "-i" and i + 1 < len(argv):
            users = image_users.get(str(Path(argv[i + 1]).resolve()), [])
            if seek is not None:
                users = sorted(set(seekers.get(seek, [])))
            if len(users) == 1:
                fused.input_owner[input_index] = users[0]
            input_index += 1
            seek = None
            i += 2
            continue
        if arg == "-map" and i + 1 < len(argv):
            pending_maps.append(argv[i + 1])
            i += 2
            continue
        if arg.startswith("-stats_enc") and i + 1 < len(argv):  # the progress log, not an output
            i += 2
            continue
        owner = next((sid for sid, pre in prefixes.items() if arg.startswith(pre)), None)
        if owner is not None:  # only output files live in a member's staging dir
            fused.output_owner.append(owner)
            for label in pending_maps:
                label_owner[label.strip("[]")] = owner
            pending_maps = []
        i += 1
    if "-filter_complex" in argv:
        graph = argv[argv.index("-filter_complex") + 1]
        fused.filter_owner = _filter_owners(graph, label_owner)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, escaped, quoted = [], [], False, False
    for ch in text:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\":
            cur.append(ch)
            escaped = True
        elif ch == "'":
            cur.append(ch)
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


_LABELS_AT_START = re.compile(r"^((?:\[[^\]]*\])*)")
_LABELS_AT_END = re.compile(r"((?:\[[^\]]*\])*)$")


def _filter_owners(graph: str, label_owner: dict[str, str]) -> dict[int, str]:
    """Parsed_<name>_<N> index → the one member that filter works for (shared filters are left out).

    FFmpeg numbers the filters of a parsed graph in the order they are written; each chain
    (';'-separated) is linear, so its filters belong to whoever consumes its output labels.
    """
    chains = []
    index = 0
    for chain_text in _split_unescaped(graph, ";"):
        filters = _split_unescaped(chain_text, ",")
        ins = re.findall(r"\[([^\]]*)\]", _LABELS_AT_START.match(filters[0].strip()).group(1))
        outs = re.findall(r"\[([^\]]*)\]", _LABELS_AT_END.search(filters[-1].strip()).group(1))
        chains.append((ins, outs, list(range(index, index + len(filters)))))
        index += len(filters)
    consumers: dict[str, int] = {}
    for ci, (ins, _, _) in enumerate(chains):
        for label in ins:
            consumers[label] = ci
    owners: dict[int, set[str]] = {}

    def chain_owners(ci: int, seen: frozenset[int] = frozenset()) -> set[str]:
        if ci in owners:
            return owners[ci]
        found: set[str] = set()
        for label in chains[ci][1]:
            if label in label_owner:
                found.add(label_owner[label])
            elif label in consumers and consumers[label] not in seen:
                found |= chain_owners(consumers[label], seen | {ci})
        owners[ci] = found
        return found

    result: dict[int, str] = {}
    for ci, (_, _, indices) in enumerate(chains):
        found = chain_owners(ci)
        if len(found) == 1:
            owner = next(iter(found))
            for n in indices:
                result[n] = owner
    return result


