"""Pull: published questionnaires, assigned children and episodes, review feedback, settings.

Each step is its own short transaction, applied as it arrives, with its delta cursor saved in
the same transaction as the rows it covers: a pass cut off half way resumes where it stopped
and never applies a page twice or skips one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState
from rhi_core.forms.bundled import load_builtin
from rhi_core.protocol import ChildWire, EpisodeWire, FeedbackItem, ReviewOutcome
from rhi_desktop.security import audit
from rhi_desktop.services import completion
from rhi_desktop.services.children import attach_to_interview
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import (
    Child,
    FormVersion,
    MissingEpisode,
    OfferAttempt,
    OutboxItem,
    ReturnInterview,
    ReviewFeedback,
)
from rhi_desktop.sync import outbox, state
from rhi_desktop.sync.client import SyncClient

Transaction = Callable[[], "object"]  # a context manager factory yielding a Session

REVIEW_ACTOR = "central review"


@dataclass
class PullCounts:
    forms: int = 0
    children: int = 0
    episodes: int = 0
    removed_children: int = 0
    kept_children: list[str] = field(default_factory=list)
    feedback: int = 0
    approved: int = 0
    reopened: int = 0
    problems: list[str] = field(default_factory=list)


# --- forms ------------------------------------------------------------------------------------


def _builtin_versions(form_id: str) -> set[str]:
    try:
        return {load_builtin(form_id).version}
    except Exception:  # noqa: BLE001 - not a built-in form id
        return set()


def pull_forms(client: SyncClient, transaction: Callable, counts: PullCounts) -> None:
    """Fetch the YAML of every published version this laptop lacks. Open drafts keep the
    version they started on (the registry never replaces a stored version)."""
    from rhi_desktop.services.forms_registry import store_published_form

    listing = client.forms().forms
    with transaction() as s:
        have = set(s.execute(select(FormVersion.form_id, FormVersion.version)).tuples())
    for info in listing:
        if (info.id, info.version) in have or info.version in _builtin_versions(info.id):
            continue
        text = client.form_text(info.id, info.version)
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != info.sha256:
            counts.problems.append(
                f"Questionnaire {info.id} {info.version} arrived damaged and was not kept."
            )
            continue
        try:
            with transaction() as s:
                store_published_form(s, text, published_at=info.published_at)
        except StoreError as exc:
            counts.problems.append(str(exc))
            continue
        counts.forms += 1


# --- assignments ------------------------------------------------------------------------------


def _upsert_child(session: Session, wire: ChildWire) -> bool:
    clash = session.scalar(
        select(Child.id).where(Child.local_id == wire.local_id, Child.id != wire.id)
    )
    if clash is not None:
        return False  # the case number is taken by a child made on this laptop: keep both apart
    row = session.get(Child, wire.id)
    values = wire.model_dump(mode="python")
    values["sex"] = wire.sex.value
    if row is None:
        session.add(Child(**values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    return True


def _upsert_episode(session: Session, wire: EpisodeWire, actor: str) -> None:
    values = wire.model_dump(mode="python")
    values["category"] = wire.category.value
    values["risk_grade"] = wire.risk_grade.value
    row = session.get(MissingEpisode, wire.id)
    if row is None:
        row = MissingEpisode(**values)
        session.add(row)
        session.flush()
        if row.returned_at is not None:
            # A return starts the 72-hour clock: the episode joins (or opens) the child's
            # pending RHI exactly as a return recorded on the laptop does.
            child = session.get(Child, row.child_id)
            assert child is not None
            attach_to_interview(session, child, row, actor=actor)
    else:
        for name, value in values.items():
            setattr(row, name, value)


def _unsynced_work(session: Session, child_id: str) -> bool:
    """Anything of this child's that central does not hold yet."""
    interviews = list(
        session.scalars(select(ReturnInterview).where(ReturnInterview.child_id == child_id))
    )
    for i in interviews:
        if i.state in (InterviewState.DRAFT, InterviewState.COMPLETED, InterviewState.HAS_ISSUES):
            return True
        if i.state is None and session.scalar(
            select(func.count()).select_from(OfferAttempt).where(OfferAttempt.interview_id == i.id)
        ):
            return True
        if session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.entity_id == i.id, OutboxItem.state != outbox.CONFIRMED)
        ):
            return True
    return False


