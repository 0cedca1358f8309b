"""Labelled fields with a message under each, shared by the RHI forms.

A rule broken on save comes back from the service as ValidationFailed with (field, message)
pairs; each message lands under its field and everything typed stays where it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.completion import InterviewLocked

from ..date_field import DateField
from ..widgets import error_label, show_error


def combo(name: str, choices: list[tuple[str, str]], blank: str | None = "Choose…") -> QComboBox:
    """A drop-down of a fixed code list; the blank first entry means "not chosen yet"."""
    box = QComboBox()
    box.setAccessibleName(name)
    if blank is not None:
        box.addItem(blank, None)
    for value, label in choices:
        box.addItem(label, value)
    return box


def date_time_edit(value: datetime | None, name: str = "") -> DateField:
    """A date and time, typed DD/MM/YYYY HH:MM or picked; shown in the laptop's wall time."""
    edit = DateField(name, with_time=True)
    edit.set_value(
        value.astimezone().replace(tzinfo=None, second=0, microsecond=0) if value else None
    )
    return edit


def to_utc(edit: DateField) -> datetime | None:
    """The typed wall time as UTC (None when empty or not a date: the service says so)."""
    value = edit.value()
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC)  # a naive datetime is the laptop's local time


def date_edit(optional: bool = True, name: str = "") -> DateField:
    """A date typed DD/MM/YYYY or picked from a calendar; empty means "none"."""
    return DateField(name)


def date_of(edit: DateField) -> date | None:
    value = edit.value()
    return value.date() if isinstance(value, datetime) else value


def set_date(edit: DateField, value: date | None) -> None:
    edit.set_value(value)


class YesNo(QWidget):
    """Two radio buttons with nothing chosen at first: "not said" is not "no"."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.yes = QRadioButton("Yes")
        self.no = QRadioButton("No")
        self.yes.setAccessibleName(f"{name}: yes")
        self.no.setAccessibleName(f"{name}: no")
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        row.addWidget(self.yes)
        row.addWidget(self.no)
        row.addStretch(1)
        self.setFocusProxy(self.yes)

    def value(self) -> bool | None:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def clear(self) -> None:
        self.group.setExclusive(False)
        self.yes.setChecked(False)
        self.no.setChecked(False)
        self.group.setExclusive(True)


class FieldForm(QWidget):
    """A QFormLayout whose every row has an error label, keyed by the service's field name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.errors: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        self.general = error_label()
        self.general.setAccessibleName("Problem")

    def add(self, key: str, label: str, widget: QWidget, accessible: str | None = None) -> Any:
        if isinstance(widget, DateField):
            if not widget.name:
                widget.set_accessible(accessible or label.rstrip(":*").strip())
        elif not widget.accessibleName():
            widget.setAccessibleName(accessible or label.rstrip(":*").strip())
        caption = QLabel(label)
        caption.setBuddy(widget.focusProxy() or widget)
        caption.setWordWrap(True)
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        err = error_label()
        name = widget.name if isinstance(widget, DateField) else widget.accessibleName()
        err.setAccessibleName(f"{name}: problem")
        box.addWidget(err)
        self.errors[key] = err
        self.widgets[key] = widget
        self.rows[key] = (caption, holder)
        self.form.addRow(caption, holder)
        return widget

    def alias(self, key: str, target: str) -> None:
        """Send the service's ``key`` messages to the row of ``target``."""
        self.errors[key] = self.errors[target]
        self.widgets[key] = self.widgets[target]

    def set_row_visible(self, key: str, visible: bool) -> None:
        self.form.setRowVisible(self.rows[key][1], visible)

    def clear_errors(self) -> None:
        for label in self.errors.values():
            show_error(label, None)
        show_error(self.general, None)

    def show_exception(self, exc: Exception) -> bool:
        """Messages at their fields; True when the exception was a rule the worker can fix."""
        if isinstance(exc, ValidationFailed):
            first: QWidget | None = None
            for p in exc.problems:
                label = self.errors.get(p.field)
                if label is None:
                    show_error(self.general, _joined(self.general, p.message))
                    continue
                show_error(label, _joined(label, p.message))
                first = first or self.widgets[p.field]
            if first is not None:
                (first.focusProxy() or first).setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        if isinstance(exc, InterviewLocked):
            show_error(self.general, str(exc))
            return True
        show_error(
            self.general, str(exc) or "This could not be saved. Nothing was lost: try again."
        )
        return False

    def error_text(self, key: str) -> str:
        label = self.errors[key]
        return label.text() if not label.isHidden() else ""

    def focus(self, key: str) -> bool:
        widget = self.widgets.get(key)
        if widget is None:
            return False
        (widget.focusProxy() or widget).setFocus(Qt.FocusReason.OtherFocusReason)
        return True


def _joined(label: QLabel, message: str) -> str:
    # Two rules broken on one field: show both, once each.
    if label.isHidden() or not label.text():
        return message
    return label.text() if message in label.text() else f"{label.text()} {message}"
