"""Sessions: an RHI may take several. The first one is when the interview was held."""

from __future__ import annotations

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
from rhi_desktop.services import sessions
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
    return Row(
        s.id,
        (
            text.when(s.started_at),
            f"{s.duration_minutes} min" if s.duration_minutes else "—",
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
        self.model = RowsModel(
            ["When", "Length", "Place", "Also present", "Time alone", "Confidentiality"], self
        )
        self.table = table_view(self.model, "Sessions held")
        held.body.addWidget(self.table)
        self.remove_button = QPushButton("Remove session")
        self.remove_button.setAccessibleName("Remove the selected session")
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(
            QKeySequence.StandardKey.Delete,
            self.table,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.list_error = error_label()
        row = QHBoxLayout()
        row.addWidget(self.list_error, 1)
        row.addWidget(self.remove_button)
        held.body.addLayout(row)

        new = self.card("Record a session")
        f = self.form = FieldForm()
        self.started_at = f.add(
            "started_at", "Started *", date_time_edit(ops.now()), "Session date and time"
        )
        self.duration = QSpinBox()
        self.duration.setRange(0, 600)
        self.duration.setSpecialValueText(" ")  # 0 shows blank: "not entered"
        self.duration.setSuffix(" minutes")
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
        self.record_button.clicked.connect(self.submit)
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(self.record_button)
        new.body.addLayout(line)
        self.finish()

    def apply(self, snapshot: RecordSnapshot) -> None:
        super().apply(snapshot)
        self.model.set_rows([session_row(s) for s in snapshot.record.sessions])
        self.remove_button.setEnabled(not self.locked and self.model.rowCount() > 0)

    def editors(self) -> list[QWidget]:
        return [self.form, self.record_button, self.remove_button]

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        self.remove_button.setEnabled(not locked and self.model.rowCount() > 0)

    def build(self) -> SessionInput:
        return SessionInput(
            started_at=to_utc(self.started_at),
            duration_minutes=self.duration.value() or None,
            place=self.place.text(),
            present=self.present.value(),
            time_alone=self.time_alone.value(),
            confidentiality_explained=self.confidentiality.value(),
        )

    def submit(self) -> None:
        self.form.clear_errors()
        data, iid = self.build(), self.ops.interview_id
        self.record_button.setEnabled(False)
        self.ops.write(
            lambda s, actor, now: sessions.record_session(s, iid, data, actor=actor, now=now),
            self._recorded,
            self._failed,
        )

    def _recorded(self, _result: Any) -> None:
        self.record_button.setEnabled(not self.locked)
        self.duration.setValue(0)
        self.present.clear()
        self.time_alone.clear()
        self.confidentiality.clear()

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
