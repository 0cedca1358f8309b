"""Sessions: an RHI may take several. The first one is when the interview was held."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rhi_core.domain.codes import SessionPresent
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.services import sessions
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.record_open import RecordSnapshot
from rhi_desktop.services.record_view import SessionView
from rhi_desktop.services.sessions import SessionInput

from ..widgets import error_label, show_error
from . import text
from .fields import FieldForm, YesNo, date_time_edit, to_utc
from .models import Row, RowsModel, selected_row, table_view
from .ops import RecordOps
from .panel import RecordPanel


def session_row(s: SessionView) -> Row:
    present = ", ".join(SessionPresent(p).label for p in s.present) or "Worker and child only"
    length = f"{s.duration_minutes} min" if s.duration_minutes else "length not given"
    return Row(
        s.id,
        (
            f"{text.when(s.started_at)}\n{length}",
            s.place or "",
            present,
            text.yes_no(s.time_alone),
            text.yes_no(s.confidentiality_explained),
        ),
        s,
    )


class PresentBoxes(QWidget):
    """Who else was there: one tick box per code (the worker always is)."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Who else was present")
        self.boxes: dict[str, QCheckBox] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        for value, label in SessionPresent.choices():
            check = QCheckBox(label)
            check.setAccessibleName(label)
            self.boxes[value] = check
            box.addWidget(check)
        self.setFocusProxy(next(iter(self.boxes.values())))

    def value(self) -> list[str]:
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def set_value(self, codes: Any) -> None:
        for code, box in self.boxes.items():
            box.setChecked(code in set(codes or ()))

    def clear(self) -> None:
        for box in self.boxes.values():
            box.setChecked(False)


