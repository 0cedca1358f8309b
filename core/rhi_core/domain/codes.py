"""Fixed code lists.

The seed council blamed part of its 49% completion rate on "disparity in coding": one system
counted "letter sent" as an offer, another asked explicit yes/no questions. Every coded fact in
the product comes from one of these lists, so a figure means the same thing everywhere. The
string values are stored and synced; never rename one, add a new value instead.
"""

from __future__ import annotations

from enum import StrEnum


class _Coded(StrEnum):
    """A code list whose members carry a human label."""

    @property
    def label(self) -> str:
        # Keyed by (list, code): members of different lists with the same code ("other") are
        # equal as strings, so a plain dict lookup would give one list's label to another.
        found = _LABELS_BY_LIST.get((type(self), self.value))
        return found if found is not None else self.value.replace("_", " ").capitalize()

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class EpisodeCategory(_Coded):
    """SSDA903 MISSING codes."""

    MISSING = "M"  # whereabouts unknown
    AWAY = "A"  # away from placement without authorisation: whereabouts known


class RiskGrade(_Coded):
    """Police risk grade at the time of the report."""

    NO_APPARENT_RISK = "no_apparent_risk"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Sex(_Coded):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_KNOWN = "not_known"


class RhiStatus(_Coded):
    """Where a child's latest episode stands with its return interview (caseload column)."""

    NOT_OFFERED = "not_offered"
    OFFERED = "offered"
    DECLINED = "declined"
    DRAFT = "draft"
    # The Missing Lead reviewed it and sent it back ("has issues"): the worker must act.
    RETURNED = "returned"
    COMPLETED = "completed"
    SYNCED = "synced"


class InterviewState(_Coded):
    """Life cycle of one interview revision: draft -> completed -> synced -> reviewed."""

    DRAFT = "draft"
    COMPLETED = "completed"
    SYNCED = "synced"
    APPROVED = "approved"
    HAS_ISSUES = "has_issues"


class OfferMethod(_Coded):
    IN_PERSON = "in_person"
    PHONE = "phone"
    LETTER = "letter"
    TEXT = "text"


class OfferOutcome(_Coded):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_CONTACT = "no_contact"


class DeclinedBy(_Coded):
    CHILD = "child"
    PARENT_CARER = "parent_carer"


class DeclineReason(_Coded):
    """Why an interview was declined (explicit, coded: never inferred from free text)."""

    DOES_NOT_WANT_TO_TALK = "does_not_want_to_talk"
    ALREADY_SPOKE_TO_POLICE = "already_spoke_to_police"
    PREFERS_OWN_WORKER = "prefers_own_worker"
    NOT_MISSING_IN_OWN_VIEW = "not_missing_in_own_view"
    FAMILY_REFUSED = "family_refused"
    MISSING_AGAIN = "missing_again"
    MOVED_AWAY = "moved_away"
    OTHER = "other"


class LateReason(_Coded):
    """Why an interview happened after the 72-hour window."""

    CHILD_UNAVAILABLE = "child_unavailable"
    CHILD_CHOSE_LATER = "child_chose_later"
    MISSING_AGAIN = "missing_again"
    NOTIFICATION_LATE = "notification_late"
    WORKER_UNAVAILABLE = "worker_unavailable"
    OUT_OF_AREA = "out_of_area"
    INTERPRETER_NEEDED = "interpreter_needed"
    OTHER = "other"


class ReferralKind(_Coded):
    MACE = "mace"
    STRATEGY_MEETING = "strategy_meeting"
    NRM = "nrm"
    CAMHS = "camhs"
    EARLY_HELP = "early_help"
    SUBSTANCE_MISUSE = "substance_misuse"
    FOLLOW_UP_1_1 = "follow_up_1_1"
    POLICE_INFORMATION = "police_information"
    SOCIAL_CARE = "social_care"
    MEDIATION = "mediation"


class RiskFlag(_Coded):
    """Exploitation and harm concerns recorded on an interview (InterviewRecord.risk_flags)."""

    CSE = "cse"  # child sexual exploitation
    CCE = "cce"  # child criminal exploitation, including county lines
    TRAFFICKING = "trafficking"  # trafficking / modern slavery
    FORCED_MARRIAGE = "forced_marriage"
    FGM = "fgm"
    RADICALISATION = "radicalisation"
    CHILD_PROTECTION = "child_protection"  # abuse or neglect at home
    ADULTS_GROOMING = "adults_grooming"  # adults giving money, food, drugs, somewhere to stay
    HARM = "harm"  # hurt, threatened, injured or afraid
    REPEAT_MISSING = "repeat_missing"
    SLEEPING_ROUGH = "sleeping_rough"


class SessionPresent(_Coded):
    """Who else was present at an interview session (the worker always is)."""

    SOCIAL_WORKER = "social_worker"  # a joint session with the child's social worker
    INTERPRETER = "interpreter"
    CARER = "carer"
    OTHER = "other"


class SignatureRole(_Coded):
    """Who signs an interview revision. Only the worker's signature is required to complete."""

    WORKER = "worker"
    YOUNG_PERSON = "young_person"
    CARER = "carer"
    OTHER = "other"


class SafetyPlanItemKind(_Coded):
    """The kinds of entry on a safety plan (SafetyPlanItem.kind)."""

    TRUSTED_ADULT = "trusted_adult"
    SAFE_PLACE = "safe_place"
    WARNING_SIGN = "warning_sign"  # warning signs and triggers
    ACTION = "action"  # who does what by when
    HELPLINE = "helpline"


