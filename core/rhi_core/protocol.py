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
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
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

# --- Limits: every field on the wire has one ------------------------------------------------
# Central refuses what exceeds them (per item where it can, else the request) before storing
# anything; the laptop never produces more. Generous: a real interview is ~10-50 KB of JSON.
MAX_ID_CHARS = 64  # ids, codes, case numbers (central's id columns are 64 wide)
MAX_NAME_CHARS = 200  # names, places, short labels (central's name columns are 200 wide)
MAX_TEXT_CHARS = 50_000  # one free-text answer or note
MAX_JSON_DEPTH = 32  # nesting of free-form JSON (answers, audit details)
# Canonical JSON of one interview payload: 2 MB of answers and notes, plus its attachments
# (pictures, files) as base64: at most 40 MB of them (MAX_ATTACHMENTS_TOTAL_BYTES below).
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024 + (4 * 40 * 1024 * 1024) // 3 + 64 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024  # one signed PDF
# One whole push request, PDFs included (else 413): room for one revision with the most
# attachments and its PDF (the laptop keeps batches about 24 MB and sends such a one alone).
MAX_BATCH_BYTES = 96 * 1024 * 1024
MAX_REQUEST_BYTES = 1024 * 1024  # any other request body (else 413)
MAX_CHILDREN_PER_BATCH = 1000  # child records and episodes carried with one batch (each)
MAX_COMMENT_CHARS = 10_000  # one review comment
MAX_REVIEW_COMMENTS = 500  # comments in one review