class SessionsPanel(RecordPanel):
    title_text = "Sessions"
    intro_text = (
        "Record each time you met the child for this interview. The first session sets when "
        "the interview was held."
    )

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__(ops, young_person)
        held = self.card("Sessions held")
        # Short, two-line headings: six one-line columns needed sideways scrolling.
        self.model = RowsModel(
            ["When", "Place", "Also present", "Time\nalone", "Confidentiality\nexplained"], self
        )
        self.table = table_view(self.model, "Sessions held", stretch=(1, 2))
        self.table.activated.connect(lambda _i: self.edit_selected())
        held.body.addWidget(self.table)
        self.edit_button = QPushButton("Change session")
        self.edit_button.setAccessibleName("Change the selected session")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("Remove session")
        self.remove_button.setAccessibleName("Remove the selected session")
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(
            QKeySequence.StandardKey.Delete,
            self.table,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        QShortcut(
            QKeySequence(Qt.Key.Key_F2),
            self.table,
            self.edit_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.list_error = error_label()
        row = QHBoxLayout()
        row.addWidget(self.list_error, 1)
        row.addStretch(0)
        row.addWidget(self.edit_button)
        row.addWidget(self.remove_button)
        held.body.addLayout(row)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        new = self.card("Record a session")
        self.entry_title = new.title
        self.editing = ""  # id of the session being changed, "" when recording a new one
        f = self.form = FieldForm()
        self.started_at = f.add(
            "started_at", "Started *", date_time_edit(ops.now(), "Session date and time")
        )
        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSpecialValueText(" ")  # 0 shows blank: "not entered"
        self.duration.setSuffix(" minutes")
        self.duration.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)  # typed, not clicked
        self.duration.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 16)
        f.add("duration_minutes", "How long *", self.duration, "Session length in minutes")
        self.place = f.add("place", "Where *", QLineEdit(), "Where the session took place")
        self.present = PresentBoxes()
        f.add("present", "Also present", self.present)
        self.time_alone = YesNo("Time alone with the worker")
        f.add("time_alone", "Time alone with you *", self.time_alone)
        self.confidentiality = YesNo("Confidentiality explained")
        f.add("confidentiality_explained", "Confidentiality explained *", self.confidentiality)
        f.alias("episodes", "started_at")
        f.alias("offer", "started_at")
        new.body.addWidget(f)
        new.body.addWidget(f.general)
        self.record_button = QPushButton("Record session")
        self.record_button.setObjectName("primary")
        self.record_button.setAccessibleName("Record session")
        self.record_button.clicked.connect(lambda _checked=False: self.submit())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel changing the session")
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.cancel_button.hide()
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(self.cancel_button)
        line.addWidget(self.record_button)
        new.body.addLayout(line)
        self.finish()
        self.started_at.edit.textChanged.connect(self._entry_edited)
        self.duration.valueChanged.connect(self._entry_edited)
        self.place.textEdited.connect(self._entry_edited)
        for box in self.present.boxes.values():
            box.toggled.connect(self._entry_edited)
        for yes_no in (self.time_alone, self.confidentiality):
            yes_no.yes.toggled.connect(self._entry_edited)
            yes_no.no.toggled.connect(self._entry_edited)
        self._baseline = self._entry_values()

    def apply(self, snapshot: RecordSnapshot) -> None:
        super().apply(snapshot)
        self.model.set_rows([session_row(s) for s in snapshot.record.sessions])
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(not self.locked and self.model.rowCount() > 0)
        self.edit_button.setEnabled(not self.locked and selected_row(self.table) is not None)

    def editors(self) -> list[QWidget]:
        return [self.form, self.record_button, self.remove_button, self.edit_button]

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        self._update_buttons()

    def build(self) -> SessionInput:
        return SessionInput(
            started_at=to_utc(self.started_at),
            duration_minutes=self.duration.value() or None,
            place=self.place.text(),
            present=self.present.value(),
            time_alone=self.time_alone.value(),
            confidentiality_explained=self.confidentiality.value(),
        )

    def submit(self, then: Callable[[], None] | None = None) -> None:
        self.form.clear_errors()
        problem = self.started_at.problem()
        if problem:
            self.form.show_exception(ValidationFailed([EpisodeProblem("started_at", problem)]))
            return
        data, iid, editing = self.build(), self.ops.interview_id, self.editing
        self.record_button.setEnabled(False)
        write = (
            partial(_update_session, editing, data)
            if editing
            else partial(_record_session, iid, data)
        )
        self.ops.write(write, partial(self._recorded, then), self._failed)

    def _recorded(self, then: Callable[[], None] | None, _result: Any) -> None:
        self.record_button.setEnabled(not self.locked)
        self._reset_entry()
        if then is not None:
            then()

    def _reset_entry(self) -> None:
        self.editing = ""
        self.record_button.setText("Record session")
        self.record_button.setAccessibleName("Record session")
        self.cancel_button.hide()
        if self.entry_title is not None:
            self.entry_title.setText("Record a session")
        self.duration.setValue(0)
        self.present.clear()
        self.time_alone.clear()
        self.confidentiality.clear()
        self.form.clear_errors()
        self._baseline = self._entry_values()
        self.status_changed.emit()

    def edit_selected(self) -> None:
        row = selected_row(self.table)
        if row is None or self.locked:
            return
        v: SessionView = row.value
        self.editing = v.id
        self.started_at.set_value(
            v.started_at.astimezone().replace(tzinfo=None, second=0, microsecond=0)
        )
        self.duration.setValue(v.duration_minutes or 0)
        self.place.setText(v.place or "")
        self.present.set_value(v.present)
        for widget, value in (
            (self.time_alone, v.time_alone),
            (self.confidentiality, v.confidentiality_explained),
        ):
            widget.clear()
            if value is True:
                widget.yes.setChecked(True)
            elif value is False:
                widget.no.setChecked(True)
        self.record_button.setText("Save changes")
        self.record_button.setAccessibleName("Save the changed session")
        self.cancel_button.show()
        if self.entry_title is not None:
            self.entry_title.setText("Change the session")
        self.form.clear_errors()
        self._baseline = self._entry_values()
        self.form.focus("started_at")
        self.status_changed.emit()

    def cancel_edit(self) -> None:
        self._reset_entry()

    # --- the save model ----------------------------------------------------------------------
    def _entry_values(self) -> tuple[Any, ...]:
        return (
            self.started_at.edit.text(),
            self.duration.value(),
            self.place.text(),
            tuple(self.present.value()),
            self.time_alone.value(),
            self.confidentiality.value(),
        )

    def _entry_edited(self, *_args: Any) -> None:
        self.status_changed.emit()

    def unsaved(self) -> str | None:
        if self.locked:
            return None
        if self._entry_values() != self._baseline:
            return "changes to a session" if self.editing else "a session not recorded yet"
        return super().unsaved()

    def save_unsaved(self, then: Callable[[], None]) -> None:
        if self._entry_values() != self._baseline:
            self.submit(then)
        else:
            super().save_unsaved(then)

    def discard_unsaved(self) -> None:
        self.started_at.set_value(
            self.ops.now().astimezone().replace(tzinfo=None, second=0, microsecond=0)
        )
        self.place.clear()
        self._reset_entry()
        super().discard_unsaved()

    def _failed(self, exc: Exception) -> None:
        self.record_button.setEnabled(not self.locked)
        self.form.show_exception(exc)

    def remove_selected(self) -> None:
        row = selected_row(self.table)
        if row is None or self.locked:
            return
        show_error(self.list_error, None)
        self.ops.write(
            lambda s, actor, now: sessions.remove_session(s, row.id, actor=actor, now=now),
            None,
            self._remove_failed,
        )

    def _remove_failed(self, exc: Exception) -> None:
        show_error(self.list_error, str(exc))

    def focus_target(self, target: dict[str, Any]) -> bool:
        return self.form.focus("started_at")


# Module-level write functions (bound with partial): they run on the worker thread.
def _record_session(iid: str, data: SessionInput, s: Any, actor: str, now: Any) -> Any:
    return sessions.record_session(s, iid, data, actor=actor, now=now)


def _update_session(session_id: str, data: SessionInput, s: Any, actor: str, now: Any) -> Any:
    return sessions.update_session(s, session_id, data, actor=actor, now=now)
