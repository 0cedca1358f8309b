"""The local store's entities (SQLAlchemy 2 declarative).

Every record carries a UUID made on the laptop: it is the record's identity in sync, so two
laptops can never mint the same one and central can deduplicate on it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import JSONText, UTCDateTime, new_id, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _uuid_pk() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


class ProfileSetting(Base):
    """Small key/value facts about the profile (never child data)."""

    __tablename__ = "profile_setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSONText)


class Child(Base):
    __tablename__ = "child"
    id: Mapped[str] = _uuid_pk()
    local_id: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    dob: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16), default="not_known")
    ethnicity: Mapped[str | None] = mapped_column(String(80))
    looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    uasc: Mapped[bool] = mapped_column(Boolean, default=False)
    out_of_area: Mapped[bool] = mapped_column(Boolean, default=False)
    placement_type: Mapped[str | None] = mapped_column(String(80))
    placing_authority: Mapped[str | None] = mapped_column(String(80))
    social_worker: Mapped[str | None] = mapped_column(String(100))
    preferred_language: Mapped[str] = mapped_column(String(16), default="en")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    episodes: Mapped[list[MissingEpisode]] = relationship(
        back_populates="child", order_by="MissingEpisode.started_at"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class MissingEpisode(Base):
    __tablename__ = "missing_episode"
    __table_args__ = (
        Index("ix_episode_child_start", "child_id", "started_at"),
        Index("ix_missing_episode_started_at", "started_at"),
    )
    id: Mapped[str] = _uuid_pk()
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"))
    category: Mapped[str] = mapped_column(String(1))  # EpisodeCategory: M / A
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    where_found: Mapped[str | None] = mapped_column(String(200))
    found_by: Mapped[str | None] = mapped_column(String(120))
    police_reference: Mapped[str | None] = mapped_column(String(60))
    risk_grade: Mapped[str] = mapped_column(String(24), default="medium")
    safe_and_well_done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    child: Mapped[Child] = relationship(back_populates="episodes")


interview_episode = Table(
    "interview_episode",
    Base.metadata,
    Column("interview_id", ForeignKey("return_interview.id"), primary_key=True),
    Column("episode_id", ForeignKey("missing_episode.id"), primary_key=True),
)


class ReturnInterview(Base):
    """One RHI. It exists from the child's return, to hold the offers; `state` is None until
    the interview starts. It covers one or more episodes and is pinned to its form version."""

    __tablename__ = "return_interview"
    id: Mapped[str] = _uuid_pk()
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    form_id: Mapped[str | None] = mapped_column(String(60))
    form_version: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str | None] = mapped_column(String(16), index=True)  # InterviewState
    revision: Mapped[int] = mapped_column(Integer, default=1)
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_reason: Mapped[str | None] = mapped_column(String(40))
    late_note: Mapped[str | None] = mapped_column(Text)
    current_section: Mapped[str | None] = mapped_column(String(80))
    risk_flags: Mapped[list[str] | None] = mapped_column(JSONText)
    # Added in 0003 (outcomes and the lock). They describe the *current* revision; a superseded
    # revision's values are frozen in InterviewRevision when it is amended.
    analysis: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    shared_with_social_worker_on: Mapped[date | None] = mapped_column(Date)
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    child: Mapped[Child] = relationship()
    episodes: Mapped[list[MissingEpisode]] = relationship(secondary=interview_episode)
    offers: Mapped[list[OfferAttempt]] = relationship(
        back_populates="interview", order_by="OfferAttempt.at"
    )


class OfferAttempt(Base):
    __tablename__ = "offer_attempt"
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(16))  # OfferMethod
    outcome: Mapped[str] = mapped_column(String(16))  # OfferOutcome
    by_whom: Mapped[str | None] = mapped_column(String(100))
    declined_by: Mapped[str | None] = mapped_column(String(16))  # DeclinedBy
    decline_reason: Mapped[str | None] = mapped_column(String(40))  # DeclineReason
    decline_note: Mapped[str | None] = mapped_column(Text)
    carer_shared: Mapped[str | None] = mapped_column(Text)
    # The interview revision the attempt was recorded in (0003): an older revision's record shows
    # only the attempts it was completed with.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    interview: Mapped[ReturnInterview] = relationship(back_populates="offers")


class InterviewSession(Base):
    __tablename__ = "interview_session"
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(200))
    present: Mapped[list[str] | None] = mapped_column(JSONText)
    time_alone: Mapped[bool | None] = mapped_column(Boolean)
    confidentiality_explained: Mapped[bool | None] = mapped_column(Boolean)
    # The interview revision the session was recorded in (0003), as for OfferAttempt.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Answer(Base):
    """One answer, per question, per repeat instance, per revision (old revisions are kept)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("interview_id", "revision", "question", "repeat_path"),)
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"))
    revision: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(80))
    repeat_path: Mapped[str] = mapped_column(String(200), default="")  # "" or "people/2"
    value: Mapped[object] = mapped_column(JSONText)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Attachment(Base):
    """A picture or file an image/file question holds (the answer is this row's id). Kept in
    the encrypted store like every answer; never rewritten, so a completed revision's
    attachment stays exactly as it was signed and sent."""

    __tablename__ = "attachment"
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    question: Mapped[str] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafetyPlan(Base):
    __tablename__ = "safety_plan"
    # One plan per revision (0003).
    __table_args__ = (
        Index("ix_safety_plan_interview_revision", "interview_id", "revision", unique=True),
    )
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    review_date: Mapped[date | None] = mapped_column(Date)
    items: Mapped[list[SafetyPlanItem]] = relationship(
        back_populates="plan", order_by="SafetyPlanItem.position"
    )


