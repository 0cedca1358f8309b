"""The outbox: one row per completed revision, in the encrypted database, so it survives
restarts and crashes. A row leaves ``pending`` only on central's word for that very item.

States: ``pending`` (to send; ``next_attempt_at`` says when), ``confirmed`` (central holds it:
accepted now or a duplicate of what it already had), ``conflict`` (central holds other content
for the same revision: shown to the worker, never retried blindly, never overwritten) and
``rejected`` (central refused it, with the reason; a person must look).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState
from rhi_core.protocol import ItemResult, ItemStatus
from rhi_desktop.store.models import InterviewRevision, OutboxItem, ReturnInterview

KIND = "interview"
PENDING = "pending"
CONFIRMED = "confirmed"
CONFLICT = "conflict"
REJECTED = "rejected"
STATES = (PENDING, CONFIRMED, CONFLICT, REJECTED)

BATCH_SIZE = 50
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 6 * 3600.0

# Only "completed" needs sending: "synced", "approved" and "has_issues" are states central
# itself confirmed (demo profiles are born with them). A superseded revision keeps its state
# in InterviewRevision, so one amended before it was sent is still found and sent.
_UNSENT = (InterviewState.COMPLETED,)


def backoff_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: uniform(0.5, 1) x base x 2^(attempts-1), capped.

    Jitter stops a fleet of laptops that lost the server together from all coming back in
    the same second; the floor of half the delay keeps one laptop from hammering it."""
    # The exponent is capped first: 2 ** 1100 would overflow a float after enough failures.
    exp = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** min(max(0, attempts - 1), 30))
    factor = (rng or random).uniform(0.5, 1.0)
    return timedelta(seconds=exp * factor)


def ensure_items(session: Session, now: datetime) -> int:
    """Give every completed revision an outbox row (robust even if completion did not make
    one); returns how many were added."""
    have = set(
        session.execute(
            select(OutboxItem.entity_id, OutboxItem.revision).where(OutboxItem.kind == KIND)
        ).tuples()
    )
    wanted = set(
        session.execute(
            select(ReturnInterview.id, ReturnInterview.revision).where(
                ReturnInterview.state.in_(_UNSENT)
            )
        ).tuples()
    )
    wanted |= set(
        session.execute(
            select(InterviewRevision.interview_id, InterviewRevision.revision).where(
                InterviewRevision.state.in_(_UNSENT),
                InterviewRevision.completed_at.is_not(None),
            )
        ).tuples()
    )
    missing = sorted(wanted - have)
    for interview_id, revision in missing:
        session.add(
            OutboxItem(
                kind=KIND,
                entity_id=interview_id,
                revision=revision,
                state=PENDING,
                attempts=0,
                next_attempt_at=None,
                created_at=now,
            )
        )
    session.flush()
    return len(missing)


def due_items(session: Session, now: datetime, *, force: bool = False) -> list[OutboxItem]:
    """Pending rows whose backoff has passed (all pending ones when ``force``), oldest first."""
    query = select(OutboxItem).where(OutboxItem.kind == KIND, OutboxItem.state == PENDING)
    if not force:
        query = query.where(
            or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= now)
        )
    return list(session.scalars(query.order_by(OutboxItem.created_at, OutboxItem.entity_id)))


def postpone(items: list[OutboxItem], reason: str, now: datetime) -> None:
    """The batch did not get an answer: keep it pending, try again after a backoff."""
    for item in items:
        item.attempts = (item.attempts or 0) + 1
        item.next_attempt_at = now + backoff_delay(item.attempts)
        item.last_error = reason


def apply_result(session: Session, item: OutboxItem, result: ItemResult) -> str:
    """Record central's answer for one item; returns the new outbox state."""
    item.attempts = (item.attempts or 0) + 1
    item.next_attempt_at = None
    if result.status in (ItemStatus.ACCEPTED, ItemStatus.DUPLICATE):
        item.state = CONFIRMED
        item.last_error = None
        # Central holds it now: the sealed copy is not needed on the laptop any more.
        item.payload = item.pdf = None
        _mark_synced(session, item.entity_id, item.revision)
    elif result.status is ItemStatus.CONFLICT:
        item.state = CONFLICT
        item.last_error = result.reason or "central holds other content for this revision"
    else:
        item.state = REJECTED
        item.last_error = result.reason or "refused by central"
    return item.state


def _mark_synced(session: Session, interview_id: str, revision: int) -> None:
    """completed -> synced, only for the revision central confirmed (a later draft or a review
    outcome already recorded is left alone)."""
    interview = session.get(ReturnInterview, interview_id)
    if interview is None:
        return
    if interview.revision == revision and interview.state == InterviewState.COMPLETED:
        interview.state = InterviewState.SYNCED
        return
    old = session.scalar(
        select(InterviewRevision).where(
            and_(
                InterviewRevision.interview_id == interview_id,
                InterviewRevision.revision == revision,
            )
        )
    )
    if old is not None and old.state == InterviewState.COMPLETED:
        old.state = InterviewState.SYNCED


@dataclass(frozen=True)
class OutboxRow:
    """One row of the sync panel's list (ids and codes; the UI adds the child's case number)."""

    interview_id: str
    revision: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    child_local_id: str | None


def snapshot(session: Session) -> list[OutboxRow]:
    from rhi_desktop.store.models import Child

    rows = session.execute(
        select(OutboxItem, Child.local_id)
        .join(ReturnInterview, ReturnInterview.id == OutboxItem.entity_id, isouter=True)
        .join(Child, Child.id == ReturnInterview.child_id, isouter=True)
        .where(OutboxItem.kind == KIND)
        .order_by(OutboxItem.created_at.desc(), OutboxItem.entity_id)
    ).all()
    return [
        OutboxRow(
            o.entity_id, o.revision, o.state, o.attempts or 0, o.next_attempt_at, o.last_error, lid
        )
        for o, lid in rows
    ]


def counts(session: Session) -> dict[str, int]:
    out = dict.fromkeys(STATES, 0)
    for (state,) in session.execute(select(OutboxItem.state).where(OutboxItem.kind == KIND)):
        out[state] = out.get(state, 0) + 1
    return out
