"""The safety plan editor: built with the child, so it is the one RHI screen shown in
young-person mode (with headings in their words). The Runaway Helpline is on every plan."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from rhi_core.domain.codes import SafetyPlanItemKind as Kind
from rhi_desktop.services import safety_plans
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.record_open import RecordSnapshot
from rhi_desktop.services.safety_plans import PlanItemInput

from . import text
from .fields import FieldForm, date_edit, date_of, set_date
from .ops import RecordOps, Write
from .panel import RecordPanel
from .plan_list import FieldSpec, ListSpec, PlanListEditor

SPECS: tuple[ListSpec, ...] = (
    ListSpec(
        Kind.TRUSTED_ADULT,
        "Trusted adults",
        "People I trust",
        "trusted adult",
        ("Name", "Who they are", "Phone"),
        (
            FieldSpec("name", "Name"),
            FieldSpec("relationship", "Who they are"),
            FieldSpec("phone", "Phone"),
        ),
        lambda v: (v.name or "", v.relationship or "", v.phone or ""),
        lambda v: {"name": v.name, "relationship": v.relationship, "phone": v.phone},
        "Adults the child says they can go to, and how to reach them.",
    ),
    ListSpec(
        Kind.SAFE_PLACE,
        "Safe places",
        "Places where I feel safe",
        "safe place",
        ("Place",),
        (FieldSpec("text", "Place"),),
        lambda v: (v.text or "",),
        lambda v: {"text": v.text},
    ),
    ListSpec(
        Kind.WARNING_SIGN,
        "Warning signs and triggers",
        "Things that tell me I'm not OK",
        "warning sign",
        ("Sign or trigger",),
        (FieldSpec("text", "Sign or trigger"),),
        lambda v: (v.text or "",),
        lambda v: {"text": v.text},
        "What happens before the child goes missing: feelings, people, places, messages.",
    ),
    ListSpec(
        Kind.ACTION,
        "Agreed actions",
        "What we agreed to do",
        "action",
        ("Who", "Does what", "By when"),
        (
            FieldSpec("who", "Who"),
            FieldSpec("text", "Does what", stretch=3),
            FieldSpec("by_when", "By when", "date", 0),
        ),
        lambda v: (v.who or "", v.what or "", text.day(v.by_when)),
        lambda v: {"who": v.who, "text": v.what, "by_when": v.by_when},
    ),
    ListSpec(
        Kind.HELPLINE,
        "Helplines",
        "Numbers I can call any time",
        "helpline",
        ("Name", "Number", "Note"),
        (
            FieldSpec("name", "Name"),
            FieldSpec("phone", "Number"),
            FieldSpec("text", "Note", stretch=2),
        ),
        lambda v: (v.name or "", v.phone or "", v.note or ""),
        lambda v: {"name": v.name, "phone": v.phone, "text": v.note},
        "The Runaway Helpline (116 000) is on every plan; add local numbers as well.",
    ),
)


def _is_runaway(view: Any) -> bool:
    return safety_plans.normalise_uk_phone(getattr(view, "phone", None) or "") == "116000"


class SafetyPlanPanel(RecordPanel):
    title_text = "Safety plan"

    def heading(self) -> str:
        return "My safety plan" if self.young_person else "Safety plan"

    def intro(self) -> str:
        if self.young_person:
            return "This is your plan. You choose what goes in it, and you keep a copy."
        return (
            "Build the plan with the young person; they can see this page in young person "
            "mode. Select a row and press Enter to change it, or Delete to remove it."
        )

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__(ops, young_person)
        self._creating = False
        self._then: tuple[PlanListEditor, Callable[[], None]] | None = None
        self.lists: dict[str, PlanListEditor] = {}
        for spec in SPECS:
            card = self.card()
            editor = PlanListEditor(
                spec, young_person, _is_runaway if spec.kind == Kind.HELPLINE else _never
            )
            editor.save_requested.connect(self._save_item)
            editor.remove_requested.connect(self._remove_item)
            editor.edited.connect(self.status_changed)
            card.body.addWidget(editor)
            self.lists[str(spec.kind)] = editor
        review = self.card("When we will look at this again" if young_person else "Review date")
        self.review = FieldForm()
        self.review_date = self.review.add(
            "review_date", "Review on", date_edit(name="Safety plan review date")
        )
        # Saved as soon as a date is typed (Enter or leaving the field) or picked.
        self.review_auto = self.autowrite(self._review_write, self.review.show_exception)
        self.review_date.value_changed.connect(lambda _v: self.review_auto.schedule(0))
        review.body.addWidget(self.review)
        review.body.addWidget(self.review.general)
        self.finish()

    # --- showing ---------------------------------------------------------------------------
    def apply(self, snapshot: RecordSnapshot) -> None:
        super().apply(snapshot)
        plan = snapshot.record.safety_plan
        if plan.id is None and not snapshot.locked and not self._creating:
            # A new plan starts with the helplines, so the child sees 116 000 from the start.
            self._creating = True
            iid = self.ops.interview_id
            self.ops.write(
                lambda s, actor, now: safety_plans.get_or_create_plan(s, iid, actor=actor, now=now)
            )
        self.lists[Kind.TRUSTED_ADULT].set_items(plan.trusted_adults)
        self.lists[Kind.SAFE_PLACE].set_items(plan.safe_places)
        self.lists[Kind.WARNING_SIGN].set_items(plan.warning_signs)
        self.lists[Kind.ACTION].set_items(plan.actions)
        self.lists[Kind.HELPLINE].set_items(plan.helplines)
        if (
            not (self.review_auto.pending or self.review_auto.error)
            and not self.review_date.edit.hasFocus()
        ):
            set_date(self.review_date, plan.review_date)

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        for editor in self.lists.values():
            editor.set_locked(locked)

    def editors(self) -> list[QWidget]:
        return [self.review]

    # --- the save model ----------------------------------------------------------------------
    def unsaved(self) -> str | None:
        if self.locked:
            return None
        for editor in self.lists.values():
            what = editor.unsaved()
            if what:
                return what
        if self.review_date.problem():
            return "a review date that is not a date"
        return super().unsaved()

    def save_unsaved(self, then: Callable[[], None]) -> None:
        for editor in self.lists.values():
            if editor.unsaved():
                self._then = (editor, then)
                editor.submit()
                return
        super().save_unsaved(then)

    def discard_unsaved(self) -> None:
        for editor in self.lists.values():
            editor.discard()
        super().discard_unsaved()

    def reset_to(self, snapshot: RecordSnapshot) -> None:
        set_date(self.review_date, snapshot.record.safety_plan.review_date)
        self.review.clear_errors()

    # --- writing ---------------------------------------------------------------------------
    def _save_item(self, kind: str, item_id: str, values: object) -> None:
        assert isinstance(values, dict)
        item = PlanItemInput(
            kind=kind,
            name=values.get("name"),
            relationship=values.get("relationship"),
            phone=values.get("phone"),
            text=values.get("text"),
            who=values.get("who"),
            by_when=values.get("by_when"),
        )
        iid, editor = self.ops.interview_id, self.lists[kind]
        fn = partial(_update, item_id, item) if item_id else partial(_add, iid, item)
        self.ops.write(fn, partial(self._item_saved, editor), partial(self._item_failed, editor))

    def _item_failed(self, editor: PlanListEditor, exc: Exception) -> None:
        self._then = None
        _failed(editor, exc)

    def _remove_item(self, kind: str, item_id: str) -> None:
        editor = self.lists[kind]
        self.ops.write(partial(_remove, item_id), None, partial(_failed, editor))

    def _review_write(self) -> Write | None:
        self.review.clear_errors()
        if self.review_date.problem():
            return None  # the field says what is wrong; nothing is written
        value, iid = date_of(self.review_date), self.ops.interview_id
        return partial(_set_review_date, iid, value)

    def save_review_date(self) -> None:
        self.review_date.commit()
        self.review_auto.schedule(0)
        self.review_auto.flush()

    def _item_saved(self, editor: PlanListEditor, _result: Any) -> None:
        editor.saved()
        pending = getattr(self, "_then", None)
        if pending is not None and pending[0] is editor:
            self._then = None
            self.save_unsaved(pending[1])  # the next list with something typed, then go

    def focus_target(self, target: dict[str, Any]) -> bool:
        first = next(iter(self.lists[Kind.TRUSTED_ADULT].inputs.values()))
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


def _never(_view: Any) -> bool:
    return False


# Module-level write functions (bound with partial): they run on the worker thread.
def _add(iid: str, item: PlanItemInput, s: Any, actor: str, now: Any) -> None:
    safety_plans.add_item(s, iid, item, actor=actor, now=now)


def _update(item_id: str, item: PlanItemInput, s: Any, actor: str, now: Any) -> None:
    safety_plans.update_item(s, item_id, item, actor=actor, now=now)


def _remove(item_id: str, s: Any, actor: str, now: Any) -> None:
    safety_plans.remove_item(s, item_id, actor=actor, now=now)


def _set_review_date(iid: str, value: Any, s: Any, actor: str, now: Any) -> None:
    safety_plans.set_review_date(s, iid, value, actor=actor, now=now)


def _failed(editor: PlanListEditor, exc: Exception) -> None:
    if isinstance(exc, ValidationFailed):
        editor.show_problems([(p.field, p.message) for p in exc.problems])
    else:
        editor.show_general(str(exc) or "This could not be saved. Nothing was lost: try again.")
