"""The safety plan of an interview revision: trusted adults, safe places, warning signs and
triggers, agreed actions (who does what by when), helplines and a review date.

Every plan carries the Runaway Helpline (116 000): statutory guidance names it as the
staying-safe information every child should leave with, so it is added to a new plan and cannot
be removed. Local numbers come from the profile setting ``LOCAL_HELPLINES_SETTING`` (a list of
``{"name", "phone", "note"}``) and are added to a new plan too; the worker may remove those.
Items keep their order within each kind (``position`` 0, 1, 2… per kind, no gaps).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import SafetyPlanItemKind as Kind
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.store.models import ProfileSetting, ReturnInterview, SafetyPlan, SafetyPlanItem

from .children import ValidationFailed
from .completion import assert_editable, record_step, touch

LOCAL_HELPLINES_SETTING = "safety_plan.local_helplines"
RUNAWAY_HELPLINE_NAME = "Runaway Helpline"
RUNAWAY_HELPLINE_PHONE = "116 000"
RUNAWAY_HELPLINE_NOTE = "Free and confidential, call or text, 24 hours a day"

_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")


def normalise_uk_phone(text: str) -> str | None:
    """Digits of a plausible UK number (loosely), or None.

    Accepts 10–11 digit numbers starting 0 (landline or mobile), the same with +44 or 0044
    (optionally followed by "(0)") in place of the 0, and the short service numbers that start 1
    (116 000, 111, 101, 116 123).
    Spaces, dashes, dots and brackets are ignored. It is a typo check, not a directory lookup.
    """
    raw = _PHONE_PUNCTUATION.sub("", text or "")
    for prefix in ("+440", "00440", "+44", "0044"):  # "+44 (0)20…" is how many write it
        if raw.startswith(prefix):
            raw = "0" + raw[len(prefix) :]
            break
    if raw.startswith("00"):
        return None
    if not raw.isdigit():
        return None
    if raw.startswith("0") and len(raw) in (10, 11) and raw[1] != "0":
        return raw
    if raw.startswith("1") and len(raw) in (3, 6):
        return raw
    return None


@dataclass(frozen=True)
class PlanItemInput:
    """One entry. Which fields apply depends on ``kind``:

    trusted_adult: name, relationship, phone · safe_place / warning_sign: text ·
    action: text (what), who, by_when · helpline: name, phone, text (note)
    """

    kind: Kind | str
    name: str | None = None
    relationship: str | None = None
    phone: str | None = None
    text: str | None = None
    who: str | None = None
    by_when: date | None = None

    @classmethod
    def trusted_adult(cls, name: str, relationship: str, phone: str) -> PlanItemInput:
        return cls(Kind.TRUSTED_ADULT, name=name, relationship=relationship, phone=phone)

    @classmethod
    def safe_place(cls, text: str) -> PlanItemInput:
        return cls(Kind.SAFE_PLACE, text=text)

    @classmethod
    def warning_sign(cls, text: str) -> PlanItemInput:
        return cls(Kind.WARNING_SIGN, text=text)

    @classmethod
    def action(cls, who: str, what: str, by_when: date | None) -> PlanItemInput:
        return cls(Kind.ACTION, who=who, text=what, by_when=by_when)

    @classmethod
    def helpline(cls, name: str, phone: str, note: str | None = None) -> PlanItemInput:
        return cls(Kind.HELPLINE, name=name, phone=phone, text=note)


@dataclass(frozen=True)
class SafetyPlanInput:
    items: Sequence[PlanItemInput] = ()
    review_date: date | None = None
    # None: keep the default helplines (Runaway + local). Any helpline items in ``items`` are
    # added to the Runaway Helpline, which is always first.


def _item_problems(item: PlanItemInput, prefix: str) -> list[EpisodeProblem]:
    def p(field: str, message: str) -> EpisodeProblem:
        return EpisodeProblem(f"{prefix}{field}", message)

    def blank(v: str | None) -> bool:
        return not (v or "").strip()

    out: list[EpisodeProblem] = []
    if item.kind not in {k.value for k in Kind}:
        return [p("kind", "Choose what kind of entry this is.")]
    kind = Kind(item.kind)
    if kind in (Kind.TRUSTED_ADULT, Kind.HELPLINE):
        if blank(item.name):
            out.append(p("name", "Enter the name."))
        if blank(item.phone):
            out.append(p("phone", "Enter a contact number."))
        elif normalise_uk_phone(item.phone or "") is None:
            out.append(p("phone", "Enter a UK phone number, such as 07700 900123."))
        if kind is Kind.TRUSTED_ADULT and blank(item.relationship):
            out.append(p("relationship", "Enter who they are to the child."))
    elif kind in (Kind.SAFE_PLACE, Kind.WARNING_SIGN):
        if blank(item.text):
            out.append(p("text", "Enter the text."))
    elif kind is Kind.ACTION:
        if blank(item.text):
            out.append(p("text", "Enter what will be done."))
        if blank(item.who):
            out.append(p("who", "Enter who will do it."))
        if item.by_when is None:
            out.append(p("by_when", "Enter by when."))
    return out


def _review_problems(review_date: date | None, now: datetime) -> list[EpisodeProblem]:
    if review_date is not None and review_date < now.date():
        return [EpisodeProblem("review_date", "The review date cannot be in the past.")]
    return []


def _row(item: PlanItemInput, position: int) -> SafetyPlanItem:
    def clean(v: str | None) -> str | None:
        return (v or "").strip() or None

    return SafetyPlanItem(
        kind=Kind(item.kind),
        position=position,
        name=clean(item.name),
        relationship_=clean(item.relationship),
        phone=clean(item.phone),
        text=clean(item.text),
        who=clean(item.who),
        by_when=item.by_when,
    )


def _default_helplines(session: Session) -> list[PlanItemInput]:
    out = [
        PlanItemInput.helpline(RUNAWAY_HELPLINE_NAME, RUNAWAY_HELPLINE_PHONE, RUNAWAY_HELPLINE_NOTE)
    ]
    local = session.get(ProfileSetting, LOCAL_HELPLINES_SETTING)
    for entry in local.value if local and isinstance(local.value, list) else []:
        if isinstance(entry, dict) and entry.get("name") and entry.get("phone"):
            out.append(PlanItemInput.helpline(entry["name"], entry["phone"], entry.get("note")))
    return out


def _is_runaway(item: SafetyPlanItem | PlanItemInput) -> bool:
    return item.kind == Kind.HELPLINE and normalise_uk_phone(item.phone or "") == "116000"


def _plan(session: Session, interview: ReturnInterview) -> SafetyPlan | None:
    return session.scalar(
        select(SafetyPlan).where(
            SafetyPlan.interview_id == interview.id, SafetyPlan.revision == interview.revision
        )
    )


def get_or_create_plan(
    session: Session, interview_id: str, *, actor: str, now: datetime
) -> SafetyPlan:
    """The current revision's plan; a new one starts with the default helplines."""
    interview = assert_editable(session, interview_id)
    plan = _plan(session, interview)
    if plan is None:
        plan = SafetyPlan(interview_id=interview.id, revision=interview.revision)
        session.add(plan)
        for i, h in enumerate(_default_helplines(session)):
            plan.items.append(_row(h, i))
        touch(interview, now)
        session.flush()
        record_step(session, interview, "safety_plan.create", actor=actor, plan_id=plan.id)
    return plan


