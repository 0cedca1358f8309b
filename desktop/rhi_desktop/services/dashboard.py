"""The worker's dashboard: the figures of their own caseload for a period, with their
definitions, monthly series for the charts, and a CSV export.

A profile is one worker's store, so "the worker's caseload" is everything in it. The figures are
``reports.figures.compute_kpis`` over ``store_records.load_dataset``; titles and definitions come
from ``reports.definitions.FIGURE_DEFINITIONS`` (the same text as docs/figures.md). No Qt here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from rhi_core.domain.codes import DeclinedBy, DeclineReason
from rhi_core.reports import figures
from rhi_core.reports.definitions import FIGURE_DEFINITIONS, FigureDefinition
from rhi_core.reports.records import Dataset

from .store_records import load_dataset

__all__ = [
    "CSV_COLUMNS",
    "DashboardData",
    "FigureValue",
    "MonthSeries",
    "Preset",
    "dashboard_figures",
    "figures_for",
    "preset_period",
    "to_csv",
]

# The tiles, in reading order: the RHI figures first, then who goes missing.
TILE_ORDER = (
    "offer_rate",
    "completion_rate",
    "within_72h_rate",
    "rhis_declined",
    "children_missing",
    "episodes",
    "in_care_share",
    "top_n_share",
    "children_3plus_in_30_days",
    "open_past_72h",
    "cse_share",
    "cce_share",
)


class Preset(StrEnum):
    LAST_30_DAYS = "last_30_days"
    LAST_3_MONTHS = "last_3_months"
    LAST_12_MONTHS = "last_12_months"
    FINANCIAL_YEAR = "financial_year"

    @property
    def label(self) -> str:
        return _PRESET_LABELS[self]


_PRESET_LABELS = {
    Preset.LAST_30_DAYS: "Last 30 days",
    Preset.LAST_3_MONTHS: "Last 3 months",
    Preset.LAST_12_MONTHS: "Last 12 months",
    Preset.FINANCIAL_YEAR: "This financial year",
}


def _months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def preset_period(preset: Preset | str, today: date) -> tuple[date, date]:
    """Both days included, ending today (UK date). The financial year runs 1 April to
    31 March; "this financial year" is from its 1 April to today."""
    preset = Preset(preset)
    if preset is Preset.LAST_30_DAYS:
        return today - timedelta(days=29), today
    if preset is Preset.LAST_3_MONTHS:
        return _months_before(today, 3) + timedelta(days=1), today
    if preset is Preset.LAST_12_MONTHS:
        return _months_before(today, 12) + timedelta(days=1), today
    start_year = today.year if today.month >= 4 else today.year - 1
    return date(start_year, 4, 1), today


@dataclass(frozen=True, slots=True)
class FigureValue:
    key: str
    title: str
    definition: str
    kind: str  # percent / count / decimal
    value: float | int
    numerator: int | None = None
    denominator: int | None = None

    @property
    def display(self) -> str:
        if self.kind == "percent":
            return f"{self.value:.1f}%"
        if self.kind == "decimal":
            return f"{self.value:.2f}"
        return f"{int(self.value):,}"

    @property
    def detail(self) -> str:
        """The counts behind a rate ("412 of 443"), or "" for a count."""
        if self.numerator is None or self.denominator is None:
            return ""
        return f"{self.numerator:,} of {self.denominator:,}"


@dataclass(frozen=True, slots=True)
class MonthSeries:
    """One value per calendar month of the period (the first and last clipped to it)."""

    labels: tuple[str, ...]  # "Jan 2026"
    episodes: tuple[int, ...]
    rhis_completed: tuple[int, ...]
    offer_rate: tuple[float, ...]
    completion_rate: tuple[float, ...]
    within_72h_rate: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class DashboardData:
    date_from: date
    date_to: date
    now: datetime
    figures: tuple[FigureValue, ...]  # every FIGURE_DEFINITIONS entry, in TILE_ORDER first
    kpis: dict[str, float | int]  # compute_kpis, unchanged
    months: MonthSeries
    # Every code with its count (zero included), largest first / in code order.
    declines_by_reason: tuple[tuple[DeclineReason, int], ...]
    declines_by_who: tuple[tuple[DeclinedBy, int], ...]

    def figure(self, key: str) -> FigureValue:
        for f in self.figures:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def tiles(self) -> tuple[FigureValue, ...]:
        return tuple(self.figure(k) for k in TILE_ORDER)


def _value(d: FigureDefinition, kpis: dict[str, float | int]) -> FigureValue:
    return FigureValue(
        key=d.key,
        title=d.title,
        definition=d.definition,
        kind=d.kind,
        value=kpis[d.key],
        numerator=int(kpis[d.numerator]) if d.numerator else None,
        denominator=int(kpis[d.denominator]) if d.denominator else None,
    )


def _month_starts(date_from: date, date_to: date) -> list[date]:
    months = []
    day = date_from.replace(day=1)
    while day <= date_to:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _monthly(ds: Dataset, date_from: date, date_to: date) -> MonthSeries:
    labels, episodes, completed, offer, completion, within = [], [], [], [], [], []
    for start in _month_starts(date_from, date_to):
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        f, t = max(start, date_from), min(end, date_to)
        labels.append(start.strftime("%b %Y"))
        episodes.append(figures.episodes_in_period(ds, f, t))
        rate = figures.completion_rate(ds, f, t)
        completed.append(rate.numerator)
        completion.append(rate.percent)
        offer.append(figures.offer_rate(ds, f, t).percent)
        within.append(figures.within_72h_rate(ds, f, t).percent)
    return MonthSeries(
        tuple(labels),
        tuple(episodes),
        tuple(completed),
        tuple(offer),
        tuple(completion),
        tuple(within),
    )


def figures_for(ds: Dataset, date_from: date, date_to: date, now: datetime) -> DashboardData:
    """The dashboard's data from a dataset already loaded (pure)."""
    if date_to < date_from:
        raise ValueError("the period ends before it starts")
    kpis = figures.compute_kpis(ds, date_from, date_to, now)
    ordered = list(TILE_ORDER) + [k for k in FIGURE_DEFINITIONS if k not in TILE_ORDER]
    by_reason = sorted(
        ((r, int(kpis[f"declined_reason_{r.value}"])) for r in DeclineReason),
        key=lambda item: -item[1],
    )
    by_who = tuple((w, int(kpis[f"declined_by_{w.value}"])) for w in DeclinedBy)
    return DashboardData(
        date_from=date_from,
        date_to=date_to,
        now=now,
        figures=tuple(_value(FIGURE_DEFINITIONS[k], kpis) for k in ordered),
        kpis=kpis,
        months=_monthly(ds, date_from, date_to),
        declines_by_reason=tuple(by_reason),
        declines_by_who=by_who,
    )


