"""Outcomes and referrals: what the risk flags ask, what was done after the conversation, the
worker's analysis and recommendations, and when the report went to the child's social worker.

Everything here is saved as it is edited (like the questionnaire): ticking a referral records
it with today's date (the date can be changed), and nothing depends on remembering a button.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from rhi_core.domain.codes import ReferralKind
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.services import outcomes
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.outcomes import OutcomesInput, ReferralInput
from rhi_desktop.services.record_open import FlagView, RecordSnapshot

from ..date_field import DateField
from ..widgets import error_label, muted, show_error
from . import text
from .fields import FieldForm, date_edit, date_of, set_date
from .ops import RecordOps, Write
from .panel import RecordPanel


class ReferralLine:
    """One kind on the checklist: ticked, when, and a note."""

    def __init__(self, kind: ReferralKind, today: Callable[[], Any]) -> None:
        self.kind = kind
        self._today = today
        self.check = QCheckBox(kind.label.replace("&", "&&"))
        self.check.setAccessibleName(kind.label)
        self.made_on: DateField = date_edit(name=f"{kind.label}: date")
        self.note = QLineEdit()
        self.note.setAccessibleName(f"{kind.label}: note")
        self.note.setPlaceholderText("Note")
        self.error = error_label()
        self.check.toggled.connect(self._toggled)
        self._toggled(False)

    def _toggled(self, on: bool) -> None:
        self.made_on.setEnabled(on)
        self.note.setEnabled(on)

    def tick_by_worker(self, on: bool) -> None:
        """The worker ticked it: a referral made now is made today (the date can be changed)."""
        if on and self.made_on.is_empty():
            self.made_on.set_value(self._today())

    def set_enabled(self, on: bool) -> None:
        self.check.setEnabled(on)
        self._toggled(on and self.check.isChecked())


class FlagAnswer(QWidget):
    """A raised flag that suggests a referral: what raised it, what it asks, and either the
    referral made or the worker's reason for making none."""

    def __init__(self, flag: FlagView, on_reason: Callable[[], None]) -> None:
        super().__init__()
        self.code = flag.code
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 8)
        layout.setSpacing(3)
        self.title = QLabel(flag.label)
        self.title.setObjectName("flagTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.why = muted("")
        layout.addWidget(self.why)
        self.asks = muted("")
        layout.addWidget(self.asks)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("flagStatus")
        self.status.setAccessibleName(f"{flag.label}: what was done")
        layout.addWidget(self.status)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(f"{flag.label}: why no referral")
        self.reason.setPlaceholderText("If no referral is needed, say why")
        self.reason.textEdited.connect(lambda _t: on_reason())
        layout.addWidget(self.reason)
        self.show_flag(flag, set_reason=True)

    def show_flag(self, flag: FlagView, set_reason: bool) -> None:
        self.title.setText(flag.label)
        self.why.setText("Raised by: " + "; ".join(flag.reasons) if flag.reasons else "")
        self.why.setVisible(bool(flag.reasons))
        asks = [p for p in flag.prompts]
        self.asks.setText("It asks you to: " + "; ".join(asks) if asks else "")
        self.asks.setVisible(bool(asks))
        if flag.made:
            labels = ", ".join(ReferralKind(k).label for k in flag.made)
            self.status.setText(f"✓ Recorded: {labels}")
            self.status.setProperty("state", "done")
        elif flag.reason_not:
            self.status.setText("✓ No referral: the reason is recorded below")
            self.status.setProperty("state", "done")
        else:
            listed = ", ".join(flag.suggested_labels())
            self.status.setText(f"No referral recorded yet. Tick one of: {listed}; or say why not.")
            self.status.setProperty("state", "todo")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.reason.setVisible(not flag.made)
        if set_reason:
            self.reason.setText(flag.reason_not or "")


def _long_text(name: str, lines: int = 5) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 16)
    return edit


