"""One widget per question type, all with the same small API.

Every input emits `changed(answer_name, value)` only for edits a person makes (never for
`load()`), and `load(answers)` shows stored answers. Values are the JSON values of the forms
engine: str, int, float, list[str], ISO dates; an image/file answer is an attachment id.
Select inputs also take `set_allowed(values)`: the choices a choice_filter leaves (cascading
selects). Appearances a laptop can show change the widget (minimal, autocomplete, horizontal,
columns, no-calendar, month-year, year, masked...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rhi_core.forms.answer_types import range_bounds
from rhi_core.forms.labels import choice_label
from rhi_core.forms.schema import ACKNOWLEDGED, OTHER_CODE, Choice, FormDefinition, Question

from ..operations import run_in_background
from .faces import face_icon

AttachFn = Callable[[str, str, bool], tuple[str, str]]  # (question, path, picture) -> (id, text)


@dataclass
class InputEnv:
    """What some inputs need from the interview around them (all optional).

    ``attach`` stores a chosen file and returns ``(attachment id, how to show it)``; it runs off
    the GUI thread. ``describe`` says how to show a stored attachment id. ``choose_file`` asks
    the person for a file (a dialog; tests give a path instead)."""

    attach: AttachFn | None = None
    describe: Callable[[str], str] | None = None
    choose_file: Callable[[QWidget, Question], str | None] | None = None


_EMPTY_DATE = QDate(1900, 1, 1)


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
        if question.has_appearance("masked"):
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
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
    """A date picker that can also be empty (the earliest date shows as blank)."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        with_time = question.type == "datetime"
        self.edit = QDateTimeEdit() if with_time else QDateEdit()
        # month-year and year store the first day of the month / year, as ODK does.
        self._precision = (
            "year"
            if question.has_appearance("year")
            else "month"
            if question.has_appearance("month-year")
            else "day"
        )
        formats = {"year": "yyyy", "month": "MM/yyyy", "day": "dd/MM/yyyy"}
        self.edit.setDisplayFormat("dd/MM/yyyy HH:mm" if with_time else formats[self._precision])
        self.edit.setCalendarPopup(
            not question.has_appearance("no-calendar") and self._precision == "day"
        )
        self.edit.setMinimumDate(_EMPTY_DATE)
        self.edit.setSpecialValueText(" ")
        self.edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 22)
        self._with_time = with_time
        self.edit.dateTimeChanged.connect(self._edited)
        clear = QToolButton()
        clear.setText("Clear")
        clear.setAccessibleName(f"Clear {question.name}")
        clear.clicked.connect(self._clear)
        row = QHBoxLayout()
        row.addWidget(self.edit)
        row.addWidget(clear)
        row.addStretch(1)
        self.layout_.addLayout(row)

    def _edited(self, value: QDateTime) -> None:
        if value.date() == _EMPTY_DATE:
            self._emit("")
        elif self._with_time:
            self._emit(value.toString("yyyy-MM-ddTHH:mm"))
        else:
            d = value.date()
            if self._precision == "year":
                d = QDate(d.year(), 1, 1)
            elif self._precision == "month":
                d = QDate(d.year(), d.month(), 1)
            self._emit(d.toString("yyyy-MM-dd"))

    def _clear(self) -> None:
        self.edit.setDate(_EMPTY_DATE)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        if not value:
            self.edit.setDate(_EMPTY_DATE)
        elif self._with_time:
            self.edit.setDateTime(QDateTime.fromString(str(value)[:16], "yyyy-MM-ddTHH:mm"))
        else:
            self.edit.setDate(QDate.fromString(str(value)[:10], "yyyy-MM-dd"))

    def focus_target(self) -> QWidget:
        return self.edit


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
        self.choices: tuple[Choice, ...] = tuple(form.choices_of(question))
        self._allowed: tuple[str, ...] | None = None
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

    def set_allowed(self, allowed: tuple[str, ...] | None) -> None:
        """Offer only ``allowed`` (a choice_filter's pick; None: every choice). A chosen option
        the filter no longer offers stays visible, so the person sees what to change."""
        self._allowed = allowed
        self._apply_allowed()

    def _apply_allowed(self) -> None:
        pass

    def _offered(self, value: str, chosen: bool) -> bool:
        allowed = getattr(self, "_allowed", None)
        return allowed is None or value in allowed or chosen


