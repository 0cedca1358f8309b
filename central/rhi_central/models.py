"""Central tables (SQLAlchemy 2). The schema itself is owned by the Alembic migrations in
rhi_central/migrations; these classes must match them (a test compares the two).

Secrets are never stored: device and admin tokens and enrolment codes appear only as SHA-256
hex digests (they are long random strings, so a plain hash cannot be brute-forced).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
SeqInt = BigInteger().with_variant(Integer(), "sqlite")
# JSONB on PostgreSQL (indexable, compact); plain JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out on both backends.

    SQLite has no time zone type and psycopg returns the session's zone; both would otherwise
    hand back values that compare or hash differently (the audit chain hashes timestamps).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: central stores aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class CertificateAuthority(Base):
    __tablename__ = "certificate_authority"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1: one CA per store
    certificate_pem: Mapped[str] = mapped_column(Text)
    encrypted_key_pem: Mapped[str] = mapped_column(Text)
    key_protection: Mapped[str] = mapped_column(String(16))  # "env" or "file"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EnrolCode(Base):
    __tablename__ = "enrol_codes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    worker: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    device_id: Mapped[str | None] = mapped_column(String(36))


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    worker: Mapped[str] = mapped_column(String(200), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_serial: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_contact_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AdminToken(Base):
    __tablename__ = "admin_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Child(Base):
    __tablename__ = "children"
    __table_args__ = (Index("ix_children_local_id", "local_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    local_id: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    dob: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(32))
    ethnicity: Mapped[str] = mapped_column(String(200))
    looked_after: Mapped[bool] = mapped_column(Boolean)
    uasc: Mapped[bool] = mapped_column(Boolean)
    out_of_area: Mapped[bool] = mapped_column(Boolean)
    placement_type: Mapped[str | None] = mapped_column(String(200))
    placing_authority: Mapped[str | None] = mapped_column(String(200))
    social_worker: Mapped[str | None] = mapped_column(String(200))
    preferred_language: Mapped[str] = mapped_column(String(35))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean)
    assigned_worker: Mapped[str | None] = mapped_column(String(200), index=True)
    # Set when a worker added the child on a laptop and central took it with that push.
    created_by_device: Mapped[str | None] = mapped_column(String(36))


class Episode(Base):
    __tablename__ = "episodes"
    __table_args__ = (
        # The line of sight reads open and recent episodes, never the whole table.
        Index("ix_episodes_returned_at", "returned_at"),
        Index("ix_episodes_started_at", "started_at"),
        Index("ix_episodes_police_reference", "police_reference"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id"), index=True)
    category: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    where_found: Mapped[str | None] = mapped_column(Text)
    found_by: Mapped[str | None] = mapped_column(String(200))
    police_reference: Mapped[str | None] = mapped_column(String(64))
    risk_grade: Mapped[str] = mapped_column(String(32))
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # council told


class AssignmentChange(Base):
    """The change sequence behind the assignments cursor: one row per (worker, child) change.

    A row tells one worker's laptops "this child (and its episodes) changed, or left you"; the
    seq only ever grows, so a laptop's cursor is simply the last seq it applied.
    """

    __tablename__ = "assignment_changes"
    __table_args__ = (
        Index("ix_assignment_changes_worker_seq", "worker", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    worker: Mapped[str] = mapped_column(String(200))
    child_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # "upsert" or "unassigned"
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class Form(Base):
    __tablename__ = "forms"

    form_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    yaml_text: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Interview(Base):
    """One received revision of an interview. Its content is never updated once stored; only
    `state` follows the review (completed -> approved | has_issues)."""

    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_device", "device_id"),
        Index("ix_interviews_child", "child_id"),
    )

    interview_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str | None] = mapped_column(String(36))  # None: loaded by `demo seed`
    worker: Mapped[str] = mapped_column(String(200))
    child_id: Mapped[str] = mapped_column(String(64))
    form_id: Mapped[str] = mapped_column(String(200))
    form_version: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    content_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InterviewConflict(Base):
    """A push that reused an (interview, revision) with other content: kept for a human."""

    __tablename__ = "interview_conflicts"
    __table_args__ = (Index("ix_interview_conflicts_interview", "interview_id", "revision"),)

    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str] = mapped_column(String(36))
    content_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Review(Base):
    """Review feedback on one revision; seq is the feedback cursor."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_device_seq", "device_id", "seq"),
        Index("ix_reviews_worker_seq", "worker", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    interview_id: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str | None] = mapped_column(String(36))
    # The worker who owned the interview when it was reviewed: every laptop of theirs gets it.
    worker: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditHead(Base):
    """The chain's tip, one row. Only the sealer writes it (see rhi_central.audit)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    """One audited access. Written unchained by the request; ``chain_seq``, ``prev_hash`` and
    ``hash`` are filled in by the sealer moments later."""

    __tablename__ = "audit_events"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)
    chain_seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class DeviceAuditEvent(Base):
    """One event of a laptop's own audit hash chain, as the laptop recorded it.

    Stored verbatim and only after it verified against the event before it (same device, seq one
    lower); never updated. ``id`` is the laptop's event id, so a resend is recognised."""

    __tablename__ = "device_audit_event"
    __table_args__ = (
        UniqueConstraint("device_id", "seq", name="uq_device_audit_event_device_seq"),
        {"sqlite_autoincrement": True},
    )

    row_id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- The console: staff, sessions, episodes in, allocation, line of sight (0010-0013) ----------


