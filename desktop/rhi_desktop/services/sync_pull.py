"""What a sync pull does to this laptop's store: published questionnaires kept, assigned
children and their episodes added or updated (a returned episode opens or joins the child's
pending RHI, as one recorded here does), children moved to another worker removed unless they
hold work central lacks, and review feedback applied (an approval, or a record reopened with
the reviewer's comment).

The wire side (pages, cursors, hashes) is ``sync.pull``; each page arrives here inside the
transaction that also saves its cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState
from rhi_core.forms.bundled import load_builtin
from rhi_core.protocol import (
    AssignmentsResponse,
    ChildWire,
    EpisodeWire,
    FeedbackItem,
    FeedbackResponse,
    FormInfo,
    ReviewOutcome,
)
from rhi_desktop.security import audit
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
from rhi_desktop.sync.pull import Transaction, fetch_forms, pull_delta

from . import completion
from .children import attach_to_interview
from .forms_registry import store_published_form
from .retention import delete_interview_content

__all__ = ["REVIEW_ACTOR", "PullCounts", "pull_assignments", "pull_feedback", "pull_forms"]

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


def pull_forms(client: SyncClient, transaction: Transaction, counts: PullCounts) -> None:
    """Keep every published version this laptop lacks. Open drafts keep the version they
    started on (the registry never replaces a stored version)."""
    with transaction() as s:
        have = set(s.execute(select(FormVersion.form_id, FormVersion.version)).tuples())

    def wanted(info: FormInfo) -> bool:
        return (info.id, info.version) not in have and info.version not in _builtin_versions(
            info.id
        )

    for info, text in fetch_forms(client, wanted):
        if text is None:
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


def apply_assignments(
    session: Session, page: AssignmentsResponse, counts: PullCounts, actor: str
) -> None:
    """Children, then their episodes, then the children moved away (AssignmentsResponse's
    order)."""
    taken: set[str] = set()
    for child in page.children:
        if _upsert_child(session, child):
            counts.children += 1
        else:
            taken.add(child.id)
            counts.problems.append(
                f"A child assigned to you has case number {child.local_id}, which a "
                "child made on this laptop already uses; they were kept apart."
            )
    session.flush()
    for episode in page.episodes:
        if episode.child_id in taken or session.get(Child, episode.child_id) is None:
            continue
        _upsert_episode(session, episode, actor)
        counts.episodes += 1
    kept = set(state.get(session, state.KEPT_UNASSIGNED, []) or [])
    for child_id in page.unassigned_child_ids:
        if session.get(Child, child_id) is None:
            continue
        if _unsynced_work(session, child_id):
            # Never drop work central does not hold: keep the child and say so.
            kept.add(child_id)
            counts.kept_children.append(child_id)
        else:
            _remove_child(session, child_id)
            kept.discard(child_id)
            counts.removed_children += 1
    state.put(session, state.KEPT_UNASSIGNED, sorted(kept))


def pull_assignments(
    client: SyncClient, transaction: Transaction, counts: PullCounts, actor: str
) -> None:
    pull_delta(
        client.assignments,
        transaction,
        state.CURSOR_ASSIGNMENTS,
        lambda s, page: apply_assignments(s, page, counts, actor),
    )


# --- review feedback --------------------------------------------------------------------------


def _apply_feedback_item(
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


def apply_feedback(
    session: Session, page: FeedbackResponse, now: datetime, counts: PullCounts
) -> None:
    for item in page.items:
        _apply_feedback_item(session, item, now, counts)
    if page.items:
        audit.record(
            session,
            actor=REVIEW_ACTOR,
            action="sync.feedback",
            detail={
                "reviews": [[i.id, i.interview_id, i.revision, i.outcome.value] for i in page.items]
            },
        )


def pull_feedback(
    client: SyncClient, transaction: Transaction, counts: PullCounts, now: datetime
) -> None:
    pull_delta(
        client.feedback,
        transaction,
        state.CURSOR_FEEDBACK,
        lambda s, page: apply_feedback(s, page, now, counts),
    )