class SingleChoiceInput(_ChoiceBase):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QAbstractButton] = {}
        box = _choice_layout(question, len(self.choices))
        for n, choice in enumerate(self.choices):
            button = QRadioButton(choice_label(choice, form, language))
            button.setAccessibleName(button.text())
            self.group.addButton(button, n)
            self.buttons[choice.value] = button
            _place(box, button, n, question, len(self.choices))
        if isinstance(box, QHBoxLayout):
            box.addStretch(1)
        self.group.idClicked.connect(self._picked)
        self.layout_.addLayout(box)
        if self.other is not None:
            self.layout_.addWidget(self.other)
        self.clear = QPushButton("Clear answer")
        self.clear.setObjectName("link")
        self.clear.setAccessibleName(f"Clear answer: {question.name}")
        self.clear.clicked.connect(self._cleared)
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
        self._apply_allowed()

    def _apply_allowed(self) -> None:
        for code, button in self.buttons.items():
            offered = self._offered(code, button.isChecked())
            if button.isHidden() == offered:
                button.setVisible(offered)

    def focus_target(self) -> QWidget:
        visible = [b for b in self.buttons.values() if not b.isHidden()]
        return next(iter(visible or self.buttons.values()), self)

    def set_accessible(self, label: str) -> None:
        self.setAccessibleName(label)


class MultipleChoiceInput(_ChoiceBase):
    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        self.boxes: dict[str, QCheckBox] = {}
        layout = _choice_layout(question, len(self.choices), horizontal_if_few=False)
        for n, choice in enumerate(self.choices):
            box = QCheckBox(choice_label(choice, form, language))
            box.setAccessibleName(box.text())
            box.toggled.connect(self._toggled)
            self.boxes[choice.value] = box
            _place(layout, box, n, question, len(self.choices))
        if isinstance(layout, QHBoxLayout):
            layout.addStretch(1)
        self.layout_.addLayout(layout)
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
        self._apply_allowed()

    def _apply_allowed(self) -> None:
        for code, box in self.boxes.items():
            offered = self._offered(code, box.isChecked())
            if box.isHidden() == offered:
                box.setVisible(offered)

    def focus_target(self) -> QWidget:
        visible = [b for b in self.boxes.values() if not b.isHidden()]
        return next(iter(visible or self.boxes.values()), self)

    def set_accessible(self, label: str) -> None:
        self.setAccessibleName(label)


class ComboChoiceInput(_ChoiceBase):
    """Long single-choice lists as a drop-down (radio buttons would fill the screen)."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question, form, language)
        self.combo = QComboBox()
        self._labels = {c.value: choice_label(c, form, language) for c in self.choices}
        self._value: Any = ""
        self._fill()
        if question.has_appearance("autocomplete", "search"):
            # Type to find: the list narrows to the options containing what is typed.
            self.combo.setEditable(True)
            self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = QCompleter(self.combo.model(), self.combo)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            self.combo.setCompleter(completer)
        self.combo.setMinimumContentsLength(18)
        self.combo.currentIndexChanged.connect(self._picked)
        self.layout_.addWidget(self.combo, 0, Qt.AlignmentFlag.AlignLeft)
        if self.other is not None:
            self.layout_.addWidget(self.other)

    def _fill(self) -> None:
        """The drop-down's items: the offered choices (and the chosen one, if not offered)."""
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("", "")
        for choice in self.choices:
            if self._offered(choice.value, choice.value == self._value):
                self.combo.addItem(self._labels[choice.value], choice.value)
        self.combo.setCurrentIndex(max(0, self.combo.findData(self._value or "")))
        self.combo.blockSignals(False)

    def _picked(self, _index: int) -> None:
        value = self.combo.currentData() or ""
        self._value = value
        if self.other is not None:
            self.other.setVisible(value == OTHER_CODE)
        self._emit(value)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        self._value = value or ""
        self._fill()
        self._show_other(value == OTHER_CODE, answers)

    def _apply_allowed(self) -> None:
        offered = [self.combo.itemData(i) for i in range(1, self.combo.count())]
        wanted = [c.value for c in self.choices if self._offered(c.value, c.value == self._value)]
        if offered != wanted:
            self._fill()

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
            button.setText(choice_label(choice, form, language))
            button.setAccessibleName(button.text())
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
        self.clear.clicked.connect(self._cleared)
        self.clear.hide()
        self.layout_.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignLeft)

    def _picked(self, index: int) -> None:
        value = self.choices[index].value
        self.clear.show()
        # Scale answers are numbers (1-5), so expressions can compare them.
        self._emit(int(value) if value.isdigit() else value)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        super()._show("" if value in (None, "") else str(value), answers)


