"""One widget per question type, all with the same small API.

Every input emits `changed(answer_name, value)` only for edits a person makes (never for
`load()`), and `load(answers)` shows stored answers. Values are the JSON values of the forms
engine: str, int, float, list[str], ISO dates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rhi_core.forms.labels import choice_label
from rhi_core.forms.schema import OTHER_CODE, Choice, FormDefinition, Question

from ..date_field import DateField
from .faces import face_icon


def button_text(label: str) -> str:
    """A label for a button's text: "&" is Qt's shortcut marker, so "B&B" must be "B&&B"."""
    return label.replace("&", "&&")


def _reserve_space(widget: QWidget) -> None:
    """Hidden but still taking its room: nothing below it moves when it appears."""
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


class QuestionInput(QWidget):
    changed = Signal(str, object)  # answer name, value ("" = cleared)

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self._loading = False
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)

    def names(self) -> tuple[str, ...]:
        return (self.question.name,)

    def load(self, answers: Mapping[str, Any]) -> None:
        self._loading = True
        try:
            self._show(answers.get(self.question.name, ""), answers)
        finally:
            self._loading = False

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def _emit(self, value: Any, name: str | None = None) -> None:
        if not self._loading:
            self.changed.emit(name or self.question.name, value)

    def focus_target(self) -> QWidget:
        return self

    def set_accessible(self, label: str) -> None:
        self.setAccessibleName(label)
        self.focus_target().setAccessibleName(label)


class TextInput(QuestionInput):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        self.edit = QLineEdit()
        self.edit.textEdited.connect(lambda t: self._emit(t))
        self.layout_.addWidget(self.edit)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        self.edit.setText("" if value in (None, "") else str(value))

    def focus_target(self) -> QWidget:
        return self.edit


class NumberInput(TextInput):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        integer = question.type == "integer"
        pattern = r"-?\d{0,9}" if integer else r"-?\d{0,9}([.,]\d{0,6})?"
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.edit))
        self.edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 16)
        self.edit.textEdited.disconnect()
        self.edit.textEdited.connect(self._typed)
        self._integer = integer

    def _typed(self, text: str) -> None:
        text = text.replace(",", ".").strip()
        if text in ("", "-", "."):
            self._emit("")
            return
        try:
            self._emit(int(text) if self._integer else float(text))
        except ValueError:
            self._emit(text)  # the engine will report it as invalid


class LongTextInput(QuestionInput):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # keyboard users must be able to leave the box
        lines = 4
        self.edit.setMinimumHeight(self.fontMetrics().lineSpacing() * lines + 16)
        self.edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 10 + 16)
        self.edit.textChanged.connect(lambda: self._emit(self.edit.toPlainText()))
        self.layout_.addWidget(self.edit)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        self.edit.setPlainText("" if value in (None, "") else str(value))

    def focus_target(self) -> QWidget:
        return self.edit


class DateInput(QuestionInput):
    """A date (or date and time) typed as DD/MM/YYYY [HH:MM] or picked; empty stays empty."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        self._with_time = question.type == "datetime"
        self.edit = DateField(with_time=self._with_time)
        self.edit.value_changed.connect(self._edited)
        self.layout_.addWidget(self.edit)

    def _edited(self, value: date | datetime | None) -> None:
        if value is None:
            self._emit("")
        elif isinstance(value, datetime):
            self._emit(value.strftime("%Y-%m-%dT%H:%M"))
        else:
            self._emit(value.isoformat())

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        text = str(value or "")
        try:
            if not text:
                parsed: date | datetime | None = None
            elif self._with_time:
                parsed = datetime.fromisoformat(text[:16])
            else:
                parsed = date.fromisoformat(text[:10])
        except ValueError:
            parsed = None  # not a date the engine wrote: shown empty, the engine says why
        self.edit.set_value(parsed)

    def focus_target(self) -> QWidget:
        return self.edit.edit

    def set_accessible(self, label: str) -> None:
        self.setAccessibleName(label)
        self.edit.set_accessible(label)


class TimeInput(TextInput):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        self.edit.setPlaceholderText("HH:MM")
        regex = QRegularExpression(r"([01]?\d|2[0-3])?(:[0-5]?\d?)?")
        self.edit.setValidator(QRegularExpressionValidator(regex, self.edit))
        self.edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 10)


