"""Field widgets of the inspector. Each emits `edited(value)` as the user types and can be
marked invalid (red frame + tooltip) without losing what the user typed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QAbstractSpinBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from ...model.values import parse_offset
from ..file_field import FileField, PathKind, ask_path
from ..i18n import translate
from .specs import FieldSpec, choice_text, spec_text


def mark_invalid(widget: QWidget, problems: list[str], hint: str = "") -> None:
    """Give a widget the red "invalid" frame with the problems as tooltip, or clear it."""
    widget.setProperty("invalid", bool(problems))
    widget.setToolTip("\n".join(problems) if problems else hint)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldWidget(QWidget):
    edited = Signal(object)  # the new value, as the parameter's Python type

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self._setting = False
        self.problems: list[str] = []

    def set_value(self, value: Any) -> None:
        self._setting = True
        try:
            self._set(value)
        finally:
            self._setting = False

    def _emit(self, value: Any) -> None:
        if not self._setting:
            self.edited.emit(value)

    def _set(self, value: Any) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def editor(self) -> QWidget:
        """The widget that shows the invalid mark."""
        raise NotImplementedError

    def set_problems(self, problems: list[str]) -> None:
        self.problems = list(problems)
        mark_invalid(self.editor(), problems, spec_text(self.spec.hint))


TYPING_MAX = 1_000_000_000  # what a spin box lets a person type; the field's own range is checked, not enforced


class _StepsInRange:
    """The arrows and the wheel of a spin box stay inside [low, high], whatever may be typed."""

    low: float
    high: float

    def stepBy(self, steps: int) -> None:  # noqa: N802
        spin: Any = self
        spin.setValue(max(self.low, min(self.high, spin.value() + steps * spin.singleStep())))

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802
        value = self.value()  # type: ignore[attr-defined]
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if value > self.low:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if value < self.high:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags


class OpenSpinBox(_StepsInRange, QSpinBox):
    """A spin box that lets a person type past the allowed range — the field then turns red with the
    reason (FieldGroup.candidate) instead of QSpinBox silently refusing a key (typing 99 into a 0–51
    box left 9) — while its arrows and the wheel stay inside the range."""

    def __init__(self, low: int, high: int) -> None:
        super().__init__()
        self.low, self.high = low, high
        self.setRange(low, max(high, TYPING_MAX))  # the minimum stays: specialValueText is shown there


class OpenDoubleSpinBox(_StepsInRange, QDoubleSpinBox):
    """OpenSpinBox for decimals."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__()
        self.low, self.high = low, high
        self.setRange(low, max(high, float(TYPING_MAX)))


class IntField(FieldWidget):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = OpenSpinBox(int(spec.minimum), int(spec.maximum))
        self.spin.setSingleStep(int(spec.step))
        self.spin.setSuffix(spec.unit)
        if spec.special:
            self.spin.setSpecialValueText(spec_text(spec.special))
        self.spin.setKeyboardTracking(True)  # validate on every keystroke
        self.spin.setAccelerated(True)
        self.spin.valueChanged.connect(lambda v: self._emit(int(v)))
        self.layout_.addWidget(self.spin)

    def _set(self, value: Any) -> None:
        self.spin.setValue(int(value))

    def value(self) -> int:
        return self.spin.value()

    def editor(self) -> QWidget:
        return self.spin


class FloatField(FieldWidget):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = OpenDoubleSpinBox(spec.minimum, spec.maximum)
        self.spin.setDecimals(3)
        self.spin.setSuffix(spec.unit)
        if spec.special:
            self.spin.setSpecialValueText(spec_text(spec.special))
        self.spin.valueChanged.connect(lambda v: self._emit(float(v)))
        self.layout_.addWidget(self.spin)

    def _set(self, value: Any) -> None:
        self.spin.setValue(float(value))

    def value(self) -> float:
        return self.spin.value()

    def editor(self) -> QWidget:
        return self.spin


