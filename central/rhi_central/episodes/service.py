"""Episodes in, for the CLI, the console and the integration endpoint: read, plan, apply."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.allocation.service import notify_changed
from rhi_central.episodes import plan as planner
from rhi_central.episodes.csvfile import FileProblem, RawRow, read_csv
from rhi_central.episodes.fields import FIELDS, UK_ZONE, Readers
from rhi_central.episodes.mapping import MappingProblem, parse_mapping
from rhi_central.models import Child, Episode
from rhi_core.domain.episodes import EpisodeSpan, validate_episode


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import found: a problem with the whole file, or a plan (applied or not)."""

    file_problem: str | None
    plan: planner.Plan | None
    applied: bool

    @property
    def refused(self) -> bool:
        return self.file_problem is not None or (self.plan is not None and not self.plan.ok)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_csv(
    session: Session,
    data: bytes,
    mapping_text: str,
    *,
    file_name: str,
    actor: str,
    now: datetime,
    dry_run: bool,
) -> ImportResult:
    """Check a CSV file against central and, unless ``dry_run``, apply it whole."""
    source = {"source": "csv", "file": file_name[:200], "sha256": sha256(data)}
    try:
        mapping = parse_mapping(mapping_text)
        rows = read_csv(data, mapping)
    except (MappingProblem, FileProblem) as exc:
        _audit_refusal(session, actor, source, dry_run, reason=str(exc))
        return ImportResult(str(exc), None, applied=False)
    return _run(
        session,
        rows,
        mapping.readers,
        actor=actor,
        now=now,
        dry_run=dry_run,
        source=source,
        reason=f"Imported from {file_name[:200]}",
    )


def import_items(
    session: Session,
    items: Sequence[dict[str, Any]],
    *,
    actor: str,
    now: datetime,
    source: str,
) -> ImportResult:
    """Episodes pushed as JSON objects with the import's field names (ISO 8601 dates)."""
    rows = []
    for number, item in enumerate(items, start=1):
        cells = {}
        for name, value in item.items():
            if name not in FIELDS:
                raise MappingProblem(
                    f"Item {number}: '{name}' is not a field; the fields are {', '.join(FIELDS)}."
                )
            cells[name] = _as_text(value)
        rows.append(RawRow(number, cells))
    return _run(
        session,
        rows,
        Readers(),
        actor=actor,
        now=now,
        dry_run=False,
        source={"source": "integration", "system": source, "items": len(rows)},
        reason=f"Sent by {source}",
    )


def record_from_form(
    session: Session, cells: dict[str, str], *, actor: str, now: datetime
) -> ImportResult:
    """One episode typed into the console (cells as text, dates in ISO 8601)."""
    return _run(
        session,
        [RawRow(1, cells)],
        Readers(),
        actor=actor,
        now=now,
        dry_run=False,
        source={"source": "console"},
        reason="Recorded in the console",
    )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _run(
    session: Session,
    rows: list[RawRow],
    readers: Readers,
    *,
    actor: str,
    now: datetime,
    dry_run: bool,
    source: dict[str, Any],
    reason: str,
) -> ImportResult:
    result = planner.plan(session, rows, readers, now=now)
    if not result.ok:
        _audit_refusal(
            session,
            actor,
            source,
            dry_run,
            reason="rows",
            problems=len(result.problems),
            rows=[p.row for p in result.problems[:200]],
        )
        return ImportResult(None, result, applied=False)
    if dry_run:
        audit.record(
            session,
            actor=actor,
            action="episodes.import_preview",
            detail={**source, **result.counts(), "children": result.child_ids},
        )
        return ImportResult(None, result, applied=False)
    planner.apply(session, result, actor=actor, now=now, source=source, reason=reason)
    return ImportResult(None, result, applied=True)


def _audit_refusal(
    session: Session, actor: str, source: dict[str, Any], dry_run: bool, **detail: Any
) -> None:
    audit.record(
        session,
        actor=actor,
        action="episodes.import_refused",
        detail={**source, "dry_run": dry_run, **detail},
    )


EDITABLE = (
    "category",
    "risk_grade",
    "police_reference",
    "started_at",
    "returned_at",
    "where_found",
    "notified_at",
)


def update_episode(
    session: Session,
    episode_id: str,
    changes: dict[str, Any],
    *,
    actor: str,
    now: datetime,
) -> list[tuple[str, str]]:
    """Change one episode (corrections, a return): the shared episode rules again, then the
    worker's laptop is told. Returns the problems (field, message); empty means saved."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        return [("episode", "There is no such episode.")]
    child = session.get(Child, episode.child_id)
    assert child is not None
    merged = {f: getattr(episode, f) for f in EDITABLE} | changes
    ref = merged.get("police_reference")
    if ref:
        clash = session.scalar(
            select(Episode.id).where(
                func.lower(Episode.police_reference) == ref.lower(), Episode.id != episode.id
            )
        )
        if clash:
            return [("police_reference", f"Police reference {ref} is on another episode.")]
    others = [
        EpisodeSpan(e.id, e.started_at.astimezone(UK_ZONE), e.returned_at)
        for e in session.scalars(select(Episode).where(Episode.child_id == child.id))
    ]
    problems = validate_episode(
        started_at=merged["started_at"].astimezone(UK_ZONE),
        returned_at=merged["returned_at"],
        dob=child.dob,
        others=others,
        now=now,
        episode_id=episode.id,
        notified_at=merged["notified_at"],
    )
    if problems:
        return [(p.field, p.message) for p in problems]
    changed = sorted(f for f in EDITABLE if merged[f] != getattr(episode, f))
    if not changed:
        return []
    for name in changed:
        setattr(episode, name, merged[name])
    notify_changed(session, [(child.id, child.assigned_worker)], now=now)
    audit.record(
        session,
        actor=actor,
        action="episode.update",
        entity="episode",
        entity_id=episode.id,
        detail={"child": child.id, "fields": changed},
    )
    return []
