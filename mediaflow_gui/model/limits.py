"""How big a workflow may be: limits that keep loading, validating and running it quick and bounded.

A drawn workflow has tens of nodes; these limits sit far above that and far below what makes the app
slow (validation and compilation grow with nodes × edges; a 10,000-node file took 42 s to validate
and a run of it made 10,000 staging folders). Everything that reads a workflow refuses one beyond
them with a message that names the limit, before doing the work:
- load_workflow() checks the file size before reading and the JSON nesting before parsing (so
  Python's own RecursionError never reaches a person), and the node and edge counts before building
  a single node;
- validate() checks the counts first and stops there (a workflow built in memory, not loaded).
The README's "Workflows" section lists the same numbers.
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_NODES = 500
MAX_EDGES = 2000  # a node rarely has more than a few edges; 4 per node leaves room for wide splits
MAX_FILE_BYTES = 5 * 1024 * 1024  # the standard workflow is 6 KB
MAX_JSON_DEPTH = 64  # arrays and objects inside each other; a workflow file needs about 6

_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escaped quotes included
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON text, counted without parsing it (no recursion).

    Brackets inside strings do not count. For text that is not balanced JSON the count is that of
    its unclosed brackets, which is what a recursive parser would have to descend into.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def size_problem(nodes: int, edges: int) -> str | None:
    """A sentence saying which count is over its limit, or None."""
    if nodes > MAX_NODES:
        return f"it has {nodes:,} nodes; a workflow may have at most {MAX_NODES}"
    if edges > MAX_EDGES:
        return f"it has {edges:,} connections; a workflow may have at most {MAX_EDGES}"
    return None
