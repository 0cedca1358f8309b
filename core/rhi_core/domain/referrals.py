"""Which referrals answer which risk flag (pure: no storage).

A flag such as "Possible CCE" tells the worker to *consider* a MACE referral, a strategy meeting
or an NRM referral. Completion does not insist on one (the worker may judge it is not needed),
but it does insist on an answer: a referral of one of these kinds recorded in Outcomes, or the
worker's reason for not making one. That answer is printed on the record beside the flag.

Flags not listed here (e.g. "Slept rough") ask for a conversation, not a referral.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from .codes import ReferralKind as K
from .codes import RiskFlag as F

# Flag code -> the referral kinds that count as acting on it (codes, as stored).
REFERRALS_FOR_FLAG: Mapping[str, frozenset[str]] = {
    F.CSE: frozenset({K.MACE, K.STRATEGY_MEETING, K.POLICE_INFORMATION, K.SOCIAL_CARE}),
    F.CCE: frozenset({K.MACE, K.STRATEGY_MEETING, K.NRM, K.POLICE_INFORMATION}),
    F.ADULTS_GROOMING: frozenset({K.MACE, K.STRATEGY_MEETING, K.POLICE_INFORMATION}),
    F.TRAFFICKING: frozenset({K.NRM, K.STRATEGY_MEETING}),
    F.FORCED_MARRIAGE: frozenset({K.STRATEGY_MEETING, K.POLICE_INFORMATION, K.SOCIAL_CARE}),
    F.FGM: frozenset({K.STRATEGY_MEETING, K.POLICE_INFORMATION, K.SOCIAL_CARE}),
    F.RADICALISATION: frozenset({K.SOCIAL_CARE, K.POLICE_INFORMATION}),
    F.CHILD_PROTECTION: frozenset({K.SOCIAL_CARE, K.STRATEGY_MEETING, K.POLICE_INFORMATION}),
    F.HARM: frozenset({K.STRATEGY_MEETING, K.POLICE_INFORMATION, K.SOCIAL_CARE}),
    F.REPEAT_MISSING: frozenset({K.STRATEGY_MEETING, K.MACE}),
}


@dataclass(frozen=True, slots=True)
class FlagResponse:
    """What was done about one raised flag that suggests a referral."""

    code: str
    suggested: tuple[str, ...]  # referral kinds, in the checklist's order
    made: tuple[str, ...]  # the suggested kinds actually recorded
    reason_not: str | None  # the worker's reason for making none

    @property
    def answered(self) -> bool:
        return bool(self.made) or bool((self.reason_not or "").strip())


def suggested_referrals(code: str) -> tuple[str, ...]:
    kinds = REFERRALS_FOR_FLAG.get(code, frozenset())
    return tuple(k.value for k in K if k.value in kinds)


def flag_responses(
    raised: Iterable[str],
    referral_kinds: Collection[str],
    reasons: Mapping[str, str] | None = None,
) -> list[FlagResponse]:
    """One entry per raised flag that suggests a referral, in the order raised."""
    reasons = reasons or {}
    made = set(referral_kinds)
    out: list[FlagResponse] = []
    for code in dict.fromkeys(raised):
        suggested = suggested_referrals(code)
        if not suggested:
            continue
        out.append(
            FlagResponse(
                code=code,
                suggested=suggested,
                made=tuple(k for k in suggested if k in made),
                reason_not=(reasons.get(code) or "").strip() or None,
            )
        )
    return out