Id = Annotated[str, StringConstraints(max_length=MAX_ID_CHARS)]
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(
    value: Any, max_depth: int = MAX_JSON_DEPTH, max_text: int = MAX_TEXT_CHARS
) -> str | None:
    """Why ``value`` (decoded JSON) cannot be stored, or None: a NUL character (PostgreSQL
    cannot store it), a lone surrogate (not UTF-8 at all), a text longer than ``max_text``
    characters or nesting deeper than ``max_depth``. Iterative: no input exhausts the stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "text may not contain a NUL character"
            if len(item) > max_text:
                return f"a text is longer than {max_text:,} characters"
            if not item.isascii() and _SURROGATE.search(item):
                return "text contains a character that is not valid Unicode"
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                return f"the data is nested more than {max_depth} levels deep"
            if isinstance(item, dict):
                for key, child in item.items():
                    stack.append((key, depth + 1))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


class _Wire(BaseModel):
    # Unknown fields are refused so a typo in a client shows up at once, not as lost data.
    model_config = ConfigDict(extra="forbid")


class _Request(_Wire):
    """A request body: checked whole, once, for text central cannot store (see text_problem)
    before its fields are validated (nested models are covered by this one walk)."""

    _max_text: ClassVar[int] = MAX_TEXT_CHARS

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        problem = text_problem(data, max_text=cls._max_text)
        if problem:
            raise ValueError(problem)
        return data


# --- Enrolment ---------------------------------------------------------------------------------


class EnrolRequest(_Request):
    code: str = Field(min_length=1, max_length=64, description="One-time code from an admin")
    device_name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    csr_pem: str = Field(min_length=1, max_length=20_000, description="PKCS#10 CSR (PEM)")


class EnrolResponse(_Wire):
    device_id: str
    device_token: str = Field(description="Bearer token; shown once, stored only as a hash")
    worker: str
    council_name: str
    certificate_pem: str = Field(description="The worker's signing certificate")
    ca_certificate_pem: str = Field(description="The central CA that signed it")


# --- Children and episodes (pulled by laptops; carried with a push) -------------------


class ChildWire(_Wire):
    id: Id
    local_id: Id
    first_name: Name
    last_name: Name
    dob: date
    sex: Sex
    ethnicity: Name
    looked_after: bool
    uasc: bool
    out_of_area: bool
    placement_type: Name | None = None
    placing_authority: Name | None = None
    social_worker: Name | None = None
    preferred_language: str = Field(default="en", max_length=35)
    interpreter_needed: bool = False


class EpisodeWire(_Wire):
    id: Id
    child_id: Id
    category: EpisodeCategory
    started_at: AwareDatetime
    returned_at: AwareDatetime | None = None
    where_found: Text | None = None
    found_by: Name | None = None
    police_reference: Id | None = None
    risk_grade: RiskGrade


# --- Interview payload -------------------------------------------------------------------------


class OfferWire(_Wire):
    id: Id
    at: AwareDatetime
    method: OfferMethod
    outcome: OfferOutcome
    by_whom: Name
    declined_by: DeclinedBy | None = None
    decline_reason: DeclineReason | None = None
    decline_note: Text | None = None
    carer_shared: Text | None = None  # what a carer said when the child would not talk


class SessionWire(_Wire):
    id: Id
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    place: Name | None = None
    interviewer: Name
    interviewer_role: Name | None = None
    others_present: list[Name] = Field(default_factory=list, max_length=50)
    time_alone_with_child: bool | None = None
    confidentiality_explained: bool | None = None
    duration_minutes: int | None = Field(default=None, ge=0, le=100_000)


class TrustedAdultWire(_Wire):
    name: Name
    relationship: Name | None = None
    phone: Name | None = None


class SafetyActionWire(_Wire):
    what: Text
    who: Name | None = None
    by_when: date | None = None


class SafetyPlanWire(_Wire):
    trusted_adults: list[TrustedAdultWire] = Field(default_factory=list, max_length=100)
    safe_places: list[Text] = Field(default_factory=list, max_length=100)
    triggers: list[Text] = Field(default_factory=list, max_length=100)
    actions: list[SafetyActionWire] = Field(default_factory=list, max_length=100)
    helplines: list[Text] = Field(default_factory=list, max_length=100)
    review_on: date | None = None


class ReferralWire(_Wire):
    id: Id
    kind: ReferralKind
    made_on: date | None = None
    note: Text | None = None


class SignatureMetaWire(_Wire):
    """Who signed what; the signature itself lives in the signed PDF."""

    role: Literal["worker", "child", "carer", "other"]
    signer_name: Name
    signed_at: AwareDatetime
    certificate_sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    declined_reason: Text | None = Field(
        default=None, description="Set when the person would not or could not sign"
    )


class AuditEventWire(_Wire):
    """One event of the laptop's audit hash chain (central's columns set the limits)."""

    id: Id
    seq: int = Field(ge=1, le=2**62)
    at: AwareDatetime
    actor: Name
    action: Id
    entity: Id | None = None
    entity_id: Id | None = None
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
    """A completed interview revision, as the laptop sends it.

    Central checks the payload's text once, on the canonical JSON it hashes (see
    ``text_problem``), so this model does not walk it again."""

    form_id: Name = Field(min_length=1)
    form_version: Id = Field(min_length=1)
    child_id: Id
    episode_ids: list[Id] = Field(default_factory=list, max_length=1000)
    worker: Name
    created_at: AwareDatetime
    held_at: AwareDatetime | None = None
    completed_at: AwareDatetime
    late_reason: LateReason | None = None
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Answers keyed by question name (forms engine format)"
    )
    offers: list[OfferWire] = Field(default_factory=list, max_length=1000)
    sessions: list[SessionWire] = Field(default_factory=list, max_length=1000)
    safety_plan: SafetyPlanWire | None = None
    referrals: list[ReferralWire] = Field(default_factory=list, max_length=1000)
    risk_flags: list[Id] = Field(default_factory=list, max_length=200)
    signatures: list[SignatureMetaWire] = Field(default_factory=list, max_length=100)
    audit_events: list[AuditEventWire] = Field(default_factory=list, max_length=100_000)
    # Optional, added with the desktop sync client; absent from older payloads.
    path: Literal["held", "declined"] | None = Field(
        default=None,
        description='"declined": the RHI was offered and refused, so no answers are expected',
    )
    late_note: Text | None = None
    analysis: Text | None = None
    recommendations: Text | None = None
    shared_with_social_worker_on: date | None = None
    amendment_reason: Text | None = Field(
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


BATCH_PART = "batch"  # a multipart push: the part holding the BatchRequest JSON


class BatchItem(_Wire):
    interview_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    revision: int = Field(ge=1, le=1_000_000)
    content_sha256: str = Field(pattern=SHA256_PATTERN)
    # A plain dict on purpose: one malformed payload is "rejected" on its own item instead of
    # failing the whole batch with a 422, and the hash is checked over exactly what was sent.
    payload: dict[str, Any] = Field(description="An InterviewPayload")
    pdf_base64: str | None = Field(
        default=None,
        max_length=(MAX_PDF_BYTES * 4) // 3 + 4,
        description="The signed PDF, base64 (a JSON push; a multipart push sends it as a file "
        "part named by `pdf_part` instead)",
    )
    pdf_part: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="Multipart push: the name of the part holding this item's PDF",
    )


class BatchRequest(_Request):
    items: list[BatchItem] = Field(description=f"At most {MAX_BATCH_ITEMS} revisions")
    # The records of the children (and episodes) these interviews are about, as the laptop
    # holds them. Central adds a child it has no record of (one the worker added on the laptop)
    # and assigns it to the device's worker; a child it knows keeps central's record.
    children: list[ChildWire] = Field(default_factory=list, max_length=MAX_CHILDREN_PER_BATCH)
    episodes: list[EpisodeWire] = Field(default_factory=list, max_length=MAX_CHILDREN_PER_BATCH)


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"  # stored now
    DUPLICATE = "duplicate"  # already stored with the same content: nothing changed
    CONFLICT = "conflict"  # already stored with other content: kept aside for a human
    REJECTED = "rejected"  # not stored (see reason); fix and push again
    # Not stored yet because of a state on central that can change (the form version is not
    # published yet, central is busy): the laptop keeps the item queued and retries it itself.
    DEFERRED = "deferred"


class ReasonCode(StrEnum):
    """Why an item was not accepted, for the laptop to choose what to say and what retries it."""

    # deferred: central will take it later with nothing changed on the laptop
    FORM_NOT_PUBLISHED = "form_not_published"
    CENTRAL_BUSY = "central_busy"
    # rejected: a person must act (fix the record, or an administrator on central)
    HASH_MISMATCH = "hash_mismatch"
    INVALID_PAYLOAD = "invalid_payload"
    INVALID_TEXT = "invalid_text"
    TOO_LARGE = "too_large"
    INVALID_PDF = "invalid_pdf"
    ANSWERS_INCOMPLETE = "answers_incomplete"
    WORKER_MISMATCH = "worker_mismatch"
    CHILD_UNKNOWN = "child_unknown"
    CHILD_NOT_ASSIGNED = "child_not_assigned"
    INTERVIEW_OF_ANOTHER_CHILD = "interview_of_another_child"
    # conflict
    CONTENT_DIFFERS = "content_differs"


class ItemResult(_Wire):
    interview_id: str
    revision: int
    status: ItemStatus
    reason: str | None = None  # one sentence a worker can read
    # Machine-readable reason (a ReasonCode value), for the laptop to choose what to say and
    # which action retries it.
    reason_code: str | None = Field(default=None, max_length=64)


class BatchResponse(_Wire):
    results: list[ItemResult]


# --- Audit trail --------------------------------------------------------------------------------

MAX_AUDIT_EVENTS = 500  # a bigger audit batch is answered 413
AUDIT_GENESIS = GENESIS  # prev_hash of the first event of a laptop's chain
AUDIT_VERIFIED_HEADER = "X-Audit-Verified-Through"  # on a 409: the last seq central holds


class AuditBatchRequest(_Request):
    """The next stretch of a laptop's whole audit chain, oldest first (ascending seq)."""

    device_chain_head: str = Field(
        pattern=SHA256_PATTERN, description="Hash of the newest event on the laptop when sent"
    )
    events: list[AuditEventWire] = Field(
        description=f"At most {MAX_AUDIT_EVENTS} events, ascending seq, no gaps"
    )


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


