"""The DfE SSDA903 Missing table (looked-after children only) and its validation problems.

Columns are exactly CHILD, DOB, MISSING, MIS_START, MIS_END with dates as DD/MM/YYYY in UK
calendar days. The collection year `year` runs 1 April (year-1) to 31 March (year) inclusive.
Episodes overlapping the year are included with their real start date (even when it is before
1 April); an end after 31 March is left blank, because at the end of the collection year the
child was still missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rhi_core.reports.period import Period, as_period, uk_date
from rhi_core.reports.records import ChildRecord, Dataset, EpisodeRecord

COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")


@dataclass(frozen=True, slots=True)
class Ssda903Row:
    # The DfE column names, kept verbatim so a row maps straight onto the return.
    CHILD: str
    DOB: str
    MISSING: str
    MIS_START: str
    MIS_END: str

    def as_dict(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in COLUMNS}


@dataclass(frozen=True, slots=True)
class Ssda903Problem:
    child_id: str
    local_id: str
    episode_id: str
    reason: str


def collection_year(year: int) -> Period:
    """1 April (year-1) to 31 March (year), both days included."""
    return as_period(date(year - 1, 4, 1), date(year, 3, 31))


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _in_scope(dataset: Dataset, year: int) -> list[tuple[ChildRecord, list[EpisodeRecord]]]:
    period = collection_year(year)
    out = []
    for child in sorted(dataset.children, key=lambda c: c.local_id):
        if not child.looked_after:
            continue
        episodes = [
            e for e in dataset.episodes_of(child.id) if period.overlaps(e.started_at, e.returned_at)
        ]
        if episodes:
            out.append((child, episodes))
    return out


def ssda903_missing(dataset: Dataset, year: int) -> list[Ssda903Row]:
    """Missing-table rows for collection year `year` (e.g. 2026 = April 2025 to March 2026)."""
    period = collection_year(year)
    rows = []
    for child, episodes in _in_scope(dataset, year):
        for e in episodes:
            ended = e.returned_at if e.returned_at and e.returned_at < period.end else None
            rows.append(
                Ssda903Row(
                    CHILD=child.local_id,
                    DOB=_fmt(child.dob),
                    MISSING=e.category.value,
                    MIS_START=_fmt(uk_date(e.started_at)),
                    MIS_END=_fmt(uk_date(ended)) if ended else "",
                )
            )
    return rows


def ssda903_problems(dataset: Dataset, year: int) -> list[Ssda903Problem]:
    """Records in the return that the DfE validation rules would reject."""
    problems = []
    for child, episodes in _in_scope(dataset, year):

        def add(e: EpisodeRecord, reason: str, child: ChildRecord = child) -> None:
            problems.append(Ssda903Problem(child.id, child.local_id, e.id, reason))

        for e in episodes:
            if e.returned_at is not None and e.returned_at < e.started_at:
                add(e, "Missing end date is before the start date")
            if uk_date(e.started_at) < child.dob:
                add(e, "Missing start date is before the child's date of birth")
            if e.returned_at is not None and uk_date(e.returned_at) < child.dob:
                add(e, "Missing end date is before the child's date of birth")
        # Episodes are in start order; compare each with the furthest end seen so far, so a long
        # episode that spans several later ones is caught too.
        still_open = False
        furthest_end = None
        for e in episodes:
            if still_open:
                add(e, "A new episode starts while an earlier one is still open")
            elif furthest_end is not None and e.started_at < furthest_end:
                add(e, "Episode overlaps an earlier episode")
            if e.returned_at is None:
                still_open = True
            elif furthest_end is None or e.returned_at > furthest_end:
                furthest_end = e.returned_at
    return problems