class EscalationKind(_Coded):
    """Escalations the line of sight raises as tasks (the daily missing report's flags and the
    repeat-missing prompt); each is closed only with an EscalationDecision."""

    MISSING_72H = "missing_72h"  # missing 72 hours or longer: consider a strategy meeting
    MISSING_5_DAYS = "missing_5_days"  # beyond 5 days: update the Head of Service and Director
    REPEAT_3_IN_30 = "repeat_3_in_30"  # 3+ episodes in 30 days: consider a strategy meeting


class EscalationDecision(_Coded):
    """How an escalation task was closed (the coded decision recorded in the audit trail)."""

    STRATEGY_MEETING_CONVENED = "strategy_meeting_convened"  # with the meeting's date
    STRATEGY_MEETING_NOT_NEEDED = "strategy_meeting_not_needed"  # with the reason
    HEAD_OF_SERVICE_UPDATED = "head_of_service_updated"  # with the date of the update


# (member, label) pairs, not a dict: members of different lists with the same code are equal
# as strings and would overwrite each other's labels.
_LABELS: tuple[tuple[StrEnum, str], ...] = (
    (EpisodeCategory.MISSING, "Missing"),
    (EpisodeCategory.AWAY, "Away without authorisation"),
    (RiskGrade.NO_APPARENT_RISK, "No apparent risk"),
    (Sex.NOT_KNOWN, "Not known"),
    (RhiStatus.NOT_OFFERED, "Not offered"),
    (RhiStatus.RETURNED, "Returned by reviewer"),
    (InterviewState.HAS_ISSUES, "Has issues"),
    (OfferMethod.IN_PERSON, "In person"),
    (OfferOutcome.NO_CONTACT, "No contact"),
    (DeclinedBy.PARENT_CARER, "Parent or carer"),
    (DeclineReason.DOES_NOT_WANT_TO_TALK, "Does not want to talk about it"),
    (DeclineReason.ALREADY_SPOKE_TO_POLICE, "Already spoke to the police"),
    (DeclineReason.PREFERS_OWN_WORKER, "Prefers to talk to own worker or carer"),
    (DeclineReason.NOT_MISSING_IN_OWN_VIEW, "Does not see it as going missing"),
    (DeclineReason.FAMILY_REFUSED, "Family refused on the child's behalf"),
    (DeclineReason.MISSING_AGAIN, "Missing again before the interview"),
    (DeclineReason.MOVED_AWAY, "Moved away or placement ended"),
    (LateReason.CHILD_UNAVAILABLE, "Child not available"),
    (LateReason.CHILD_CHOSE_LATER, "Child chose a later time"),
    (LateReason.MISSING_AGAIN, "Child missing again"),
    (LateReason.NOTIFICATION_LATE, "Notification of return came late"),
    (LateReason.WORKER_UNAVAILABLE, "No worker available"),
    (LateReason.OUT_OF_AREA, "Child placed out of area"),
    (LateReason.INTERPRETER_NEEDED, "Waiting for an interpreter"),
    (ReferralKind.MACE, "MACE / Complex Adolescent Panel"),
    (ReferralKind.NRM, "National Referral Mechanism (NRM)"),
    (ReferralKind.CAMHS, "CAMHS"),
    (ReferralKind.FOLLOW_UP_1_1, "Follow-up 1:1 work"),
    (ReferralKind.POLICE_INFORMATION, "Information shared with police"),
    (RiskFlag.CSE, "Child sexual exploitation (CSE)"),
    (RiskFlag.CCE, "Child criminal exploitation (CCE) / county lines"),
    (RiskFlag.TRAFFICKING, "Trafficking or modern slavery"),
    (RiskFlag.FORCED_MARRIAGE, "Forced marriage"),
    (RiskFlag.FGM, "Female genital mutilation (FGM)"),
    (RiskFlag.RADICALISATION, "Radicalisation (Prevent)"),
    (RiskFlag.CHILD_PROTECTION, "Abuse or neglect at home (child protection)"),
    (RiskFlag.ADULTS_GROOMING, "Adults giving money, gifts, drugs or somewhere to stay"),
    (RiskFlag.HARM, "Harm, threats or injury"),
    (RiskFlag.REPEAT_MISSING, "Going missing repeatedly"),
    (RiskFlag.SLEEPING_ROUGH, "Slept rough"),
    (SessionPresent.SOCIAL_WORKER, "Social worker (joint session)"),
    (SessionPresent.INTERPRETER, "Interpreter"),
    (SessionPresent.CARER, "Parent or carer"),
    (SessionPresent.OTHER, "Someone else"),
    (SignatureRole.WORKER, "RHI worker"),
    (SignatureRole.YOUNG_PERSON, "Young person"),
    (SignatureRole.CARER, "Parent or carer"),
    (SafetyPlanItemKind.TRUSTED_ADULT, "Trusted adult"),
    (SafetyPlanItemKind.SAFE_PLACE, "Safe place"),
    (SafetyPlanItemKind.WARNING_SIGN, "Warning sign or trigger"),
    (SafetyPlanItemKind.ACTION, "Agreed action"),
    (EscalationKind.MISSING_72H, "Missing 72 hours or longer"),
    (EscalationKind.MISSING_5_DAYS, "Missing more than 5 days"),
    (EscalationKind.REPEAT_3_IN_30, "3 or more episodes in 30 days"),
    (EscalationDecision.STRATEGY_MEETING_CONVENED, "Strategy meeting convened"),
    (EscalationDecision.STRATEGY_MEETING_NOT_NEEDED, "Strategy meeting not needed"),
    (EscalationDecision.HEAD_OF_SERVICE_UPDATED, "Head of Service and Director updated"),
)
_LABELS_BY_LIST: dict[tuple[type, str], str] = {(type(k), k.value): v for k, v in _LABELS}
