"""Pure data: the workflow graph, node kinds, task parameters, JSON form and validation.

Nothing here imports Qt or anything else from the package, so the model can be
driven the same way by the GUI, the CLI and the tests.
"""

from .kinds import NodeKind, TaskKind, TASK_KINDS, resolve_task_kind
from .params import (
    AnimatedImageParams,
    ImageSpriteParams,
    SampleSnapshotParams,
    SnapshotParams,
    TaskParams,
    TranscodeParams,
    WatermarkParams,
    params_from_dict,
    params_to_dict,
    default_params,
)
from .statuses import RunResult, RunStatus, SubtaskStatus
from .workflow import Edge, Node, Workflow
from .serialization import WorkflowFormatError, load_workflow, save_workflow, workflow_from_dict, workflow_to_dict
from .validation import Problem, validate
from .plan import ExecutionPlan, PlannedStep, compile_plan

__all__ = [name for name in dir() if not name.startswith("_")]
