"""Dialogs to add a child and to record a missing episode by hand.

The dialog only collects input; the owner's `save` callable does the write off the GUI thread.
Rule violations come back as per-field messages and the dialog stays open: nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from rhi_core.domain.codes import EpisodeCategory, RiskGrade, Sex
from rhi_desktop.services.children import NewChild, NewEpisode, ValidationFailed

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

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        widget.setAccessibleName(label.rstrip(":"))
        caption = QLabel(label)
        caption.setBuddy(widget)
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

    def _saved(self, _result: Any) -> None:
        self.save_button.setEnabled(True)
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

    def error_text(self, key: str) -> str:
        label = self._errors[key]
        return label.text() if label.isVisibleTo(self) else ""


def _to_utc(edit: QDateTimeEdit) -> datetime:
    return edit.dateTime().toPython().astimezone(UTC)  # local wall time -> UTC


class ChildDialog(_RecordDialog):
    def __init__(
        self, save: Save, today: QDate | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Add a child",
            "Children you add stay on this laptop, encrypted, until you sync.",
            save,
            parent,
        )
        today = today or QDate.currentDate()
        self.first_name = self.add_field("first_name", "First name:", QLineEdit())
        self.last_name = self.add_field("last_name", "Last name:", QLineEdit())
        self.local_id = self.add_field("local_id", "Case number:", QLineEdit())
        self.dob = self.add_field("dob", "Date of birth:", QDateEdit())
        self.dob.setDisplayFormat("dd/MM/yyyy")
        self.dob.setCalendarPopup(True)
        self.dob.setDate(today.addYears(-15))
        self.sex = self.add_field("sex", "Sex:", _combo("Sex", Sex.choices(), Sex.NOT_KNOWN))
        self.looked_after = QCheckBox("In care (looked after)")
        self.uasc = QCheckBox("Unaccompanied asylum-seeking child")
        self.out_of_area = QCheckBox("Placed out of area")
        self.interpreter = QCheckBox("Needs an interpreter")
        for box in (self.looked_after, self.uasc, self.out_of_area, self.interpreter):
            box.setAccessibleName(box.text())
            self.form.addRow("", box)
        self.language = self.add_field("language", "Preferred language:", QLineEdit("en"))

    def build(self) -> NewChild:
        return NewChild(
            local_id=self.local_id.text(),
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            dob=self.dob.date().toPython(),
            sex=Sex(self.sex.currentData()),
            looked_after=self.looked_after.isChecked(),
            uasc=self.uasc.isChecked(),
            out_of_area=self.out_of_area.isChecked(),
            interpreter_needed=self.interpreter.isChecked(),
            preferred_language=self.language.text().strip() or "en",
        )


class EpisodeDialog(_RecordDialog):
    def __init__(
        self,
        child_id: str,
        child_name: str,
        save: Save,
        now: QDateTime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Record a missing episode — {child_name}",
            "The 72-hour clock for the return home interview starts when you record the return.",
            save,
            parent,
        )
        self._child_id = child_id
        now = now or QDateTime.currentDateTime()
        now = QDateTime(now.date(), QTime(now.time().hour(), now.time().minute()))
        self.category = self.add_field(
            "category", "Type:", _combo("Type", EpisodeCategory.choices(), EpisodeCategory.MISSING)
        )
        self.started_at = self.add_field("started_at", "Went missing (last seen):", QDateTimeEdit())
        self.started_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.started_at.setCalendarPopup(True)
        self.started_at.setDateTime(now.addDays(-1))
        self.returned = QCheckBox("The child has returned or been found")
        self.returned.setAccessibleName(self.returned.text())
        self.returned.setChecked(True)
        self.form.addRow("", self.returned)
        self.returned_at = self.add_field("returned_at", "Returned or found:", QDateTimeEdit())
        self.returned_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.returned_at.setCalendarPopup(True)
        self.returned_at.setDateTime(now)
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
        return NewEpisode(
            child_id=self._child_id,
            category=EpisodeCategory(self.category.currentData()),
            started_at=_to_utc(self.started_at),
            returned_at=_to_utc(self.returned_at) if self.returned.isChecked() else None,
            where_found=self.where_found.text().strip() or None,
            police_reference=self.police_reference.text().strip() or None,
            risk_grade=RiskGrade(self.risk_grade.currentData()),
        )