def dashboard_figures(
    session: Session, date_from: date, date_to: date, now: datetime
) -> DashboardData:
    """The figures of the worker's caseload (everything in the profile) for the period."""
    return figures_for(load_dataset(session), date_from, date_to, now)


CSV_COLUMNS = (
    "period_from",
    "period_to",
    "figure",
    "title",
    "value",
    "unit",
    "numerator",
    "denominator",
    "definition",
)


def to_csv(data: DashboardData) -> str:
    """One row per figure, then the decline breakdowns: figures only, never a child's name.

    Values are plain numbers (a percent without its sign) so a spreadsheet can chart them; the
    period is on every row so exports of several periods can be pasted together.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    period = [data.date_from.isoformat(), data.date_to.isoformat()]
    for f in data.figures:
        numbers = ["" if n is None else n for n in (f.numerator, f.denominator)]
        writer.writerow([*period, f.key, f.title, f.value, f.kind, *numbers, f.definition])
    for who in DeclinedBy:
        key = f"declined_by_{who.value}"
        title = f"Declined by: {who.label}"
        writer.writerow([*period, key, title, data.kpis[key], "count", "", "", _BY_WHO])
    for reason in DeclineReason:
        key = f"declined_reason_{reason.value}"
        title = f"Declined: {reason.label}"
        writer.writerow([*period, key, title, data.kpis[key], "count", "", "", _BY_REASON])
    return out.getvalue()


_BY_WHO = "RHIs declined (see rhis_declined), by who made the decline that stood."
_BY_REASON = "RHIs declined (see rhis_declined), by the reason of the decline that stood."
