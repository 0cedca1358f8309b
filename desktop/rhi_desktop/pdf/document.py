"""The plain document model a signed interview record is printed from.

The PDF layer never touches the store: the lead maps a completed interview revision onto these
frozen dataclasses, so rendering is a pure function of this value and is easy to test. Coded
fields (episode category, risk grade, offer method/outcome, decline reason, late reason, referral
kind) take the code values of :mod:`rhi_core.domain.codes` — the enum members themselves or
their string values — and are printed with their ``.label``; any other string is printed as is.

The content fingerprint printed on the record is :func:`rhi_core.canonical.content_sha256` of
the revision's wire payload: the very hash central stores for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# The content hash travels in the PDF Info dictionary's Keywords as "<prefix><hex>": reportlab
# has no custom Info keys, Keywords survive pyHanko's incremental signing, and verify reads it.
CONTENT_HASH_KEYWORD = "rhi-content-sha256:"


@dataclass(frozen=True)
class DocumentMeta:
    interview_id: str
    revision: int
    form_id: str
    form_version: str
    worker_name: str
    generated_at: datetime
    content_sha256: str
    demo: bool = False
    organisation_verified: bool = False
    organisation_name: str = ""
    record_title: str = ""  # from the form's instance_name, when it has one


@dataclass(frozen=True)
class ChildSummary:
    name: str
    case_number: str = ""
    dob: date | None = None
    age: int | None = None
    sex: str = ""  # domain.codes.Sex value, or free text
    ethnicity: str = ""
    looked_after: bool = False
    uasc: bool = False
    out_of_area: bool = False
    social_worker: str = ""
    language: str = ""  # e.g. "Arabic"
    interpreter_needed: bool = False


@dataclass(frozen=True)
class Episode:
    category: str  # "M" missing or "A" away (EpisodeCategory)
    start: datetime
    returned: datetime | None = None
    where_found: str = ""
    police_ref: str = ""
    risk_grade: str = ""  # RiskGrade value


@dataclass(frozen=True)
class Offer:
    at: datetime
    method: str  # OfferMethod value
    outcome: str  # OfferOutcome value
    by_whom: str = ""
    declined_by: str | None = None  # DeclinedBy value
    reason: str | None = None  # DeclineReason value
    note: str = ""
    carer_shared: str = ""  # what the carer shared when the child would not talk


@dataclass(frozen=True)
class Session:
    start: datetime
    duration_minutes: int | None = None
    place: str = ""
    present: tuple[str, ...] = ()
    time_alone: bool | None = None
    confidentiality_explained: bool | None = None


@dataclass(frozen=True)
class AnswerItem:
    """One answered question: its label and the answer as the worker should read it."""

    label: str
    answer: str
    image: bytes | None = None  # an image question's picture, printed under the answer


@dataclass(frozen=True)
class EmbeddedFile:
    """A file question's file, attached inside the PDF (the page lists its name and hash)."""

    name: str
    media_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class RepeatTable:
    """A repeat group (people, places, vehicles) printed as a table."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class AnswerSection:
    """A form section; questions that were not relevant are simply left out by the mapper."""

    title: str
    items: tuple[AnswerItem | RepeatTable, ...]


@dataclass(frozen=True)
class RiskFlagEntry:
    label: str
    prompts: tuple[str, ...] = ()  # the indicators or prompts that raised the flag


@dataclass(frozen=True)
class TrustedAdult:
    name: str
    relationship: str = ""
    phone: str = ""


@dataclass(frozen=True)
class AgreedAction:
    who: str
    what: str
    by_when: date | str | None = None


@dataclass(frozen=True)
class Helpline:
    name: str
    number: str
    note: str = ""


RUNAWAY_HELPLINE = Helpline(
    "Runaway Helpline", "116 000", "Free and confidential, call or text, 24 hours a day"
)


@dataclass(frozen=True)
class ChildWording:
    """Child-facing strings of the safety plan in one language (BCP 47 code, e.g. "ar").

    Empty strings fall back to the English wording, so a partial translation still prints.
    ``safe_places``/``warning_signs``/``actions`` optionally replace the plan's items with the
    words agreed with the child in this language (same order as in the plan).
    """

    language: str
    title: str = ""
    intro: str = ""
    people_heading: str = ""
    places_heading: str = ""
    signs_heading: str = ""
    agreed_heading: str = ""
    helplines_heading: str = ""
    review_label: str = ""
    safe_places: tuple[str, ...] = ()
    warning_signs: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafetyPlan:
    trusted_adults: tuple[TrustedAdult, ...] = ()
    safe_places: tuple[str, ...] = ()
    warning_signs: tuple[str, ...] = ()
    actions: tuple[AgreedAction, ...] = ()
    helplines: tuple[Helpline, ...] = (RUNAWAY_HELPLINE,)
    review_date: date | None = None
    child_wording: tuple[ChildWording, ...] = ()

    def wording(self, language: str) -> ChildWording | None:
        """The child-facing wording for ``language`` (exact code first, then primary subtag)."""
        wanted = language.lower()
        for w in self.child_wording:
            if w.language.lower() == wanted:
                return w
        primary = wanted.split("-")[0]
        for w in self.child_wording:
            if w.language.lower().split("-")[0] == primary:
                return w
        return None


@dataclass(frozen=True)
class Referral:
    kind: str  # ReferralKind value
    date: date | None = None
    note: str = ""


@dataclass(frozen=True)
class Outcomes:
    referrals: tuple[Referral, ...] = ()
    analysis: str = ""
    recommendations: str = ""
    shared_with_social_worker: date | None = None


@dataclass(frozen=True)
class Signature:
    role: str  # e.g. "RHI worker", "Young person"
    name: str
    signed_at: datetime | None = None
    png: bytes | None = None  # the drawn signature
    declined_reason: str | None = None  # set when the person did not or could not sign


@dataclass(frozen=True)
class InterviewDocument:
    meta: DocumentMeta
    child: ChildSummary
    episodes: tuple[Episode, ...] = ()
    offers: tuple[Offer, ...] = ()
    sessions: tuple[Session, ...] = ()
    within_72h: bool | None = None
    late_reason: str | None = None  # LateReason value
    late_note: str = ""
    sections: tuple[AnswerSection, ...] = ()
    push_factors: tuple[str, ...] = ()
    pull_factors: tuple[str, ...] = ()
    risk_flags: tuple[RiskFlagEntry, ...] = ()
    safety_plan: SafetyPlan = field(default_factory=SafetyPlan)
    outcomes: Outcomes = field(default_factory=Outcomes)
    signatures: tuple[Signature, ...] = ()
    files: tuple[EmbeddedFile, ...] = ()  # attached inside the PDF
