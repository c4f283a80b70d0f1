"""One set of field widgets for one parameters dataclass, built from a spec table.

The panel uses a group for the selected task's parameters and another for the watermark
chosen inside a transcode; both build the same widgets from the same specs (specs.py) and
check an edit the same way: a candidate copy with the new value, whose problems about that
field mark the widget and keep the value away from the model.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from typing import Any, Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFormLayout

from .fields import FieldWidget, FileParamField, make_field
from ...model.validation import in_words
from .specs import WATERMARK_ONLY, FieldSpec, field_problems, spec_text


class FieldGroup(QObject):
    # (field name, new value): the user changed a field (not yet checked)
    edited = Signal(str, object)

    def __init__(self, specs: Iterable[FieldSpec], params_type: type, base_dir: str = "",
                 parent: QObject | None = None, *, kind: str = "") -> None:
        """`kind`: the task kind ("transcode", "watermark" …) whose field labels the problems are told in."""
        super().__init__(parent)
        self.specs = list(specs)
        self.kind = kind
        self.fields: dict[str, FieldWidget] = {}
        self.form: QFormLayout | None = None  # set by add_rows
        hints = typing.get_type_hints(params_type)
        for spec in self.specs:
            widget = make_field(spec, hints.get(spec.name, str))
            if isinstance(widget, FileParamField):
                widget.base_dir = base_dir
            widget.edited.connect(lambda value, name=spec.name: self.edited.emit(name, value))
            self.fields[spec.name] = widget

    def add_rows(self, form: QFormLayout) -> None:
        for spec in self.specs:
            form.addRow(spec_text(spec.label), self.fields[spec.name])
        self.form = form  # rows that do not apply (a text field of an image watermark) are hidden in it

    def set_base_dir(self, base_dir: str) -> None:
        for widget in self.fields.values():
            if isinstance(widget, FileParamField):
                widget.base_dir = base_dir

    def load(self, params: object) -> None:
        """Show `params` (values, problems, which fields apply)."""
        for name, widget in self.fields.items():
            widget.set_value(getattr(params, name))
        self.mark(params)

    def mark(self, params: object, skip: str = "") -> None:
        """Mark every field (but `skip`) with the problems `params` has about it."""
        for name, widget in self.fields.items():
            if name != skip:
                widget.set_problems(self._in_words(field_problems(params, name)))
        self.update_enabled(params)

    def update_enabled(self, params: object) -> None:
        """Show only the fields of the chosen watermark type (an image watermark has no text or font)."""
        kind = getattr(params, "type", None)
        for name, needed in WATERMARK_ONLY.items():
            if name in self.fields and kind is not None:
                applies = kind == needed
                self.fields[name].setEnabled(applies)
                if self.form is not None:
                    self.form.setRowVisible(self.fields[name], applies)

    def candidate(self, params: object, name: str, value: Any) -> object | None:
        """A copy of `params` with `name` set to `value`, or None if that value has problems
        (then the field shows them). The model is never touched here."""
        try:
            candidate = dataclasses.replace(copy.deepcopy(params), **{name: value})
        except (TypeError, ValueError) as exc:
            self.fields[name].set_problems([f"{name}: {exc}"])
            return None
        problems = field_problems(candidate, name)
        self.fields[name].set_problems(self._in_words(problems))
        return None if problems else candidate

    def _in_words(self, problems: list[str]) -> list[str]:
        """"crf must be …" as the inspector labels it: "Quality (CRF) must be …" (model/validation.py)."""
        return [in_words(p, self.kind) for p in problems]

    def problems(self) -> list[str]:
        return [p for widget in self.fields.values() for p in widget.problems]

    def set_value(self, name: str, value: Any) -> None:
        """Put a value into a widget without emitting `edited` (tests and the panel use it)."""
        self.fields[name].set_value(value)

    def delete_widgets(self) -> None:
        for widget in self.fields.values():
            widget.deleteLater()
        self.fields.clear()