def _remove_child(session: Session, child_id: str) -> None:
    from rhi_desktop.sync.purge import delete_interview_content

    for interview in list(
        session.scalars(select(ReturnInterview).where(ReturnInterview.child_id == child_id))
    ):
        delete_interview_content(session, interview.id)
        interview.episodes.clear()
        session.flush()
        session.delete(interview)
    for episode in session.scalars(
        select(MissingEpisode).where(MissingEpisode.child_id == child_id)
    ):
        session.delete(episode)
    session.flush()
    child = session.get(Child, child_id)
    if child is not None:
        session.delete(child)


def pull_assignments(
    client: SyncClient, transaction: Callable, counts: PullCounts, actor: str
) -> None:
    with transaction() as s:
        cursor = int(state.get(s, state.CURSOR_ASSIGNMENTS, 0) or 0)
    while True:
        page = client.assignments(cursor)
        with transaction() as s:
            taken: set[str] = set()
            for child in page.children:
                if _upsert_child(s, child):
                    counts.children += 1
                else:
                    taken.add(child.id)
                    counts.problems.append(
                        f"A child assigned to you has case number {child.local_id}, which a "
                        "child made on this laptop already uses; they were kept apart."
                    )
            s.flush()
            for episode in page.episodes:
                if episode.child_id in taken or s.get(Child, episode.child_id) is None:
                    continue
                _upsert_episode(s, episode, actor)
                counts.episodes += 1
            kept = set(state.get(s, state.KEPT_UNASSIGNED, []) or [])
            for child_id in page.unassigned_child_ids:
                if s.get(Child, child_id) is None:
                    continue
                if _unsynced_work(s, child_id):
                    # Never drop work central does not hold: keep the child and say so.
                    kept.add(child_id)
                    counts.kept_children.append(child_id)
                else:
                    _remove_child(s, child_id)
                    kept.discard(child_id)
                    counts.removed_children += 1
            state.put(s, state.KEPT_UNASSIGNED, sorted(kept))
            state.put(s, state.CURSOR_ASSIGNMENTS, page.next_cursor)
        cursor = page.next_cursor
        if not page.has_more:
            return


# --- review feedback --------------------------------------------------------------------------


def _apply_feedback(
    session: Session, item: FeedbackItem, now: datetime, counts: PullCounts
) -> None:
    if session.get(ReviewFeedback, item.id) is not None:
        return  # already applied (a page resent after a lost answer)
    interview = session.get(ReturnInterview, item.interview_id)
    if interview is None:
        return  # purged or never on this laptop: nothing to show it on
    session.add(
        ReviewFeedback(
            id=item.id,
            interview_id=item.interview_id,
            revision=item.revision,
            verdict=item.outcome.value,
            comment=item.comment,
            reviewer=item.reviewer,
            reviewed_at=item.reviewed_at,
            received_at=now,
        )
    )
    session.flush()
    counts.feedback += 1
    if interview.revision != item.revision or interview.state not in (
        InterviewState.COMPLETED,
        InterviewState.SYNCED,
    ):
        return  # about an older revision, or the worker is already amending: kept as history
    if item.outcome is ReviewOutcome.APPROVED:
        interview.state = InterviewState.APPROVED
        counts.approved += 1
        return
    interview.state = InterviewState.HAS_ISSUES
    session.flush()
    completion.reopen_for_review(session, interview.id, item.comment, actor=REVIEW_ACTOR, now=now)
    counts.reopened += 1


def pull_feedback(
    client: SyncClient, transaction: Callable, counts: PullCounts, now: datetime
) -> None:
    with transaction() as s:
        cursor = int(state.get(s, state.CURSOR_FEEDBACK, 0) or 0)
    while True:
        page = client.feedback(cursor)
        with transaction() as s:
            for item in page.items:
                _apply_feedback(s, item, now, counts)
            state.put(s, state.CURSOR_FEEDBACK, page.next_cursor)
            if page.items:
                audit.record(
                    s,
                    actor=REVIEW_ACTOR,
                    action="sync.feedback",
                    detail={
                        "reviews": [
                            [i.id, i.interview_id, i.revision, i.outcome.value] for i in page.items
                        ]
                    },
                )
        cursor = page.next_cursor
        if not page.has_more:
            return


def pull_settings(client: SyncClient, transaction: Callable) -> int:
    settings = client.settings()
    with transaction() as s:
        state.put(s, state.RETENTION_DAYS, settings.retention_days)
        state.put(s, state.COUNCIL_NAME, settings.council_name)
    return settings.retention_days
