"""Dry-run preview: the workflow run on a short excerpt of an input, into a temporary folder.

A preview is a normal run of the same Engine — a TaskId, the workflow snapshot, events, the task
store — whose input is an excerpt: the excerpt is made by the run's `fetch_input` hook (one FFmpeg
call, media/excerpt.py: stream copy, or a fast re-encode when copy fails) into the run's private
work dir, which the engine removes when the run ends; the outputs go to a preview folder. So the
TaskId exists at once, a failed excerpt is a recorded FAIL run ("Getting the input … failed: …"),
and the GUI shows a preview like any run.

Previews go to the task history like any run (the store records every run of the engine); they are
recognisable by their input label, `clip.mov [preview 0–5 s]`. Their outputs are temporary:
PreviewFolders removes the previous preview's folder when the next one starts and all of them when
the app quits (and folders a crashed app left behind, once they are a day old).

No Qt here: the GUI (ui/preview.py) and the CLI (`mediaflow run --preview`) drive it alike.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import shutil
import time
from pathlib import Path

from ..media.excerpt import ExcerptRange, copy_argv, excerpt_path, reencode_argv
from ..model.workflow import Workflow
from .engine import Engine

log = logging.getLogger(__name__)

STALE_AGE = 24 * 3600.0  # seconds after which another process's preview folder is a leftover
_TAIL = 3  # FFmpeg stderr lines kept in an error message


class ExcerptError(RuntimeError):
    """FFmpeg could make no excerpt (neither by copy nor by re-encoding)."""


async def _ffmpeg(argv: list[str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                                                start_new_session=True)
    try:
        _, err = await proc.communicate()
    except asyncio.CancelledError:  # the run was cancelled: FFmpeg must not outlive it
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    return proc.returncode or 0, err.decode("utf-8", "replace")


def _usable(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


async def make_excerpt(ffmpeg: str, source: Path, folder: Path, rng: ExcerptRange) -> Path:
    """Cut `rng` out of `source` into `folder`: stream copy, else a fast re-encode. Returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = excerpt_path(folder, source)
    code, err = await _ffmpeg(copy_argv(ffmpeg, source, target, rng))
    if code == 0 and _usable(target):
        return target
    log.info("stream copy of a preview excerpt of %s failed (%s); re-encoding", source, err.strip()[-300:])
    target.unlink(missing_ok=True)
    fallback = target.with_suffix(".mkv") if target.suffix != ".mkv" else target.with_name(target.stem + ".enc.mkv")
    code2, err2 = await _ffmpeg(reencode_argv(ffmpeg, source, fallback, rng))
    if code2 == 0 and _usable(fallback):
        return fallback
    tail = " ".join((err2 or err).strip().splitlines()[-_TAIL:])
    raise ExcerptError(f"FFmpeg could not cut {rng.describe()} out of '{source.name}': {tail or 'no output'}")


def _duration(source: Path) -> float | None:
    from ..media.probe import probe
    try:
        return probe(source).duration
    except Exception:  # an unreadable input fails in the excerpt with FFmpeg's own words
        return None


def submit_preview(engine: Engine, workflow: Workflow, source: str | os.PathLike[str], out_dir: Path,
                   rng: ExcerptRange | None = None) -> str:
    """Start a preview run (needs the running loop); returns its TaskId at once.

    The run's input label is `<source> [preview START–END s]`, so lists, events and the history show
    it for what it is; output names keep the source's name (`clip_SD.mp4`).
    """
    rng = rng or ExcerptRange()
    src = Path(os.path.abspath(os.fspath(source)))

    async def fetch(folder: Path) -> Path:
        # blocking parts (FFmpeg choice, probe) on a worker thread: the loop stays free
        ffmpeg = str((await asyncio.to_thread(engine.ffmpeg_choice)).binary.path)
        duration = await asyncio.to_thread(_duration, src)
        return await make_excerpt(ffmpeg, src, folder, rng.clipped(duration))

    return engine.submit(workflow, src, out_dir, input_label=rng.label(str(src)), fetch_input=fetch)


async def run_preview(engine: Engine, workflow: Workflow, source: str | os.PathLike[str], out_dir: Path,
                      rng: ExcerptRange | None = None):  # noqa: ANN201 - RunRecord
    """submit_preview and wait for the run's end; its RunRecord."""
    return await engine.wait(submit_preview(engine, workflow, source, out_dir, rng))


class PreviewFolders:
    """The temporary folders previews write to: `<root>/<pid>-<n>`, one per preview.

    `new()` removes this process's previous preview folder (one preview's outputs at a time) and
    other processes' folders older than STALE_AGE; `clear()` removes all of this process's (at quit).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._counter = itertools.count(1)
        self.current: Path | None = None

    def new(self) -> Path:
        self.clear()
        self._remove_stale()
        folder = self.root / f"{os.getpid()}-{next(self._counter)}"
        folder.mkdir(parents=True, exist_ok=True)
        self.current = folder
        return folder

    def clear(self) -> None:
        prefix = f"{os.getpid()}-"
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            entries = []
        for entry in entries:
            if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
        self.current = None

    def _remove_stale(self) -> None:
        now = time.time()
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > STALE_AGE:
                    shutil.rmtree(entry.path, ignore_errors=True)
            except OSError:
                continue


def default_preview_root(engine: Engine) -> Path:
    """`<work dir>/previews` (the engine's work area: the data dir's `work`, or its settings' work_dir)."""
    if engine.settings.work_dir is not None:
        return Path(engine.settings.work_dir) / "previews"
    from ..paths import data_dir, private_dir
    return private_dir(data_dir() / "work") / "previews"
