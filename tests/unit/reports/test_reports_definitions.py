"""FIGURE_DEFINITIONS: one source for the dashboard, the CSV and docs/figures.md."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from unit.reports.test_reports_figures import scenario

from rhi_core.reports.definitions import (
    BREAKDOWN_PREFIXES,
    FIGURE_DEFINITIONS,
    definitions_markdown,
    main,
    with_table,
)
from rhi_core.reports.figures import compute_kpis

DOCS = Path(__file__).resolve().parents[3] / "docs" / "figures.md"


def _kpi_keys() -> set[str]:
    ds = scenario().build()
    return set(
        compute_kpis(ds, date(2025, 1, 1), date(2025, 12, 31), datetime(2026, 1, 5, tzinfo=UTC))
    )


def test_every_figure_and_count_has_a_definition_and_exists_in_compute_kpis() -> None:
    keys = _kpi_keys()
    named = set(FIGURE_DEFINITIONS)
    for d in FIGURE_DEFINITIONS.values():
        assert d.key in keys
        assert d.title and d.definition.endswith(".")
        if d.kind == "percent":
            assert d.numerator in keys and d.denominator in keys
            named |= {d.numerator, d.denominator}
    unexplained = {k for k in keys - named if not k.startswith(BREAKDOWN_PREFIXES)}
    # top_n and children_not_in_care are parameters / complements, documented in the prose.
    assert unexplained == {"top_n", "children_not_in_care"}


def test_docs_mention_every_figure_name() -> None:
    text = DOCS.read_text(encoding="utf-8")
    mentioned = set(re.findall(r"`([a-z0-9_]+)`", text))
    missing = {k for k in _kpi_keys() if not k.startswith(BREAKDOWN_PREFIXES)} - mentioned
    assert not missing, f"docs/figures.md does not mention {sorted(missing)}"
    assert "`declined_by_<who>`" in text and "`declined_reason_<code>`" in text


def test_docs_table_is_generated_from_the_definitions() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert definitions_markdown() in text
    assert with_table(text) == text


def test_the_writer_rewrites_a_stale_table(tmp_path: Path, capsys) -> None:
    target = tmp_path / "figures.md"
    stale = DOCS.read_text(encoding="utf-8").replace(definitions_markdown(), "| old table |")
    target.write_text(stale, encoding="utf-8")
    assert main(["--write", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == DOCS.read_text(encoding="utf-8")
    assert main([]) == 0
    assert "`offer_rate`" in capsys.readouterr().out


def test_docs_state_the_offer_definition_and_why() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert 'A "no contact" attempt alone is not an offer.' in text
    assert "disparity in coding" in text
    assert "Accepted then declined is declined" in text
