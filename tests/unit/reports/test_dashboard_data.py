"""The dashboard's data (services.dashboard, pure parts): periods, tiles, series, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from unit.reports.test_reports_figures import NOW, scenario

from rhi_core.domain.codes import DeclinedBy, DeclineReason
from rhi_core.reports.definitions import FIGURE_DEFINITIONS
from rhi_desktop.services.dashboard import (
    CSV_COLUMNS,
    TILE_ORDER,
    Preset,
    figures_for,
    preset_period,
    to_csv,
)


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        (Preset.LAST_30_DAYS, date(2026, 3, 10), (date(2026, 2, 9), date(2026, 3, 10))),
        (Preset.LAST_3_MONTHS, date(2026, 3, 10), (date(2025, 12, 11), date(2026, 3, 10))),
        (Preset.LAST_3_MONTHS, date(2026, 5, 31), (date(2026, 3, 1), date(2026, 5, 31))),
        (Preset.LAST_12_MONTHS, date(2026, 3, 10), (date(2025, 3, 11), date(2026, 3, 10))),
        (Preset.LAST_12_MONTHS, date(2024, 2, 29), (date(2023, 3, 1), date(2024, 2, 29))),
        (Preset.FINANCIAL_YEAR, date(2026, 3, 10), (date(2025, 4, 1), date(2026, 3, 10))),
        (Preset.FINANCIAL_YEAR, date(2026, 4, 1), (date(2026, 4, 1), date(2026, 4, 1))),
        (Preset.FINANCIAL_YEAR, date(2026, 12, 31), (date(2026, 4, 1), date(2026, 12, 31))),
    ],
)
def test_preset_periods(preset: Preset, today: date, expected: tuple[date, date]) -> None:
    assert preset_period(preset, today) == expected


def test_figures_carry_titles_definitions_and_counts() -> None:
    data = figures_for(scenario().build(), date(2025, 1, 1), date(2025, 12, 31), NOW)
    assert [f.key for f in data.tiles] == list(TILE_ORDER)
    assert {f.key for f in data.figures} == set(FIGURE_DEFINITIONS)
    offer = data.figure("offer_rate")
    assert offer.definition == FIGURE_DEFINITIONS["offer_rate"].definition
    assert (offer.display, offer.detail) == ("80.0%", "4 of 5")
    assert data.figure("children_missing").display == "6"
    assert data.figure("children_missing").detail == ""
    assert data.figure("episodes_per_child").display == "1.17"
    assert data.declines_by_reason[0] == (DeclineReason.FAMILY_REFUSED, 1)
    assert len(data.declines_by_reason) == len(DeclineReason)
    assert dict(data.declines_by_who) == {DeclinedBy.CHILD: 0, DeclinedBy.PARENT_CARER: 1}
    with pytest.raises(KeyError):
        data.figure("nope")
    with pytest.raises(ValueError):
        figures_for(scenario().build(), date(2025, 2, 1), date(2025, 1, 1), NOW)


def test_monthly_series_use_the_same_definitions_per_month() -> None:
    data = figures_for(scenario().build(), date(2024, 12, 15), date(2025, 3, 31), NOW)
    months = data.months
    assert months.labels == ("Dec 2024", "Jan 2025", "Feb 2025", "Mar 2025")
    # December (from the 15th): A's spanning episode and its 2024 one; January: the spanning one.
    assert months.episodes == (2, 1, 0, 2)
    assert months.rhis_completed == (0, 1, 0, 1)
    assert months.offer_rate == (0.0, 100.0, 0.0, 100.0)
    assert months.completion_rate == (0.0, 100.0, 0.0, 100.0)
    assert months.within_72h_rate == (0.0, 100.0, 0.0, 0.0)


def test_csv_has_one_row_per_figure_and_no_names() -> None:
    ds = scenario().build()
    data = figures_for(ds, date(2025, 1, 1), date(2025, 12, 31), NOW)
    text = to_csv(data)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_key = {r["figure"]: r for r in rows}
    assert set(FIGURE_DEFINITIONS) <= set(by_key)
    assert by_key["offer_rate"]["value"] == "80.0"
    assert (by_key["offer_rate"]["numerator"], by_key["offer_rate"]["denominator"]) == ("4", "5")
    assert by_key["declined_reason_family_refused"]["value"] == "1"
    assert by_key["offer_rate"]["definition"] == FIGURE_DEFINITIONS["offer_rate"].definition
    assert {r["period_from"] for r in rows} == {"2025-01-01"}
    for child in ds.children:  # names are one letter here: check the full name and case number
        assert child.full_name not in text and child.local_id not in text
