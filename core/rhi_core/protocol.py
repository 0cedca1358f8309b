"""Wire models of the sync API, shared by the desktop client and rhi-central.

Pydantic only (no Qt, no SQLAlchemy), so both sides import the very same definitions and the
OpenAPI document at /docs describes exactly what the laptop sends.

Content hashing: ``content_sha256`` of a pushed item is the SHA-256 of the *canonical JSON* of
its ``payload`` (sorted keys, separators ``(",", ":")``, ``ensure_ascii=False``, UTF-8). The
client builds an ``InterviewPayload``, turns it into a dict with :func:`payload_dict` and sends
that very dict, hashed with :func:`content_sha256`. Central hashes the JSON it received, not a
re-serialisation of its own model, so a server with a newer model (extra defaults) still agrees.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from rhi_core.canonical import GENESIS
from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    LateReason,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    RiskGrade,
    Sex,
)

API_PREFIX = "/api/v1"
MAX_BATCH_ITEMS = 100  # a bigger batch is answered 413: the client splits, never central
DEVICE_REVOKED = "device revoked"  # exact `detail` of a 403 that tells a laptop to wipe itself
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class _Wire(BaseModel):
    # Unknown fields are refused so a typo in a client shows up at once, not as lost data.
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        # PostgreSQL cannot store U+0000 in text; no genuine client ever sends one.
        if _has_nul(data):
            raise ValueError("text may not contain a NUL character")
        return data


# --- Enrolment ---------------------------------------------------------------------------------


class EnrolRequest(_Wire):
    code: str = Field(min_length=1, max_length=64, description="One-time code from an admin")
    device_name: str = Field(min_length=1, max_length=200)
    csr_pem: str = Field(min_length=1, max_length=20_000, description="PKCS#10 CSR (PEM)")


class EnrolResponse(_Wire):
    device_id: str
    device_token: str = Field(description="Bearer token; shown once, stored only as a hash")
    worker: str
    council_name: str
    certificate_pem: str = Field(description="The worker's signing certificate")
    ca_certificate_pem: str = Field(description="The central CA that signed it")


# --- Interview payload -------------------------------------------------------------------------


class OfferWire(_Wire):
    id: str
    at: AwareDatetime
    method: OfferMethod
    outcome: OfferOutcome
    by_whom: str
    declined_by: DeclinedBy | None = None
    decline_reason: DeclineReason | None = None
    decline_note: str | None = None
    carer_shared: str | None = None  # what a carer said when the child would not talk


class SessionWire(_Wire):
    id: str
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    place: str | None = None
    interviewer: str
    interviewer_role: str | None = None
    others_present: list[str] = Field(default_factory=list)
    time_alone_with_child: bool | None = None
    confidentiality_explained: bool | None = None
    duration_minutes: int | None = Field(default=None, ge=0)


class TrustedAdultWire(_Wire):
    name: str
    relationship: str | None = None
    phone: str | None = None


class SafetyActionWire(_Wire):
    what: str
    who: str | None = None
    by_when: date | None = None


class SafetyPlanWire(_Wire):
    trusted_adults: list[TrustedAdultWire] = Field(default_factory=list)
    safe_places: list[str] = Field(default_factory=list)
    triggers: list[str] = Field(default_factory=list)
    actions: list[SafetyActionWire] = Field(default_factory=list)
    helplines: list[str] = Field(default_factory=list)
    review_on: date | None = None


class ReferralWire(_Wire):
    id: str
    kind: ReferralKind
    made_on: date | None = None
    note: str | None = None


class SignatureMetaWire(_Wire):
    """Who signed what; the signature itself lives in the signed PDF."""

    role: Literal["worker", "child", "carer", "other"]
    signer_name: str
    signed_at: AwareDatetime
    certificate_sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    declined_reason: str | None = Field(
        default=None, description="Set when the person would not or could not sign"
    )


class AuditEventWire(_Wire):
    """One event of the laptop's audit hash chain for this interview."""

    id: str
    seq: int
    at: AwareDatetime
    actor: str
    action: str
    entity: str | None = None
    entity_id: str | None = None
    detail: dict[str, Any] | None = None
    prev_hash: str = Field(pattern=SHA256_PATTERN)
    hash: str = Field(pattern=SHA256_PATTERN)


# Attachments (image/file answers) travel inside the payload, so its content hash covers them.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # one picture or file
MAX_ATTACHMENTS = 20  # per revision
MAX_ATTACHMENTS_TOTAL_BYTES = 40 * 1024 * 1024  # all of a revision's attachments


