"""The app-wide Qt signals, declared in one place with their payloads.

One `AppSignals` object lives in the AppContext and is handed to every widget that needs it;
widgets never talk to each other directly for these things, they emit or listen here.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppSignals(QObject):
    # a run was recorded (the TaskId exists): (task_id)
    run_created = Signal(str)
    # the live state of a run changed (status, subtask statuses or progress); throttled: (task_id)
    run_updated = Signal(str)
    # a run ended: (task_id, result "SUCCESS"|"FAIL"|"CANCELED", message a person can read)
    run_finished = Signal(str, str, str)
    # the history read from the task store is ready: (list[RunRecord], newest first)
    history_loaded = Signal(object)
    # someone (a notification, the task list) asks to show a run's details: (task_id)
    show_run_requested = Signal(str)
    # the run whose states the canvas shows changed: (task_id, "" for none)
    canvas_run_changed = Signal(str)
    # the settings were changed by the settings dialog: ()
    settings_changed = Signal()
    # a short message for the status bar: (text)
    status_message = Signal(str)
    # where new runs go changed — this computer, connecting to / connected to / refused by a Dask cluster:
    # (ui/execution.py ExecutionState)
    execution_changed = Signal(object)
