"""Output-name templates: the one list of placeholders, and the check of a template against it.

media/naming.py fills templates (and imports these names from here); validation refuses a template
naming a placeholder that does not exist before a run would write "clip_(colour).mp4". Placeholders
are matched case-insensitively, as naming fills them.
"""

from __future__ import annotations

import re

PLACEHOLDERS = ("inputName", "inputFormat", "taskName", "definition", "number", "format", "ext")
# the kinds whose outputs are several numbered files: only they fill {number}
MULTI_FILE_KINDS = frozenset({"snapshot", "sample_snapshot", "image_sprite"})

_KNOWN = {name.lower() for name in PLACEHOLDERS}
_TOKEN = re.compile(r"\{([^{}]*)\}")


def placeholder_list() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def template_problems(template: str, kind: str) -> list[str]:
    """What is wrong with an output-name template of a task of `kind`, in words (empty: nothing)."""
    out: list[str] = []
    for match in _TOKEN.finditer(template or ""):
        word = match.group(1)
        if word.lower() not in _KNOWN:
            out.append(f"{match.group(0)} is not a placeholder; the placeholders are {placeholder_list()}")
        elif word.lower() == "number" and kind not in MULTI_FILE_KINDS:
            out.append("{number} numbers the files of tasks that write several; this task writes one file")
    return out
