"""The figures' names, titles and definitions: the one source for the dashboard's tooltips, the
CSV export and the table in docs/figures.md.

`python -m rhi_core.reports.definitions --write docs/figures.md` rewrites the generated table
in the docs (between the ``figures:begin`` / ``figures:end`` markers); a test checks it is current.
The rules themselves are implemented in figures.py; change both together.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["percent", "count", "decimal"]


@dataclass(frozen=True, slots=True)
class FigureDefinition:
    key: str  # the name in compute_kpis, the CSV and the central JSON
    title: str
    definition: str  # one or two plain sentences: shown on hover and read by screen readers
    kind: Kind
    numerator: str | None = None  # compute_kpis keys of the counts behind a rate
    denominator: str | None = None


def _d(
    key: str,
    title: str,
    definition: str,
    kind: Kind = "percent",
    numerator: str | None = None,
    denominator: str | None = None,
) -> tuple[str, FigureDefinition]:
    return key, FigureDefinition(key, title, definition, kind, numerator, denominator)


FIGURE_DEFINITIONS: dict[str, FigureDefinition] = dict(
    [
        _d(
            "offer_rate",
            "RHI offered",
            "Episodes that ended in the period with a return interview offered, out of all "
            "episodes that ended in the period. Offered means an attempt reached the child or "
            "carer (they accepted or declined), or the interview was held or started; a "
            "'no contact' attempt such as a letter nobody answered is not an offer.",
            numerator="episodes_offered",
            denominator="episodes_ended",
        ),
        _d(
            "completion_rate",
            "RHI completed",
            "Offered interviews due in the period (latest covered return in the period) that "
            "were completed, out of those offered. A record completed on the declined path "
            "(no session held) is a decline, not a completed interview.",
            numerator="rhis_completed",
            denominator="rhis_offered",
        ),
        _d(
            "within_72h_rate",
            "Held within 72 hours",
            "Completed interviews whose first session started no later than 72 hours after the "
            "latest return they cover, out of all completed interviews due in the period.",
            numerator="rhis_within_72h",
            denominator="rhis_completed",
        ),
        _d(
            "rhis_declined",
            "RHIs declined",
            "Interviews due in the period on the declined path: nothing was held and the latest "
            "attempt is a decline. Accepted then declined counts; declined then accepted does "
            "not. Who declined and why come from that latest decline.",
            kind="count",
        ),
        _d(
            "children_missing",
            "Children missing",
            "Distinct children with a missing or away episode overlapping the period.",
            kind="count",
        ),
        _d(
            "episodes",
            "Episodes",
            "Missing and away episodes overlapping the period, including ones still open. An "
            "episode over a period boundary counts in both periods.",
            kind="count",
        ),
        _d(
            "episodes_per_child",
            "Episodes per child",
            "Episodes overlapping the period divided by the children missing in it.",
            kind="decimal",
        ),
        _d(
            "in_care_share",
            "In care",
            "Missing children who are looked after, out of all missing children in the period "
            "(the child's current flag).",
            numerator="children_in_care",
            denominator="children_missing",
        ),
        _d(
            "out_of_area_share",
            "Out of area",
            "Missing children placed out of the area, out of all missing children in the period.",
            numerator="children_out_of_area",
            denominator="children_missing",
        ),
        _d(
            "uasc_share",
            "UASC",
            "Missing children who are unaccompanied asylum-seeking children, out of all missing "
            "children in the period.",
            numerator="children_uasc",
            denominator="children_missing",
        ),
        _d(
            "top_n_share",
            "Top 20 children's share",
            "Episodes of the 20 children with the most episodes overlapping the period, out of "
            "all episodes overlapping it.",
            numerator="top_n_episodes",
            denominator="episodes",
        ),
        _d(
            "children_3plus_in_30_days",
            "3+ episodes in 30 days",
            "Children with three or more episodes (overlapping the period) starting within 30 "
            "days of each other.",
            kind="count",
        ),
        _d(
            "open_past_72h",
            "Missing 72 hours or longer",
            "Episodes open now that have lasted 72 hours or longer: each is flagged on the daily "
            "missing report for the Missing Lead.",
            kind="count",
        ),
        _d(
            "open_past_5_days",
            "Missing beyond 5 days",
            "Episodes open now that have lasted more than five days: each needs an update report "
            "to the Head of Service and Director.",
            kind="count",
        ),
        _d(
            "cse_share",
            "CSE concerns",
            "Missing children with a child sexual exploitation flag on an interview covering one "
            "of their episodes in the period, out of all missing children.",
            numerator="children_cse",
            denominator="children_missing",
        ),
        _d(
            "cce_share",
            "CCE concerns",
            "Missing children with a child criminal exploitation flag (county lines included) on "
            "an interview covering one of their episodes in the period, out of all missing "
            "children.",
            numerator="children_cce",
            denominator="children_missing",
        ),
        _d(
            "mace_share",
            "Referred to MACE",
            "Missing children with a MACE referral from an interview covering one of their "
            "episodes in the period, out of all missing children.",
            numerator="children_mace",
            denominator="children_missing",
        ),
    ]
)

# Keys compute_kpis adds as breakdowns of rhis_declined (one per code, zero included).
BREAKDOWN_PREFIXES = ("declined_by_", "declined_reason_")

BEGIN = "<!-- figures:begin (generated by python -m rhi_core.reports.definitions) -->"
END = "<!-- figures:end -->"


def definitions_markdown() -> str:
    """The generated table of every figure, as it appears in docs/figures.md."""
    lines = [
        "| key | title | unit | counts | definition |",
        "|---|---|---|---|---|",
    ]
    for d in FIGURE_DEFINITIONS.values():
        counts = f"`{d.numerator}` / `{d.denominator}`" if d.numerator else ""
        lines.append(f"| `{d.key}` | {d.title} | {d.kind} | {counts} | {d.definition} |")
    return "\n".join(lines)


def with_table(document: str) -> str:
    """The document with its generated block replaced by the current table."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(document):
        raise ValueError("the document has no figures:begin / figures:end markers")
    block = f"{BEGIN}\n{definitions_markdown()}\n{END}"
    return pattern.sub(lambda _: block, document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="rewrite the table in this markdown file")
    args = parser.parse_args(argv)
    if args.write is None:
        print(definitions_markdown())
        return 0
    args.write.write_text(with_table(args.write.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
