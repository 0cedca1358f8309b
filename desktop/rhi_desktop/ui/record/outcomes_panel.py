"""Outcomes and referrals: what was done after the conversation, the worker's analysis and
recommendations, and when the report went to the child's social worker."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from rhi_core.domain.codes import ReferralKind
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.services import outcomes
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.outcomes import OutcomesInput, ReferralInput
from rhi_desktop.services.record_open import RecordSnapshot

from ..widgets import error_label, show_error
from .fields import FieldForm, date_edit, date_of, set_date
from .ops import RecordOps
from .panel import RecordPanel


class ReferralLine:
    """One kind on the checklist: ticked, when, and a note."""

    def __init__(self, kind: ReferralKind) -> None:
        self.kind = kind
        self.check = QCheckBox(kind.label)
        self.check.setAccessibleName(kind.label)
        self.made_on = date_edit()
        self.made_on.setAccessibleName(f"{kind.label}: date")
        self.note = QLineEdit()
        self.note.setAccessibleName(f"{kind.label}: note")
        self.note.setPlaceholderText("Note")
        self.error = error_label()
        self.check.toggled.connect(self._toggled)
        self._toggled(False)

    def _toggled(self, on: bool) -> None:
        self.made_on.setEnabled(on)
        self.note.setEnabled(on)

    def set_enabled(self, on: bool) -> None:
        self.check.setEnabled(on)
        self._toggled(on and self.check.isChecked())


def _long_text(name: str, lines: int = 5) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 16)
    return edit


class OutcomesPanel(RecordPanel):
    title_text = "Outcomes and referrals"
    intro_text = "Tick each referral made because of this interview, with the date it was made."

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__(ops, young_person)
        refs = self.card("Referrals and information shared")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.lines: dict[str, ReferralLine] = {}
        for r, kind in enumerate(ReferralKind):
            line = ReferralLine(kind)
            self.lines[str(kind)] = line
            grid.addWidget(line.check, r * 2, 0)
            grid.addWidget(line.made_on, r * 2, 1)
            grid.addWidget(line.note, r * 2, 2)
            grid.addWidget(line.error, r * 2 + 1, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        refs.body.addLayout(grid)

        analysis = self.card("Your analysis and recommendations")
        self.form = FieldForm()
        self.analysis = _long_text("Analysis")
        self.form.add("analysis", "Analysis", self.analysis)
        self.recommendations = _long_text("Recommendations", 4)
        self.form.add("recommendations", "Recommendations", self.recommendations)
        self.shared_on: QDateEdit = date_edit()
        self.form.add(
            "shared_with_social_worker_on",
            "Shared with the social worker on",
            self.shared_on,
            "Date shared with the social worker",
        )
        analysis.body.addWidget(self.form)
        self.general = error_label()
        analysis.body.addWidget(self.general)
        self.save_button = QPushButton("Save outcomes")
        self.save_button.setObjectName("primary")
        self.save_button.setAccessibleName("Save outcomes")
        self.save_button.clicked.connect(self.submit)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("muted")
        row = QHBoxLayout()
        row.addWidget(self.saved_label, 1)
        row.addWidget(self.save_button)
        analysis.body.addLayout(row)
        self.finish()

    def apply(self, snapshot: RecordSnapshot) -> None:
        first = self.snapshot is None
        super().apply(snapshot)
        if not first and not self.locked:
            return  # keep what the worker is typing; the store only changes through Save
        r = snapshot.record
        by_kind = {ref.kind: ref for ref in r.referrals}
        for kind, line in self.lines.items():
            ref = by_kind.get(kind)
            line.check.setChecked(ref is not None)
            set_date(line.made_on, ref.made_on if ref else None)
            line.note.setText(ref.note or "" if ref else "")
        self.analysis.setPlainText(r.analysis or "")
        self.recommendations.setPlainText(r.recommendations or "")
        set_date(self.shared_on, r.shared_with_social_worker_on)

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        for line in self.lines.values():
            line.set_enabled(not locked)

    def editors(self) -> list[QWidget]:
        return [self.form, self.save_button]

    def submit(self) -> None:
        self.form.clear_errors()
        show_error(self.general, None)
        for line in self.lines.values():
            show_error(line.error, None)
        ticked = [line for line in self.lines.values() if line.check.isChecked()]
        refs = [
            ReferralInput(line.kind, date_of(line.made_on), line.note.text()) for line in ticked
        ]
        data = OutcomesInput(
            analysis=self.analysis.toPlainText(),
            recommendations=self.recommendations.toPlainText(),
            shared_with_social_worker_on=date_of(self.shared_on),
        )
        iid = self.ops.interview_id
        self._ticked = ticked

        def write(s: Any, actor: str, now: Any) -> None:
            # One transaction: the referrals and the analysis are saved together or not at all.
            outcomes.replace_referrals(s, iid, refs, actor=actor, now=now)
            outcomes.set_outcomes(s, iid, data, actor=actor, now=now)

        self.save_button.setEnabled(False)
        self.ops.write(write, self._saved, self._failed)

    def _saved(self, _result: Any) -> None:
        self.save_button.setEnabled(not self.locked)
        self.saved_label.setText("Outcomes saved.")

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(not self.locked)
        self.saved_label.setText("")
        if not isinstance(exc, ValidationFailed):
            self.form.show_exception(exc)
            return
        rest: list[EpisodeProblem] = []
        for p in exc.problems:
            parts = p.field.split(".")
            if parts[0] == "referrals" and len(parts) == 3 and parts[1].isdigit():
                line = self._ticked[int(parts[1])]
                show_error(line.error, f"{line.kind.label}: {p.message}")
                line.made_on.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                rest.append(p)
        if rest:
            self.form.show_exception(ValidationFailed(rest))

    def focus_target(self, target: dict[str, Any]) -> bool:
        self.lines[str(ReferralKind.MACE)].check.setFocus(Qt.FocusReason.OtherFocusReason)
        return True
