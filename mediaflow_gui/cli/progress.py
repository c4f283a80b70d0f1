"""What a run looks like on the terminal: the progress printer of `run`, the short lines of `watch`,
and the one line naming the FFmpeg the runs use.

The printer draws a redrawn status line on a TTY and plain lines otherwise; stdout carries the
TaskId lines that scripts parse, so the FFmpeg line goes to stderr. It keeps each run's RunRecord
with engine/run_state.apply (the rules the store and the GUI apply too) and renders from it: the
bar is the record's progress, a running subtask is one the record shows running (a folded
watermark included), and an event that changes nothing (told twice) prints nothing.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, TextIO

from ..engine.events import Event, RunCreated, RunFinished, SubtaskFinished, SubtaskProgress, SubtaskStarted
from ..engine.run_state import RunRecord, apply
from ..model.statuses import SubtaskStatus
from ..model.text import display_text


class ProgressPrinter:
    """Turns engine events into terminal output: a redrawn status line on a TTY, plain lines otherwise."""

    BAR = 24

    def __init__(self, stream: TextIO, tty: bool | None = None,
                 before_task_id: Callable[[], None] | None = None) -> None:
        self.stream = stream
        # called before a TaskId is printed (the CLI commits the store: a printed id can be queried)
        self.before_task_id = before_task_id
        self.tty = stream.isatty() if tty is None else tty
        self.records: dict[str, RunRecord] = {}  # by TaskId, in the order the runs were created
        self.plain_marks: dict[tuple[str, str], int] = {}
        self._last_draw = 0.0
        self._line_shown = False

    def __call__(self, event: Event) -> None:
        tid = event.task_id
        before = self.records.get(tid)
        if isinstance(event, RunCreated) and before is not None:
            return  # told twice
        step_id = getattr(event, "step_id", "")
        sub_before = before.steps.get(step_id) if before is not None and step_id else None
        was_final = sub_before is not None and sub_before.status.is_final
        record = apply(before, event)
        if record is None:  # a run whose creation this printer did not see
            return
        self.records[tid] = record
        sub = record.steps.get(step_id) if step_id else None
        if isinstance(event, RunCreated):
            if self.before_task_id is not None:
                self.before_task_id()
            self._line(f"TaskId: {tid}")
            self._line(f"  {record.input} → {record.out_dir or '(delivered)'} with {record.workflow_name!r}, "
                       f"{len(record.subtasks)} task(s)")
        elif isinstance(event, RunFinished):
            self._clear()
        elif sub is None or was_final:
            return  # RunStarted (nothing to say), a step the run does not have, or one that ended already
        elif isinstance(event, SubtaskStarted):
            if not self.tty:
                self._line(f"[{tid}] {sub.name}: started")
            self._draw(force=True)
        elif isinstance(event, SubtaskProgress):
            if self.tty:
                self._draw()
            else:
                mark = int(sub.progress // 25)
                if 0 < mark < 4 and mark > self.plain_marks.get((tid, step_id), 0):
                    self.plain_marks[(tid, step_id)] = mark
                    speed = f" ({sub.speed:.2f}x)" if sub.speed else ""
                    self._line(f"[{tid}] {sub.name}: {mark * 25}%{speed}")
        elif isinstance(event, SubtaskFinished):
            if sub.status == SubtaskStatus.SUCCESS:
                files = ", ".join(Path(o["path"]).name for o in sub.outputs[:3])
                more = f" (+{len(sub.outputs) - 3} more)" if len(sub.outputs) > 3 else ""
                detail = f" → {files}{more}" if files else (f" ({sub.message})" if sub.message else "")
                self._line(f"[{tid}] {sub.name}: SUCCESS{detail}")
            else:
                self._line(f"[{tid}] {sub.name}: {sub.status.value}"
                           + (f": {' '.join(sub.message.split())}" if sub.message else ""))
            self._draw(force=True)

    def _line(self, text: str) -> None:
        self._clear()
        print(display_text(text), file=self.stream, flush=True)
        self._draw(force=True)

    def _clear(self) -> None:
        if self.tty and self._line_shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._line_shown = False

    def _draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        parts = []
        for record in self.records.values():
            if not record.subtasks:
                continue
            total = record.progress
            filled = int(self.BAR * total / 100)
            running = [f"{sub.name} {progress:.0f}%" for sub in record.subtasks
                       for status, progress, _ in [record.shown(sub.step_id)] if status == "PROCESSING"]
            parts.append(f"{record.task_id[-8:]} [{'#' * filled}{'.' * (self.BAR - filled)}] {total:5.1f}% "
                         + " | ".join(running[:3]))
        if not parts:
            return
        width = 200
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            pass
        text = display_text("  ".join(parts))[: max(20, width - 1)]
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self._line_shown = True


async def announce_ffmpeg(engine: Any, stream: TextIO | None = None) -> None:
    """Say once, before the runs, which FFmpeg they use and what it lacks, in one line.

    On stderr: stdout carries the TaskId lines scripts parse. The choice is the engine's own (it
    is cached there), so the runs use exactly the FFmpeg this line names.
    """
    from ..media.ffmpeg_locate import FFmpegNotFoundError

    out = stream if stream is not None else sys.stderr
    try:
        choice = await asyncio.to_thread(engine.ffmpeg_choice)
    except FFmpegNotFoundError as exc:
        print(f"FFmpeg: none usable: {' '.join(str(exc).split())}", file=out, flush=True)
        return
    print(f"FFmpeg: {choice.summary()}", file=out, flush=True)


def watch_printer(stream: Any = None) -> Any:
    """The short lines of `watch`: a TaskId when a run is made, its result when it ends."""
    out = stream or sys.stdout

    def show(event: Any) -> None:
        if isinstance(event, RunCreated):
            print(f"TaskId: {event.task_id}  {event.input}", file=out, flush=True)
        elif isinstance(event, RunFinished):
            detail = f": {' '.join(event.message.split())}" if event.message and event.result.value != "SUCCESS" else ""
            print(f"{event.task_id} {event.result.value}{detail}", file=out, flush=True)

    return show