def replace_plan(
    session: Session, interview_id: str, data: SafetyPlanInput, *, actor: str, now: datetime
) -> SafetyPlan:
    """Replace the whole plan with ``data`` (order kept as given within each kind)."""
    interview = assert_editable(session, interview_id)
    problems = _review_problems(data.review_date, now)
    for i, item in enumerate(data.items):
        problems += _item_problems(item, f"items.{i}.")
    if problems:
        raise ValidationFailed(problems)
    plan = _plan(session, interview)
    if plan is None:
        plan = SafetyPlan(interview_id=interview.id, revision=interview.revision)
        session.add(plan)
    else:
        for old in list(plan.items):
            session.delete(old)
        session.flush()
        session.expire(plan, ["items"])
    items = list(data.items)
    helplines = [i for i in items if i.kind == Kind.HELPLINE]
    if not helplines:
        items += _default_helplines(session)
    elif not any(_is_runaway(h) for h in helplines):
        items.insert(0, _default_helplines(session)[0])
    counters: dict[str, int] = {}
    for item in sorted(items, key=lambda i: 0 if _is_runaway(i) else 1):
        kind = str(Kind(item.kind))
        plan.items.append(_row(item, counters.get(kind, 0)))
        counters[kind] = counters.get(kind, 0) + 1
    plan.review_date = data.review_date
    touch(interview, now)
    session.flush()
    record_step(
        session, interview, "safety_plan.replace", actor=actor, plan_id=plan.id, counts=counters
    )
    return plan


