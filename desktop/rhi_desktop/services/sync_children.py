"""The records of the children a push is about, sent with it.

Central takes an interview only about a child it has assigned to this laptop's worker, or one
the worker added here: for such a child central has no record, so the push carries the child's
record and the interview's episodes, and central adds them, assigned to the worker. Central's
own record of a child it already holds is left as it is. The payload itself never carries them:
it holds only what was fixed at completion, so its hash never changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.protocol import ChildWire, EpisodeWire
from rhi_desktop.store.models import Child, MissingEpisode, ReturnInterview, interview_episode

UNKNOWN_ETHNICITY = "Not known"


def push_records(
    session: Session, interview_ids: Iterable[str]
) -> tuple[list[ChildWire], list[EpisodeWire]]:
    """The children of these interviews and the episodes the interviews cover."""
    ids = set(interview_ids)
    if not ids:
        return [], []
    children = session.scalars(
        select(Child)
        .where(Child.id.in_(select(ReturnInterview.child_id).where(ReturnInterview.id.in_(ids))))
        .order_by(Child.id)
    ).all()
    episodes = session.scalars(
        select(MissingEpisode)
        .where(
            MissingEpisode.id.in_(
                select(interview_episode.c.episode_id).where(
                    interview_episode.c.interview_id.in_(ids)
                )
            )
        )
        .order_by(MissingEpisode.id)
    ).all()
    return [_child(c) for c in children], [_episode(e) for e in episodes]


def _child(c: Child) -> ChildWire:
    return ChildWire(
        id=c.id,
        local_id=c.local_id,
        first_name=c.first_name,
        last_name=c.last_name,
        dob=c.dob,
        sex=c.sex,
        ethnicity=c.ethnicity or UNKNOWN_ETHNICITY,
        looked_after=c.looked_after,
        uasc=c.uasc,
        out_of_area=c.out_of_area,
        placement_type=c.placement_type,
        placing_authority=c.placing_authority,
        social_worker=c.social_worker,
        preferred_language=c.preferred_language or "en",
        interpreter_needed=c.interpreter_needed,
    )


def _episode(e: MissingEpisode) -> EpisodeWire:
    return EpisodeWire(
        id=e.id,
        child_id=e.child_id,
        category=e.category,
        started_at=e.started_at,
        returned_at=e.returned_at,
        where_found=e.where_found,
        found_by=e.found_by,
        police_reference=e.police_reference,
        risk_grade=e.risk_grade,
    )