class SafetyPlanItem(Base):
    """A trusted adult, safe place, warning sign, agreed action or helpline."""

    __tablename__ = "safety_plan_item"
    id: Mapped[str] = _uuid_pk()
    plan_id: Mapped[str] = mapped_column(ForeignKey("safety_plan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(200))
    relationship_: Mapped[str | None] = mapped_column("relationship", String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    who: Mapped[str | None] = mapped_column(String(100))
    by_when: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[SafetyPlan] = relationship(back_populates="items")


class Signature(Base):
    __tablename__ = "signature"
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))  # worker / young_person / carer / other
    name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    strokes: Mapped[list | None] = mapped_column(JSONText)
    png: Mapped[bytes | None] = mapped_column(LargeBinary)
    declined_reason: Mapped[str | None] = mapped_column(Text)


class Referral(Base):
    __tablename__ = "referral"
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # ReferralKind
    made_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class InterviewRevision(Base):
    """The frozen header of a superseded revision (0003), written when it is amended or reopened.

    ReturnInterview always holds the current revision's header; answers, plans, signatures and
    referrals are kept per revision in their own tables. Together they reproduce any revision.
    """

    __tablename__ = "interview_revision"
    __table_args__ = (UniqueConstraint("interview_id", "revision"),)
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    state: Mapped[str | None] = mapped_column(String(16))  # InterviewState when superseded
    form_id: Mapped[str | None] = mapped_column(String(60))
    form_version: Mapped[str | None] = mapped_column(String(40))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_reason: Mapped[str | None] = mapped_column(String(40))
    late_note: Mapped[str | None] = mapped_column(Text)
    risk_flags: Mapped[list[str] | None] = mapped_column(JSONText)
    analysis: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    shared_with_social_worker_on: Mapped[date | None] = mapped_column(Date)
    amendment_reason: Mapped[str | None] = mapped_column(Text)  # why *this* revision was made
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewFeedback(Base):
    __tablename__ = "review_feedback"
    id: Mapped[str] = _uuid_pk()
    interview_id: Mapped[str] = mapped_column(ForeignKey("return_interview.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))  # approved / has_issues
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Append-only, hash-chained: each event holds the hash of the one before it."""

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict | None] = mapped_column(JSONText)  # ids and codes only, never names
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    synced: Mapped[bool] = mapped_column(Boolean, default=False)


class OutboxItem(Base):
    """Work waiting for the central store; survives restarts."""

    __tablename__ = "outbox_item"
    __table_args__ = (UniqueConstraint("kind", "entity_id", "revision"),)
    id: Mapped[str] = _uuid_pk()
    kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Central's machine-readable reason for the last refusal or deferral (rhi_core.protocol
    # ReasonCode values), or the laptop's own ("not_prepared").
    reason_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sealed when the revision is completed (it can never change afterwards): the exact payload,
    # its hash and the signed PDF, so a sync only sends and a retry sends the same bytes.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict | None] = mapped_column(JSONText)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)


class FormVersion(Base):
    """A questionnaire version published centrally and received by sync. Kept for as long as
    any interview is pinned to it, so an open draft never loses its questions."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)
    id: Mapped[str] = _uuid_pk()
    form_id: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)  # the YAML as published
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