class OutcomesPanel(RecordPanel):
    title_text = "Outcomes and referrals"
    intro_text = (
        "Tick each referral made because of this interview; it is recorded with today's date, "
        "which you can change. Everything on this page is saved as you type."
    )

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__(ops, young_person)
        # --- what the flags ask ------------------------------------------------------------
        self.flags_card = self.card(
            "What the risk flags ask",
            "Each flag below suggests a referral. Record one, or say why none is needed.",
        )
        self.flag_rows: dict[str, FlagAnswer] = {}
        self.flags_body = QVBoxLayout()
        self.flags_card.body.addLayout(self.flags_body)
        self.flags_card.hide()
        self.flag_auto = self.autowrite(self._flag_writes, self._flag_failed)
        self.flag_error = error_label()
        self.flags_card.body.addWidget(self.flag_error)

        # --- referrals ---------------------------------------------------------------------
        refs = self.card("Referrals and information shared")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.lines: dict[str, ReferralLine] = {}
        self.auto = self.autowrite(self._write, self._failed, self._saved)
        for r, kind in enumerate(ReferralKind):
            line = ReferralLine(kind, lambda: self.ops.now().astimezone().date())
            self.lines[str(kind)] = line
            grid.addWidget(line.check, r * 2, 0)
            grid.addWidget(line.made_on, r * 2, 1)
            grid.addWidget(line.note, r * 2, 2)
            grid.addWidget(line.error, r * 2 + 1, 0, 1, 3)
            line.check.clicked.connect(self._tick_handler(line))
            line.made_on.value_changed.connect(lambda _v: self.auto.schedule(0))
            line.note.textEdited.connect(lambda _t: self.auto.schedule())
        grid.setColumnStretch(2, 1)
        refs.body.addLayout(grid)

        analysis = self.card("Your analysis and recommendations")
        self.form = FieldForm()
        self.analysis = _long_text("Analysis")
        self.form.add("analysis", "Analysis", self.analysis)
        self.recommendations = _long_text("Recommendations", 4)
        self.form.add("recommendations", "Recommendations", self.recommendations)
        self.shared_on: DateField = date_edit(name="Date shared with the social worker")
        self.form.add(
            "shared_with_social_worker_on", "Shared with the social worker on", self.shared_on
        )
        analysis.body.addWidget(self.form)
        self.general = error_label()
        analysis.body.addWidget(self.general)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("muted")
        self.saved_label.setAccessibleName("Outcomes save status")
        analysis.body.addWidget(self.saved_label)
        self.analysis.textChanged.connect(self._typed)
        self.recommendations.textChanged.connect(self._typed)
        self.shared_on.value_changed.connect(lambda _v: self.auto.schedule(0))
        self._loading = False
        self.finish()

    # --- showing ---------------------------------------------------------------------------
    def apply(self, snapshot: RecordSnapshot) -> None:
        first = self.snapshot is None
        super().apply(snapshot)
        self._show_flags(snapshot)
        if not first and not self.locked:
            return  # the screen holds what the worker typed; the store follows it
        self.reset_to(snapshot)

    def reset_to(self, snapshot: RecordSnapshot) -> None:
        self._loading = True
        try:
            r = snapshot.record
            by_kind = {ref.kind: ref for ref in r.referrals}
            for kind, line in self.lines.items():
                ref = by_kind.get(kind)
                line.check.setChecked(ref is not None)
                set_date(line.made_on, ref.made_on if ref else None)
                line.note.setText(ref.note or "" if ref else "")
                show_error(line.error, None)
            self.analysis.setPlainText(r.analysis or "")
            self.recommendations.setPlainText(r.recommendations or "")
            set_date(self.shared_on, r.shared_with_social_worker_on)
            self.form.clear_errors()
            self._show_flags(snapshot, reasons=True)
        finally:
            self._loading = False

    def _show_flags(self, snapshot: RecordSnapshot, reasons: bool = False) -> None:
        wanted = [f for f in snapshot.flags if f.suggested and f.error is None]
        for code in list(self.flag_rows):
            if code not in {f.code for f in wanted}:
                self.flag_rows.pop(code).deleteLater()
        for f in wanted:
            row = self.flag_rows.get(f.code)
            if row is None:
                row = FlagAnswer(f, lambda: self.flag_auto.schedule())
                row.reason.setEnabled(not self.locked)
                self.flag_rows[f.code] = row
                self.flags_body.addWidget(row)
            else:
                typing = self.flag_auto.pending or row.reason.hasFocus()
                row.show_flag(f, set_reason=reasons or not typing)
        self.flags_card.setVisible(bool(wanted))

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        for line in self.lines.values():
            line.set_enabled(not locked)
        for row in self.flag_rows.values():
            row.reason.setEnabled(not locked)

    def editors(self) -> list[QWidget]:
        return [self.form]

    # --- writing ---------------------------------------------------------------------------
    def _tick_handler(self, line: ReferralLine) -> Callable[[bool], None]:
        return lambda on: self._ticked(line, on)

    def _ticked(self, line: ReferralLine, on: bool) -> None:
        line.tick_by_worker(on)
        self.auto.schedule(0)

    def _typed(self) -> None:
        if not self._loading:
            self.auto.schedule()

    def _ticked_lines(self) -> list[ReferralLine]:
        return [line for line in self.lines.values() if line.check.isChecked()]

    def _write(self) -> Write | None:
        """The whole screen as it stands now, or None while a typed date is not a date."""
        self.form.clear_errors()
        show_error(self.general, None)
        for line in self.lines.values():
            show_error(line.error, None)
        bad = [
            (line, line.made_on.problem())
            for line in self._ticked_lines()
            if line.made_on.problem()
        ]
        if bad or self.shared_on.problem():
            for line, problem in bad:
                show_error(line.error, f"{line.kind.label}: {problem}")
            return None
        ticked = self._ticked_lines()
        self._sent = ticked
        refs = [
            ReferralInput(line.kind, date_of(line.made_on), line.note.text()) for line in ticked
        ]
        data = OutcomesInput(
            analysis=self.analysis.toPlainText(),
            recommendations=self.recommendations.toPlainText(),
            shared_with_social_worker_on=date_of(self.shared_on),
        )
        self.saved_label.setText("Saving…")
        return partial(_save_outcomes, self.ops.interview_id, refs, data)

    def _saved(self) -> None:
        self.saved_label.setText(f"Saved {text.when(self.ops.now())}")

    def _failed(self, exc: Exception) -> None:
        self.saved_label.setText("Not saved: see the message above.")
        if not isinstance(exc, ValidationFailed):
            self.form.show_exception(exc)
            return
        rest: list[EpisodeProblem] = []
        for p in exc.problems:
            parts = p.field.split(".")
            if parts[0] == "referrals" and len(parts) == 3 and parts[1].isdigit():
                line = self._sent[int(parts[1])]
                show_error(line.error, f"{line.kind.label}: {p.message}")
            else:
                rest.append(p)
        if rest:
            self.form.show_exception(ValidationFailed(rest))

    def _flag_writes(self) -> Write | None:
        show_error(self.flag_error, None)
        reasons = {code: row.reason.text() for code, row in self.flag_rows.items()}
        return partial(_save_flag_reasons, self.ops.interview_id, reasons)

    def _flag_failed(self, exc: Exception) -> None:
        show_error(self.flag_error, str(exc) or "The reason could not be saved.")

    def submit(self) -> None:
        """Save now (what the worker's pause would do a moment later)."""
        self.auto.schedule(0)
        self.auto.flush()

    # --- the save model ----------------------------------------------------------------------
    def unsaved(self) -> str | None:
        if self.locked:
            return None
        bad = [line for line in self._ticked_lines() if line.made_on.problem()]
        if bad:
            return f"a referral date that is not a date ({bad[0].kind.label})"
        if self.shared_on.problem():
            return "a date shared with the social worker that is not a date"
        return super().unsaved()

    def focus_target(self, target: dict[str, Any]) -> bool:
        code = target.get("field")
        row = self.flag_rows.get(str(code)) if code else None
        if row is not None:
            row.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        self.lines[str(ReferralKind.MACE)].check.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


# Module-level write functions (bound with partial): they run on the worker thread.
def _save_outcomes(
    iid: str, refs: list[ReferralInput], data: OutcomesInput, s: Any, actor: str, now: Any
) -> bool:
    return outcomes.save_outcomes(s, iid, refs, data, actor=actor, now=now)


def _save_flag_reasons(iid: str, reasons: dict[str, str], s: Any, actor: str, now: Any) -> None:
    for code, reason in reasons.items():
        outcomes.set_flag_decision(s, iid, code, reason, actor=actor, now=now)
