"""What one FFmpeg binary can do: version, encoders, decoders, filters, muxers and main options.

`capabilities(path)` asks the binary itself (`-encoders`, `-decoders`, `-filters`, `-muxers`,
`-h long`, all started at once) and caches the answer per (resolved path, mtime, size): in memory
for the process, and in a small JSON file in the data dir (0600) because a distribution's
dynamically linked ffmpeg takes ~0.1 s per start (measured on 2 cores: Debian 12's five queries took
0.3–0.6 s even when run concurrently, the static bundled one 0.05–0.1 s, the disk cache ~1 ms),
which a CLI run or the GUI's start should not pay every time. Upgrading the binary changes its
mtime/size, so the cached answer is not reused.

Option names come from `-h long`, which lists the same main options as `-h full` (measured on
FFmpeg 5.1 and 9.0) without the ~1.2 MB of per-codec AVOptions. Builders and media/fusion ask this
probe (`has_option("stats_enc_pre")`, `first_encoder("libsvtav1", "libaom-av1")`) instead of
assuming a version. No Qt, no engine imports.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


log = logging.getLogger(__name__)


class FFmpegNotFoundError(RuntimeError):
    """No usable ffmpeg: the message says where we looked and how to fix it."""


_VERSION = re.compile(r"ffmpeg version (\S+)")


def parse_version(banner: str) -> str | None:
    """The version token of an `ffmpeg version …` banner, or None when the text is not FFmpeg's.

    Release builds say "7.1" or "5.1.9-0+deb12u1", git builds "n9.0.2-17-g2a571b6068-20260930":
    keep the numeric part; a build with no release number ("N-112345-gabc") keeps its raw token.
    """
    m = _VERSION.search(banner)
    if not m:
        return None
    token = m.group(1)
    nm = re.match(r"n?(\d+(?:\.\d+)*)", token)
    return nm.group(1) if nm else token

CACHE_FILE = "ffmpeg-caps.json"
CACHE_FORMAT = 1  # bump when what is probed or how it is parsed changes: old entries are then ignored
CACHE_ENTRIES = 8  # a machine has a handful of ffmpeg binaries; the oldest entries are dropped
PROBE_TIMEOUT = 20.0  # seconds; a binary that hangs on `-encoders` is not usable anyway


@dataclass(frozen=True)
class FFmpegCaps:
    """One binary's answers. Names are FFmpeg's own: encoder "libx264", filter "zscale", muxer "mp4",
    option "stats_enc_pre" (without the dash or stream specifier)."""

    path: Path  # resolved
    version: tuple[int, ...]  # (5, 1, 9); () for a git build without a release number (taken as new)
    version_text: str  # "5.1.9", or the raw token of such a git build
    encoders: frozenset[str]
    decoders: frozenset[str]
    filters: frozenset[str]
    muxers: frozenset[str]
    options: frozenset[str]

    def has_encoder(self, name: str) -> bool:
        return name in self.encoders

    def has_decoder(self, name: str) -> bool:
        return name in self.decoders

    def has_filter(self, name: str) -> bool:
        return name in self.filters

    def has_muxer(self, name: str) -> bool:
        return name in self.muxers

    def has_option(self, name: str) -> bool:
        return name.lstrip("-") in self.options

    def has(self, kind: str, name: str) -> bool:
        """has_<kind>(name) for kind "encoder" | "decoder" | "filter" | "muxer" | "option"."""
        table = {"encoder": self.encoders, "decoder": self.decoders, "filter": self.filters,
                 "muxer": self.muxers, "option": self.options}
        if kind not in table:
            raise ValueError(f"unknown capability kind {kind!r}")
        return name.lstrip("-") in table[kind] if kind == "option" else name in table[kind]

    def first_encoder(self, *names: str) -> str | None:
        """The first of `names` this FFmpeg has (e.g. "libsvtav1", then "libaom-av1"), else None."""
        return next((n for n in names if n in self.encoders), None)

    def at_least(self, *version: int) -> bool:
        """Release version >= `version`; a build without a release number counts as new."""
        return not self.version or self.version >= tuple(version)

    # -- the on-disk cache's form -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "version": list(self.version), "version_text": self.version_text,
                **{k: sorted(getattr(self, k)) for k in ("encoders", "decoders", "filters", "muxers", "options")}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FFmpegCaps":
        return cls(Path(data["path"]), tuple(int(x) for x in data["version"]), str(data["version_text"]),
                   *(frozenset(str(n) for n in data[k]) for k in ("encoders", "decoders", "filters", "muxers",
                                                                   "options")))


def version_tuple(text: str) -> tuple[int, ...]:
    m = re.match(r"(\d+(?:\.\d+)*)$", text)
    return tuple(int(x) for x in m.group(1).split(".")) if m else ()


# -- parsing FFmpeg's lists -------------------------------------------------------------------------------
_SEPARATOR = re.compile(r"^\s*-{2,}\s*$")
# " V....D libx264   …" (a codec line: six flag characters, then the name)
_CODEC = re.compile(r"^ ([VASDT.][A-Z.]{5}) (\S+)")
# " TSC scale   V->V   …" (flags, name, then the inputs->outputs column that no legend line has)
_FILTER = re.compile(r"^ ([A-Z.|]{2,3}) +(\S+) +[AVN|]*->[AVN|]* ")
# "-stats_enc_pre[:<stream_spec>] <output>  …" (main options start at column 0)
_OPTION = re.compile(r"^-([A-Za-z0-9_]+)")


def parse_codecs(text: str) -> frozenset[str]:
    """Names from `ffmpeg -encoders` / `-decoders` (the legend lines above "------" are skipped)."""
    names = set()
    for line in _after_separator(text):
        m = _CODEC.match(line)
        if m:
            names.add(m.group(2))
    return frozenset(names)


def parse_filters(text: str) -> frozenset[str]:
    """Names from `ffmpeg -filters` (4.x prints no separator line; the "A->V" column tells entries apart)."""
    return frozenset(m.group(2) for m in map(_FILTER.match, text.splitlines()) if m)


def parse_muxers(text: str) -> frozenset[str]:
    """Names from `ffmpeg -muxers`: " DEd name  description" after the " --" line; a few are "a,b" lists."""
    names = set()
    for line in _after_separator(text):
        parts = line[4:].split() if len(line) > 4 else []
        if parts:
            names.update(n for n in parts[0].split(",") if n)
    return frozenset(names)


def parse_options(text: str) -> frozenset[str]:
    """Main option names from `ffmpeg -h long` (or `-h full`, before its AVOptions sections)."""
    names = set()
    for line in text.splitlines():
        if line.endswith("AVOptions:"):
            break
        m = _OPTION.match(line)
        if m:
            names.add(m.group(1))
    return frozenset(names)


def _after_separator(text: str) -> list[str]:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line):
            return lines[i + 1:]
    return []


# -- probing ------------------------------------------------------------------------------------------------
# query → the arguments after the binary; the first keeps the banner (stderr) for the version line
_QUERIES: dict[str, list[str]] = {
    "encoders": ["-encoders"],
    "decoders": ["-hide_banner", "-decoders"],
    "filters": ["-hide_banner", "-filters"],
    "muxers": ["-hide_banner", "-muxers"],
    "options": ["-hide_banner", "-h", "long"],
}


def _probe(path: Path) -> FFmpegCaps:
    """Ask the binary at `path` (resolved) everything at once: the five processes run concurrently.

    Each answer (8–40 KB on FFmpeg 5.1 and 9.0) fits in a pipe buffer (64 KB on Linux), so reading
    the pipes one process after another does not hold the others back; a bigger answer only makes
    its process wait until its turn.
    """
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, args in _QUERIES.items():
            procs[name] = subprocess.Popen([str(path), *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True, errors="replace")
        answers: dict[str, tuple[int, str, str]] = {}
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=PROBE_TIMEOUT)
            answers[name] = (proc.returncode, out, err)
    except (OSError, subprocess.SubprocessError) as exc:
        raise FFmpegNotFoundError(f"{path} could not be started as ffmpeg: {exc}") from exc
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    code, out, err = answers["encoders"]
    token = parse_version(err) or parse_version(out)
    if token is None:
        raise FFmpegNotFoundError(f"{path} does not answer like ffmpeg (no 'ffmpeg version' line; "
                                  f"-encoders exited {code})")
    failed = [f"{' '.join(_QUERIES[n])} exited {c}" for n, (c, _, _) in answers.items() if c != 0]
    if failed:
        raise FFmpegNotFoundError(f"{path} does not answer like ffmpeg ({'; '.join(failed)})")
    caps = FFmpegCaps(path=path, version=version_tuple(token), version_text=token,
                      encoders=parse_codecs(out), decoders=parse_codecs(answers["decoders"][1]),
                      filters=parse_filters(answers["filters"][1]), muxers=parse_muxers(answers["muxers"][1]),
                      options=parse_options(answers["options"][1]))
    if not (caps.encoders and caps.filters and caps.muxers and caps.options):
        empty = [k for k in ("encoders", "filters", "muxers", "options") if not getattr(caps, k)]
        raise FFmpegNotFoundError(f"{path} does not answer like ffmpeg (it listed no {', '.join(empty)})")
    return caps


# -- the caches ---------------------------------------------------------------------------------------------
Key = tuple[str, int, int]  # (resolved path, st_mtime_ns, st_size)

_lock = threading.Lock()
_memory: dict[Key, FFmpegCaps] = {}
_key_locks: dict[Key, threading.Lock] = {}
_disk_lock = threading.Lock()  # two binaries probed at once must not drop each other's entry


def _key(path: str | os.PathLike[str]) -> Key:
    """(resolved path, mtime, size): two syscalls' worth, because builders ask once per step."""
    real = os.path.realpath(os.path.expanduser(os.fspath(path)))
    try:
        st = os.stat(real)
    except OSError as exc:
        raise FFmpegNotFoundError(f"{real} cannot be used as ffmpeg: {exc.strerror or exc}") from exc
    return real, st.st_mtime_ns, st.st_size