class AcknowledgeInput(QuestionInput):
    """A tick: the answer is "OK" once ticked (XLSForm's acknowledge)."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        self.box = QCheckBox("OK")
        self.box.toggled.connect(lambda on: self._emit(ACKNOWLEDGED if on else ""))
        self.layout_.addWidget(self.box)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        self.box.setChecked(value == ACKNOWLEDGED)

    def focus_target(self) -> QWidget:
        return self.box


class RangeInput(QuestionInput):
    """A slider with a number box beside it (the picker appearance: the box alone)."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        start, end, step = range_bounds(question)
        self._start, self._step = start, step
        self._steps = max(0, round(abs(end - start) / abs(step)))
        self._integer = all(float(x).is_integer() for x in (start, end, step))
        self.number = QDoubleSpinBox()
        self.number.setDecimals(0 if self._integer else max(1, _decimals(step)))
        self.number.setRange(min(start, end), max(start, end))
        self.number.setSingleStep(abs(step))
        self.number.setSpecialValueText(" ")  # the lowest value shows blank until chosen
        self.number.setMinimum(min(start, end) - abs(step))
        self.number.setValue(self.number.minimum())
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, self._steps)
        self.slider.setAccessibleName(f"{question.name} slider")
        row = QHBoxLayout()
        if not question.has_appearance("picker"):
            row.addWidget(self.slider, 1)
        else:
            self.slider.hide()
        row.addWidget(self.number)
        self.layout_.addLayout(row)
        self.slider.valueChanged.connect(self._slid)
        self.number.valueChanged.connect(self._typed)

    def _value_at(self, position: int) -> float:
        return self._start + position * self._step

    def _out(self, x: float) -> Any:
        return int(round(x)) if self._integer else round(x, 6)

    def _slid(self, position: int) -> None:
        if self._loading:
            return
        x = self._value_at(position)
        self.number.blockSignals(True)
        self.number.setValue(x)
        self.number.blockSignals(False)
        self._emit(self._out(x))

    def _typed(self, x: float) -> None:
        if self._loading:
            return
        if x <= self.number.minimum() + 1e-9:  # the blank step below the range: no answer
            self._emit("")
            return
        self.slider.blockSignals(True)
        self.slider.setValue(round((x - self._start) / self._step))
        self.slider.blockSignals(False)
        self._emit(self._out(x))

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.number.setValue(self.number.minimum())
            self.slider.setValue(0)
            return
        self.number.setValue(x)
        self.slider.setValue(round((x - self._start) / self._step))

    def focus_target(self) -> QWidget:
        return self.number if self.slider.isHidden() else self.slider


def _decimals(step: float) -> int:
    text = f"{abs(step):.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


class RankInput(QuestionInput):
    """The choices in order: select one and move it with the buttons (or Alt+Up/Down). The
    answer is the whole order once the person has set it ("Keep this order" accepts it as
    shown)."""

    def __init__(self, question: Question, form: FormDefinition, language: str | None) -> None:
        super().__init__(question)
        self.choices = tuple(form.choices_of(question))
        self._labels = {c.value: choice_label(c, form, language) for c in self.choices}
        self.list = QListWidget()
        self.list.setMaximumHeight(self.fontMetrics().lineSpacing() * (len(self.choices) + 2))
        self.up = QPushButton("Move up")
        self.down = QPushButton("Move down")
        self.keep = QPushButton("Keep this order")
        self.up.setAccessibleName(f"Move up: {question.name}")
        self.down.setAccessibleName(f"Move down: {question.name}")
        self.up.clicked.connect(lambda: self.move(-1))
        self.down.clicked.connect(lambda: self.move(1))
        self.keep.clicked.connect(self._send)
        buttons = QVBoxLayout()
        for b in (self.up, self.down, self.keep):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        self.layout_.addLayout(row)
        self._order([c.value for c in self.choices])

    def _order(self, values: list[str]) -> None:
        current = self.list.currentRow()
        self.list.clear()
        for v in values:
            item = QListWidgetItem(self._labels.get(v, v))
            item.setData(Qt.ItemDataRole.UserRole, v)
            self.list.addItem(item)
        if 0 <= current < self.list.count():
            self.list.setCurrentRow(current)

    def order(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        values = self.order()
        values[row], values[target] = values[target], values[row]
        self._order(values)
        self.list.setCurrentRow(target)
        self._send()

    def _send(self) -> None:
        self._emit(self.order())

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.AltModifier and event.key() in (
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        ):
            self.move(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        known = [c.value for c in self.choices]
        chosen = [v for v in value if v in known] if isinstance(value, list) else []
        self._order(chosen + [v for v in known if v not in chosen])

    def focus_target(self) -> QWidget:
        return self.list


class AttachmentInput(QuestionInput):
    """Choose a picture or file from the laptop; it is kept in the encrypted store (read and
    saved off the GUI thread) and the answer is its id."""

    def __init__(
        self,
        question: Question,
        form: FormDefinition,
        language: str | None,
        env: InputEnv | None = None,
    ) -> None:
        super().__init__(question)
        self.env = env or InputEnv()
        self.picture = question.type == "image"
        self.shown = QLabel("Nothing attached yet.")
        self.shown.setObjectName("muted")
        self.shown.setWordWrap(True)
        self.choose = QPushButton("Choose a picture…" if self.picture else "Choose a file…")
        self.choose.setAccessibleName(f"Attach: {question.name}")
        self.remove = QPushButton("Remove")
        self.remove.setObjectName("link")
        self.remove.setAccessibleName(f"Remove attachment: {question.name}")
        self.remove.hide()
        self.problem = QLabel()
        self.problem.setObjectName("error")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.choose.clicked.connect(self._choose)
        self.remove.clicked.connect(self._remove)
        self.choose.setEnabled(self.env.attach is not None)
        row = QHBoxLayout()
        row.addWidget(self.choose)
        row.addWidget(self.remove)
        row.addStretch(1)
        self.layout_.addWidget(self.shown)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.problem)
        self._busy: object | None = None
        self._ref = ""

    def _choose(self) -> None:
        pick = self.env.choose_file or _file_dialog
        path = pick(self, self.question)
        if not path or self.env.attach is None:
            return
        attach = self.env.attach
        name, picture = self.question.name, self.picture
        self.choose.setEnabled(False)
        self.shown.setText("Attaching…")
        self.problem.hide()
        self._busy = run_in_background(
            self, lambda: attach(name, path, picture), self._attached, self._failed
        )

    def _attached(self, result: tuple[str, str]) -> None:
        self._busy = None
        ref, text = result
        self.choose.setEnabled(True)
        self._display(ref, text)
        self._emit(ref)

    def _failed(self, exc: Exception) -> None:
        self._busy = None
        self.choose.setEnabled(True)
        self.shown.setText(self._text_for(self._ref) if self._ref else "Nothing attached yet.")
        self.problem.setText(str(exc) or "The file could not be attached.")
        self.problem.show()

    def _remove(self) -> None:
        self._display("", "")
        self._emit("")

    def _text_for(self, ref: str) -> str:
        if self.env.describe is not None:
            return self.env.describe(ref)
        return "A file is attached."

    def _display(self, ref: str, text: str) -> None:
        self._ref = ref
        self.shown.setText(text if ref else "Nothing attached yet.")
        self.remove.setVisible(bool(ref))
        self.choose.setText(
            ("Replace the picture…" if self.picture else "Replace the file…")
            if ref
            else ("Choose a picture…" if self.picture else "Choose a file…")
        )

    def _show(self, value: Any, answers: Mapping[str, Any]) -> None:
        ref = str(value) if isinstance(value, str) and value else ""
        self._display(ref, self._text_for(ref) if ref else "")

    def focus_target(self) -> QWidget:
        return self.choose


def _file_dialog(parent: QWidget, question: Question) -> str | None:
    pictures = "Pictures (*.png *.jpg *.jpeg *.gif)"
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "Choose a picture" if question.type == "image" else "Choose a file",
        "",
        pictures if question.type == "image" else "All files (*)",
    )
    return path or None


