"""What a node shows besides its model data: validation problems and the live run state.

Kept apart from the item so that the painter reads one small object and the scene can
update states without touching geometry or model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import status_label, translate
from ..theme import percent_text


@dataclass
class NodeVisualState:
    problems: list[str] = field(default_factory=list)  # validation messages naming this node
    run_status: str | None = None  # a SubtaskStatus value, or None when no run is shown
    progress: float = 0.0  # 0–100 while PROCESSING
    run_message: str = ""  # the error / skip reason of the shown run

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    def tooltip(self, title: str) -> str:
        lines = [f"<b>{_esc(title)}</b>"]
        if self.run_status:
            status = status_label(self.run_status)
            if self.run_status == "PROCESSING":
                status = translate("NodeTooltip", "Running {0}").format(percent_text(self.progress))
            lines.append(translate("NodeTooltip", "Run: {0}").format(status))
            if self.run_message:
                lines.append(_esc(self.run_message[:400]))
        for problem in self.problems:
            lines.append(f"<span style='color:#f85149'>⚠ {_esc(problem)}</span>")
        return "<br>".join(lines)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