class CommentTarget(StrEnum):
    """What one review comment is about: the whole record, one section, or one question."""

    RECORD = "record"
    SECTION = "section"
    QUESTION = "question"


class ReviewCommentWire(_Wire):
    """One comment of a review, attached to the place in the record it is about.

    ``section_id`` is the form section's id (for SECTION and QUESTION); ``question_id`` the
    question's id in the form (QUESTION only); ``repeat_index`` (0-based) names the entry of a
    repeat the question sits in, when it does. The laptop shows the comment at that place and as
    an item of "Still to do" that the worker marks resolved.
    """

    id: Id
    target: CommentTarget = CommentTarget.RECORD
    section_id: Id | None = None
    question_id: Id | None = None
    repeat_index: int | None = Field(default=None, ge=0, le=10_000)
    text: str = Field(min_length=1, max_length=MAX_COMMENT_CHARS)

    @model_validator(mode="after")
    def _target_is_named(self) -> ReviewCommentWire:
        if self.target is CommentTarget.SECTION and not self.section_id:
            raise ValueError("a comment on a section names the section")
        if self.target is CommentTarget.QUESTION and not self.question_id:
            raise ValueError("a comment on a question names the question")
        return self


class FeedbackItem(_Wire):
    id: str
    interview_id: str
    revision: int
    outcome: ReviewOutcome
    comment: str | None = None  # the overall comment
    reviewer: str  # the reviewer's display name: a named person, never an OS account
    reviewed_at: datetime
    comments: list[ReviewCommentWire] = Field(default_factory=list, max_length=MAX_REVIEW_COMMENTS)


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


class EnrolCodeRequest(_Request):
    worker: str = Field(min_length=1, max_length=MAX_NAME_CHARS)


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


class PublishFormRequest(_Request):
    _max_text: ClassVar[int] = MAX_REQUEST_BYTES  # a whole questionnaire in one text

    yaml_text: str = Field(min_length=1, max_length=MAX_REQUEST_BYTES)


class ReviewRequest(_Request):
    outcome: ReviewOutcome
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)
    comments: list[ReviewCommentWire] = Field(default_factory=list, max_length=MAX_REVIEW_COMMENTS)
