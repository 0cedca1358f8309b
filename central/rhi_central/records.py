"""The central tables read into the plain records the figures use (``reports.records.Dataset``).

The central counterpart of the desktop's ``services.store_records.load_dataset``: the same
records, so ``reports.figures``, ``reports.daily``, ``reports.ssda903`` and ``reports.annex_a``
give the same answers on a laptop and on the server.

Three driver-level column queries whatever the size of the store (children, episodes, the latest revision
of each interview), no ORM objects and no query per interview. From an interview's payload only
the fields the figures need are fetched (``payload -> 'offers'`` and so on: the answers, which
are most of a payload, never leave the database).

Mapping (the latest revision central holds of each interview):
- ``state`` is the row's ``state`` (it follows the review: completed -> approved | has_issues);
  a state that is not an ``InterviewState`` (``not_started`` from ``demo seed``) is ``None``;
- ``held_at`` is the start of the earliest session in the payload, falling back to the payload's
  ``held_at`` (the desktop keeps the two equal);
- ``completed_at`` is the row's, falling back to the payload's;
- ``episode_ids``, ``late_reason``, ``risk_flags`` come from the payload; ``referrals`` are its
  referral kinds, each once, sorted;
- offers are the payload's attempts (a laptop sends every attempt with each revision).
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rhi_core.canonical import calendar_day, code_map, utc_instant
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
from rhi_core.reports.records import (
    ChildRecord,
    Dataset,
    EpisodeRecord,
    InterviewRecord,
    OfferRecord,
)

__all__ = ["load_dataset", "paused_gc"]


_STATES = code_map(InterviewState)
_SEXES = code_map(Sex)
_CATEGORIES = code_map(EpisodeCategory)
_GRADES = code_map(RiskGrade)
_METHODS = code_map(OfferMethod)
_OUTCOMES = code_map(OfferOutcome)
_DECLINED_BY = code_map(DeclinedBy)
_REASONS = code_map(DeclineReason)
_LATE = code_map(LateReason)
_REFERRALS = code_map(ReferralKind)

_CHILDREN_SQL = """
SELECT id, local_id, first_name, last_name, dob, sex, ethnicity, looked_after, uasc, out_of_area,
       placement_type, placing_authority, social_worker, preferred_language, interpreter_needed
FROM children
"""
_EPISODES_SQL = """
SELECT id, child_id, category, started_at, returned_at, where_found, found_by, police_reference,
       risk_grade
FROM episodes
"""
# The latest revision of each interview, and from its payload only what the figures read, as one
# JSON array per row: [episode_ids, offers, session starts, referral kinds, risk flags]. It comes
# back as text and is parsed for all rows in one call (see _with_extras).
_INTERVIEWS_SQL = {
    "postgresql": """
SELECT DISTINCT ON (interview_id)
       interview_id, revision, child_id, worker, state, completed_at, received_at,
       payload->>'created_at', payload->>'held_at', payload->>'completed_at',
       payload->>'late_reason',
       jsonb_build_array(
           payload->'episode_ids', payload->'offers',
           jsonb_path_query_array(payload, '$.sessions[*].started_at'),
           jsonb_path_query_array(payload, '$.referrals[*].kind'),
           payload->'risk_flags')::text
FROM interviews
ORDER BY interview_id, revision DESC
""",
    "sqlite": """
SELECT i.interview_id, i.revision, i.child_id, i.worker, i.state, i.completed_at, i.received_at,
       json_extract(i.payload, '$.created_at'), json_extract(i.payload, '$.held_at'),
       json_extract(i.payload, '$.completed_at'), json_extract(i.payload, '$.late_reason'),
       json_array(
           json_extract(i.payload, '$.episode_ids'), json_extract(i.payload, '$.offers'),
           (SELECT json_group_array(json_extract(s.value, '$.started_at'))
              FROM json_each(i.payload, '$.sessions') s),
           (SELECT json_group_array(json_extract(r.value, '$.kind'))
              FROM json_each(i.payload, '$.referrals') r),
           json_extract(i.payload, '$.risk_flags'))
FROM interviews i
JOIN (SELECT interview_id, MAX(revision) AS revision FROM interviews GROUP BY interview_id) latest
  ON latest.interview_id = i.interview_id AND latest.revision = i.revision
