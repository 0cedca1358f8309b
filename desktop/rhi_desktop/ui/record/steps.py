"""The RHI-level steps around the questionnaire, in the interview's section list."""

from __future__ import annotations

from collections.abc import Callable

from rhi_core.domain.codes import OfferOutcome
from rhi_core.domain.completion import CompletionProblem
from rhi_desktop.services.record_open import RecordSnapshot

from .offers_panel import OffersPanel
from .ops import RecordOps
from .outcomes_panel import OutcomesPanel
from .panel import RecordPanel
from .review_panel import ReviewPanel
from .safety_plan_panel import SafetyPlanPanel
from .sessions_panel import SessionsPanel
from .signatures_panel import SignaturesPanel

OFFER = "rhi_offer"
SESSIONS = "rhi_sessions"
SAFETY_PLAN = "rhi_safety_plan"
OUTCOMES = "rhi_outcomes"
SIGNATURES = "rhi_signatures"
REVIEW = "rhi_review"

BEFORE = (OFFER, SESSIONS)  # before the questions
AFTER = (SAFETY_PLAN, OUTCOMES, SIGNATURES, REVIEW)  # after them
ALL = BEFORE + AFTER
# The child may see the plan they made; the rest is the worker's record.
YOUNG_PERSON_STEPS = (SAFETY_PLAN,)

TITLES = {
    OFFER: "Offer and consent",
    SESSIONS: "Sessions",
    SAFETY_PLAN: "Safety plan",
    OUTCOMES: "Outcomes and referrals",
    SIGNATURES: "Signatures",
    REVIEW: "Review and complete",
}
YOUNG_TITLES = {SAFETY_PLAN: "My safety plan"}

# Which step fixes each kind of completion problem (answers name their own section).
STEP_OF_KIND = {
    "offer": OFFER,
    "decline": OFFER,
    "late_reason": OFFER,
    "episodes": OFFER,
    "session": SESSIONS,
    "signature": SIGNATURES,
    "flag_referral": OUTCOMES,
}


def title(name: str, young_person: bool) -> str:
    return (YOUNG_TITLES.get(name) if young_person else None) or TITLES[name]


def make_panel(
    name: str,
    ops: RecordOps,
    young_person: bool,
    place_of: Callable[[CompletionProblem], str],
    export_available: bool,
) -> RecordPanel:
    if name == OFFER:
        return OffersPanel(ops, young_person)
    if name == SESSIONS:
        return SessionsPanel(ops, young_person)
    if name == SAFETY_PLAN:
        return SafetyPlanPanel(ops, young_person)
    if name == OUTCOMES:
        return OutcomesPanel(ops, young_person)
    if name == SIGNATURES:
        return SignaturesPanel(ops, young_person)
    if name == REVIEW:
        return ReviewPanel(ops, place_of, export_available, young_person)
    raise KeyError(name)


def notes(snapshot: RecordSnapshot) -> dict[str, tuple[str, bool]]:
    """One line per step for the section list: what is there, and a tick when it is done."""
    r = snapshot.record
    kinds = {p.kind for p in snapshot.problems}
    n_off = len(r.offers)
    outcome = OfferOutcome(r.offers[-1].outcome).label.lower() if r.offers else ""
    offer_done = n_off > 0 and not kinds & {"offer", "decline", "late_reason", "episodes"}
    plan = r.safety_plan
    entries = sum(
        len(x) for x in (plan.trusted_adults, plan.safe_places, plan.warning_signs, plan.actions)
    )
    worker_signed = any(s.role == "worker" and s.png for s in r.signatures)
    n_flags = 0 if snapshot.locked else sum(1 for f in snapshot.flags if f.needs_answer)
    n_sig = sum(1 for s in r.signatures)
    if snapshot.locked and r.state == "has_issues":
        review = ("Returned by the reviewer", False)
    elif snapshot.locked:
        review = ("Completed — locked", True)
    elif snapshot.problems:
        n = len(snapshot.problems)
        review = (f"{n} thing{'s' if n != 1 else ''} to finish", False)
    else:
        review = ("Ready to complete", True)
    return {
        OFFER: (
            f"{n_off} attempt{'s' if n_off != 1 else ''} · {outcome}" if n_off else "No offer yet",
            offer_done,
        ),
        SESSIONS: (
            f"{len(r.sessions)} session{'s' if len(r.sessions) != 1 else ''}"
            if r.sessions
            else ("Not needed: declined" if r.path == "declined" else "None recorded yet"),
            bool(r.sessions) or r.path == "declined",
        ),
        SAFETY_PLAN: (
            f"{entries} entr{'ies' if entries != 1 else 'y'}" if entries else "Not started",
            entries > 0,
        ),
        OUTCOMES: (
            f"{len(r.referrals)} referral{'s' if len(r.referrals) != 1 else ''}"
            + (" · analysis written" if r.analysis else "")
            + (f" · {n_flags} flag{'s' if n_flags != 1 else ''} to answer" if n_flags else ""),
            bool(r.analysis) and not n_flags,
        ),
        SIGNATURES: (
            f"{n_sig} signature{'s' if n_sig != 1 else ''}"
            if worker_signed
            else "Worker must sign",
            worker_signed,
        ),
        REVIEW: review,
    }
