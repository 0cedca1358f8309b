"""The outbox: one row per completed revision, in the encrypted database, so it survives
restarts and crashes. A row leaves ``pending`` only on central's word for that very item.

States: ``pending`` (to send; ``next_attempt_at`` says when), ``confirmed`` (central holds it:
accepted now or a duplicate of what it already had), ``conflict`` (central holds other content
for the same revision: shown to the worker, never retried blindly, never overwritten) and
``rejected`` (central refused it, with the reason; a person must look, then retry it).

A ``deferred`` answer (a state on central that can change: the questionnaire is not published
yet, central is busy) keeps the row ``pending`` with central's reason and a backoff, so it is
sent again by itself; a pending row with a ``reason_code`` is one central has put off.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState
from rhi_core.protocol import ItemResult, ItemStatus
from rhi_desktop.store.models import Child, InterviewRevision, OutboxItem, ReturnInterview

KIND = "interview"
PENDING = "pending"
CONFIRMED = "confirmed"
CONFLICT = "conflict"
REJECTED = "rejected"
STATES = (PENDING, CONFIRMED, CONFLICT, REJECTED)
# reason_code of a deferral central gave no code for, and of a row the laptop could not build.
DEFERRED_CODE = "deferred"
NOT_PREPARED = "not_prepared"

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


def apply_result(session: Session, item: OutboxItem, result: ItemResult, now: datetime) -> str:
    """Record central's answer for one item; returns the new outbox state."""
    item.attempts = (item.attempts or 0) + 1
    item.next_attempt_at = None
    item.reason_code = result.reason_code
    if result.status in (ItemStatus.ACCEPTED, ItemStatus.DUPLICATE):
        item.state = CONFIRMED
        item.last_error = None
        # Central holds it now: the sealed copy is not needed on the laptop any more.
        item.payload = item.pdf = None
        _mark_synced(session, item.entity_id, item.revision)
    elif result.status is ItemStatus.DEFERRED:
        item.state = PENDING
        item.next_attempt_at = now + backoff_delay(item.attempts)
        item.last_error = result.reason or "central will take it later"
        item.reason_code = result.reason_code or DEFERRED_CODE
    elif result.status is ItemStatus.CONFLICT:
        item.state = CONFLICT
        item.last_error = result.reason or "central holds other content for this revision"
    else:
        item.state = REJECTED
        item.last_error = result.reason or "refused by central"
    return item.state


def mark_not_prepared(item: OutboxItem, reason: str) -> None:
    """The laptop could not build the item (so central never saw it): refused here."""
    item.state, item.last_error, item.reason_code = REJECTED, reason, NOT_PREPARED


def retry(session: Session, keys: set[tuple[str, int]] | None = None) -> list[OutboxItem]:
    """Queue refused and conflicting rows again (all, or those ``keys`` of (interview id,
    revision) name), due at once: a person asked for it. Returns the rows queued."""
    query = select(OutboxItem).where(
        OutboxItem.kind == KIND, OutboxItem.state.in_((REJECTED, CONFLICT))
    )
    rows = [
        o
        for o in session.scalars(query.order_by(OutboxItem.created_at, OutboxItem.entity_id))
        if keys is None or (o.entity_id, o.revision) in keys
    ]
    for item in rows:
        item.state = PENDING
        item.next_attempt_at = None
        item.reason_code = None  # central's answer to the retry gives the new one
    return rows


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
    """One outbox row with the child it is about, for the sync screen and the CLI."""

    interview_id: str
    revision: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    child_local_id: str | None
    reason_code: str | None = None
    child_name: str | None = None

    @property
    def deferred(self) -> bool:
        """Pending because central put it off (it is sent again by itself)."""
        return self.state == PENDING and self.reason_code is not None

    @property
    def needs_attention(self) -> bool:
        """Refused, in conflict or put off by central: not held by central, with a reason."""
        return self.state in (REJECTED, CONFLICT) or self.deferred


def snapshot(session: Session, *, only_attention: bool = False) -> list[OutboxRow]:
    """Every outbox row, newest first (only those that need attention, oldest first, when
    ``only_attention``)."""
    query = (
        select(OutboxItem, Child.local_id, Child.first_name, Child.last_name)
        .join(ReturnInterview, ReturnInterview.id == OutboxItem.entity_id, isouter=True)
        .join(Child, Child.id == ReturnInterview.child_id, isouter=True)
        .where(OutboxItem.kind == KIND)
    )
    if only_attention:
        query = query.where(
            or_(
                OutboxItem.state.in_((REJECTED, CONFLICT)),
                and_(OutboxItem.state == PENDING, OutboxItem.reason_code.is_not(None)),
            )
        ).order_by(OutboxItem.created_at, OutboxItem.entity_id)
    else:
        query = query.order_by(OutboxItem.created_at.desc(), OutboxItem.entity_id)
    return [
        OutboxRow(
            o.entity_id,
            o.revision,
            o.state,
            o.attempts or 0,
            o.next_attempt_at,
            o.last_error,
            lid,
            o.reason_code,
            " ".join(p for p in (first, last) if p) or None,
        )
        for o, lid, first, last in session.execute(query).all()
    ]


def counts(session: Session) -> dict[str, int]:
    out = dict.fromkeys(STATES, 0)
    for (state,) in session.execute(select(OutboxItem.state).where(OutboxItem.kind == KIND)):
        out[state] = out.get(state, 0) + 1
    return out
