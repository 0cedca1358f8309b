"""The service's figures as pure functions over a Dataset and a period.

Every definition here is written out in docs/figures.md; change both together. Periods are two
dates (both days included, UK calendar days) or two datetimes (end excluded): see period.py.

Which episodes count depends on the question asked:
- offer / completion / 72-hour figures count an episode in the period its child **returned** in
  (an RHI is due from the return, so that is when the service's performance is judged);
- "children missing", "episodes" and the cohort figures built on them count an episode in every
  period it **overlaps** (a child missing over New Year was missing in both years).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rhi_core.domain.codes import DeclinedBy, DeclineReason, OfferOutcome, ReferralKind, RiskFlag
from rhi_core.domain.deadlines import LONG_MISSING, RHI_WINDOW, VERY_LONG_MISSING
from rhi_core.reports.period import DateLike, Period, as_period
from rhi_core.reports.records import (
    ChildRecord,
    Dataset,
    EpisodeRecord,
    InterviewRecord,
    OfferRecord,
)

REPEAT_WINDOW = timedelta(days=30)
REPEAT_COUNT = 3
DEFAULT_TOP_N = 20

# Outcomes that mean the offer reached the child or carer and they answered it.
_ANSWERED = frozenset({OfferOutcome.ACCEPTED, OfferOutcome.DECLINED})


@dataclass(frozen=True, slots=True)
class Ratio:
    """A rate with its parts, so a screen can show "412 of 443 (93.0%)"."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float:
        """Percent rounded to 1 decimal; 0.0 when there is nothing to divide (shown with 0/0)."""
        if not self.denominator:
            return 0.0
        return round(100 * self.numerator / self.denominator, 1)


@dataclass(frozen=True, slots=True)
class Declines:
    total: int
    by_who: dict[DeclinedBy, int]
    by_reason: dict[DeclineReason, int]


# --- Building blocks ----------------------------------------------------------------------------


def latest_return(dataset: Dataset, interview: InterviewRecord) -> datetime | None:
    """The RHI's clock starts at the latest return among the episodes it covers."""
    returns = [e.returned_at for e in dataset.covered_episodes(interview) if e.returned_at]
    return max(returns) if returns else None


def latest_attempt(dataset: Dataset, interview: InterviewRecord) -> OfferRecord | None:
    """The most recent offer attempt on the interview (any outcome), or None."""
    attempts = dataset.offers_for(interview.id)
    return attempts[-1] if attempts else None


def is_held(interview: InterviewRecord) -> bool:
    """Held: a session took place (``held_at`` is the first session's start)."""
    return interview.held_at is not None


def is_offered(dataset: Dataset, interview: InterviewRecord) -> bool:
    """Offered: at least one attempt reached the child or carer (outcome accepted or declined).

    A "no contact" attempt alone (a letter nobody answered, a call nobody picked up) is an
    attempt, not an offer: counting it was the seed council's "disparity in coding". An interview
    that was held or started (``held_at`` or a state set) counts as offered even if the attempt
    itself was not recorded. The same rule as ``domain.offers.timeliness`` (``offered_at``).
    """
    if interview.held_at is not None or interview.state is not None:
        return True
    return any(o.outcome in _ANSWERED for o in dataset.offers_for(interview.id))


def is_declined(dataset: Dataset, interview: InterviewRecord) -> bool:
    """The declined path (``domain.offers.is_declined``): nothing was held and the latest
    attempt is a decline. "Accepted then declined" is declined; "declined then accepted" is not.
    A record completed on this path (no session) is a decline, not a completed RHI."""
    if is_held(interview):
        return False
    last = latest_attempt(dataset, interview)
    return last is not None and last.outcome is OfferOutcome.DECLINED


def is_accepted(dataset: Dataset, interview: InterviewRecord) -> bool:
    """Accepted: held or started, or the latest attempt accepted, unless on the declined path.

    A later "no contact" attempt after an acceptance leaves the interview offered but undecided
    (neither accepted nor declined), as the caseload shows it.
    """
    if is_held(interview):
        return True
    if is_declined(dataset, interview):
        return False
    if interview.state is not None:
        return True
    last = latest_attempt(dataset, interview)
    return last is not None and last.outcome is OfferOutcome.ACCEPTED


def is_completed_rhi(dataset: Dataset, interview: InterviewRecord) -> bool:
    """Completed: the worker completed the record (completed, synced, approved or has_issues)
    and it is not on the declined path (a completed decline records a refusal, not an RHI)."""
    return interview.is_completed and not is_declined(dataset, interview)


def was_within_72h(dataset: Dataset, interview: InterviewRecord) -> bool:
    """First session no later than 72 hours after the latest covered return."""
    returned = latest_return(dataset, interview)
    if returned is None or interview.held_at is None:
        return False
    return interview.held_at - returned <= RHI_WINDOW


