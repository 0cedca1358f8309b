"""The dashboard driven as a worker would: choose a period, hover a figure, export the CSV."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from conftest import NOW
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton
from ui_helpers import by_name

from rhi_core.reports.definitions import FIGURE_DEFINITIONS
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.store_records import load_dataset
from rhi_desktop.ui.dashboard import DashboardView


@pytest.fixture
def view(qtbot, demo_profile: Profile, tmp_path: Path) -> DashboardView:
    chosen = tmp_path / "figures.csv"
    v = DashboardView(demo_profile, clock=lambda: NOW, choose_path=lambda *_: str(chosen))
    v.chosen_path = chosen  # type: ignore[attr-defined]
    qtbot.addWidget(v)
    v.resize(1440, 860)
    with qtbot.waitSignal(v.loaded, timeout=10_000):
        v.show()  # the first show loads the default period
    return v


def _tile_values(v: DashboardView) -> dict[str, str]:
    return {key: tile.value.text() for key, tile in v.tiles.items()}


def test_opens_on_the_last_12_months_with_every_tile_filled(view: DashboardView) -> None:
    assert view.period.currentText() == "Last 12 months"
    assert view.current_period() == (date(2025, 3, 11), date(2026, 3, 10))
    assert view.data is not None
    assert view.data.kpis["children_missing"] == 60
    values = _tile_values(view)
    assert values["children_missing"] == "60"
    assert values["offer_rate"].endswith("%")
    offer = view.data.figure("offer_rate")
    assert view.tiles["offer_rate"].detail.text() == offer.detail
    assert not view.date_from.isEnabled()


def test_changing_the_period_changes_the_figures(qtbot, view: DashboardView) -> None:
    year = dict(view.data.kpis)  # type: ignore[union-attr]
    combo = by_name(view, QComboBox, "Period")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findText("Last 30 days"))
    assert view.current_period() == (date(2026, 2, 9), date(2026, 3, 10))
    month = view.data.kpis  # type: ignore[union-attr]
    assert month["episodes"] < year["episodes"]
    assert view.tiles["episodes"].value.text() == f"{month['episodes']:,}"
    # Custom dates: the date boxes become editable and drive the figures.
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findText("Custom dates"))
    assert view.date_from.isEnabled() and view.date_to.isEnabled()
    # Typed as a person types them, DD/MM/YYYY, then Tab.
    for name, typed in (("From date", "01/04/2025"), ("To date", "30042025")):
        edit = by_name(view, QLineEdit, name)
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClicks(edit, typed)
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert view.current_period() == (date(2025, 4, 1), date(2025, 4, 30))
    assert view.data.date_from == date(2025, 4, 1)  # type: ignore[union-attr]
    assert view.data.months.labels == ("Apr 2025",)  # type: ignore[union-attr]
    # The financial year runs from 1 April.
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findText("This financial year"))
    assert view.current_period() == (date(2025, 4, 1), date(2026, 3, 10))


def test_figures_match_the_store_through_the_reports(view: DashboardView, demo_profile) -> None:
    from rhi_core.reports.figures import compute_kpis

    with demo_profile.sessions() as s:
        expected = compute_kpis(load_dataset(s), *view.current_period(), NOW)
    assert view.data.kpis == expected  # type: ignore[union-attr]


def test_tooltips_and_accessible_descriptions_carry_the_definitions(view: DashboardView) -> None:
    for key, tile in view.tiles.items():
        definition = FIGURE_DEFINITIONS[key].definition
        assert definition in tile.toolTip()
        assert tile.accessibleDescription() == definition
        assert tile.accessibleName().startswith(FIGURE_DEFINITIONS[key].title)
    assert "no contact" in view.tiles["offer_rate"].toolTip()
    # The charts read out their numbers.
    assert "episodes" in view.monthly.accessibleDescription()
    assert "offered" in view.rates.accessibleDescription()
    assert view.declines.accessibleName() == "Declines by reason"


def test_export_csv_writes_the_figures_and_no_child_names(
    qtbot, view: DashboardView, demo_profile: Profile
) -> None:
    button = by_name(view, QPushButton, "Export the figures as CSV")
    assert button.isEnabled()
    with qtbot.waitSignal(view.exported, timeout=5_000) as blocker:
        button.click()
    path = Path(blocker.args[0])
    assert path == view.chosen_path  # type: ignore[attr-defined]
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    rows = {r["figure"]: r for r in csv.DictReader(text.splitlines())}
    for key in FIGURE_DEFINITIONS:
        assert key in rows
        assert rows[key]["title"] == FIGURE_DEFINITIONS[key].title
    assert float(rows["offer_rate"]["value"]) == view.data.kpis["offer_rate"]  # type: ignore[union-attr]
    assert rows["children_missing"]["value"] == "60"
    with demo_profile.sessions() as s:
        children = load_dataset(s).children
    for child in children:
        assert child.full_name not in text
        assert child.last_name not in text
        assert child.local_id not in text


def test_export_cancelled_writes_nothing(qtbot, demo_profile: Profile, tmp_path: Path) -> None:
    v = DashboardView(demo_profile, clock=lambda: NOW, choose_path=lambda *_: None)
    qtbot.addWidget(v)
    with qtbot.waitSignal(v.loaded, timeout=10_000):
        v.show()
    assert v.export_csv() is None
    assert list(tmp_path.glob("*.csv")) == []
    target = v.export_csv(tmp_path / "direct.csv")
    assert target is not None and target.exists()
