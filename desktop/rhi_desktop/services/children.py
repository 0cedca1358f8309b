"""Adding children and recording missing episodes by hand, with the episode rules enforced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import EpisodeCategory, RiskGrade, Sex
from rhi_core.domain.episodes import EpisodeProblem, EpisodeSpan, validate_episode
from rhi_desktop.security import audit
from rhi_desktop.store.models import Child, MissingEpisode, ReturnInterview


class ValidationFailed(Exception):
    """Input that breaks a rule; `problems` say which field and why."""

    def __init__(self, problems: list[EpisodeProblem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class NewChild:
    local_id: str
    first_name: str
    last_name: str
    dob: date
    sex: Sex = Sex.NOT_KNOWN
    ethnicity: str | None = None
    looked_after: bool = False
    uasc: bool = False
    out_of_area: bool = False
    preferred_language: str = "en"
    interpreter_needed: bool = False
    social_worker: str | None = None


@dataclass(frozen=True)
class NewEpisode:
    child_id: str
    category: EpisodeCategory
    started_at: datetime | None
    returned_at: datetime | None
    where_found: str | None = None
    found_by: str | None = None
    police_reference: str | None = None
    risk_grade: RiskGrade = RiskGrade.MEDIUM


def add_child(session: Session, data: NewChild, *, actor: str, today: date) -> Child:
    problems: list[EpisodeProblem] = []
    if not data.first_name.strip():
        problems.append(EpisodeProblem("first_name", "Enter the child's first name."))
    if not data.last_name.strip():
        problems.append(EpisodeProblem("last_name", "Enter the child's last name."))
    if not data.local_id.strip():
        problems.append(EpisodeProblem("local_id", "Enter the child's case number."))
    elif session.scalar(select(Child.id).where(Child.local_id == data.local_id.strip())):
        problems.append(EpisodeProblem("local_id", "Another child already has this case number."))
    if data.dob > today:
        problems.append(EpisodeProblem("dob", "The date of birth cannot be in the future."))
    if problems:
        raise ValidationFailed(problems)
    child = Child(
        local_id=data.local_id.strip(),
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        dob=data.dob,
        sex=data.sex,
        ethnicity=data.ethnicity,
        looked_after=data.looked_after,
        uasc=data.uasc,
        out_of_area=data.out_of_area,
        preferred_language=data.preferred_language,
        interpreter_needed=data.interpreter_needed,
        social_worker=data.social_worker,
    )
    session.add(child)
    session.flush()
    audit.record(session, actor=actor, action="child.add", entity="child", entity_id=child.id)
    return child


def record_episode(
    session: Session, data: NewEpisode, *, actor: str, now: datetime
) -> MissingEpisode:
    child = session.get(Child, data.child_id)
    if child is None:
        raise ValidationFailed([EpisodeProblem("child", "That child is not in this profile.")])
    others = [
        EpisodeSpan(e.id, e.started_at, e.returned_at)
        for e in session.scalars(
            select(MissingEpisode).where(MissingEpisode.child_id == data.child_id)
        )
    ]
    problems = validate_episode(
        started_at=data.started_at,
        returned_at=data.returned_at,
        dob=child.dob,
        others=others,
        now=now,
    )
    if problems:
        raise ValidationFailed(problems)
    assert data.started_at is not None
    episode = MissingEpisode(
        child_id=child.id,
        category=data.category,
        started_at=data.started_at,
        returned_at=data.returned_at,
        where_found=data.where_found or None,
        found_by=data.found_by or None,
        police_reference=data.police_reference or None,
        risk_grade=data.risk_grade,
    )
    session.add(episode)
    session.flush()
    if data.returned_at is not None:
        attach_to_interview(session, child, episode, actor=actor)
    audit.record(session, actor=actor, action="episode.add", entity="episode", entity_id=episode.id)
    return episode


def attach_to_interview(
    session: Session, child: Child, episode: MissingEpisode, *, actor: str
) -> ReturnInterview:
    """A return starts the 72-hour clock. If an RHI is still pending (not yet completed),
    the new episode joins it: one interview may cover several episodes."""
    pending = session.scalars(
        select(ReturnInterview)
        .where(ReturnInterview.child_id == child.id)
        .where(ReturnInterview.completed_at.is_(None))
        .order_by(ReturnInterview.created_at.desc())
    ).first()
    if pending is None:
        pending = ReturnInterview(child_id=child.id, worker=actor)
        session.add(pending)
    pending.episodes.append(episode)
    session.flush()
    return pending
