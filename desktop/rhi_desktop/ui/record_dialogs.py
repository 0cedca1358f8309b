"""Dialogs to add a child and to record a missing episode by hand.

The dialog only collects input; the owner's `save` callable does the write off the GUI thread.
Rule violations come back as per-field messages and the dialog stays open: nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from rhi_core.domain.codes import EpisodeCategory, RiskGrade, Sex
from rhi_core.domain.episodes import EpisodeProblem
from rhi_core.domain.languages import language_choices
from rhi_desktop.services.children import NewChild, NewEpisode, ValidationFailed

from .date_field import DateField
from .operations import run_in_background
from .widgets import error_label, muted, show_error

Save = Callable[[Any], Any]


def _combo(name: str, choices: list[tuple[str, str]], default: str | None = None) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    for value, label in choices:
        box.addItem(label, value)
    if default is not None:
        box.setCurrentIndex(box.findData(default))
    return box


class _RecordDialog(QDialog):
    def __init__(self, title: str, intro: str, save: Save, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._save = save
        self.result_value: Any = None  # what the save returned (the new record's id)
        self._errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.general_error = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primary")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("title")
        layout.addWidget(heading)
        layout.addWidget(muted(intro))
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("m") * 40)

    def add_field(self, key: str, label: str, widget: QWidget) -> Any:
        name = label.rstrip(":")
        if isinstance(widget, DateField):
            widget.set_accessible(name)
        else:
            widget.setAccessibleName(name)
        caption = QLabel(label)
        caption.setBuddy(widget.edit if isinstance(widget, DateField) else widget)
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        err = error_label()
        box.addWidget(err)
        self._errors[key] = err
        self.form.addRow(caption, holder)
        return widget

    def build(self) -> Any:
        raise NotImplementedError

    def _submit(self) -> None:
        for label in self._errors.values():
            show_error(label, None)
        show_error(self.general_error, None)
        try:
            data = self.build()
        except ValidationFailed as exc:
            self.show_problems(exc)
            return
        self.save_button.setEnabled(False)
        run_in_background(self, lambda: self._save(data), self._saved, self._failed)

    def _saved(self, result: Any) -> None:
        self.save_button.setEnabled(True)
        self.result_value = result
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            self.show_problems(exc)
        else:
            show_error(self.general_error, str(exc) or "The record could not be saved.")

    def show_problems(self, exc: ValidationFailed) -> None:
        for p in exc.problems:
            show_error(self._errors.get(p.field, self.general_error), p.message)
        self.adjustSize()  # messages must not be clipped: the dialog grows to show them

    def date_problems(self, fields: dict[str, DateField]) -> None:
        """Typed text that is not a date is refused here, at its field, before any save."""
        problems = [
            EpisodeProblem(key, f.problem() or "") for key, f in fields.items() if f.problem()
        ]
        if problems:
            raise ValidationFailed(problems)

    def error_text(self, key: str) -> str:
        label = self._errors[key]
        return label.text() if label.isVisibleTo(self) else ""


def _to_utc(edit: DateField) -> datetime | None:
    value = edit.value()
    return value.astimezone(UTC) if isinstance(value, datetime) else None  # local -> UTC


class ChildDialog(_RecordDialog):
    def __init__(
        self, save: Save, today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Add a child",
            "Children you add stay on this laptop, encrypted, until you sync.",
            save,
            parent,
        )
        today = today or date.today()
        self.first_name = self.add_field("first_name", "First name:", QLineEdit())
        self.last_name = self.add_field("last_name", "Last name:", QLineEdit())
        self.local_id = self.add_field("local_id", "Case number:", QLineEdit())
        # Typed DD/MM/YYYY; the calendar opens fifteen years back, where most children are.
        self.dob: DateField = self.add_field(
            "dob", "Date of birth:", DateField(today=lambda: today.replace(year=today.year - 15))
        )
        self.sex = self.add_field("sex", "Sex:", _combo("Sex", Sex.choices(), Sex.NOT_KNOWN))
        self.looked_after = QCheckBox("In care (looked after)")
        self.uasc = QCheckBox("Unaccompanied asylum-seeking child")
        self.out_of_area = QCheckBox("Placed out of area")
        self.interpreter = QCheckBox("Needs an interpreter")
        for box in (self.looked_after, self.uasc, self.out_of_area, self.interpreter):
            box.setAccessibleName(box.text())
            self.form.addRow("", box)
        # Names, not codes: the worker picks "Arabic"; the child record keeps "ar".
        self.language = self.add_field(
            "language",
            "Preferred language:",
            _combo("Preferred language", language_choices(), "en"),
        )
        self.first_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def build(self) -> NewChild:
        self.date_problems({"dob": self.dob})
        dob = self.dob.value()
        if not isinstance(dob, date):
            raise ValidationFailed(
                [EpisodeProblem("dob", "Enter the date of birth as DD/MM/YYYY.")]
            )
        return NewChild(
            local_id=self.local_id.text(),
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            dob=dob,
            sex=Sex(self.sex.currentData()),
            looked_after=self.looked_after.isChecked(),
            uasc=self.uasc.isChecked(),
            out_of_area=self.out_of_area.isChecked(),
            interpreter_needed=self.interpreter.isChecked(),
            preferred_language=str(self.language.currentData() or "en"),
        )


class EpisodeDialog(_RecordDialog):
    def __init__(
        self,
        child_id: str,
        child_name: str,
        save: Save,
        now: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Record a missing episode — {child_name}",
            "The 72-hour clock for the return home interview starts when you record the return.",
            save,
            parent,
        )
        self._child_id = child_id
        local = (
            (now or datetime.now(UTC)).astimezone().replace(tzinfo=None, second=0, microsecond=0)
        )
        self.category = self.add_field(
            "category", "Type:", _combo("Type", EpisodeCategory.choices(), EpisodeCategory.MISSING)
        )
        self.started_at: DateField = self.add_field(
            "started_at", "Went missing (last seen):", DateField(with_time=True)
        )
        self.started_at.set_value(local - timedelta(days=1))
        self.returned = QCheckBox("The child has returned or been found")
        self.returned.setAccessibleName(self.returned.text())
        self.returned.setChecked(True)
        self.form.addRow("", self.returned)
        self.returned_at: DateField = self.add_field(
            "returned_at", "Returned or found:", DateField(with_time=True)
        )
        self.returned_at.set_value(local)
        self.returned.toggled.connect(self.returned_at.setEnabled)
        self.where_found = self.add_field("where_found", "Where found:", QLineEdit())
        self.police_reference = self.add_field("police_reference", "Police reference:", QLineEdit())
        self.risk_grade = self.add_field(
            "risk_grade",
            "Police risk grade:",
            _combo("Police risk grade", RiskGrade.choices(), RiskGrade.MEDIUM),
        )
        self.started_at.setFocus(Qt.FocusReason.OtherFocusReason)

    def build(self) -> NewEpisode:
        fields = {"started_at": self.started_at}
        if self.returned.isChecked():
            fields["returned_at"] = self.returned_at
            if self.returned_at.is_empty():
                raise ValidationFailed(
                    [EpisodeProblem("returned_at", "Enter when the child returned or was found.")]
                )
        self.date_problems(fields)
        return NewEpisode(
            child_id=self._child_id,
            category=EpisodeCategory(self.category.currentData()),
            started_at=_to_utc(self.started_at),
            returned_at=_to_utc(self.returned_at) if self.returned.isChecked() else None,
            where_found=self.where_found.text().strip() or None,
            police_reference=self.police_reference.text().strip() or None,
            risk_grade=RiskGrade(self.risk_grade.currentData()),
        )
