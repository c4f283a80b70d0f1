"""TaskIds and the names made from them.

A TaskId is `mf-YYYYMMDD-<8 hex>` (UTC date): readable, sortable by day, unique. A step writes
into a private folder `<out_dir>/.mediaflow-<TaskId>-…` before its outputs are published
(engine/executor.py); the start-up clean-up (recovery.py) finds a killed run's leftovers by that
prefix, and a run's work dir is `<data dir>/work/<TaskId>`.
"""

from __future__ import annotations

import datetime as _dt
import re
import time
import uuid

# the private folder a step writes into before its outputs are published (executor.py); the
# start-up clean-up finds a killed run's leftovers by this name
STAGING_PREFIX = ".mediaflow-"
TASK_ID_PATTERN = re.compile(r"mf-\d{8}-[0-9a-f]{8}")


def new_task_id(now: float | None = None) -> str:
    """Readable and unique: `mf-YYYYMMDD-<8 hex>` (UTC date)."""
    day = _dt.datetime.fromtimestamp(now if now is not None else time.time(), _dt.timezone.utc)
    return f"mf-{day:%Y%m%d}-{uuid.uuid4().hex[:8]}"
