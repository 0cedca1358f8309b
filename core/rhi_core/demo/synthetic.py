"""Synthetic, deterministic demo data calibrated to the seed council's 2021 figures.

`generate()` with the defaults reproduces (within a point or two) the figures in the seed report
"Review of Missing Children": 425 children missing in the year, 31% in care, the top 20 children
(all in care) with 41% of episodes, an RHI offered for 93% of found episodes and completed for 49%
of those offered, 13% / 25% / 31% of missing children with CSE / CCE / MACE.

The headline rates are hit with quotas (choose exactly the right number of interviews to offer,
complete, hold within 72 hours) rather than coin flips, so small datasets stay on target and a
calibration test can use tight tolerances. Only `random.Random(seed)` is used: same seed, same
dataset. `n_children` scales everything; every found episode gets an InterviewRecord (state None
when none was started), so interviews ≈ found episodes (6,000 children give ~18,000 interviews).

On top of the year's history a few children are placed "live" relative to `now`, so a worker's
caseload looks real: returned in the last 72 hours with under 12 hours left, overdue with nothing
done, a draft in progress, one declined, one completed, and three still missing (a few hours,
past 72 hours, past 5 days).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from rhi_core.demo.names import BACKGROUNDS, SOCIAL_WORKERS, WORKER_NAMES, Background
from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    InterviewState,
    LateReason,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    RiskFlag,
    RiskGrade,
    Sex,
)
from rhi_core.reports.records import (
    ChildRecord,
    Dataset,
    EpisodeRecord,
    InterviewRecord,
    OfferRecord,
)

__all__ = ["DEFAULT_NOW", "HOME_AUTHORITY", "generate", "worker_names", "year_ending"]

T = TypeVar("T")

# A fixed Monday morning so that tests and screenshots are reproducible; live demos pass real now.
DEFAULT_NOW = datetime(2026, 6, 15, 8, 30, tzinfo=UTC)
HOME_AUTHORITY = "London Borough of Demoford"  # fictional home council of the demo

# --- Calibration targets (seed council, 2021) -------------------------------------------------
SEED_CHILDREN = 425
EPISODES_PER_CHILD = 1400 / SEED_CHILDREN  # seed gives no total; ~1,400 is plausible
LOOKED_AFTER_SHARE = 0.31
TOP_N_PER_SEED = 20
TOP_SHARE = 0.41
TOP_AGED_17_SHARE = 0.75
TOP_UASC_SHARE = 0.20
TOP_MALE_SHARE = 0.55
TOP_LOCAL_SHARE = 0.20  # "20% are local children": placed in the home area
OTHER_LAC_UASC_SHARE = 0.12
OFFER_RATE = 0.93
COMPLETION_RATE = 0.49
WITHIN_72H_RATE = 0.62
DECLINED_THEN_ACCEPTED = 0.12  # completed interviews that followed an earlier refusal
ACCEPTED_THEN_DECLINED = 0.10  # declines that followed an earlier yes (the decline stands)
DECLINED_SHARE = 0.85  # offered, never held: declined; the rest accepted and never turned up
UNANSWERED_ATTEMPTS = 0.5  # not offered: "letter sent", "no answer" attempts (not offers)
CSE_SHARE = 0.13
CCE_SHARE = 0.25
MACE_SHARE = 0.31

YEAR = timedelta(days=364)  # history starts 364 days back so it fits a 12-month date period
SETTLED = timedelta(days=4)  # ordinary history ends here; the live caseload fills the last days
MAX_OTHER_EPISODES = 12


def worker_names() -> tuple[str, ...]:
    """The adolescent (RHI) workers who hold interviews in the demo."""
    return WORKER_NAMES


def year_ending(now: datetime) -> tuple[date, date]:
    """The inclusive date period the generator covers: the 12 months ending at `now`."""
    return (now - timedelta(days=365)).date(), now.date()


def generate(
    seed: int = 2021, n_children: int = SEED_CHILDREN, now: datetime | None = None
) -> Dataset:
    """A deterministic synthetic year of missing episodes and return interviews ending at `now`."""
    if n_children < 1:
        raise ValueError("n_children must be at least 1")
    now = DEFAULT_NOW if now is None else now
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return _Builder(random.Random(seed), n_children, now.astimezone(UTC)).build()


# --- Internals --------------------------------------------------------------------------------

_LIVE_ROLES = (
    "amber",
    "amber",
    "overdue",
    "overdue",
    "draft",
    "draft",
    "declined",
    "completed",
    "missing_hours",
    "missing_72h",
    "missing_5d",
)

_CHILD_DECLINE_REASONS = {
    DeclineReason.DOES_NOT_WANT_TO_TALK: 40,
    DeclineReason.ALREADY_SPOKE_TO_POLICE: 15,
    DeclineReason.PREFERS_OWN_WORKER: 14,
    DeclineReason.NOT_MISSING_IN_OWN_VIEW: 15,
    DeclineReason.MISSING_AGAIN: 8,
    DeclineReason.MOVED_AWAY: 4,
    DeclineReason.OTHER: 4,
}
_CARER_DECLINE_REASONS = {
    DeclineReason.FAMILY_REFUSED: 50,
    DeclineReason.ALREADY_SPOKE_TO_POLICE: 15,
    DeclineReason.NOT_MISSING_IN_OWN_VIEW: 14,
    DeclineReason.PREFERS_OWN_WORKER: 10,
    DeclineReason.MOVED_AWAY: 6,
    DeclineReason.OTHER: 5,
}
_DECLINE_NOTES = (
    "Said they were fine and did not want to go over it again.",
    "Spoke to police at the safe and well check and felt that was enough.",
    "Would rather talk to their key worker at the placement.",
    "Said they were only at a friend's and were not missing.",
    "Mother said the family would deal with it themselves.",
    "Declined on the doorstep; leaflet and helpline number left.",
)
_OTHER_NOTES = ("Exams this week; did not want to rearrange.", "Wanted no contact with services.")
_LATE_REASONS = {
    LateReason.CHILD_UNAVAILABLE: 30,
    LateReason.CHILD_CHOSE_LATER: 22,
    LateReason.MISSING_AGAIN: 12,
    LateReason.NOTIFICATION_LATE: 12,
    LateReason.WORKER_UNAVAILABLE: 10,
    LateReason.OUT_OF_AREA: 8,
    LateReason.INTERPRETER_NEEDED: 6,
}
_OFFER_METHODS = {
    OfferMethod.PHONE: 45,
    OfferMethod.IN_PERSON: 25,
    OfferMethod.TEXT: 20,
    OfferMethod.LETTER: 10,
}
_PLACEMENTS_YOUNGER = (
    "Foster care (in-house)",
    "Foster care (independent fostering agency)",
    "Children's home",
    "Kinship care",
    "Placed with parents",
)
_PLACEMENTS_OLDER = (
    "Semi-independent accommodation",
    "Supported lodgings",
    "Children's home",
    "Foster care (independent fostering agency)",
)
_OTHER_AUTHORITIES = (
    "Kent County Council",
    "London Borough of Lambeth",
    "Surrey County Council",
    "London Borough of Southwark",
    "Birmingham City Council",
    "Essex County Council",
)
_FOUND_MISSING = (
    ("Returned home of own accord", "Self-returned"),
    ("Returned to placement of own accord", "Self-returned"),
    ("Found at a friend's address", "Police"),
    ("Found at a friend's address", "Parent or carer"),
    ("Located at East Croydon station", "British Transport Police"),
    ("Found in a park near home", "Police"),
    ("Found at an older male's address", "Police"),
    ("Arrested in Southend on county lines concerns", "Essex Police"),
    ("Found in a hotel in Birmingham", "West Midlands Police"),
    ("Found at a trap house in Margate", "Kent Police"),
    ("Presented at a homeless provision in another borough", "Other local authority"),
    ("Collected from a police station", "Placement staff"),
)
_FOUND_AWAY = (
    ("Known to be at mother's address; returned next day", "Self-returned"),
    ("At boyfriend's address; collected by carer", "Parent or carer"),
    ("At an aunt's address; returned by social worker", "Social worker"),
    ("At a friend's address; returned of own accord", "Self-returned"),
)


def _pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _hours(h: float) -> timedelta:
    return timedelta(hours=h)


@dataclass
class _Child:
    record: ChildRecord
    n_episodes: int
    top: bool
    age: int
    worker: str
    background: Background
    role: str | None = None


@dataclass
class _Group:
    """The episodes one interview covers."""

    child: _Child
    episodes: list[EpisodeRecord]
    role: str | None = None
    offered: bool = True
    completed: bool = False
    within: bool = False
    interview_id: str = ""
    held: bool = False
    flags: set[str] = field(default_factory=set)
    referrals: set[ReferralKind] = field(default_factory=set)

    @property
    def returned_at(self) -> datetime:
        # The interview's clock starts at the latest covered return.
        last = self.episodes[-1].returned_at
        assert last is not None
        return last


class _Builder:
    def __init__(self, rng: random.Random, n: int, now: datetime) -> None:
        self.rng = rng
        self.n = n
        self.now = now
        self.start = now - YEAR
        self.children: list[_Child] = []
        self.episodes: list[EpisodeRecord] = []
        self.groups: list[_Group] = []
        self.interviews: list[InterviewRecord] = []
        self.offers: list[OfferRecord] = []

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def build(self) -> Dataset:
        self._make_children()
        self.rng.shuffle(self.children)  # top children first would look staged in a list view
        self._assign_live_roles()
        self._make_episodes()
        self._make_groups()
        self._decide_outcomes()
        self._decide_flags()
        self._make_interviews()
        return Dataset(
            children=tuple(c.record for c in self.children),
            episodes=tuple(self.episodes),
            interviews=tuple(self.interviews),
            offers=tuple(self.offers),
        )

    # --- children -----------------------------------------------------------------------------

    def _make_children(self) -> None:
        rng, n = self.rng, self.n
        n_top = max(1, round(n * TOP_N_PER_SEED / SEED_CHILDREN))
        n_lac = max(n_top, round(n * LOOKED_AFTER_SHARE))
        counts = self._episode_counts(n, n_top)
        local_ids = rng.sample(range(100000, 999999), n)
        top_uasc = set(rng.sample(range(n_top), round(n_top * TOP_UASC_SHARE)))
        top_17 = set(rng.sample(range(n_top), round(n_top * TOP_AGED_17_SHARE)))
        top_male = set(rng.sample(range(n_top), round(n_top * TOP_MALE_SHARE)))
        top_local = set(rng.sample(range(n_top), round(n_top * TOP_LOCAL_SHARE)))
        for i in range(n):
            top = i < n_top
            looked_after = i < n_lac
            if top:
                uasc = i in top_uasc
                age = 17 if i in top_17 else rng.choice((15, 16, 16))
                male = i in top_male
                out_of_area = i not in top_local
            else:
                uasc = looked_after and rng.random() < OTHER_LAC_UASC_SHARE
                if uasc:
                    age = rng.choice((15, 16, 16, 17, 17, 17))
                elif looked_after:
                    age = rng.choices(range(11, 18), weights=(1, 2, 4, 7, 9, 9, 7))[0]
                else:
                    age = rng.choices(range(10, 18), weights=(1, 2, 4, 7, 10, 10, 8, 5))[0]
                male = rng.random() < (0.9 if uasc else 0.48)
                out_of_area = looked_after and rng.random() < 0.35
            background = self._background(uasc, bame=top and rng.random() < 0.85)
            self.children.append(
                self._child(
                    i,
                    local_ids[i],
                    counts[i],
                    top,
                    looked_after,
                    uasc,
                    out_of_area,
                    age,
                    male,
                    background,
                )
            )

    def _background(self, uasc: bool, bame: bool) -> Background:
        rng = self.rng
        if uasc:
            pool = [b for b in BACKGROUNDS if b.uasc_weight > 0]
            return rng.choices(pool, weights=[b.uasc_weight for b in pool])[0]
        pool = [b for b in BACKGROUNDS if b.weight > 0]
        if bame:  # the seed's top 20 are 85% Black, Asian or minority ethnic
            pool = [b for b in pool if not b.ethnicity.startswith("White")]
        return rng.choices(pool, weights=[b.weight for b in pool])[0]

    def _child(
        self,
        i: int,
        local_id: int,
        n_episodes: int,
        top: bool,
        looked_after: bool,
        uasc: bool,
        out_of_area: bool,
        age: int,
        male: bool,
        bg: Background,
    ) -> _Child:
        rng = self.rng
        today = self.now.date()
        # Born between (age+1) years ago (exclusive) and age years ago: age on `today` is `age`.
        latest = _years_before(today, age)
        dob = latest - timedelta(days=rng.randrange(0, 365))
        if uasc:
            language = bg.languages[0]
            interpreter = rng.random() < 0.85
        else:
            language = bg.languages[0] if rng.random() < 0.8 else rng.choice(bg.languages)
            interpreter = language != "en" and rng.random() < 0.3
        if looked_after:
            placement: str | None = rng.choice(
                (
                    "Semi-independent accommodation",
                    "Semi-independent accommodation",
                    "Foster care (in-house)",
                )
                if uasc
                else (_PLACEMENTS_OLDER if age >= 16 else _PLACEMENTS_YOUNGER)
            )
            authority: str | None = (
                rng.choice(_OTHER_AUTHORITIES) if rng.random() < 0.1 else HOME_AUTHORITY
            )
        else:
            placement = authority = None
        record = ChildRecord(
            id=self.uid(),
            local_id=f"C{local_id}",
            first_name=rng.choice(bg.male if male else bg.female),
            last_name=rng.choice(bg.surnames),
            dob=dob,
            sex=Sex.MALE if male else Sex.FEMALE,
            ethnicity=bg.ethnicity,
            looked_after=looked_after,
            uasc=uasc,
            out_of_area=out_of_area,
            placement_type=placement,
            placing_authority=authority,
            social_worker=rng.choice(SOCIAL_WORKERS)
            if looked_after or rng.random() < 0.6
            else None,
            preferred_language=language,
            interpreter_needed=interpreter,
        )
        return _Child(record, n_episodes, top, age, rng.choice(WORKER_NAMES), bg)

    def _episode_counts(self, n: int, n_top: int) -> list[int]:
        """Episodes per child: the top children share TOP_SHARE of all, the rest are mostly 1-2."""
        rng = self.rng
        total = max(n, round(n * EPISODES_PER_CHILD))
        n_rest = n - n_top
        top_total = round(total * TOP_SHARE) if n_rest else total
        top_counts = _split(rng, top_total, [rng.uniform(0.6, 1.4) for _ in range(n_top)])
        rest_counts = [1] * n_rest
        extra = total - top_total - n_rest
        if n_rest and extra > 0:
            # Most children go missing once; a long tail goes several times.
            weights = [
                0.0 if rng.random() < 0.45 else min(8.0, rng.paretovariate(1.6))
                for _ in range(n_rest)
            ]
            cap = min(MAX_OTHER_EPISODES, max(2, min(top_counts) - 1))
            extra = min(extra, n_rest * (cap - 1))
            for idx in rng.choices(range(n_rest), weights=weights, k=extra):
                while rest_counts[idx] >= cap:  # capped: a random child below the cap instead
                    idx = rng.randrange(n_rest)
                rest_counts[idx] += 1
        return top_counts + rest_counts

    def _assign_live_roles(self) -> None:
        rest = [c for c in self.children if not c.top]
        scale = max(1, round(self.n / SEED_CHILDREN))
        roles = [r for r in _LIVE_ROLES for _ in range(scale)][: len(rest)]
        for child, role in zip(self.rng.sample(rest, len(roles)), roles, strict=True):
            child.role = role

    # --- episodes -----------------------------------------------------------------------------

    def _make_episodes(self) -> None:
        rng = self.rng
        for child in self.children:
            # A live child's history ends well before its recent episode.
            settled_end = self.now - SETTLED - (timedelta(days=6) if child.role else timedelta())
            span_total = (settled_end - self.start).total_seconds()
            k = child.n_episodes - (1 if child.role else 0)
            if child.top:
                starts = sorted(rng.uniform(0, span_total) for _ in range(k))
            else:
                # Episodes of a repeat child cluster in a few months of their year.
                span = min(span_total, rng.uniform(10, 150) * 86400 * max(1, k - 1) ** 0.5)
                offset = rng.uniform(0, span_total - span)
                starts = sorted(offset + rng.uniform(0, span) for _ in range(k))
            times = [self.start + timedelta(seconds=s) for s in starts]
            for j, t in enumerate(times):
                before = self.episodes[-1].returned_at if j else None
                if before is not None and t < before + _hours(2):
                    t = before + _hours(rng.uniform(2, 10))
                limit = times[j + 1] if j + 1 < k else settled_end
                self.episodes.append(self._episode(child, t, limit))
            if child.role:
                self.episodes.append(self._live_episode(child))

    def _episode(self, child: _Child, started: datetime, limit: datetime) -> EpisodeRecord:
        rng = self.rng
        away = rng.random() < (0.4 if child.top else 0.25)
        median = 6.0 if away else 10.0
        hours = min(24 * 14, math.exp(rng.gauss(math.log(median), 1.1)))
        room = (limit - started).total_seconds() / 3600 - 1.5
        hours = max(0.5, min(hours, room * 0.8))
        return self._episode_record(child, started, started + _hours(hours), away)

    def _live_episode(self, child: _Child) -> EpisodeRecord:
        rng, now = self.rng, self.now
        previous = [e for e in self.episodes if e.child_id == child.record.id][-1:]
        back: dict[str, tuple[float, float]] = {
            "amber": (61, 70),
            "overdue": (73.5, 79),
            "draft": (20, 50),
            "declined": (10, 60),
            "completed": (30, 66),
        }
        role = child.role or ""
        returned: datetime | None
        if role in back:
            back_at = now - _hours(rng.uniform(*back[role]))
            started, returned = back_at - _hours(rng.uniform(3, 30)), back_at
        else:
            missing_for = {
                "missing_hours": (5, 14),
                "missing_72h": (76, 100),
                "missing_5d": (24 * 5 + 6, 24 * 6 + 20),
            }[role]
            started, returned = now - _hours(rng.uniform(*missing_for)), None
        if previous and previous[0].returned_at and started < previous[0].returned_at:
            started = previous[0].returned_at + _hours(6)
        return self._episode_record(child, started, returned, away=False)

    def _episode_record(
        self, child: _Child, started: datetime, returned: datetime | None, away: bool
    ) -> EpisodeRecord:
        rng = self.rng
        where: str | None
        who: str | None
        if away:
            where, who = rng.choice(_FOUND_AWAY)
            grade = _pick(
                rng, {RiskGrade.NO_APPARENT_RISK: 5, RiskGrade.LOW: 4, RiskGrade.MEDIUM: 1}
            )
        else:
            where, who = rng.choice(_FOUND_MISSING)
            weights = (
                {RiskGrade.LOW: 1, RiskGrade.MEDIUM: 6, RiskGrade.HIGH: 3}
                if child.top
                else {
                    RiskGrade.NO_APPARENT_RISK: 1,
                    RiskGrade.LOW: 6,
                    RiskGrade.MEDIUM: 11,
                    RiskGrade.HIGH: 2,
                }
            )
            grade = _pick(rng, weights)
        if returned is None:
            where = who = None
        return EpisodeRecord(
            id=self.uid(),
            child_id=child.record.id,
            category=EpisodeCategory.AWAY if away else EpisodeCategory.MISSING,
            started_at=started,
            returned_at=returned,
            where_found=where,
            found_by=who,
            police_reference=None,  # numbered in start order once all episodes exist
            risk_grade=grade,
        )

    def _number_police_references(self) -> None:
        rng = self.rng
        counters: dict[int, int] = {}
        numbered: dict[str, str] = {}
        for e in sorted(self.episodes, key=lambda e: (e.started_at, e.id)):
            year = e.started_at.year
            counters[year] = counters.get(year, rng.randrange(200, 900)) + rng.randint(1, 9)
            numbered[e.id] = f"MPS-{year}-{counters[year]:06d}"
        self.episodes = [replace(e, police_reference=numbered[e.id]) for e in self.episodes]

    # --- interviews ---------------------------------------------------------------------------

    def _make_groups(self) -> None:
        self._number_police_references()
        by_child: dict[str, list[EpisodeRecord]] = {}
        for e in self.episodes:
            by_child.setdefault(e.child_id, []).append(e)
        for child in self.children:
            found = [e for e in by_child.get(child.record.id, []) if e.returned_at is not None]
            for idx, episode in enumerate(found):
                live_last = (
                    child.role is not None and idx == len(found) - 1 and child.role[:7] != "missing"
                )
                previous = self.groups[-1] if self.groups else None
                merge = (
                    previous is not None
                    and previous.child is child
                    and previous.role is None
                    and not live_last
                    and len(previous.episodes) < 3
                    and episode.started_at - previous.returned_at < _hours(60)
                    and self.rng.random() < 0.7
                )
                if merge:  # missing again before the interview could happen: one RHI covers both
                    previous.episodes.append(episode)  # type: ignore[union-attr]
                else:
                    role = child.role if live_last else None
                    self.groups.append(_Group(child, [episode], role=role))

    def _decide_outcomes(self) -> None:
        rng = self.rng
        live = [g for g in self.groups if g.role]
        regular = [g for g in self.groups if not g.role]
        for g in live:
            # "amber" has had one attempt that reached nobody: an attempt, not an offer.
            g.offered = g.role not in ("overdue", "amber")
            g.completed = g.role == "completed"
            g.within = g.completed
        found = sum(len(g.episodes) for g in self.groups)
        not_offered = (
            found - round(found * OFFER_RATE) - sum(len(g.episodes) for g in live if not g.offered)
        )
        # Single-episode groups first so the episode quota is met exactly.
        for g in sorted(rng.sample(regular, len(regular)), key=lambda g: len(g.episodes)):
            if not_offered <= 0:
                break
            if len(g.episodes) <= not_offered:
                g.offered = False
                not_offered -= len(g.episodes)
        offered = [g for g in self.groups if g.offered]
        candidates = [g for g in regular if g.offered]
        n_completed = round(len(offered) * COMPLETION_RATE) - sum(g.completed for g in live)
        for g in rng.sample(candidates, max(0, min(len(candidates), n_completed))):
            g.completed = True
        completed = [g for g in self.groups if g.completed]
        n_within = round(len(completed) * WITHIN_72H_RATE) - sum(g.within for g in live)
        regular_done = [g for g in completed if not g.role]
        for g in rng.sample(regular_done, max(0, min(len(regular_done), n_within))):
            g.within = True
        for g in self.groups:
            g.held = g.completed or g.role == "draft"
        # A few abandoned drafts: the session happened but the write-up never got finished.
        for g in candidates:
            if not g.completed and rng.random() < 0.02:
                g.held = True

    def _decide_flags(self) -> None:
        """Risk flags on held interviews; referrals on completed ones only (a referral is part
        of the completed record, and a demo profile writes referrals for completed records)."""
        rng, n = self.rng, self.n
        held: dict[str, list[_Group]] = {}
        for g in self.groups:
            if g.held:
                held.setdefault(g.child.record.id, []).append(g)
        eligible = [c for c in self.children if c.record.id in held]

        def first_completed(cid: str) -> _Group | None:
            return next((g for g in held[cid] if g.completed), None)

        def choose(
            count: int, pool: Sequence[_Child], weight: Callable[[_Child], float]
        ) -> list[_Child]:
            pool = list(pool)
            chosen: list[_Child] = []
            weights = [weight(c) for c in pool]
            while pool and len(chosen) < count:
                idx = rng.choices(range(len(pool)), weights=weights)[0]
                chosen.append(pool.pop(idx))
                weights.pop(idx)
            return chosen

        def mace_weight(c: _Child) -> float:
            return 60.0 if c.top else (2.0 if c.record.looked_after else 1.0) * (1 + (c.age >= 14))

        # A MACE referral comes out of a completed interview.
        with_completed = [c for c in eligible if first_completed(c.record.id) is not None]
        mace = choose(round(n * MACE_SHARE), with_completed, mace_weight)
        mace_ids = {c.record.id for c in mace}

        def cce_weight(c: _Child) -> float:
            boost = 8.0 if c.record.id in mace_ids else 0.4
            return boost * (3.0 if c.record.sex == Sex.MALE else 1.0)

        def cse_weight(c: _Child) -> float:
            boost = 8.0 if c.record.id in mace_ids else 0.4
            return boost * (4.0 if c.record.sex == Sex.FEMALE else 0.5)

        cce = {c.record.id for c in choose(round(n * CCE_SHARE), eligible, cce_weight)}
        cse = {c.record.id for c in choose(round(n * CSE_SHARE), eligible, cse_weight)}
        for child in eligible:
            cid = child.record.id
            groups = held[cid]
            first = groups[0]
            done = first_completed(cid)
            for flag, members in ((RiskFlag.CSE, cse), (RiskFlag.CCE, cce)):
                if cid in members:
                    for g in groups:
                        if g is first or rng.random() < 0.5:
                            g.flags.add(flag.value)
            trafficked_from = ("vietnamese", "albanian", "eritrean")
            if child.record.uasc and child.background.key in trafficked_from and rng.random() < 0.5:
                first.flags.add(RiskFlag.TRAFFICKING.value)
                if done is not None:
                    done.referrals.add(ReferralKind.NRM)
            if cid in mace_ids and done is not None:
                done.referrals.add(ReferralKind.MACE)
                if rng.random() < 0.4:
                    done.referrals.add(ReferralKind.STRATEGY_MEETING)
            for g in groups:
                if g.completed:
                    self._routine_referrals(g)

    def _routine_referrals(self, g: _Group) -> None:
        rng = self.rng
        lac = g.child.record.looked_after
        chances = {
            # Exploitation concerns are always shared with the police.
            ReferralKind.POLICE_INFORMATION: 1.0 if g.flags else 0.6,
            ReferralKind.FOLLOW_UP_1_1: 0.35,
            ReferralKind.SOCIAL_CARE: 0.1 if lac else 0.3,
            ReferralKind.EARLY_HELP: 0.0 if lac else 0.2,
            ReferralKind.CAMHS: 0.15,
            ReferralKind.SUBSTANCE_MISUSE: 0.1,
            ReferralKind.MEDIATION: 0.0 if lac else 0.1,
        }
        for kind, p in chances.items():
            if rng.random() < p:
                g.referrals.add(kind)

    def _make_interviews(self) -> None:
        for g in self.groups:
            g.interview_id = self.uid()
            self.interviews.append(self._interview(g))

    def _interview(self, g: _Group) -> InterviewRecord:
        rng, now = self.rng, self.now
        ret = g.returned_at
        worker = g.child.worker if rng.random() < 0.85 else rng.choice(WORKER_NAMES)
        late_reason: LateReason | None = None
        if g.held and not g.within and g.role is None:
            late_reason = self._late_reason(g)
        notify_h = (
            rng.uniform(48, 70)
            if late_reason is LateReason.NOTIFICATION_LATE
            else rng.uniform(0.3, 10)
        )
        created = min(ret + _hours(notify_h), now - _hours(0.2))
        held_at = completed_at = None
        state: InterviewState | None = None
        if g.held:
            if g.within or g.role == "draft":
                lo = created + _hours(2)
                hi = min(ret + _hours(71.5), now - _hours(1))
            else:
                lo = max(created, ret + _hours(72.5))
                hi = min(ret + _hours(rng.choice((80, 96, 120, 168, 240, 336))), now - _hours(3))
            held_at = lo + (hi - lo) * rng.random() if hi > lo else lo
            state = InterviewState.DRAFT
            if g.completed:
                completed_at = min(held_at + _hours(rng.uniform(2, 96)), now - _hours(0.5))
                state = self._completed_state(completed_at)
            attempts_until = held_at - _hours(0.5)
        else:
            attempts_until = min(created + _hours(rng.uniform(10, 80)), now - _hours(0.1))
        if g.role != "overdue":  # overdue: nothing done at all
            self._offers(g, worker, created, max(attempts_until, created + _hours(0.1)))
        has_issues = state is InterviewState.HAS_ISSUES
        return InterviewRecord(
            id=g.interview_id,
            child_id=g.child.record.id,
            episode_ids=tuple(e.id for e in g.episodes),
            state=state,
            created_at=created,
            held_at=held_at,
            completed_at=completed_at,
            revision=2 if has_issues or (g.completed and rng.random() < 0.08) else 1,
            late_reason=late_reason,
            risk_flags=tuple(sorted(g.flags)),
            referrals=tuple(sorted(g.referrals)),
            worker=worker,
        )

    def _late_reason(self, g: _Group) -> LateReason:
        if g.child.record.interpreter_needed and self.rng.random() < 0.5:
            return LateReason.INTERPRETER_NEEDED
        if g.child.record.out_of_area and self.rng.random() < 0.3:
            return LateReason.OUT_OF_AREA
        return _pick(self.rng, _LATE_REASONS)

    def _completed_state(self, completed_at: datetime) -> InterviewState:
        age = self.now - completed_at
        if age < timedelta(days=1):
            return _pick(self.rng, {InterviewState.COMPLETED: 6, InterviewState.SYNCED: 4})
        if age < timedelta(days=14):
            weights = {
                InterviewState.COMPLETED: 1,
                InterviewState.SYNCED: 5,
                InterviewState.APPROVED: 3,
                InterviewState.HAS_ISSUES: 1,
            }
            return _pick(self.rng, weights)
        return _pick(
            self.rng,
            {InterviewState.APPROVED: 17, InterviewState.HAS_ISSUES: 1, InterviewState.SYNCED: 2},
        )

    def _offers(self, g: _Group, worker: str, first: datetime, last: datetime) -> None:
        """The attempts. Only an accepted or declined outcome is an offer (docs/figures.md), so
        an offered group always gets one, and a group not offered gets at most "no contact"."""
        rng = self.rng
        no_contact = OfferOutcome.NO_CONTACT
        if g.held or g.role == "completed":
            outcomes = [no_contact] * (rng.random() < 0.3)
            if g.completed and rng.random() < DECLINED_THEN_ACCEPTED:
                outcomes.append(OfferOutcome.DECLINED)  # changed their mind: counts as accepted
            outcomes.append(OfferOutcome.ACCEPTED)
        elif g.role == "amber":
            outcomes = [no_contact]  # tried once, reached nobody: not offered yet
        elif not g.offered:
            # A letter nobody answered, calls nobody picked up: attempts, not offers.
            outcomes = (
                [no_contact] * rng.randint(1, 3) if rng.random() < UNANSWERED_ATTEMPTS else []
            )
        elif g.role == "declined" or rng.random() < DECLINED_SHARE:
            outcomes = [no_contact] * rng.randint(0, 1)
            if g.role is None and rng.random() < ACCEPTED_THEN_DECLINED:
                outcomes.append(OfferOutcome.ACCEPTED)  # said yes, then changed their mind
            outcomes.append(OfferOutcome.DECLINED)
        else:
            # Accepted, then the child went missing again or did not turn up.
            outcomes = [no_contact] * rng.randint(0, 1) + [OfferOutcome.ACCEPTED]
        span = (last - first).total_seconds()
        times = sorted(first + timedelta(seconds=rng.uniform(0, span)) for _ in outcomes)
        for at, outcome in zip(times, outcomes, strict=True):
            declined_by = reason = note = None
            if outcome is OfferOutcome.DECLINED:
                declined_by = DeclinedBy.CHILD if rng.random() < 0.65 else DeclinedBy.PARENT_CARER
                reasons = (
                    _CHILD_DECLINE_REASONS
                    if declined_by is DeclinedBy.CHILD
                    else _CARER_DECLINE_REASONS
                )
                reason = _pick(rng, reasons)
                if reason is DeclineReason.OTHER:
                    note = rng.choice(_OTHER_NOTES)
                elif rng.random() < 0.4:
                    note = rng.choice(_DECLINE_NOTES)
            self.offers.append(
                OfferRecord(
                    id=self.uid(),
                    interview_id=g.interview_id,
                    at=at,
                    method=_pick(rng, _OFFER_METHODS),
                    outcome=outcome,
                    by_whom=worker,
                    declined_by=declined_by,
                    decline_reason=reason,
                    decline_note=note,
                )
            )


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    if not weights:
        return []
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