class StaffUser(Base):
    """A member of staff who signs in to the console. ``email`` is stored lower-case; ``name``
    is the worker identity allocation uses (``Child.assigned_worker``, ``Device.worker``)."""

    __tablename__ = "staff_users"
    __table_args__ = (
        UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_staff_users_oidc_identity"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(Text)  # Argon2id; None: single sign-on only
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ConsoleSession(Base):
    """A browser's session: signed in (``user_id``) or not yet (sign-in form, pending single
    sign-on). The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_last_seen", "last_seen_at"),)

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    data: Mapped[dict[str, Any] | None] = mapped_column(Json)


class EpisodeImport(Base):
    """One CSV file between its preview and its application (the file itself is dropped once it
    is applied or abandoned; the summary stays)."""

    __tablename__ = "episode_imports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_base64: Mapped[str | None] = mapped_column(Text)  # the file as uploaded
    mapping_text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # previewed | applied | refused
    summary: Mapped[dict[str, Any] | None] = mapped_column(Json)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class IntegrationToken(Base):
    """A revocable bearer token for a system that pushes episodes (case system, police feed)."""

    __tablename__ = "integration_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Allocation(Base):
    """The history of who a child was allocated to, and why it moved."""

    __tablename__ = "allocations"
    __table_args__ = (
        Index("ix_allocations_child", "child_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id"))
    worker: Mapped[str] = mapped_column(String(200))
    previous_worker: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    allocated_by: Mapped[str] = mapped_column(String(200))
    allocated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EscalationTask(Base):
    """An escalation the line of sight raised (``rhi_core.domain.escalations``): open until an
    owner records a coded decision. ``key`` makes raising it idempotent across processes."""

    __tablename__ = "escalation_tasks"
    __table_args__ = (
        Index("ix_escalation_tasks_open", "closed_at", "due_at"),
        Index("ix_escalation_tasks_child", "child_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id"))
    episode_id: Mapped[str | None] = mapped_column(String(36))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())  # when the escalation arose
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    owner_role: Mapped[str] = mapped_column(String(32))
    owner_user_id: Mapped[str | None] = mapped_column(ForeignKey("staff_users.id"))
    decision: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(200))


class JobRun(Base):
    """Scheduled work done once: a digest for a day, an alert for an escalation. The primary key
    is what makes "once" hold across API processes, with the jobs' advisory lock in front."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)


class EnrolFailure(Base):
    """One failed enrolment attempt, counted against its address and (if known) its code."""

    __tablename__ = "enrol_failures"
    __table_args__ = (
        Index("ix_enrol_failures_key_at", "key", "at"),
        Index("ix_enrol_failures_at", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