def _columns(question: Question, count: int) -> int:
    for a in question.appearance:
        if a.startswith("columns-") and a[8:].isdigit():
            return max(1, int(a[8:]))
    if "columns" in question.appearance:
        return max(2, min(4, math.ceil(count / 4)))
    return 0


def _choice_layout(
    question: Question, count: int, horizontal_if_few: bool = True
) -> QHBoxLayout | QVBoxLayout | QGridLayout:
    if _columns(question, count):
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        return grid
    horizontal = question.has_appearance(
        "horizontal", "horizontal-compact", "columns-pack", "likert"
    ) or (horizontal_if_few and count <= 3)
    box: QHBoxLayout | QVBoxLayout = QHBoxLayout() if horizontal else QVBoxLayout()
    box.setSpacing(14 if horizontal else 2)
    return box


def _place(
    layout: QHBoxLayout | QVBoxLayout | QGridLayout,
    widget: QWidget,
    n: int,
    question: Question,
    count: int,
) -> None:
    if isinstance(layout, QGridLayout):
        columns = _columns(question, count)
        rows = math.ceil(count / columns)
        layout.addWidget(widget, n % rows, n // rows)  # down the columns, as people read
    else:
        layout.addWidget(widget)


InputFactory = Callable[[Question, FormDefinition, str | None], QuestionInput]


def _select_one(question: Question, form: FormDefinition, language: str | None) -> QuestionInput:
    if question.has_appearance("minimal", "autocomplete", "search") or (
        len(form.choices_of(question)) > 8 and not question.has_appearance("likert")
    ):
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
    "acknowledge": AcknowledgeInput,
    "range": RangeInput,
    "rank": RankInput,
}


def make_input(
    question: Question,
    form: FormDefinition,
    language: str | None,
    env: InputEnv | None = None,
) -> QuestionInput:
    if question.type in ("image", "file"):
        widget: QuestionInput = AttachmentInput(question, form, language, env)
    else:
        widget = REGISTRY[question.type](question, form, language)
    if question.read_only:
        widget.setEnabled(False)  # shown, not edited (XLSForm read_only)
    return widget
