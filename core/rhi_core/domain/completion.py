"""What an interview revision still needs before it can be completed (pure: no storage).

Two completion paths:

- **Held**: the child accepted and at least one session took place. Needs: every required form
  answer (the form engine's problems), at least one session, a late reason when the first
  session was more than 72 hours after the (latest covered) return, and the worker's signature.
- **Declined** (``domain.offers.is_declined``: no session, and the latest attempt is a decline):
  the interview was never held, so the question bank does not apply and the form's problems are
  ignored. Needs: a complete decline record (who declined and a reason code, plus a note when
  the reason is "Other"), a late reason when even the first *offer* came more than 72 hours
  after the return (the statutory duty is to offer within 72 hours), and the worker's signature
  (the worker signs off that the decision was recorded).

On the held path, every raised risk flag that suggests a referral (``domain.referrals``) needs
an answer before completion: a referral of a suggested kind, or the worker's reason for making
none. It is not a hard block on the worker's judgement, only on silence.

Each problem carries a link target so the UI can jump to the place that fixes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Protocol

from .codes import DeclineReason, LateReason, ReferralKind
from .referrals import FlagResponse


class FormProblemLike(Protocol):
    """A problem from the form engine (owned elsewhere): only these attributes are read."""

    @property
    def question(self) -> str | None: ...

    @property
    def section(self) -> str | None: ...

    @property
    def message(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CompletionProblem:
    """One missing required item. ``field`` and ``message`` match ``EpisodeProblem`` so a list of
    these can travel in ``ValidationFailed``; ``target`` is where the UI should take the worker."""

    # answer / offer / decline / session / late_reason / signature / episodes / flag_referral
    kind: str
    message: str
    section: str | None = None
    question: str | None = None
    item: str | None = None  # e.g. a signature role or an offer id
    extra: dict[str, str] = dc_field(default_factory=dict)

    @property
    def field(self) -> str:
        if self.kind == "answer":
            return f"answer:{self.question or self.section or ''}"
        return self.kind if self.item is None else f"{self.kind}:{self.item}"

    @property
    def target(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {
            "kind": self.kind,
            "section": self.section,
            "question": self.question,
            "field": self.item,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class CompletionFacts:
    """The RHI-level facts of one revision that completion depends on."""

    has_returned_episode: bool
    session_count: int
    declined: bool  # domain.offers.is_declined
    any_offer: bool
    held_within_72h: bool | None
    offered_within_72h: bool | None
    late_reason: str | None
    late_note: str | None
    latest_decline_id: str | None = None
    declined_by: str | None = None
    decline_reason: str | None = None
    decline_note: str | None = None
    has_worker_signature: bool = False
    flag_responses: tuple[FlagResponse, ...] = ()  # raised flags that suggest a referral
    flag_labels: dict[str, str] = dc_field(default_factory=dict)  # code -> the form's label


def completion_problems(
    facts: CompletionFacts, form_problems: Iterable[FormProblemLike] = ()
) -> list[CompletionProblem]:
    """Every missing required item, form problems first (they come in form order)."""
    problems: list[CompletionProblem] = []
    if not facts.has_returned_episode:
        problems.append(CompletionProblem("episodes", "Link the episode the child returned from."))
    if facts.declined:
        problems.extend(_decline_problems(facts))
        late = facts.offered_within_72h is False
        late_msg = "The offer was made more than 72 hours after the return: choose why."
    else:
        problems.extend(
            CompletionProblem("answer", p.message, section=p.section, question=p.question)
            for p in form_problems
        )
        if not facts.any_offer:
            problems.append(
                CompletionProblem("offer", "Record the offer of the interview and its outcome.")
            )
        if facts.session_count == 0:
            problems.append(
                CompletionProblem(
                    "session",
                    "Record at least one session, or record the decline if the interview "
                    "did not happen.",
                )
            )
        late = facts.held_within_72h is False
        late_msg = "The interview was held more than 72 hours after the return: choose why."
        problems.extend(_flag_problems(facts))
    if late:
        if not facts.late_reason:
            problems.append(CompletionProblem("late_reason", late_msg, item="late_reason"))
        elif facts.late_reason == LateReason.OTHER and not (facts.late_note or "").strip():
            problems.append(
                CompletionProblem(
                    "late_reason",
                    "Describe why it was late, as 'Other' was chosen.",
                    item="late_note",
                )
            )
    if not facts.has_worker_signature:
        problems.append(
            CompletionProblem("signature", "The worker must sign the record.", item="worker")
        )
    return problems


def _decline_problems(facts: CompletionFacts) -> list[CompletionProblem]:
    out: list[CompletionProblem] = []
    offer = facts.latest_decline_id
    if not facts.declined_by:
        out.append(
            CompletionProblem(
                "decline",
                "Say who declined the interview.",
                item="declined_by",
                extra={"offer_id": offer or ""},
            )
        )
    if not facts.decline_reason:
        out.append(
            CompletionProblem(
                "decline",
                "Choose why the interview was declined.",
                item="decline_reason",
                extra={"offer_id": offer or ""},
            )
        )
    elif facts.decline_reason == DeclineReason.OTHER and not (facts.decline_note or "").strip():
        out.append(
            CompletionProblem(
                "decline",
                "Describe the reason, as 'Other' was chosen.",
                item="decline_note",
                extra={"offer_id": offer or ""},
            )
        )
    return out


def _flag_problems(facts: CompletionFacts) -> list[CompletionProblem]:
    out: list[CompletionProblem] = []
    for response in facts.flag_responses:
        if response.answered:
            continue
        label = facts.flag_labels.get(response.code) or response.code
        kinds = [ReferralKind(k).label for k in response.suggested]
        listed = ", ".join(kinds[:-1]) + f" or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
        out.append(
            CompletionProblem(
                "flag_referral",
                f"{label}: consider {listed}. None is recorded: record the referral, or say "
                "why not.",
                item=response.code,
            )
        )
    return out
