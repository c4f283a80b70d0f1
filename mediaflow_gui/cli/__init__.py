"""`mediaflow`: the headless command line (the same Runtime — task store, engine, notifier — as the GUI,
no Qt). One module per command group:

    main.py      the parser and main()             exits.py     exit codes, one-line errors, event flags
    run.py       validate, run (files and s3://)    progress.py  what a run prints on the terminal
    status.py    status, tasks                      doctor.py    doctor
    storage.py   storage serve/status/test/…        watch.py     watch (a binding without the GUI)
    cluster.py   worker, cluster local/info, and run/watch's --cluster (a Dask cluster)

Exit codes: 0 success, 1 a run failed, 2 bad usage or a refused workflow (unreadable, beyond a size
limit, not valid, or naming a file its tasks cannot use: `validate` says so, `run` runs nothing),
130 canceled (Ctrl-C, SIGTERM or SIGHUP: the same clean cancel). Errors are one line on stderr, never a
traceback (set MEDIAFLOW_DEBUG=1 to see one). An input whose name starts with '-' goes after `--`.
`run` and `watch` say once on stderr which FFmpeg they use and what that one lacks ("FFmpeg: …").
Every run sends its run-finished event to the targets in `<data dir>/event_targets.json` and to those
named by `--webhook`/`--sqs`/`--jsonl`.
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["build_parser", "main"]
