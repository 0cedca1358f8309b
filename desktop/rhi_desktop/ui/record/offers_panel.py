"""Offer and consent: the attempts, the computed 72-hour flags, the late reason and the
episodes this RHI covers. Every rule (dates, decline codes, who may link what) is the offers
service's; this screen only collects input and shows its verdicts."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    LateReason,
    OfferMethod,
    OfferOutcome,
)
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.services import offers
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.offers import OfferInput
from rhi_desktop.services.record_open import RecordSnapshot
from rhi_desktop.services.record_view import EpisodeView, OfferView

from ..widgets import muted
from . import text
from .fields import FieldForm, combo, date_time_edit, to_utc
from .models import Row, RowsModel, selected_row, table_view
from .ops import RecordOps, Write
from .panel import RecordPanel


def _label(code_list: type, value: str | None) -> str:
    return code_list(value).label if value else ""


def offer_row(o: OfferView) -> Row:
    declined = ""
    if o.outcome == OfferOutcome.DECLINED:
        declined = " · ".join(
            p
            for p in (
                _label(DeclinedBy, o.declined_by),
                _label(DeclineReason, o.decline_reason),
                o.decline_note or "",
            )
            if p
        )
    tip = f"What the carer shared: {o.carer_shared}" if o.carer_shared else None
    return Row(
        o.id,
        (
            text.when(o.at),
            OfferMethod(o.method).label,
            OfferOutcome(o.outcome).label,
            o.by_whom or "",
            declined,
        ),
        o,
        tip,
    )


def episode_row(e: EpisodeView) -> Row:
    return Row(
        e.id,
        (
            text.when(e.started_at),
            text.when(e.returned_at),
            "Missing" if e.category == EpisodeCategory.MISSING else "Away",
        ),
        e,
    )


class OffersPanel(RecordPanel):
    title_text = "Offer and consent"
    intro_text = (
        "Record every attempt to offer the interview, including letters and calls nobody "
        "answered. Whether it was within 72 hours is worked out from these times."
    )

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__(ops, young_person)
        # --- 72 hours --------------------------------------------------------------------
        clock = self.card("72-hour check", "Worked out from the return and the times below.")
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.clock_start = QLabel()
        self.offered_flag = QLabel()
        self.held_flag = QLabel()
        for label in (self.clock_start, self.offered_flag, self.held_flag):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.offered_flag.setAccessibleName("Offered within 72 hours")
        self.held_flag.setAccessibleName("Held within 72 hours")
        for r, (caption, value) in enumerate(
            (
                ("Clock started (latest return)", self.clock_start),
                ("Offered within 72 hours", self.offered_flag),
                ("Held within 72 hours", self.held_flag),
            )
        ):
            cap = QLabel(caption)
            cap.setObjectName("muted")
            grid.addWidget(cap, r, 0)
            grid.addWidget(value, r, 1)
        grid.setColumnStretch(1, 1)
        clock.body.addLayout(grid)
        self.late = FieldForm()
        self.late_reason = self.late.add(
            "late_reason", "Reason it was late *", combo("Reason late", LateReason.choices())
        )
        self.late_note = self.late.add("late_note", "Say more", QLineEdit(), "Reason late: note")
        # Saved as it is chosen and typed, like the questionnaire.
        self.late_auto = self.autowrite(self._late_write, self._late_failed)
        self.late_reason.activated.connect(lambda _i: self.late_auto.schedule(0))
        self.late_reason.currentIndexChanged.connect(self._late_changed)
        self.late_note.textEdited.connect(lambda _t: self.late_auto.schedule())
        self.late_box = QWidget()
        late_layout = QHBoxLayout(self.late_box)
        late_layout.setContentsMargins(0, 6, 0, 0)
        late_layout.addWidget(self.late, 1)
        clock.body.addWidget(self.late_box)
        clock.body.addWidget(self.late.general)

        # --- attempts --------------------------------------------------------------------
        attempts = self.card("Offer attempts")
        self.model = RowsModel(["When", "How", "Outcome", "By", "Declined by and why"], self)
        self.table = table_view(self.model, "Offer attempts", stretch=(3, 4))
        self.table.activated.connect(lambda _i: self.edit_selected())
        attempts.body.addWidget(self.table)
        self.edit_button = QPushButton("Change attempt")
        self.edit_button.setAccessibleName("Change the selected offer attempt")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("Remove attempt")
        self.remove_button.setAccessibleName("Remove the selected offer attempt")
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(
            QKeySequence.StandardKey.Delete,
            self.table,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.list_error = muted("")
        self.list_error.setObjectName("error")
        self.list_error.hide()
        QShortcut(
            QKeySequence(Qt.Key.Key_F2),
            self.table,
            self.edit_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        row = QHBoxLayout()
        row.addWidget(self.list_error, 1)
        row.addStretch(0)
        row.addWidget(self.edit_button)
        row.addWidget(self.remove_button)
        attempts.body.addLayout(row)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_remove())

        # --- a new attempt ---------------------------------------------------------------
        new = self.card("Record an offer")
        self.entry_title = new.title
        self.editing = ""  # id of the attempt being changed, "" when recording a new one
        self.form = FieldForm()
        f = self.form
        self.at = f.add("at", "When *", date_time_edit(ops.now(), "Offer date and time"))
        self.method = f.add("method", "How *", combo("Offer method", OfferMethod.choices()))
        self.by_whom = f.add("by_whom", "Offered by *", QLineEdit(ops.actor), "Offered by")
        self.outcome = f.add("outcome", "Outcome *", combo("Offer outcome", OfferOutcome.choices()))
        self.declined_by = f.add(
            "declined_by", "Who declined *", combo("Who declined", DeclinedBy.choices())
        )
        self.decline_reason = f.add(
            "decline_reason", "Why *", combo("Why it was declined", DeclineReason.choices())
        )
        self.decline_note = f.add(
            "decline_note", "In their words", QLineEdit(), "Decline: in their words"
        )
        self.carer_shared = QPlainTextEdit()
        self.carer_shared.setTabChangesFocus(True)
        self.carer_shared.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 16)
        f.add("carer_shared", "What the carer shared instead", self.carer_shared)
        f.alias("episodes", "at")
        f.alias("offer", "outcome")
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        new.body.addWidget(f)
        new.body.addWidget(f.general)
        self.record_button = QPushButton("Record offer")
        self.record_button.setObjectName("primary")
        self.record_button.setAccessibleName("Record offer")
        self.record_button.clicked.connect(lambda _checked=False: self.submit())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel changing the offer attempt")
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.cancel_button.hide()
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(self.cancel_button)
        line.addWidget(self.record_button)
        new.body.addLayout(line)
        self._outcome_changed()
        for box in (self.method, self.outcome, self.declined_by, self.decline_reason):
            box.currentIndexChanged.connect(self._entry_edited)
        for edit in (self.by_whom, self.decline_note):
            edit.textEdited.connect(self._entry_edited)
        self.carer_shared.textChanged.connect(self._entry_edited)
        self.at.edit.textChanged.connect(self._entry_edited)
        self._baseline = self._entry_values()

        # --- episodes --------------------------------------------------------------------
        eps = self.card(
            "Episodes this interview covers",
            "If the child went missing again before the interview, link that episode too.",
        )
        self.episodes = RowsModel(["Went missing", "Returned", "Type"], self)
        self.episode_table = table_view(self.episodes, "Episodes covered", min_rows=1)
        eps.body.addWidget(self.episode_table)
        self.link_form = FieldForm()
        self.link_choice: QComboBox = self.link_form.add(
            "episodes", "Another returned episode", QComboBox(), "Episode to link"
        )
        self.link_button = QPushButton("Link episode")
        self.link_button.setAccessibleName("Link episode")
        self.link_button.clicked.connect(self.link_selected)
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_form, 1)
        link_row.addWidget(self.link_button, 0, Qt.AlignmentFlag.AlignTop)
        eps.body.addLayout(link_row)
        eps.body.addWidget(self.link_form.general)
        self.finish()

    # --- showing ---------------------------------------------------------------------------
    def apply(self, snapshot: RecordSnapshot) -> None:
        super().apply(snapshot)
        r = snapshot.record
        t = r.timeliness
        self.clock_start.setText(
            f"{text.when(t.clock_starts_at)} · due by {text.when(t.due_at)}"
            if t.clock_starts_at
            else "No return recorded yet"
        )
        self.offered_flag.setText(text.flag(t.offered_within_72h))
        self.held_flag.setText(text.flag(t.held_within_72h))
        late = t.offered_within_72h is False or t.held_within_72h is False
        self.late_box.setVisible(late or bool(r.late_reason))
        if not (self.late_auto.pending or self.late_auto.error) and not self.late_note.hasFocus():
            self.late_reason.setCurrentIndex(max(0, self.late_reason.findData(r.late_reason)))
            self.late_note.setText(r.late_note or "")
        self._late_changed()
        self.model.set_rows([offer_row(o) for o in r.offers])
        self.episodes.set_rows([episode_row(e) for e in r.episodes])
        self.link_choice.clear()
        for e in snapshot.linkable:
            self.link_choice.addItem(
                f"Missing {text.when(e.started_at)}, returned {text.when(e.returned_at)}", e.id
            )
        self._update_link()
        self._update_remove()

    def _update_link(self) -> None:
        has = self.link_choice.count() > 0
        self.link_form.set_row_visible("episodes", has)
        self.link_button.setVisible(has)
        self.link_button.setEnabled(has and not self.locked)

    def _update_remove(self) -> None:
        chosen = selected_row(self.table) is not None
        self.remove_button.setEnabled(not self.locked and self.model.rowCount() > 0)
        self.edit_button.setEnabled(not self.locked and chosen)

    def _outcome_changed(self, _index: int = 0) -> None:
        declined = self.outcome.currentData() == OfferOutcome.DECLINED
        for key in ("declined_by", "decline_reason", "decline_note", "carer_shared"):
            self.form.set_row_visible(key, declined)

    def _late_changed(self, _index: int = 0) -> None:
        self.late.set_row_visible("late_note", self.late_reason.currentData() == LateReason.OTHER)

    def editors(self) -> list[QWidget]:
        return [
            self.form,
            self.record_button,
            self.late,
            self.link_form,
            self.link_button,
            self.remove_button,
        ]

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        self._update_link()
        self._update_remove()

    # --- writing ---------------------------------------------------------------------------
    def build(self) -> OfferInput:
        declined = self.outcome.currentData() == OfferOutcome.DECLINED
        return OfferInput(
            at=to_utc(self.at),
            method=self.method.currentData(),
            outcome=self.outcome.currentData(),
            by_whom=self.by_whom.text().strip() or None,
            declined_by=self.declined_by.currentData() if declined else None,
            decline_reason=self.decline_reason.currentData() if declined else None,
            decline_note=self.decline_note.text() if declined else None,
            carer_shared=self.carer_shared.toPlainText() if declined else None,
        )

    def submit(self, then: Callable[[], None] | None = None) -> None:
        self.form.clear_errors()
        problem = self.at.problem()
        if problem:
            self.form.show_exception(ValidationFailed([EpisodeProblem("at", problem)]))
            return
        data, iid, editing = self.build(), self.ops.interview_id, self.editing
        self.record_button.setEnabled(False)
        if editing:
            write = partial(_update_offer, editing, data)
        else:
            write = partial(_record_offer, iid, data)
        self.ops.write(write, partial(self._recorded, then), self._failed)

    def _recorded(self, then: Callable[[], None] | None, _result: Any) -> None:
        self.record_button.setEnabled(not self.locked)
        self._reset_entry()
        if then is not None:
            then()

    def _reset_entry(self) -> None:
        """The attempt is stored (or dropped): clear what only belonged to it; keep who and
        when, ready for the next attempt."""
        self.editing = ""
        self.record_button.setText("Record offer")
        self.record_button.setAccessibleName("Record offer")
        self.cancel_button.hide()
        if self.entry_title is not None:
            self.entry_title.setText("Record an offer")
        for box in (self.method, self.outcome, self.declined_by, self.decline_reason):
            box.setCurrentIndex(0)
        self.decline_note.clear()
        self.carer_shared.clear()
        self.form.clear_errors()
        self._baseline = self._entry_values()
        self.status_changed.emit()

    def _failed(self, exc: Exception) -> None:
        self.record_button.setEnabled(not self.locked)
        self.form.show_exception(exc)

    # --- changing an attempt already recorded ----------------------------------------------
    def edit_selected(self) -> None:
        row = selected_row(self.table)
        if row is None or self.locked:
            return
        o: OfferView = row.value
        self.editing = o.id
        self.at.set_value(o.at.astimezone().replace(tzinfo=None, second=0, microsecond=0))
        self.method.setCurrentIndex(max(0, self.method.findData(o.method)))
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(o.outcome)))
        self.by_whom.setText(o.by_whom or "")
        self.declined_by.setCurrentIndex(max(0, self.declined_by.findData(o.declined_by)))
        self.decline_reason.setCurrentIndex(max(0, self.decline_reason.findData(o.decline_reason)))
        self.decline_note.setText(o.decline_note or "")
        self.carer_shared.setPlainText(o.carer_shared or "")
        self.record_button.setText("Save changes")
        self.record_button.setAccessibleName("Save the changed offer attempt")
        self.cancel_button.show()
        if self.entry_title is not None:
            self.entry_title.setText("Change the offer attempt")
        self.form.clear_errors()
        self._baseline = self._entry_values()
        self.form.focus("at")
        self.status_changed.emit()

    def cancel_edit(self) -> None:
        self._reset_entry()

    # --- the save model ----------------------------------------------------------------------
    def _entry_values(self) -> tuple[Any, ...]:
        return (
            self.at.edit.text(),
            self.method.currentData(),
            self.outcome.currentData(),
            self.by_whom.text(),
            self.declined_by.currentData(),
            self.decline_reason.currentData(),
            self.decline_note.text(),
            self.carer_shared.toPlainText(),
        )

    def _entry_edited(self, *_args: Any) -> None:
        self.status_changed.emit()

    def unsaved(self) -> str | None:
        if self.locked:
            return None
        if self._entry_values() != self._baseline:
            return (
                "changes to an offer attempt"
                if self.editing
                else "an offer attempt not recorded yet"
            )
        return super().unsaved()

    def save_unsaved(self, then: Callable[[], None]) -> None:
        if self._entry_values() != self._baseline:
            self.submit(then)
        else:
            super().save_unsaved(then)

    def discard_unsaved(self) -> None:
        self.at.set_value(self.ops.now().astimezone().replace(tzinfo=None, second=0, microsecond=0))
        self.by_whom.setText(self.ops.actor)
        self._reset_entry()
        super().discard_unsaved()

    def reset_to(self, snapshot: RecordSnapshot) -> None:
        r = snapshot.record
        self.late_reason.setCurrentIndex(max(0, self.late_reason.findData(r.late_reason)))
        self.late_note.setText(r.late_note or "")
        self.late.clear_errors()

    # --- the late reason, saved as it is chosen ----------------------------------------------
    def _late_write(self) -> Write | None:
        self.late.clear_errors()
        reason, note, iid = (
            self.late_reason.currentData(),
            self.late_note.text(),
            self.ops.interview_id,
        )
        return partial(_set_late_reason, iid, reason, note)

    def _late_failed(self, exc: Exception) -> None:
        self.late.show_exception(exc)

    def save_late_reason(self) -> None:
        self.late_auto.schedule(0)
        self.late_auto.flush()

    def remove_selected(self) -> None:
        row = selected_row(self.table)
        if row is None or self.locked:
            return
        self.list_error.hide()
        self.ops.write(
            lambda s, actor, now: offers.remove_offer(s, row.id, actor=actor, now=now),
            None,
            partial(self._list_failed, self.list_error),
        )

    def _list_failed(self, label: QLabel, exc: Exception) -> None:
        label.setText(str(exc))
        label.show()

    def link_selected(self) -> None:
        episode_id, iid = self.link_choice.currentData(), self.ops.interview_id
        if not episode_id:
            return
        self.link_form.clear_errors()
        self.ops.write(
            lambda s, actor, now: offers.link_episode(s, iid, episode_id, actor=actor, now=now),
            None,
            self.link_form.show_exception,
        )

    # --- review links ----------------------------------------------------------------------
    def focus_target(self, target: dict[str, Any]) -> bool:
        kind, field = target.get("kind"), target.get("field")
        if kind == "late_reason":
            self.late_box.show()
            return self.late.focus(field or "late_reason")
        if kind == "episodes":
            return self.link_form.focus("episodes") or self._focus(self.episode_table)
        if kind == "decline":
            self.outcome.setCurrentIndex(self.outcome.findData(OfferOutcome.DECLINED))
            return self.form.focus(field or "declined_by")
        return self.form.focus("at")

    def _focus(self, w: QWidget) -> bool:
        w.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


# Module-level write functions (bound with partial): they run on the worker thread.
def _record_offer(iid: str, data: OfferInput, s: Any, actor: str, now: Any) -> Any:
    return offers.record_offer(s, iid, data, actor=actor, now=now)


def _update_offer(offer_id: str, data: OfferInput, s: Any, actor: str, now: Any) -> Any:
    return offers.update_offer(s, offer_id, data, actor=actor, now=now)


def _set_late_reason(iid: str, reason: Any, note: str, s: Any, actor: str, now: Any) -> Any:
    return offers.set_late_reason(s, iid, reason, note, actor=actor, now=now)
