"""Plain records: the common currency between the database, the demo generator, the figures
and the central server.

They are deliberately dumb (frozen, no behaviour beyond light invariants) so that every layer can
build them without importing another layer's machinery. The lead maps database rows to these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    InterviewState,
    LateReason,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    RiskGrade,
    Sex,
)

# An interview in one of these states has been completed by the worker (review states included).
COMPLETED_STATES: frozenset[InterviewState] = frozenset(
    {
        InterviewState.COMPLETED,
        InterviewState.SYNCED,
        InterviewState.APPROVED,
        InterviewState.HAS_ISSUES,
    }
)


def _require_aware(name: str, value: datetime | None) -> None:
    # Naive datetimes silently shift figures by an hour across BST; refuse them at the edge.
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value!r}")


@dataclass(frozen=True, slots=True)
class ChildRecord:
    id: str
    local_id: str  # council case number, e.g. "C104523"
    first_name: str
    last_name: str
    dob: date
    sex: Sex
    ethnicity: str  # ONS-style category
    looked_after: bool
    uasc: bool
    out_of_area: bool
    placement_type: str | None
    placing_authority: str | None
    social_worker: str | None
    preferred_language: str  # BCP-47
    interpreter_needed: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    id: str
    child_id: str
    category: EpisodeCategory
    started_at: datetime
    returned_at: datetime | None  # None: still missing
    where_found: str | None
    found_by: str | None
    police_reference: str | None
    risk_grade: RiskGrade

    def __post_init__(self) -> None:
        _require_aware("started_at", self.started_at)
        _require_aware("returned_at", self.returned_at)

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """One attempt to offer an interview (a phone call, a letter, a visit)."""

    id: str
    interview_id: str
    at: datetime
    method: OfferMethod
    outcome: OfferOutcome
    by_whom: str
    declined_by: DeclinedBy | None = None
    decline_reason: DeclineReason | None = None
    decline_note: str | None = None

    def __post_init__(self) -> None:
        _require_aware("at", self.at)


@dataclass(frozen=True, slots=True)
class InterviewRecord:
    """One return interview (latest revision); it may cover several episodes."""

    id: str
    child_id: str
    episode_ids: tuple[str, ...]
    state: InterviewState | None  # None: not held or started yet
    created_at: datetime
    held_at: datetime | None  # start of the first session
    completed_at: datetime | None
    revision: int = 1
    late_reason: LateReason | None = None
    risk_flags: tuple[str, ...] = ()  # codes.RiskFlag values
    referrals: tuple[ReferralKind, ...] = ()
    worker: str = ""

    def __post_init__(self) -> None:
        _require_aware("created_at", self.created_at)
        _require_aware("held_at", self.held_at)
        _require_aware("completed_at", self.completed_at)

    @property
    def is_completed(self) -> bool:
        return self.state in COMPLETED_STATES


@dataclass(frozen=True, slots=True)
class _Index:
    children: dict[str, ChildRecord]
    episodes: dict[str, EpisodeRecord]
    interviews: dict[str, InterviewRecord]
    episodes_by_child: dict[str, tuple[EpisodeRecord, ...]]
    interviews_by_child: dict[str, tuple[InterviewRecord, ...]]
    interviews_by_episode: dict[str, tuple[InterviewRecord, ...]]
    offers_by_interview: dict[str, tuple[OfferRecord, ...]]


K = TypeVar("K")
V = TypeVar("V")


def _group(items: Iterable[tuple[K, V]]) -> dict[K, tuple[V, ...]]:
    grouped: defaultdict[K, list[V]] = defaultdict(list)
    for key, value in items:
        grouped[key].append(value)
    return {k: tuple(v) for k, v in grouped.items()}


@dataclass(frozen=True, slots=True)
class Dataset:
    """Everything the figures need, with indexes built once (records are immutable)."""

    children: tuple[ChildRecord, ...] = ()
    episodes: tuple[EpisodeRecord, ...] = ()
    interviews: tuple[InterviewRecord, ...] = ()
    offers: tuple[OfferRecord, ...] = ()
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Accept lists from callers but store tuples so the dataset stays hashable-ish and frozen.
        for name in ("children", "episodes", "interviews", "offers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        episodes_sorted = sorted(self.episodes, key=lambda e: (e.started_at, e.id))
        offers_sorted = sorted(self.offers, key=lambda o: (o.at, o.id))
        index = _Index(
            children={c.id: c for c in self.children},
            episodes={e.id: e for e in self.episodes},
            interviews={i.id: i for i in self.interviews},
            episodes_by_child=_group((e.child_id, e) for e in episodes_sorted),
            interviews_by_child=_group((i.child_id, i) for i in self.interviews),
            interviews_by_episode=_group(
                (eid, i) for i in self.interviews for eid in i.episode_ids
            ),
            offers_by_interview=_group((o.interview_id, o) for o in offers_sorted),
        )
        object.__setattr__(self, "_index", index)

    def child(self, child_id: str) -> ChildRecord:
        return self._index.children[child_id]

    def episode(self, episode_id: str) -> EpisodeRecord:
        return self._index.episodes[episode_id]

    def interview(self, interview_id: str) -> InterviewRecord:
        return self._index.interviews[interview_id]

    def episodes_of(self, child_id: str) -> tuple[EpisodeRecord, ...]:
        """The child's episodes, oldest first."""
        return self._index.episodes_by_child.get(child_id, ())

    def interviews_of(self, child_id: str) -> tuple[InterviewRecord, ...]:
        return self._index.interviews_by_child.get(child_id, ())

    def interviews_covering(self, episode_id: str) -> tuple[InterviewRecord, ...]:
        return self._index.interviews_by_episode.get(episode_id, ())

    def offers_for(self, interview_id: str) -> tuple[OfferRecord, ...]:
        """Offer attempts on one interview, oldest first."""
        return self._index.offers_by_interview.get(interview_id, ())

    def covered_episodes(self, interview: InterviewRecord) -> tuple[EpisodeRecord, ...]:
        """The episodes an interview covers that exist in this dataset."""
        found = self._index.episodes
        return tuple(found[e] for e in interview.episode_ids if e in found)
