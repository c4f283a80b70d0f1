"""`mediaflow`: the headless command line (same Engine and task store as the GUI, no Qt).

    mediaflow validate FILE
    mediaflow run WORKFLOW INPUT... --out DIR [--concurrency N] [--no-fusion] [--ffmpeg PATH]
    mediaflow status TASKID [--json]
    mediaflow tasks [--limit N] [--search S]
    mediaflow doctor [--ffmpeg PATH]      (the FFmpeg in use, what it can do, what MediaFlow does without the rest)
    mediaflow --data-dir DIR ...      (moves the task store; same as MEDIAFLOW_DATA_DIR)

Exit codes: 0 success, 1 a run failed, 2 bad usage or a refused workflow (unreadable, beyond a size
limit, not valid, or naming a file its tasks cannot use: `validate` says so, `run` runs nothing),
130 canceled (Ctrl-C, SIGTERM or SIGHUP: the same clean cancel). Errors are one line on stderr, never a traceback (set
MEDIAFLOW_DEBUG=1 to see one). An input whose name starts with '-' goes after `--`.
`run` says once on stderr which FFmpeg it uses and what that one lacks ("FFmpeg: …").
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import inspect
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from . import __version__
from .engine.events import Event, RunCreated, RunFinished, SubtaskFinished, SubtaskProgress, SubtaskStarted
from .model.statuses import RunResult, SubtaskStatus
from .model.text import display_text
from .paths import DATA_DIR_ENV, secure_data_dir

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELED = 0, 1, 2, 130


def _err(message: str) -> None:
    print(f"mediaflow: {' '.join(display_text(str(message)).split())}", file=sys.stderr)


def _say(text: str) -> None:
    """One line on stdout in display form: a file name that is not UTF-8 shows its bytes as \\xNN
    (printing the lossless form would raise UnicodeEncodeError on a UTF-8 terminal)."""
    print(display_text(text))


def _human_size(size: int | float | None) -> str:
    size = float(size or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _local_time(t: float | None) -> str:
    if t is None:
        return "-"
    return _dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


# -- validate ---------------------------------------------------------------------------
def workflow_refusals(workflow: Any) -> list[str]:
    """Every reason to refuse a loaded workflow before anything runs: what it says (validation)
    and the files its tasks need (watermark images, the font), each naming its node."""
    from .media.preflight import check_workflow_inputs
    from .model.validation import validate

    return [p.message for p in validate(workflow) + check_workflow_inputs(workflow)]


def cmd_validate(args: argparse.Namespace) -> int:
    from .model.serialization import WorkflowFormatError, load_workflow

    try:
        workflow = load_workflow(args.file)
    except WorkflowFormatError as exc:
        for problem in exc.problems:
            print(f"{exc.source}: {problem}")
        return EXIT_USAGE
    problems = workflow_refusals(workflow)
    if not problems:
        print(f"OK: {args.file} ({workflow.name}, {sum(1 for n in workflow.nodes.values() if n.task_kind)} tasks)")
        return EXIT_OK
    for problem in problems:
        print(problem)
    return EXIT_USAGE


# -- run ----------------------------------------------------------------------------------
class ProgressPrinter:
    """Turns engine events into terminal output: a redrawn status line on a TTY, plain lines otherwise."""

    BAR = 24

    def __init__(self, stream: TextIO, tty: bool | None = None,
                 before_task_id: Callable[[], None] | None = None) -> None:
        self.stream = stream
        # called before a TaskId is printed (the CLI commits the store: a printed id can be queried)
        self.before_task_id = before_task_id
        self.tty = stream.isatty() if tty is None else tty
        self.names: dict[tuple[str, str], str] = {}
        self.steps: dict[str, list[str]] = {}
        self.percent: dict[tuple[str, str], float] = {}
        self.plain_marks: dict[tuple[str, str], int] = {}
        self._last_draw = 0.0
        self._line_shown = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunCreated):
            self.steps[event.task_id] = [s.step_id for s in event.steps]
            for s in event.steps:
                self.names[(event.task_id, s.step_id)] = s.name
            if self.before_task_id is not None:
                self.before_task_id()
            self._line(f"TaskId: {event.task_id}")
            self._line(f"  {event.input} → {event.out_dir or '(delivered)'} with {event.workflow_name!r}, "
                       f"{len(event.steps)} task(s)")
        elif isinstance(event, SubtaskStarted):
            key = (event.task_id, event.step_id)
            self.percent[key] = 0.0
            if not self.tty:
                self._line(f"[{event.task_id}] {self.names.get(key, event.step_id)}: started")
            self._draw(force=True)
        elif isinstance(event, SubtaskProgress):
            key = (event.task_id, event.step_id)
            self.percent[key] = event.percent
            if self.tty:
                self._draw()
            else:
                mark = int(event.percent // 25)
                if 0 < mark < 4 and mark > self.plain_marks.get(key, 0):
                    self.plain_marks[key] = mark
                    speed = f" ({event.speed:.2f}x)" if event.speed else ""
                    self._line(f"[{event.task_id}] {self.names.get(key, event.step_id)}: {mark * 25}%{speed}")
        elif isinstance(event, SubtaskFinished):
            key = (event.task_id, event.step_id)
            self.percent[key] = 100.0
            name = self.names.get(key, event.step_id)
            if event.status == SubtaskStatus.SUCCESS:
                files = ", ".join(Path(o["path"]).name for o in event.outputs[:3])
                more = f" (+{len(event.outputs) - 3} more)" if len(event.outputs) > 3 else ""
                detail = f" → {files}{more}" if files else (f" ({event.message})" if event.message else "")
                self._line(f"[{event.task_id}] {name}: SUCCESS{detail}")
            else:
                self._line(f"[{event.task_id}] {name}: {event.status.value}"
                           + (f": {' '.join(event.message.split())}" if event.message else ""))
            self._draw(force=True)
        elif isinstance(event, RunFinished):
            self._clear()

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
        for task_id, step_ids in self.steps.items():
            if not step_ids:
                continue
            total = sum(self.percent.get((task_id, s), 0.0) for s in step_ids) / len(step_ids)
            filled = int(self.BAR * total / 100)
            running = [f"{self.names[(task_id, s)]} {self.percent[(task_id, s)]:.0f}%" for s in step_ids
                       if 0 < self.percent.get((task_id, s), -1) < 100 or self.percent.get((task_id, s)) == 0.0]
            parts.append(f"{task_id[-8:]} [{'#' * filled}{'.' * (self.BAR - filled)}] {total:5.1f}% "
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
    from .media.ffmpeg_locate import FFmpegNotFoundError

    out = stream if stream is not None else sys.stderr
    try:
        choice = await asyncio.to_thread(engine.ffmpeg_choice)
    except FFmpegNotFoundError as exc:
        print(f"FFmpeg: none usable: {' '.join(str(exc).split())}", file=out, flush=True)
        return
    print(f"FFmpeg: {choice.summary()}", file=out, flush=True)


async def _run_async(args: argparse.Namespace, workflow: Any, inputs: list[str], out_dir: Path) -> int:
    from .engine.engine import Engine, EngineSettings
    from .engine.store import TaskStore

    settings = EngineSettings(ffmpeg_path=args.ffmpeg, fusion=not args.no_fusion)
    if args.concurrency:
        settings.max_threads = args.concurrency
    store = TaskStore()
    try:
        engine = Engine(store, settings=settings)
        engine.bus.subscribe(ProgressPrinter(sys.stdout, before_task_id=store.flush))
        await announce_ffmpeg(engine)
        canceled = False

        def on_interrupt() -> None:
            nonlocal canceled
            if not canceled:
                canceled = True
                print("\nCanceling… (press Ctrl-C again to stop waiting)", file=sys.stderr, flush=True)
                for task_id in engine.running():
                    engine.cancel(task_id)
            else:  # a second Ctrl-C: stop now; the store marks the runs Interrupted next time
                raise KeyboardInterrupt

        loop = asyncio.get_running_loop()
        # Ctrl-C, a service manager's SIGTERM and a closed terminal's SIGHUP: the same clean cancel
        for sig in (getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)):
            try:
                loop.add_signal_handler(sig, on_interrupt)
            except (NotImplementedError, RuntimeError):  # Windows: KeyboardInterrupt handling below
                pass
        task_ids = [engine.submit(workflow, inp, out_dir) for inp in inputs]
        records = [await engine.wait(tid) for tid in task_ids]
    finally:
        store.close()

    status = EXIT_OK
    for record in records:
        done = sum(1 for s in record.subtasks if s.status == SubtaskStatus.SUCCESS)
        took = (record.finish_time or 0) - (record.begin_time or record.create_time)
        if record.result == RunResult.SUCCESS:
            _say(f"{record.task_id} SUCCESS: {done}/{len(record.subtasks)} tasks, "
                 f"{len(record.outputs())} file(s) in {record.out_dir} ({took:.1f} s)")
        else:
            _err(f"{record.task_id} {record.result.value if record.result else record.status.value}: "
                 f"{record.message or record.error_code}")
            status = EXIT_CANCELED if record.result == RunResult.CANCELED and status != EXIT_FAILED else EXIT_FAILED
    return status


def cmd_run(args: argparse.Namespace) -> int:
    from .model.serialization import WorkflowFormatError, load_workflow

    try:
        workflow = load_workflow(args.workflow)
    except WorkflowFormatError as exc:
        _err(f"cannot read the workflow: {exc}")
        return EXIT_USAGE
    refusals = workflow_refusals(workflow)
    if refusals:  # refused like `validate` refuses it: nothing is run or recorded
        for problem in refusals:
            _err(f"cannot run {args.workflow}: {problem}")
        return EXIT_USAGE
    if any(str(i).startswith("s3://") for i in args.inputs):
        from .storage.commands import run_s3  # the explicit bucket trigger: download, run, upload
        return run_s3(args, workflow)
    if not args.out:
        _err("--out DIR is required for local inputs")
        return EXIT_USAGE
    out_dir = Path(args.out).expanduser().resolve()
    try:
        return asyncio.run(_run_async(args, workflow, list(args.inputs), out_dir))
    except KeyboardInterrupt:
        _err("stopped; unfinished runs will show as Interrupted")
        return EXIT_CANCELED


# -- status / tasks ---------------------------------------------------------------------------
def _find_record(store: Any, task_id: str) -> tuple[Any, str]:
    """The run for a TaskId or a unique prefix of one; else (None, why)."""
    record = store.get(task_id)
    if record is not None or not task_id:
        return record, ""
    matches = [m for m in store.list(limit=50, search=task_id) if m.task_id.startswith(task_id)]
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"{task_id} matches {len(matches)} tasks; give more of the TaskId"
    return None, f"no task {task_id} in the task store ({os.environ.get(DATA_DIR_ENV) or 'default data dir'})"


def _print_status(record: Any) -> None:
    state = record.status.value + (f" ({record.result.value})" if record.result else "")
    rows = [
        ("TaskId", record.task_id), ("Workflow", record.workflow_name), ("Input", record.input),
        ("Output dir", record.out_dir or "-"), ("Status", state),
        ("Created", _local_time(record.create_time)), ("Started", _local_time(record.begin_time)),
        ("Finished", _local_time(record.finish_time)),
    ]
    if record.error_code:
        rows.append(("Error", record.error_code))
    if record.message:
        rows.append(("Message", " ".join(record.message.split())))
    for label, value in rows:
        _say(f"{label:<11} {value}")
    if record.metadata:
        md = record.metadata
        _say(f"{'Media':<11} {md.get('Container', '')} {md.get('Width', 0)}x{md.get('Height', 0)}, "
             f"{md.get('Duration', 0)} s, {_human_size(md.get('Size'))}")
    print()
    name_w = max([7] + [len(s.name) for s in record.subtasks])
    kind_w = max([4] + [len(s.task_kind) for s in record.subtasks])
    _say(f"{'Subtask':<{name_w}}  {'Kind':<{kind_w}}  {'Status':<10}  {'Progress':>8}  Message")
    for sub in record.subtasks:
        message = " ".join(sub.message.split())
        _say(f"{sub.name:<{name_w}}  {sub.task_kind:<{kind_w}}  {sub.status.value:<10}  {sub.progress:>7.0f}%  {message}")
        for out in sub.outputs:
            dims = f" {out.get('width')}x{out.get('height')}" if out.get("width") else ""
            dur = f" {out['duration']:.1f} s" if out.get("duration") else ""
            _say(f"{'':<{name_w}}  → {out.get('path')}  ({out.get('kind')}{dims}{dur}, {_human_size(out.get('size'))})")


def cmd_status(args: argparse.Namespace) -> int:
    from .engine.store import TaskStore, task_query_dict

    with TaskStore() as store:
        record, why = _find_record(store, args.task_id)
    if record is None:
        _err(why)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(task_query_dict(record), indent=2, ensure_ascii=False))
    else:
        _print_status(record)
    return EXIT_OK


def cmd_tasks(args: argparse.Namespace) -> int:
    from .engine.store import TaskStore

    with TaskStore() as store:
        records = store.list(limit=args.limit, search=args.search)
    if not records:
        _say("No tasks." if not args.search else f"No tasks match {args.search!r}.")
        return EXIT_OK
    print(f"{'TaskId':<21}  {'Created':<19}  {'Status':<19}  {'Tasks':>5}  {'Workflow':<20}  Input")
    for r in records:
        state = r.status.value + (f" {r.result.value}" if r.result else "")
        ok = sum(1 for s in r.subtasks if s.status == SubtaskStatus.SUCCESS)
        _say(f"{r.task_id:<21}  {_local_time(r.create_time):<19}  {state:<19}  "
             f"{f'{ok}/{len(r.subtasks)}':>5}  {r.workflow_name[:20]:<20}  {r.input}")
    return EXIT_OK


# -- parser --------------------------------------------------------------------------------------
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediaflow", description="Run MediaFlow workflows on local FFmpeg and query their tasks.")
    parser.add_argument("--version", action="version", version=f"mediaflow {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=f"where the task store lives (sets {DATA_DIR_ENV})")
    # also accepted after the command (`mediaflow tasks --data-dir D`); SUPPRESS keeps the global value
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", parents=[common], help="check a workflow file and list every problem")
    p.add_argument("file", help="a *.mfw.json workflow")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", parents=[common], help="run a workflow on one or more input files",
                       epilog="An input whose name starts with '-' goes after '--'.")
    p.add_argument("workflow", help="a *.mfw.json workflow")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="media file(s) to process")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="folder for the results (created if missing); s3:// inputs use --output-bucket instead")
    p.add_argument("--concurrency", type=_positive_int, metavar="N",
                   help="CPU threads all FFmpeg processes may use together (default: number of cores)")
    p.add_argument("--no-fusion", action="store_true", help="run every task as its own FFmpeg process")
    p.add_argument("--ffmpeg", metavar="PATH", help="the ffmpeg binary to use")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("status", parents=[common], help="show one task: the run, every subtask and its outputs")
    p.add_argument("task_id", metavar="TASKID", help="a TaskId (or a unique prefix)")
    p.add_argument("--json", action="store_true", help="print the task-query JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("tasks", parents=[common], help="list recent tasks, newest first")
    p.add_argument("--limit", type=_positive_int, default=20, metavar="N")
    p.add_argument("--search", metavar="S", help="TaskId prefix or part of the input")
    p.set_defaults(func=cmd_tasks)

    from .cli_doctor import add_subcommand as add_doctor
    add_doctor(sub, [common])

    try:
        from .storage.commands import add_subcommands
    except ModuleNotFoundError as exc:  # the storage commands are optional until that module exists
        if exc.name not in ("mediaflow_gui.storage.commands", "mediaflow_gui.storage"):
            raise
    else:
        add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ[DATA_DIR_ENV] = str(Path(args.data_dir).expanduser().resolve())
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    secure_data_dir()  # the data dir is the user's alone: checked once, repaired with a log line
    try:
        result = func(args)
        if inspect.isawaitable(result):
            result = asyncio.run(result)  # type: ignore[arg-type]
        return int(result or 0)
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_CANCELED
    except BrokenPipeError:
        # the reader went away (`mediaflow status … | head`): not an error of ours; keep
        # Python from complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the CLI promises one line, never a traceback
        if os.environ.get("MEDIAFLOW_DEBUG"):
            raise
        _err(f"{type(exc).__name__}: {exc}")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
