"""The task store: every run and subtask in SQLite, fed by the engine's events.

One room per idea:
- task_store.py: TaskStore, the facade: events in (run_state.apply, then the rows that changed),
  reads out, the record of runs it recorded kept in memory;
- writer.py: the batched writer thread (one transaction per burst, a bad statement costs only itself);
- rows.py: the SQL that writes a record's state;
- reads.py: records read back from the rows (one run, the newest, a search);
- schema.py: tables, migrations, how values cross into SQLite (non-UTF-8 file names as BLOBs);
- recovery.py: runs of dead processes marked Interrupted, their leftovers removed in the background;
- task_query.py: the service's task-query JSON of a record (`status --json`, events), SDK-exact, with
  mps_input.py (InputInfo, MetaData) and mps_results.py (MediaProcessResultSet);
- ids.py: TaskIds and the staging-dir prefix made from them.
The records themselves and the rules that make them are in engine/run_state.py.
"""

from .ids import STAGING_PREFIX, TASK_ID_PATTERN, new_task_id
from .recovery import remove_leftovers
from .schema import SCHEMA_VERSION, workflow_snapshot
from .task_query import iso_utc, task_query_dict
from .task_store import TaskStore

__all__ = ["SCHEMA_VERSION", "STAGING_PREFIX", "TASK_ID_PATTERN", "TaskStore", "iso_utc", "new_task_id",
           "remove_leftovers", "task_query_dict", "workflow_snapshot"]