class AttachmentWire(_Wire):
    """A picture or file answering an image/file question; the answer is its ``id``."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    question: str = Field(min_length=1, max_length=80)
    file_name: str = Field(min_length=1, max_length=255)
    media_type: str = Field(min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")
    size: int = Field(ge=0, le=MAX_ATTACHMENT_BYTES)
    sha256: str = Field(pattern=SHA256_PATTERN)
    data_base64: str = Field(description="The file's bytes, base64")

    @model_validator(mode="after")
    def _bytes_match(self) -> AttachmentWire:
        # Length first: never decode more than the limit allows.
        if len(self.data_base64) > 4 * (MAX_ATTACHMENT_BYTES // 3 + 1):
            raise ValueError(f"attachment {self.id} is larger than the limit")
        try:
            data = base64.b64decode(self.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"attachment {self.id}: data_base64 is not valid base64") from None
        if len(data) != self.size:
            raise ValueError(f"attachment {self.id}: the data is not {self.size} bytes")
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise ValueError(f"attachment {self.id}: the data does not match its sha256")
        return self

    def data(self) -> bytes:
        return base64.b64decode(self.data_base64)


class InterviewPayload(_Wire):
    """A completed interview revision, as the laptop sends it."""

    form_id: str = Field(min_length=1)
    form_version: str = Field(min_length=1)
    child_id: str
    episode_ids: list[str] = Field(default_factory=list)
    worker: str
    created_at: AwareDatetime
    held_at: AwareDatetime | None = None
    completed_at: AwareDatetime
    late_reason: LateReason | None = None
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Answers keyed by question name (forms engine format)"
    )
    offers: list[OfferWire] = Field(default_factory=list)
    sessions: list[SessionWire] = Field(default_factory=list)
    safety_plan: SafetyPlanWire | None = None
    referrals: list[ReferralWire] = Field(default_factory=list)
    risk_flags: list[str] = Field(default_factory=list)
    signatures: list[SignatureMetaWire] = Field(default_factory=list)
    audit_events: list[AuditEventWire] = Field(default_factory=list)
    # Optional, added with the desktop sync client; absent from older payloads.
    path: Literal["held", "declined"] | None = Field(
        default=None,
        description='"declined": the RHI was offered and refused, so no answers are expected',
    )
    late_note: str | None = None
    analysis: str | None = None
    recommendations: str | None = None
    shared_with_social_worker_on: date | None = None
    amendment_reason: str | None = Field(
        default=None, description="Why this revision was made (amendment or review comment)"
    )
    attachments: list[AttachmentWire] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="Pictures and files answering image/file questions (absent when none)",
    )

    @field_validator("attachments")
    @classmethod
    def _attachments_fit(cls, attachments: list[AttachmentWire]) -> list[AttachmentWire]:
        total = sum(a.size for a in attachments)
        if total > MAX_ATTACHMENTS_TOTAL_BYTES:
            raise ValueError(
                f"the attachments add up to {total} bytes, over the "
                f"{MAX_ATTACHMENTS_TOTAL_BYTES} limit"
            )
        if len({a.id for a in attachments}) != len(attachments):
            raise ValueError("two attachments have the same id")
        return attachments


def payload_dict(payload: InterviewPayload) -> dict[str, Any]:
    """The JSON-ready dict a client sends (and hashes) for a payload. A payload without
    attachments leaves the key out, so it is the same bytes as before attachments existed."""
    exclude = None if payload.attachments else {"attachments"}
    return payload.model_dump(mode="json", exclude=exclude)


# --- Push --------------------------------------------------------------------------------------


class BatchItem(_Wire):
    interview_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    revision: int = Field(ge=1, le=1_000_000)
    content_sha256: str = Field(pattern=SHA256_PATTERN)
    # A plain dict on purpose: one malformed payload is "rejected" on its own item instead of
    # failing the whole batch with a 422, and the hash is checked over exactly what was sent.
    payload: dict[str, Any] = Field(description="An InterviewPayload")
    pdf_base64: str | None = Field(default=None, description="The signed PDF, base64")

    @field_validator("payload")
    @classmethod
    def _no_nul(cls, payload: dict[str, Any]) -> dict[str, Any]:
        # PostgreSQL cannot store U+0000 in text or JSON; no laptop ever sends one.
        if _has_nul(payload):
            raise ValueError("the payload contains a NUL character")
        return payload


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class BatchRequest(_Wire):
    items: list[BatchItem]


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"  # stored now
    DUPLICATE = "duplicate"  # already stored with the same content: nothing changed
    CONFLICT = "conflict"  # already stored with other content: kept aside for a human
    REJECTED = "rejected"  # not stored (see reason); fix and push again
    # Not stored yet because of a state on central that can change (the form version is not
    # published yet, central is busy): the laptop keeps the item queued and retries it itself.
    DEFERRED = "deferred"


class ItemResult(_Wire):
    interview_id: str
    revision: int
    status: ItemStatus
    reason: str | None = None  # one sentence a worker can read
    # Machine-readable reason ("form_not_published", "not_your_child", ...), for the laptop to
    # choose what to say and which action retries it.
    reason_code: str | None = Field(default=None, max_length=64)


class BatchResponse(_Wire):
    results: list[ItemResult]


# --- Audit trail --------------------------------------------------------------------------------

MAX_AUDIT_EVENTS = 500  # a bigger audit batch is answered 413
AUDIT_GENESIS = GENESIS  # prev_hash of the first event of a laptop's chain
AUDIT_VERIFIED_HEADER = "X-Audit-Verified-Through"  # on a 409: the last seq central holds
_AUDIT_TEXT_LIMITS = {"id": 64, "actor": 200, "action": 64, "entity": 64, "entity_id": 64}


class AuditBatchRequest(_Wire):
    """The next stretch of a laptop's whole audit chain, oldest first (ascending seq)."""

    device_chain_head: str = Field(
        pattern=SHA256_PATTERN, description="Hash of the newest event on the laptop when sent"
    )
    events: list[AuditEventWire] = Field(
        description=f"At most {MAX_AUDIT_EVENTS} events, ascending seq, no gaps"
    )

    @field_validator("events")
    @classmethod
    def _fits_central(cls, events: list[AuditEventWire]) -> list[AuditEventWire]:
        # Central's columns are wider than the laptop's; anything longer is not a real event.
        for ev in events:
            if ev.seq < 1:
                raise ValueError(f"audit event seq {ev.seq} is not a positive number")
            for name, limit in _AUDIT_TEXT_LIMITS.items():
                value = getattr(ev, name)
                if value is not None and len(value) > limit:
                    raise ValueError(
                        f"audit event #{ev.seq}: {name} is longer than {limit} characters"
                    )
        return events