def add_item(
    session: Session,
    interview_id: str,
    item: PlanItemInput,
    *,
    actor: str,
    now: datetime,
    position: int | None = None,
) -> SafetyPlanItem:
    """Add one entry at ``position`` within its kind (default: last)."""
    assert_editable(session, interview_id)
    problems = _item_problems(item, "")
    if problems:
        raise ValidationFailed(problems)
    plan = get_or_create_plan(session, interview_id, actor=actor, now=now)
    interview = session.get_one(ReturnInterview, interview_id)
    same = [i for i in plan.items if i.kind == item.kind]
    at = len(same) if position is None else max(0, min(position, len(same)))
    for other in same:
        if other.position >= at:
            other.position += 1
    row = _row(item, at)
    plan.items.append(row)
    touch(interview, now)
    session.flush()
    session.expire(plan, ["items"])
    record_step(
        session, interview, "safety_plan.add_item", actor=actor, item_id=row.id, kind=row.kind
    )
    return row


def _own_item(session: Session, item_id: str) -> tuple[ReturnInterview, SafetyPlanItem]:
    row = session.get(SafetyPlanItem, item_id)
    if row is None:
        raise ValidationFailed([EpisodeProblem("item", "That entry is not on the plan.")])
    interview = assert_editable(session, row.plan.interview_id, row.plan.revision)
    return interview, row


def update_item(
    session: Session, item_id: str, item: PlanItemInput, *, actor: str, now: datetime
) -> SafetyPlanItem:
    interview, row = _own_item(session, item_id)
    problems = _item_problems(item, "")
    if item.kind != row.kind:
        problems.append(EpisodeProblem("kind", "An entry keeps its kind; remove it and add one."))
    elif _is_runaway(row) and not _is_runaway(item):
        problems.append(EpisodeProblem("phone", "The Runaway Helpline stays on every plan."))
    if problems:
        raise ValidationFailed(problems)
    fresh = _row(item, row.position)
    for attr in ("name", "relationship_", "phone", "text", "who", "by_when"):
        setattr(row, attr, getattr(fresh, attr))
    touch(interview, now)
    session.flush()
    record_step(
        session, interview, "safety_plan.update_item", actor=actor, item_id=row.id, kind=row.kind
    )
    return row


def remove_item(session: Session, item_id: str, *, actor: str, now: datetime) -> None:
    interview, row = _own_item(session, item_id)
    if _is_runaway(row):
        raise ValidationFailed(
            [EpisodeProblem("item", "The Runaway Helpline stays on every plan.")]
        )
    plan = row.plan
    kind, position = row.kind, row.position
    session.delete(row)
    session.flush()
    session.expire(plan, ["items"])
    for other in plan.items:
        if other.kind == kind and other.position > position:
            other.position -= 1  # no gaps: the order the worker sees is the stored order
    touch(interview, now)
    session.flush()
    record_step(
        session, interview, "safety_plan.remove_item", actor=actor, item_id=item_id, kind=kind
    )


def set_review_date(
    session: Session, interview_id: str, review_date: date | None, *, actor: str, now: datetime
) -> SafetyPlan:
    assert_editable(session, interview_id)
    problems = _review_problems(review_date, now)
    if problems:
        raise ValidationFailed(problems)
    plan = get_or_create_plan(session, interview_id, actor=actor, now=now)
    interview = session.get_one(ReturnInterview, interview_id)
    plan.review_date = review_date
    touch(interview, now)
    session.flush()
    record_step(session, interview, "safety_plan.review_date", actor=actor, plan_id=plan.id)
    return plan


def plan_items(plan: SafetyPlan | None, kind: Kind) -> list[SafetyPlanItem]:
    """A plan's entries of one kind, in order."""
    if plan is None:
        return []
    return sorted((i for i in plan.items if i.kind == kind), key=lambda i: i.position)