def rhis_due_in(dataset: Dataset, period: Period) -> list[InterviewRecord]:
    """Interviews whose latest covered return falls in the period (each interview once)."""
    out = []
    for interview in dataset.interviews:
        returned = latest_return(dataset, interview)
        if returned is not None and period.contains(returned):
            out.append(interview)
    return out


def episodes_overlapping(dataset: Dataset, period: Period) -> list[EpisodeRecord]:
    return [e for e in dataset.episodes if period.overlaps(e.started_at, e.returned_at)]


def children_missing_in(dataset: Dataset, period: Period) -> list[ChildRecord]:
    ids = {e.child_id for e in episodes_overlapping(dataset, period)}
    return [c for c in dataset.children if c.id in ids]


# --- Return interviews --------------------------------------------------------------------------


def offer_rate(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    """Episodes that ended in the period with an RHI offered / episodes that ended in the period."""
    period = as_period(date_from, date_to)
    ended = [e for e in dataset.episodes if e.returned_at and period.contains(e.returned_at)]
    offered = sum(
        1 for e in ended if any(is_offered(dataset, i) for i in dataset.interviews_covering(e.id))
    )
    return Ratio(offered, len(ended))


def completion_rate(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    """RHIs completed / RHIs offered, for RHIs whose latest covered episode ended in the period."""
    offered = [
        i for i in rhis_due_in(dataset, as_period(date_from, date_to)) if is_offered(dataset, i)
    ]
    return Ratio(sum(is_completed_rhi(dataset, i) for i in offered), len(offered))


def within_72h_rate(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    """Completed RHIs held within 72 h of the latest covered return / completed RHIs."""
    completed = [
        i
        for i in rhis_due_in(dataset, as_period(date_from, date_to))
        if is_completed_rhi(dataset, i)
    ]
    return Ratio(sum(was_within_72h(dataset, i) for i in completed), len(completed))


def declines(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Declines:
    """RHIs due in the period on the declined path (``is_declined``), by who and why.

    Who and why come from the latest attempt, the decline that stood.
    """
    by_who: Counter[DeclinedBy] = Counter()
    by_reason: Counter[DeclineReason] = Counter()
    total = 0
    for interview in rhis_due_in(dataset, as_period(date_from, date_to)):
        if not is_declined(dataset, interview):
            continue
        last = latest_attempt(dataset, interview)
        assert last is not None
        total += 1
        if last.declined_by is not None:
            by_who[last.declined_by] += 1
        if last.decline_reason is not None:
            by_reason[last.decline_reason] += 1
    return Declines(
        total=total,
        by_who={k: by_who[k] for k in DeclinedBy},
        by_reason={k: by_reason[k] for k in DeclineReason},
    )


# --- Children and episodes ----------------------------------------------------------------------


def children_missing(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> int:
    """Distinct children with at least one episode overlapping the period."""
    return len(children_missing_in(dataset, as_period(date_from, date_to)))


def episodes_in_period(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> int:
    """Episodes overlapping the period (including ones still open)."""
    return len(episodes_overlapping(dataset, as_period(date_from, date_to)))


def _share_of_children(
    dataset: Dataset, date_from: DateLike, date_to: DateLike, attribute: str
) -> Ratio:
    children = children_missing_in(dataset, as_period(date_from, date_to))
    return Ratio(sum(bool(getattr(c, attribute)) for c in children), len(children))


def in_care(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    """Missing children who are looked after / missing children (current flag on the child)."""
    return _share_of_children(dataset, date_from, date_to, "looked_after")


def out_of_area(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    return _share_of_children(dataset, date_from, date_to, "out_of_area")


def uasc(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    return _share_of_children(dataset, date_from, date_to, "uasc")


def episodes_per_child(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> float:
    """Episodes overlapping the period / children missing in it, to 2 decimals."""
    period = as_period(date_from, date_to)
    episodes = episodes_overlapping(dataset, period)
    children = {e.child_id for e in episodes}
    return round(len(episodes) / len(children), 2) if children else 0.0


def top_n_share(
    dataset: Dataset, date_from: DateLike, date_to: DateLike, n: int = DEFAULT_TOP_N
) -> Ratio:
    """Episodes of the n children with most episodes / all episodes (overlapping the period)."""
    episodes = episodes_overlapping(dataset, as_period(date_from, date_to))
    counts = Counter(e.child_id for e in episodes)
    # Ties at the cut-off do not change the sum, so any stable order gives the same answer.
    top = sorted(counts.values(), reverse=True)[:n]
    return Ratio(sum(top), len(episodes))


def children_3plus_in_30_days(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> int:
    """Children with 3 or more episodes starting within 30 days of each other, counting the
    episodes that overlap the period."""
    starts: dict[str, list[datetime]] = {}
    for e in episodes_overlapping(dataset, as_period(date_from, date_to)):
        starts.setdefault(e.child_id, []).append(e.started_at)
    return sum(1 for times in starts.values() if _has_cluster(sorted(times)))


def _has_cluster(times: list[datetime]) -> bool:
    gap = REPEAT_COUNT - 1
    return any(times[i + gap] - times[i] <= REPEAT_WINDOW for i in range(len(times) - gap))


# --- The daily missing report counts ------------------------------------------------------------


def open_episodes(dataset: Dataset, now: datetime) -> list[EpisodeRecord]:
    """Episodes open at `now`: started by then and not returned by then."""
    return [
        e
        for e in dataset.episodes
        if e.started_at <= now and (e.returned_at is None or e.returned_at > now)
    ]


def open_past_72h(dataset: Dataset, now: datetime) -> int:
    """Open episodes missing 72 hours or longer at `now`."""
    return sum(1 for e in open_episodes(dataset, now) if now - e.started_at >= LONG_MISSING)


def open_past_5_days(dataset: Dataset, now: datetime) -> int:
    """Open episodes missing beyond five days at `now`."""
    return sum(1 for e in open_episodes(dataset, now) if now - e.started_at > VERY_LONG_MISSING)


# --- Exploitation -------------------------------------------------------------------------------


def _children_where(
    dataset: Dataset, period: Period, test: Iterable[str] | None, referral: ReferralKind | None
) -> Ratio:
    episodes = episodes_overlapping(dataset, period)
    children = {e.child_id for e in episodes}
    flagged: set[str] = set()
    wanted = set(test or ())
    for e in episodes:
        if e.child_id in flagged:
            continue
        for interview in dataset.interviews_covering(e.id):
            if wanted & set(interview.risk_flags) or referral in interview.referrals:
                flagged.add(e.child_id)
                break
    return Ratio(len(flagged), len(children))


def cse_share(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    """Missing children with a CSE flag on an interview covering one of their episodes in the
    period / missing children."""
    return _children_where(dataset, as_period(date_from, date_to), [RiskFlag.CSE], None)


def cce_share(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    """As cse_share, for child criminal exploitation (county lines included)."""
    return _children_where(dataset, as_period(date_from, date_to), [RiskFlag.CCE], None)


def mace_share(dataset: Dataset, date_from: DateLike, date_to: DateLike) -> Ratio:
    """Missing children with a MACE referral from such an interview / missing children."""
    return _children_where(dataset, as_period(date_from, date_to), None, ReferralKind.MACE)


# --- Everything at once -------------------------------------------------------------------------


def compute_kpis(
    dataset: Dataset, date_from: DateLike, date_to: DateLike, now: datetime
) -> dict[str, float | int]:
    """All figures for one period (rates in percent, 1 decimal) plus the counts behind them."""
    f, t = date_from, date_to
    kpis: dict[str, float | int] = {}

    def rate(name: str, ratio: Ratio, numerator: str, denominator: str) -> None:
        kpis[name] = ratio.percent
        kpis[numerator] = ratio.numerator
        kpis[denominator] = ratio.denominator

    rate("offer_rate", offer_rate(dataset, f, t), "episodes_offered", "episodes_ended")
    rate("completion_rate", completion_rate(dataset, f, t), "rhis_completed", "rhis_offered")
    rate("within_72h_rate", within_72h_rate(dataset, f, t), "rhis_within_72h", "rhis_completed")
    refused = declines(dataset, f, t)
    kpis["rhis_declined"] = refused.total
    kpis.update({f"declined_by_{k.value}": v for k, v in refused.by_who.items()})
    kpis.update({f"declined_reason_{k.value}": v for k, v in refused.by_reason.items()})
    kpis["children_missing"] = children_missing(dataset, f, t)
    kpis["episodes"] = episodes_in_period(dataset, f, t)
    kpis["episodes_per_child"] = episodes_per_child(dataset, f, t)
    rate("in_care_share", in_care(dataset, f, t), "children_in_care", "children_missing")
    kpis["children_not_in_care"] = kpis["children_missing"] - kpis["children_in_care"]
    rate(
        "out_of_area_share", out_of_area(dataset, f, t), "children_out_of_area", "children_missing"
    )
    rate("uasc_share", uasc(dataset, f, t), "children_uasc", "children_missing")
    rate("top_n_share", top_n_share(dataset, f, t), "top_n_episodes", "episodes")
    kpis["top_n"] = DEFAULT_TOP_N
    kpis["children_3plus_in_30_days"] = children_3plus_in_30_days(dataset, f, t)
    kpis["open_past_72h"] = open_past_72h(dataset, now)
    kpis["open_past_5_days"] = open_past_5_days(dataset, now)
    rate("cse_share", cse_share(dataset, f, t), "children_cse", "children_missing")
    rate("cce_share", cce_share(dataset, f, t), "children_cce", "children_missing")
    rate("mace_share", mace_share(dataset, f, t), "children_mace", "children_missing")
    return kpis