""",
}


def _with_extras(rows: list[Any]) -> list[Any]:
    """The rows with their last column (JSON text) parsed, all in one call of the C parser."""
    parsed = json.loads("[" + ",".join(row[-1] for row in rows) + "]")
    return [(*row[:-1], extras) for row, extras in zip(rows, parsed, strict=True)]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building hundreds of thousands of records.

    None of them forms a cycle, yet each allocation burst triggers full collections that walk
    the whole growing heap: at 100,000 interviews that made loading several times slower.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _offers(interview_id: str, items: Iterable[dict[str, Any]]) -> list[OfferRecord]:
    out = []
    for n, o in enumerate(items):
        at = utc_instant(o["at"])
        assert at is not None
        out.append(
            OfferRecord(
                id=str(o.get("id") or f"{interview_id}-offer-{n}"),
                interview_id=interview_id,
                at=at,
                method=_METHODS[o["method"]],
                outcome=_OUTCOMES[o["outcome"]],
                by_whom=o.get("by_whom") or "",
                declined_by=_DECLINED_BY[o["declined_by"]] if o.get("declined_by") else None,
                decline_reason=_REASONS[o["decline_reason"]] if o.get("decline_reason") else None,
                decline_note=o.get("decline_note"),
            )
        )
    return out


def load_dataset(session: Session, *, now: datetime) -> Dataset:
    """Everything central holds as a Dataset (children, episodes, latest interviews, offers).

    ``now`` is the instant the report is made for (aware). Central keeps no history of a child's
    flags or an episode's edits, so the records are read as they stand; the instant matters to
    the figures themselves (episodes open at ``now``, Annex A's twelve months before it).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with paused_gc():
        return _load(session)


def _load(session: Session) -> Dataset:
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect not in _INTERVIEWS_SQL:
        raise ValueError(f"reports need SQLite or PostgreSQL, not {dialect}")
    if dialect == "postgresql":
        conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")  # instants come back in UTC

    def rows(sql: str) -> list[Any]:
        # The DB-API cursor of this transaction's connection: plain tuples fetched in bulk, no
        # per-row or per-value processing by SQLAlchemy.
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    children = [
        ChildRecord(
            id=cid,
            local_id=local_id,
            first_name=first,
            last_name=last,
            dob=calendar_day(dob),
            sex=_SEXES[sex],
            ethnicity=ethnicity or "",
            looked_after=bool(lac),
            uasc=bool(uasc),
            out_of_area=bool(ooa),
            placement_type=placement,
            placing_authority=authority,
            social_worker=worker,
            preferred_language=language or "en",
            interpreter_needed=bool(interpreter),
        )
        for (
            cid, local_id, first, last, dob, sex, ethnicity, lac, uasc, ooa,
            placement, authority, worker, language, interpreter,
        ) in rows(_CHILDREN_SQL)
    ]  # fmt: skip
    episodes = []
    for eid, child_id, category, started, returned, where, found_by, police, grade in rows(
        _EPISODES_SQL
    ):
        started_at = utc_instant(started)
        assert started_at is not None
        episodes.append(
            EpisodeRecord(
                id=eid,
                child_id=child_id,
                category=_CATEGORIES[category],
                started_at=started_at,
                returned_at=utc_instant(returned),
                where_found=where,
                found_by=found_by,
                police_reference=police,
                risk_grade=_GRADES[grade],
            )
        )
    interviews: list[InterviewRecord] = []
    offers: list[OfferRecord] = []
    for (
        iid, revision, child_id, worker, state, completed_col, received,
        created, held, completed, late, extras,
    ) in _with_extras(rows(_INTERVIEWS_SQL[dialect])):  # fmt: skip
        episode_ids, offer_items, session_starts, kinds, flags = extras
        starts = [s for s in map(utc_instant, session_starts or ()) if s is not None]
        created_at = utc_instant(created) or utc_instant(received)
        assert created_at is not None
        interviews.append(
            InterviewRecord(
                id=iid,
                child_id=child_id,
                episode_ids=tuple(episode_ids or ()),
                state=_STATES.get(state),
                created_at=created_at,
                held_at=min(starts) if starts else utc_instant(held),
                completed_at=utc_instant(completed_col) or utc_instant(completed),
                revision=revision,
                late_reason=_LATE[late] if late else None,
                risk_flags=tuple(flags or ()),
                referrals=tuple(sorted({_REFERRALS[k] for k in kinds if k})) if kinds else (),
                worker=worker or "",
            )
        )
        if offer_items:
            offers.extend(_offers(iid, offer_items))
    return Dataset(children=children, episodes=episodes, interviews=interviews, offers=offers)