def _check_executable(path: str) -> None:
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise FFmpegNotFoundError(f"{path} is not an executable file, so it cannot be used as ffmpeg")


def _key_text(key: Key) -> str:
    return f"{key[0]}\0{key[1]}\0{key[2]}"


def _cache_path() -> Path:
    from ..paths import data_dir
    return data_dir() / CACHE_FILE


def _read_disk() -> dict[str, Any]:
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or not isinstance(data.get("entries"), dict):
        return {}
    return data["entries"]


def _from_disk(key: Key) -> FFmpegCaps | None:
    entry = _read_disk().get(_key_text(key))
    if not isinstance(entry, dict):
        return None
    try:
        return FFmpegCaps.from_dict(entry)
    except (KeyError, TypeError, ValueError):
        return None


def _to_disk(key: Key, caps: FFmpegCaps) -> None:
    """Add one entry; written to a private temp file and renamed, so readers never see half a file."""
    with _disk_lock:
        _write_entry(key, caps)


def _write_entry(key: Key, caps: FFmpegCaps) -> None:
    try:
        entries = _read_disk()
        entries.pop(_key_text(key), None)
        entries[_key_text(key)] = caps.to_dict()
        while len(entries) > CACHE_ENTRIES:
            entries.pop(next(iter(entries)))
        target = _cache_path()
        fd, tmp = tempfile.mkstemp(prefix=".ffmpeg-caps-", dir=target.parent)  # mkstemp makes it 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"format": CACHE_FORMAT, "entries": entries}, fh)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:  # a read-only data dir costs a re-probe next time, nothing more
        log.debug("could not write the FFmpeg capability cache: %s", exc)


def capabilities(path: str | os.PathLike[str], *, use_disk: bool = True) -> FFmpegCaps:
    """What the ffmpeg at `path` can do (cached per resolved path, mtime and size; thread-safe).

    Raises FFmpegNotFoundError when the file is missing, not executable or does not answer like
    ffmpeg. Two threads asking about one binary at once probe it once.
    """
    key = _key(path)
    with _lock:
        cached = _memory.get(key)
        if cached is not None:
            return cached
        key_lock = _key_locks.setdefault(key, threading.Lock())
    with key_lock:
        with _lock:
            cached = _memory.get(key)
        if cached is not None:
            return cached
        try:
            _check_executable(key[0])
            caps = _from_disk(key) if use_disk else None
            if caps is None:
                caps = _probe(Path(key[0]))
                if use_disk:
                    _to_disk(key, caps)
            with _lock:
                _memory[key] = caps
        finally:
            with _lock:
                _key_locks.pop(key, None)
        return caps


def forget() -> None:
    """Drop the in-memory cache (tests, and a settings dialog that wants a fresh look)."""
    with _lock:
        _memory.clear()