class _ChoiceBase(QuestionInput):
    """Shared by single and multiple choice: the buttons and the "other — please say" box."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        self.choices: tuple[Choice, ...] = tuple(form.choices.get(question.choices or "", ()))
        self.other: QLineEdit | None = None
        if question.other:
            self.other = QLineEdit()
            label = choice_label(Choice(OTHER_CODE, question.other_label), form, language)
            self.other.setPlaceholderText(label or "Please say")
            self.other.setAccessibleName(label or "Please say")
            self.other.textEdited.connect(lambda t: self._emit(t, question.other_name))
            self.other.hide()

    def names(self) -> tuple[str, ...]:
        return (
            (self.question.name, self.question.other_name) if self.other else (self.question.name,)
        )

    def _show_other(self, selected: bool, answers: Mapping[str, Any]) -> None:
        if self.other is not None:
            self.other.setVisible(selected)
            self.other.setText(str(answers.get(self.question.other_name, "") or ""))


class SingleChoiceInput(_ChoiceBase):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QAbstractButton] = {}
        horizontal = len(self.choices) <= 3
        box = QHBoxLayout() if horizontal else QVBoxLayout()
        box.setSpacing(14 if horizontal else 2)
        for n, choice in enumerate(self.choices):
            text = choice_label(choice, form, language)
            button = QRadioButton(button_text(text))
            button.setAccessibleName(text)
            self.group.addButton(button, n)
            self.buttons[choice.value] = button
            box.addWidget(button)
        if horizontal:
            box.addStretch(1)
        self.group.idClicked.connect(self._picked)
        self.layout_.addLayout(box)
        if self.other is not None:
            self.layout_.addWidget(self.other)
        self.clear = QPushButton("Clear answer")
        self.clear.setObjectName("link")
        self.clear.setAccessibleName(f"Clear answer: {question.name}")
        self.clear.clicked.connect(self._cleared)
        _reserve_space(self.clear)
        self.clear.hide()
        self.layout_.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignLeft)

    def _picked(self, index: int) -> None:
        value = self.choices[index].value
        self.clear.show()
        if self.other is not None:
            self.other.setVisible(value == OTHER_CODE)
        self._emit(value)

    def _cleared(self) -> None:
        self.group.setExclusive(False)
        for b in self.buttons.values():
            b.setChecked(False)
        self.group.setExclusive(True)
        self.clear.hide()
        self._emit("")

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        self.group.setExclusive(False)
        for code, button in self.buttons.items():
            button.setChecked(code == value)
        self.group.setExclusive(True)
        self.clear.setVisible(bool(value))
        self._show_other(value == OTHER_CODE, answers)

    def focus_target(self) -> QWidget:
        return next(iter(self.buttons.values()), self)

    def set_accessible(self, label: str) -> None:
        self.setAccessibleName(label)


class MultipleChoiceInput(_ChoiceBase):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        self.boxes: dict[str, QCheckBox] = {}
        for choice in self.choices:
            text = choice_label(choice, form, language)
            box = QCheckBox(button_text(text))
            box.setAccessibleName(text)
            box.toggled.connect(self._toggled)
            self.boxes[choice.value] = box
            self.layout_.addWidget(box)
        if self.other is not None:
            self.layout_.addWidget(self.other)

    def _selected(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def _toggled(self, _checked: bool) -> None:
        if self._loading:
            return
        selected = self._selected()
        if self.other is not None:
            self.other.setVisible(OTHER_CODE in selected)
        self._emit(selected)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        for code, box in self.boxes.items():
            box.setChecked(code in chosen)
        self._show_other(OTHER_CODE in chosen, answers)

    def focus_target(self) -> QWidget:
        return next(iter(self.boxes.values()), self)

    def set_accessible(self, label: str) -> None:
        self.setAccessibleName(label)


class ComboChoiceInput(_ChoiceBase):
    """Long single-choice lists as a drop-down (radio buttons would fill the screen)."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        self.combo = QComboBox()
        self.combo.addItem("", "")
        for choice in self.choices:
            self.combo.addItem(choice_label(choice, form, language), choice.value)
        self.combo.currentIndexChanged.connect(self._picked)
        self.layout_.addWidget(self.combo, 0, Qt.AlignmentFlag.AlignLeft)
        if self.other is not None:
            self.layout_.addWidget(self.other)

    def _picked(self, _index: int) -> None:
        value = self.combo.currentData() or ""
        if self.other is not None:
            self.other.setVisible(value == OTHER_CODE)
        self._emit(value)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value or "")))
        self._show_other(value == OTHER_CODE, answers)

    def focus_target(self) -> QWidget:
        return self.combo


class ScaleInput(SingleChoiceInput):
    """Five faces with words under them: easy to point at, for any reading age."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        _ChoiceBase.__init__(self, question, form, language)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons = {}
        row = QHBoxLayout()
        row.setSpacing(8)
        size = self.fontMetrics().height() * 2 + 8
        for n, choice in enumerate(self.choices):
            button = QToolButton()
            button.setCheckable(True)
            button.setObjectName("face")
            text = choice_label(choice, form, language)
            button.setText(button_text(text))
            button.setAccessibleName(text)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            try:
                point = int(choice.value)
            except ValueError:
                point = n + 1
            button.setIcon(face_icon(point, size))
            button.setIconSize(QSize(size, size))
            button.setMinimumWidth(self.fontMetrics().horizontalAdvance("Really good") + 16)
            self.group.addButton(button, n)
            self.buttons[choice.value] = button
            row.addWidget(button)
        row.addStretch(1)
        self.group.idClicked.connect(self._picked)
        self.layout_.addLayout(row)
        self.clear = QPushButton("Clear answer")
        self.clear.setObjectName("link")
        self.clear.setAccessibleName(f"Clear answer: {question.name}")
        self.clear.clicked.connect(self._cleared)
        _reserve_space(self.clear)
        self.clear.hide()
        self.layout_.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignLeft)

    def _picked(self, index: int) -> None:
        value = self.choices[index].value
        self.clear.show()
        # Scale answers are numbers (1-5), so expressions can compare them.
        self._emit(int(value) if value.isdigit() else value)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        super()._show("" if value in (None, "") else str(value), answers)


InputFactory = Callable[[Question, FormDefinition, str | None], QuestionInput]


def _select_one(question: Question, form: FormDefinition, language: str | None) -> QuestionInput:
    if len(form.choices.get(question.choices or "", ())) > 8:
        return ComboChoiceInput(question, form, language)
    return SingleChoiceInput(question, form, language)


# The registry: a question type maps to a widget factory (a new type is one line here).
REGISTRY: dict[str, InputFactory] = {
    "text": TextInput,
    "long_text": LongTextInput,
    "integer": NumberInput,
    "decimal": NumberInput,
    "date": DateInput,
    "datetime": DateInput,
    "time": TimeInput,
    "yes_no": SingleChoiceInput,
    "select_one": _select_one,
    "select_multiple": MultipleChoiceInput,
    "scale": ScaleInput,
}


def make_input(question: Question, form: FormDefinition, language: str | None) -> QuestionInput:
    return REGISTRY[question.type](question, form, language)
