"""The daily missing report for the console: the page, a CSV and a PDF marked
OFFICIAL-SENSITIVE. The rows are ``rhi_core.reports.daily.daily_missing`` (the same definition
as `rhi-central report daily-missing`), computed over just the children missing now. The PDF is
drawn by ``rhi_central.documents.daily_pdf`` (the optional ``rhi-central[pdf]`` extra)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_central.models import Child, Episode
from rhi_core.domain.codes import EpisodeCategory, RiskGrade, Sex
from rhi_core.reports.daily import MissingNow, daily_missing
from rhi_core.reports.records import ChildRecord, Dataset, EpisodeRecord

MARKING = "OFFICIAL-SENSITIVE"
CSV_COLUMNS = (
    "case_number",
    "name",
    "category",
    "risk_grade",
    "police_reference",
    "missing_since",
    "hours_missing",
    "past_72h",
    "past_5_days",
    "escalations",
)


def missing_rows(session: Session, now: datetime) -> list[MissingNow]:
    """The daily missing report's rows at ``now``."""
    found = session.execute(
        select(Episode, Child)
        .join(Child, Child.id == Episode.child_id)
        .where(Episode.returned_at.is_(None), Episode.started_at <= now)
    ).all()
    children: dict[str, ChildRecord] = {}
    episodes = []
    for e, c in found:
        children[c.id] = ChildRecord(
            id=c.id,
            local_id=c.local_id,
            first_name=c.first_name,
            last_name=c.last_name,
            dob=c.dob,
            sex=Sex(c.sex),
            ethnicity=c.ethnicity,
            looked_after=c.looked_after,
            uasc=c.uasc,
            out_of_area=c.out_of_area,
            placement_type=c.placement_type,
            placing_authority=c.placing_authority,
            social_worker=c.social_worker,
            preferred_language=c.preferred_language,
            interpreter_needed=c.interpreter_needed,
        )
        episodes.append(
            EpisodeRecord(
                id=e.id,
                child_id=e.child_id,
                category=EpisodeCategory(e.category),
                started_at=e.started_at,
                returned_at=e.returned_at,
                where_found=e.where_found,
                found_by=e.found_by,
                police_reference=e.police_reference,
                risk_grade=RiskGrade(e.risk_grade),
            )
        )
    return daily_missing(Dataset(children=list(children.values()), episodes=episodes), now)


def _safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[MissingNow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                _safe_cell(r.local_id),
                _safe_cell(r.name),
                r.category.value,
                r.risk_grade.value,
                _safe_cell(r.police_reference or ""),
                r.started_at.replace(microsecond=0).isoformat(),
                f"{r.hours_missing:.1f}",
                "yes" if r.past_72h else "no",
                "yes" if r.past_5_days else "no",
                "; ".join(r.escalations),
            ]
        )
    return buffer.getvalue()
