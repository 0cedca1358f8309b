"""Offer, consent and session rules, and the 72-hour timeliness flags (pure: no storage).

Definitions (the figures depend on them, so they are fixed here and nowhere else):

- **The clock** starts at the *latest* return among the episodes an RHI covers: a child who went
  missing again before the interview is owed an interview about the newest return as well, so
  the window is measured from it (the same rule as ``reports.figures.latest_return``).
- **Offered** means an attempt whose outcome is *accepted* or *declined*: the offer reached the
  child or carer and they answered it. A *no contact* attempt (a letter nobody answered, a call
  nobody picked up) is an attempt, not an offer; the seed council's "letter sent counts as
  offered" is exactly the miscoding the explicit outcome code exists to stop.
- **offered_within_72h** (the statutory duty: offer within 72 hours): the first offer is no later
  than 72 hours after the clock starts.
- **held_within_72h** (what the seed council tracks): the first session starts no later than 72
  hours after the clock starts.
- Both are *computed* from recorded facts and never typed. ``None`` means "not decided yet"
  (no returned episode, or nothing happened and the window is still open); once the window has
  closed without an offer / a session the flag is ``False``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .codes import DeclinedBy, DeclineReason, OfferMethod, OfferOutcome, SessionPresent
from .deadlines import RHI_WINDOW
from .episodes import EpisodeProblem

# Clocks on two laptops and a phone disagree by a few minutes; the episode rules allow the same.
CLOCK_SKEW = timedelta(minutes=5)
MIN_SESSION_MINUTES = 1
MAX_SESSION_MINUTES = 600

# Re-exported so callers of this module need one import for the problem type.
Problem = EpisodeProblem


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """One recorded attempt, as the rules need it."""

    at: datetime
    outcome: str  # OfferOutcome value


@dataclass(frozen=True, slots=True)
class Timeliness:
    """The 72-hour facts of one RHI at one moment (see the module docstring)."""

    clock_starts_at: datetime | None  # latest covered return
    due_at: datetime | None
    first_attempt_at: datetime | None  # any outcome, including no contact
    offered_at: datetime | None  # first accepted or declined attempt
    held_at: datetime | None  # first session's start
    offered_within_72h: bool | None
    held_within_72h: bool | None


def _within(start: datetime | None, event: datetime | None, now: datetime) -> bool | None:
    if start is None:
        return None
    if event is not None:
        return event - start <= RHI_WINDOW
    # Nothing yet: undecided while the window is open, missed once it has closed.
    return None if now - start <= RHI_WINDOW else False


def timeliness(
    *,
    returns: Iterable[datetime | None],
    offers: Iterable[OfferFacts],
    session_starts: Iterable[datetime],
    now: datetime,
) -> Timeliness:
    """Compute the 72-hour flags from the covered returns, the attempts and the sessions."""
    known_returns = [r for r in returns if r is not None]
    clock = max(known_returns) if known_returns else None
    attempts = sorted(offers, key=lambda o: o.at)
    offered = [
        o.at for o in attempts if o.outcome in (OfferOutcome.ACCEPTED, OfferOutcome.DECLINED)
    ]
    starts = sorted(session_starts)
    held_at = starts[0] if starts else None
    offered_at = offered[0] if offered else None
    return Timeliness(
        clock_starts_at=clock,
        due_at=clock + RHI_WINDOW if clock else None,
        first_attempt_at=attempts[0].at if attempts else None,
        offered_at=offered_at,
        held_at=held_at,
        offered_within_72h=_within(clock, offered_at, now),
        held_within_72h=_within(clock, held_at, now),
    )


def is_declined(offers: Sequence[OfferFacts], session_count: int) -> bool:
    """The **declined path**: no session was held and the most recent attempt is a decline.

    "Most recent" rather than "never accepted": a child who said yes and then changed their mind
    declined, and that decision is what stands. An acceptance after a decline reopens the held
    path (a session is then required).
    """
    if session_count or not offers:
        return False
    return max(offers, key=lambda o: o.at).outcome == OfferOutcome.DECLINED


def validate_offer(
    *,
    at: datetime | None,
    method: str | None,
    outcome: str | None,
    by_whom: str | None,
    declined_by: str | None,
    decline_reason: str | None,
    decline_note: str | None,
    earliest_return: datetime | None,
    now: datetime,
) -> list[EpisodeProblem]:
    """Every problem with one offer attempt, by field."""
    problems: list[EpisodeProblem] = []
    if earliest_return is None:
        problems.append(
            EpisodeProblem("episodes", "Link the episode the child returned from before the offer.")
        )
    if at is None:
        problems.append(EpisodeProblem("at", "Enter when the offer was made."))
    else:
        if at.tzinfo is None:
            raise ValueError("offer time must be timezone-aware")
        if earliest_return is not None and at < earliest_return:
            when = earliest_return.strftime("%d/%m/%Y %H:%M")
            problems.append(
                EpisodeProblem("at", f"The offer cannot be before the child returned ({when}).")
            )
        if at > now + CLOCK_SKEW:
            problems.append(EpisodeProblem("at", "The offer cannot be in the future."))
    if method not in {m.value for m in OfferMethod}:
        problems.append(EpisodeProblem("method", "Choose how the offer was made."))
    if outcome not in {o.value for o in OfferOutcome}:
        problems.append(EpisodeProblem("outcome", "Choose what happened to the offer."))
    if not (by_whom or "").strip():
        problems.append(EpisodeProblem("by_whom", "Enter who made the offer."))
    if outcome == OfferOutcome.DECLINED:
        if declined_by not in {d.value for d in DeclinedBy}:
            problems.append(
                EpisodeProblem("declined_by", "Say who declined: the child or a parent or carer.")
            )
        if decline_reason not in {r.value for r in DeclineReason}:
            problems.append(EpisodeProblem("decline_reason", "Choose why it was declined."))
        elif decline_reason == DeclineReason.OTHER and not (decline_note or "").strip():
            problems.append(
                EpisodeProblem("decline_note", "Describe the reason, as 'Other' was chosen.")
            )
    elif declined_by or decline_reason:
        # A decline code on an accepted offer would be counted as a decline by the figures.
        problems.append(
            EpisodeProblem("outcome", "Who declined and why only apply to a declined offer.")
        )
    return problems


def validate_session(
    *,
    started_at: datetime | None,
    duration_minutes: int | None,
    place: str | None,
    present: Sequence[str],
    time_alone: bool | None,
    confidentiality_explained: bool | None,
    earliest_return: datetime | None,
    first_accepted_offer: datetime | None,
    now: datetime,
) -> list[EpisodeProblem]:
    """Every problem with one interview session, by field."""
    problems: list[EpisodeProblem] = []
    if started_at is None:
        problems.append(EpisodeProblem("started_at", "Enter when the session started."))
    else:
        if started_at.tzinfo is None:
            raise ValueError("session start must be timezone-aware")
        if earliest_return is None:
            problems.append(
                EpisodeProblem("episodes", "Link the episode the child returned from first.")
            )
        elif started_at < earliest_return:
            problems.append(
                EpisodeProblem("started_at", "A session cannot be before the child returned.")
            )
        if first_accepted_offer is None:
            problems.append(
                EpisodeProblem("offer", "Record the offer the child accepted before a session.")
            )
        elif started_at < first_accepted_offer:
            when = first_accepted_offer.strftime("%d/%m/%Y %H:%M")
            problems.append(
                EpisodeProblem(
                    "started_at", f"A session cannot be before the offer was accepted ({when})."
                )
            )
        if started_at > now + CLOCK_SKEW:
            problems.append(EpisodeProblem("started_at", "A session cannot be in the future."))
    if duration_minutes is None or not (
        MIN_SESSION_MINUTES <= duration_minutes <= MAX_SESSION_MINUTES
    ):
        problems.append(
            EpisodeProblem(
                "duration_minutes",
                f"Enter how long the session lasted, from {MIN_SESSION_MINUTES} to "
                f"{MAX_SESSION_MINUTES} minutes.",
            )
        )
    if not (place or "").strip():
        problems.append(EpisodeProblem("place", "Enter where the session took place."))
    known = {p.value for p in SessionPresent}
    if any(p not in known for p in present):
        problems.append(EpisodeProblem("present", "Choose who was present from the list."))
    if len(set(present)) != len(present):
        problems.append(EpisodeProblem("present", "Each person present is listed once."))
    if time_alone is None:
        problems.append(
            EpisodeProblem("time_alone", "Say whether the child had time alone with you.")
        )
    if confidentiality_explained is None:
        problems.append(
            EpisodeProblem(
                "confidentiality_explained", "Say whether confidentiality was explained."
            )
        )
    return problems
