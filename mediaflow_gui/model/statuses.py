"""Run and subtask statuses, named as in DESIGN.md (mirroring the cloud service's task query)."""

from __future__ import annotations

from enum import Enum


class RunStatus(str, Enum):
    WAITING = "WAITING"
    PROCESSING = "PROCESSING"
    FINISH = "FINISH"


class RunResult(str, Enum):
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    CANCELED = "CANCELED"


class SubtaskStatus(str, Enum):
    WAITING = "WAITING"
    PROCESSING = "PROCESSING"
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    SKIPPED = "SKIPPED"  # a predecessor failed or was canceled
    CANCELED = "CANCELED"

    @property
    def is_final(self) -> bool:
        return self not in (SubtaskStatus.WAITING, SubtaskStatus.PROCESSING)
