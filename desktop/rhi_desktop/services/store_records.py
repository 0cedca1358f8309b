"""The encrypted store read into the plain records the figures use (``reports.records``).

The reverse of ``demo_profile.write_dataset``. Six column queries on the driver connection, no
ORM objects and no per-value type processing: a profile with 18,000 interviews loads in a
fraction of a second (tested), so the dashboard can recompute its figures on every period change.

Mapping (the current revision of each interview):
- ``held_at`` is the start of the earliest session of the current revision (or an earlier one),
  falling back to the stored ``held_at`` (the sessions service keeps the two equal);
- ``episode_ids`` come from ``interview_episode``, oldest episode first;
- ``referrals`` are the current revision's referral kinds, each once, sorted;
- offers are every recorded attempt (an attempt recorded in an earlier revision still happened).
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rhi_core.canonical import calendar_day, code_map, code_of, utc_instant
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

__all__ = ["load_dataset"]


_CHILDREN_SQL = """
SELECT id, local_id, first_name, last_name, dob, sex, ethnicity, looked_after, uasc, out_of_area,
       placement_type, placing_authority, social_worker, preferred_language, interpreter_needed
FROM child
"""
_EPISODES_SQL = """
SELECT id, child_id, category, started_at, returned_at, where_found, found_by, police_reference,
       risk_grade
FROM missing_episode
"""
_INTERVIEWS_SQL = """
SELECT ri.id, ri.child_id, ri.state, ri.created_at, COALESCE(s.first_start, ri.held_at),
       ri.completed_at, ri.revision, ri.late_reason, ri.risk_flags, ri.worker
FROM return_interview ri
LEFT JOIN (
    SELECT x.interview_id, MIN(x.started_at) AS first_start
    FROM interview_session x JOIN return_interview r ON r.id = x.interview_id
    WHERE x.revision <= r.revision
    GROUP BY x.interview_id
) s ON s.interview_id = ri.id
"""
_LINKS_SQL = "SELECT interview_id, episode_id FROM interview_episode"
_REFERRALS_SQL = """
SELECT DISTINCT r.interview_id, r.kind
FROM referral r JOIN return_interview ri ON ri.id = r.interview_id AND r.revision = ri.revision
"""
_OFFERS_SQL = """
SELECT id, interview_id, at, method, outcome, by_whom, declined_by, decline_reason, decline_note
FROM offer_attempt
"""


_FIRST = (datetime.min.replace(tzinfo=UTC), "")


def load_dataset(session: Session) -> Dataset:
    """Everything in the profile as a Dataset (children, episodes, interviews, offers)."""
    # Some 100,000 small objects, none of them cyclic: pausing the cyclic garbage collector
    # while they are made saves it walking them over and over (about a third of the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(session)
    finally:
        if was_enabled:
            gc.enable()


def _flags(text: str | None) -> tuple[str, ...]:
    return () if not text or text == "[]" else tuple(json.loads(text))


def _load(session: Session) -> Dataset:
    # The DBAPI cursor directly: fetchall() in C, without a Row object per row.
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None

    def rows(sql: str) -> list[tuple]:
        cursor = dbapi.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetchall()
        finally:
            cursor.close()

    category_of, grade_of = code_map(EpisodeCategory), code_map(RiskGrade)
    method_of, outcome_of = code_map(OfferMethod), code_map(OfferOutcome)

    children = tuple(
        ChildRecord(
            id=cid,
            local_id=local_id,
            first_name=first,
            last_name=last,
            dob=calendar_day(dob),
            sex=Sex(sex),
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
    )  # fmt: skip
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
                category=category_of[category],
                started_at=started_at,
                returned_at=utc_instant(returned),
                where_found=where,
                found_by=found_by,
                police_reference=police,
                risk_grade=grade_of[grade],
            )
        )
    started = {e.id: (e.started_at, e.id) for e in episodes}
    links: defaultdict[str, list[str]] = defaultdict(list)
    for iid, eid in sorted(rows(_LINKS_SQL), key=lambda link: started.get(link[1], _FIRST)):
        links[iid].append(eid)  # oldest episode first
    referrals: defaultdict[str, list[ReferralKind]] = defaultdict(list)
    for iid, kind in rows(_REFERRALS_SQL):
        referrals[iid].append(ReferralKind(kind))
    interviews = []
    for iid, child_id, state, created, held, completed, revision, late, flags, worker in rows(
        _INTERVIEWS_SQL
    ):
        created_at = utc_instant(created)
        assert created_at is not None
        interviews.append(
            InterviewRecord(
                id=iid,
                child_id=child_id,
                episode_ids=tuple(links.get(iid, ())),
                state=code_of(InterviewState, state),
                created_at=created_at,
                held_at=utc_instant(held),
                completed_at=utc_instant(completed),
                revision=revision or 1,
                late_reason=code_of(LateReason, late),
                risk_flags=_flags(flags),
                referrals=tuple(sorted(referrals[iid])) if iid in referrals else (),
                worker=worker or "",
            )
        )
    offers = []
    for oid, iid, at, method, outcome, by_whom, declined_by, reason, note in rows(_OFFERS_SQL):
        at_ = utc_instant(at)
        assert at_ is not None
        offers.append(
            OfferRecord(
                id=oid,
                interview_id=iid,
                at=at_,
                method=method_of[method],
                outcome=outcome_of[outcome],
                by_whom=by_whom or "",
                declined_by=code_of(DeclinedBy, declined_by),
                decline_reason=code_of(DeclineReason, reason),
                decline_note=note,
            )
        )
    return Dataset(
        children=children,
        episodes=tuple(episodes),
        interviews=tuple(interviews),
        offers=tuple(offers),
    )
