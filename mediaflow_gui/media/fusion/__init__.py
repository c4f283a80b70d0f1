"""Fusion: sibling steps that read one input share one FFmpeg process and one decode.

The compiled plan names the candidates (model/plan.py: steps with one input and one set of
dependencies); once the input is probed, `plan_groups` (rules.py) decides which of them share a
process, `build_fused` (graph.py) makes its one FFmpeg job, `FusedJob.culprits` (owners.py) maps
FFmpeg's error lines back to the members, and seeking.py handles time-point snapshots (riding in a
group, or all points of a step in one process of seeks). The engine's executor uses only the names
exported here.
"""

from .graph import build_fused, member_format
from .owners import FusedJob
from .rules import FULL_PASS, PASSENGERS, WINDOWED, fusable, group_weight, kind_of, plan_groups
from .seeking import apart_weight, build_seeking, seeks_fusable

__all__ = ["FULL_PASS", "PASSENGERS", "WINDOWED", "FusedJob", "apart_weight", "build_fused", "build_seeking",
           "fusable", "group_weight", "kind_of", "member_format", "plan_groups", "seeks_fusable"]