class AuditBatchResponse(_Wire):
    stored: int = Field(ge=0, description="Events stored now")
    duplicates: int = Field(ge=0, description="Events central already held (a resend)")
    verified_through_seq: int = Field(
        ge=0, description="Central holds and has verified this laptop's chain up to this seq"
    )


# --- Pull --------------------------------------------------------------------------------------


class FormInfo(_Wire):
    id: str
    version: str
    sha256: str
    published_at: datetime


class FormsResponse(_Wire):
    forms: list[FormInfo]


class ChildWire(_Wire):
    id: str
    local_id: str
    first_name: str
    last_name: str
    dob: date
    sex: Sex
    ethnicity: str
    looked_after: bool
    uasc: bool
    out_of_area: bool
    placement_type: str | None = None
    placing_authority: str | None = None
    social_worker: str | None = None
    preferred_language: str = "en"
    interpreter_needed: bool = False


class EpisodeWire(_Wire):
    id: str
    child_id: str
    category: EpisodeCategory
    started_at: AwareDatetime
    returned_at: AwareDatetime | None = None
    where_found: str | None = None
    found_by: str | None = None
    police_reference: str | None = None
    risk_grade: RiskGrade


class AssignmentsResponse(_Wire):
    """Changes since the cursor. Apply children, then episodes, then drop unassigned children."""

    children: list[ChildWire]
    episodes: list[EpisodeWire]
    unassigned_child_ids: list[str] = Field(
        default_factory=list, description="Children moved to another worker: remove locally"
    )
    next_cursor: int
    has_more: bool


class ReviewOutcome(StrEnum):
    APPROVED = "approved"
    HAS_ISSUES = "has_issues"


class FeedbackItem(_Wire):
    id: str
    interview_id: str
    revision: int
    outcome: ReviewOutcome
    comment: str | None = None
    reviewer: str
    reviewed_at: datetime


class FeedbackResponse(_Wire):
    items: list[FeedbackItem]
    next_cursor: int
    has_more: bool


class SettingsResponse(_Wire):
    council_name: str
    retention_days: int
    max_batch_items: int
    server_time: datetime


class PingResponse(_Wire):
    device_id: str
    server_time: datetime


# --- Admin -------------------------------------------------------------------------------------


class EnrolCodeRequest(_Wire):
    worker: str = Field(min_length=1, max_length=200)


class EnrolCodeResponse(_Wire):
    code: str
    worker: str
    expires_at: datetime


class DeviceInfo(_Wire):
    id: str
    name: str
    worker: str
    enrolled_at: datetime
    last_contact_at: datetime | None
    revoked_at: datetime | None


class DevicesResponse(_Wire):
    devices: list[DeviceInfo]


class PublishFormRequest(_Wire):
    yaml_text: str = Field(min_length=1)


class ReviewRequest(_Wire):
    outcome: ReviewOutcome
    comment: str | None = Field(default=None, max_length=10_000)