class ChoiceField(FieldWidget):
    def __init__(self, spec: FieldSpec, python_type: type, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.python_type = python_type
        self.combo = QComboBox()
        for choice in spec.choices:
            self.combo.addItem(self._label(choice), choice)
        self.combo.currentIndexChanged.connect(lambda _i: self._emit(self.value()))
        self.layout_.addWidget(self.combo)

    def _label(self, choice: str) -> str:
        if self.spec.name == "sample_rate":
            return self.tr("keep source") if choice == "0" else f"{int(choice):,} Hz"
        return choice_text(choice)

    def _set(self, value: Any) -> None:
        index = self.combo.findData(str(value))
        if index < 0:  # a value from a hand-edited file: show it, validation marks it
            self.combo.addItem(str(value), str(value))
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def value(self) -> Any:
        raw = self.combo.currentData()
        try:
            return self.python_type(raw)
        except (TypeError, ValueError):
            return raw

    def editor(self) -> QWidget:
        return self.combo


class TextField(FieldWidget):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None, *, line: QLineEdit | None = None,
                 host: QWidget | None = None) -> None:
        """`line`: the line edit to use (a new one by default), shown inside `host` when given."""
        super().__init__(spec, parent)
        self.line = line if line is not None else QLineEdit()
        self.line.setPlaceholderText(spec_text(spec.hint))
        self.line.textEdited.connect(lambda t: self._emit(t))
        self.layout_.addWidget(host if host is not None else self.line)

    def _set(self, value: Any) -> None:
        if self.line.text() != str(value):
            self.line.setText(str(value))

    def value(self) -> str:
        return self.line.text()

    def editor(self) -> QWidget:
        return self.line


# English, marked for pyside6-lupdate; shown translated (context "ImageField")
IMAGE_CAPTION = QT_TRANSLATE_NOOP("ImageField", "Choose the watermark image")
IMAGE_FILTER = QT_TRANSLATE_NOOP("ImageField", "Images (*.png *.webp *.jpg *.jpeg);;All files (*)")


def pick_image(parent: QWidget, base_dir: str) -> str:
    """Ask for a watermark image (the dialog of the image field's Browse… too); "" if cancelled."""
    return ask_path(parent, PathKind.OPEN, translate("ImageField", IMAGE_CAPTION), base_dir,
                    translate("ImageField", IMAGE_FILTER))


class FileParamField(TextField):
    """A file parameter (a watermark image): a text field inside the app's FileField, whose dialog opens
    in the workflow's folder (`base_dir`, against which a relative path is resolved)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        field = FileField(caption=translate("ImageField", IMAGE_CAPTION), filter=translate("ImageField", IMAGE_FILTER),
                          start=lambda: self.base_dir)
        super().__init__(spec, parent, line=field.edit, host=field)
        self.base_dir = ""
        self.field = field
        self.browse = field.browse
        field.picked.connect(lambda path: self._emit(path))


class OffsetListField(FieldWidget):
    """A list editor for time points: edit in place, add, remove; each entry checked as typed."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setMaximumHeight(120)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.SelectedClicked)
        self.list.itemChanged.connect(lambda _it: self._changed())
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.add_button.clicked.connect(self.add_entry)
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        box.addWidget(self.list)
        box.addLayout(buttons)
        self.layout_.addLayout(box)

    def _item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def _set(self, value: Any) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for text in value or []:
            self.list.addItem(self._item(str(text)))
        self.list.blockSignals(False)
        self._paint_entries()

    def value(self) -> list[str]:
        return [self.list.item(i).text().strip() for i in range(self.list.count())]

    def set_entries(self, entries: list[str]) -> None:
        """Replace the entries as a user edit would (tests and paste use it)."""
        self.list.blockSignals(True)
        self.list.clear()
        for text in entries:
            self.list.addItem(self._item(text))
        self.list.blockSignals(False)
        self._changed()

    def add_entry(self) -> None:
        item = self._item("50%")
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        self._changed()
        self.list.editItem(item)

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self._changed()

    def _changed(self) -> None:
        self._paint_entries()
        self._emit(self.value())

    def _paint_entries(self) -> None:
        from PySide6.QtGui import QColor
        from .. import theme
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            try:
                off = parse_offset(item.text())
                ok = off.value >= 0 and (not off.percent or off.value <= 100)
            except ValueError:
                ok = False
            item.setForeground(QColor(theme.TEXT if ok else theme.ERROR))
            item.setToolTip("" if ok else self.tr("Write a time point as 3.5s or 25% (0–100%)"))
        self.list.blockSignals(False)

    def editor(self) -> QWidget:
        return self.list


class NumberFormatField(FieldWidget):
    """The cloud service's number format in one row — first number, step, digits, padding — with the
    names it gives shown beside it (`_01, _02 … _10`). Out-of-range values turn the row red with the
    reason (the parameters' problems), never clamped."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.initial = OpenSpinBox(0, 1_000_000)
        self.increment = OpenSpinBox(1, 1000)
        self.min_length = OpenSpinBox(1, 10)
        self.pad = QLineEdit()
        self.pad.setMaximumWidth(36)
        for label, widget, tip in ((self.tr("From"), self.initial, self.tr("The first file's number")),
                                   (self.tr("step"), self.increment, self.tr("Added for each next file")),
                                   (self.tr("digits"), self.min_length, self.tr("Padded to at least this many characters")),
                                   (self.tr("pad"), self.pad, self.tr("The padding character: 0, _ or a letter"))):
            widget.setToolTip(tip)
            caption = QLabel(label)
            caption.setProperty("role", "hint")
            row.addWidget(caption)
            row.addWidget(widget)
        row.addStretch(1)
        self.example = QLabel()
        self.example.setProperty("role", "hint")
        box.addLayout(row)
        box.addWidget(self.example)
        self.layout_.addLayout(box)
        for spin in (self.initial, self.increment, self.min_length):
            spin.setKeyboardTracking(True)
            spin.valueChanged.connect(lambda _v: self._changed())
        self.pad.textEdited.connect(lambda _t: self._changed())

    def _changed(self) -> None:
        self._show_example()
        self._emit(self.value())

    def _show_example(self) -> None:
        value = self.value()
        if value.problems():
            self.example.setText("")
            return
        names = [f"_{value.text(i)}" for i in (0, 1)] + ["…", f"_{value.text(9)}"]
        self.example.setText(self.tr("Files: {0}").format(", ".join(names[:2]) + " " + " ".join(names[2:])))

    def _set(self, value: Any) -> None:
        from ...model.params import NumberFormat
        value = value if isinstance(value, NumberFormat) else NumberFormat()
        self.initial.setValue(value.initial_value)
        self.increment.setValue(value.increment)
        self.min_length.setValue(value.min_length)
        self.pad.setText(value.place_holder)
        self._show_example()

    def value(self) -> Any:
        from ...model.params import NumberFormat
        return NumberFormat(self.initial.value(), self.increment.value(), self.min_length.value(), self.pad.text())

    def _parts(self) -> tuple[tuple[str, QWidget], ...]:
        # which words of a problem (model/params.py NumberFormat.problems) are about which box
        return (("start at", self.initial), ("go up", self.increment), ("length", self.min_length),
                ("padded with", self.pad))

    def editor(self) -> QWidget:
        first = self.problems[0] if self.problems else ""
        return next((widget for words, widget in self._parts() if words in first), self.initial)

    def set_problems(self, problems: list[str]) -> None:
        """Each box red with its own problems (a bad digit count marks Digits, not the whole row)."""
        self.problems = list(problems)
        for words, widget in self._parts():
            mark_invalid(widget, [p for p in problems if words in p], spec_text(self.spec.hint))


def make_field(spec: FieldSpec, python_type: type) -> FieldWidget:
    if spec.kind == "number_format":
        return NumberFormatField(spec)
    if spec.kind == "int":
        return IntField(spec)
    if spec.kind == "float":
        return FloatField(spec)
    if spec.kind == "choice":
        return ChoiceField(spec, python_type)
    if spec.kind == "file":
        return FileParamField(spec)
    if spec.kind == "offsets":
        return OffsetListField(spec)
    return TextField(spec)  # text, offset, length: checked through the parameters' problems()
