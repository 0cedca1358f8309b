"""`rhi-central demo seed`: fill central with the desktop's synthetic demo data.

Children are assigned to the worker who held their latest interview, so an enrolled demo
laptop pulls a believable caseload. Seeding twice adds nothing new (ids are deterministic).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from rhi_central import audit, ops
from rhi_central.models import AssignmentChange, Child, Episode, Form, Interview
from rhi_central.timeutil import utcnow
from rhi_core.canonical import content_sha256
from rhi_core.demo.synthetic import generate, worker_names
from rhi_core.reports.records import ChildRecord, Dataset, EpisodeRecord, InterviewRecord

DEMO_FORM_ID = "rhi-v1"  # the bundled questionnaire, at the version this release ships
_CHUNK = 500


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _existing(session: Session, column: Any, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(session.execute(select(column).where(column.in_(chunk))).scalars())
    return found


def _child_row(c: ChildRecord, worker: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "local_id": c.local_id,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "dob": c.dob,
        "sex": c.sex.value,
        "ethnicity": c.ethnicity,
        "looked_after": c.looked_after,
        "uasc": c.uasc,
        "out_of_area": c.out_of_area,
        "placement_type": c.placement_type,
        "placing_authority": c.placing_authority,
        "social_worker": c.social_worker,
        "preferred_language": c.preferred_language,
        "interpreter_needed": c.interpreter_needed,
        "assigned_worker": worker,
    }


def _episode_row(e: EpisodeRecord) -> dict[str, Any]:
    return {
        "id": e.id,
        "child_id": e.child_id,
        "category": e.category.value,
        "started_at": e.started_at,
        "returned_at": e.returned_at,
        "where_found": e.where_found,
        "found_by": e.found_by,
        "police_reference": e.police_reference,
        "risk_grade": e.risk_grade.value,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _interview_row(ds: Dataset, i: InterviewRecord, form: tuple[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "form_id": form[0],
        "form_version": form[1],
        "child_id": i.child_id,
        "episode_ids": list(i.episode_ids),
        "worker": i.worker,
        "created_at": _iso(i.created_at),
        "held_at": _iso(i.held_at),
        "completed_at": _iso(i.completed_at),
        "late_reason": i.late_reason.value if i.late_reason else None,
        "answers": {},
        "offers": [
            {
                "id": o.id,
                "at": o.at.isoformat(),
                "method": o.method.value,
                "outcome": o.outcome.value,
                "by_whom": o.by_whom,
                "declined_by": o.declined_by.value if o.declined_by else None,
                "decline_reason": o.decline_reason.value if o.decline_reason else None,
                "decline_note": o.decline_note,
            }
            for o in ds.offers_for(i.id)
        ],
        "referrals": [{"id": f"{i.id}-{k.value}", "kind": k.value} for k in i.referrals],
        "risk_flags": list(i.risk_flags),
    }
    return {
        "interview_id": i.id,
        "revision": i.revision,
        "device_id": None,
        "worker": i.worker,
        "child_id": i.child_id,
        "form_id": form[0],
        "form_version": form[1],
        "state": i.state.value if i.state else "not_started",
        "completed_at": i.completed_at,
        "content_sha256": content_sha256(payload),
        "payload": payload,
        "received_at": utcnow(),
    }


def _publish_builtin_form(session: Session, actor: str) -> tuple[str, str]:
    """Publish the desktop's bundled questionnaire so demo laptops can push against it."""
    from rhi_core.forms import builtin_path

    with open(builtin_path(DEMO_FORM_ID), encoding="utf-8") as fh:
        text = fh.read()
    form_id, version = ops.forms_mod.read_identity(text)
    if session.get(Form, (form_id, version)) is None:
        ops.publish_form(session, text, actor)
    return form_id, version


def seed_demo(
    session: Session, *, seed: int, n_children: int, now: datetime | None, actor: str
) -> dict[str, int]:
    """Load the synthetic dataset; returns how many rows of each kind were added."""
    ds = generate(seed=seed, n_children=n_children, now=now)
    form = _publish_builtin_form(session, actor)
    round_robin = itertools.cycle(worker_names())
    ids = [c.id for c in ds.children]
    new_children = set(ids) - _existing(session, Child.id, ids)
    child_rows, changes = [], []
    at = utcnow()
    for child in ds.children:
        if child.id not in new_children:
            continue
        held = [i for i in ds.interviews_of(child.id) if i.worker]
        worker = max(held, key=lambda i: i.created_at).worker if held else next(round_robin)
        child_rows.append(_child_row(child, worker))
        changes.append({"worker": worker, "child_id": child.id, "kind": "upsert", "at": at})
    episodes = [e for e in ds.episodes if e.child_id in new_children]
    interviews = [i for i in ds.interviews if i.child_id in new_children]
    ops.lock_sequence(session, "assignment_changes")
    if child_rows:
        session.execute(insert(Child), child_rows)
        session.execute(insert(Episode), [_episode_row(e) for e in episodes])
        session.execute(insert(AssignmentChange), changes)
    if interviews:
        session.execute(insert(Interview), [_interview_row(ds, i, form) for i in interviews])
    added = {"children": len(child_rows), "episodes": len(episodes), "interviews": len(interviews)}
    audit.record(session, actor=actor, action="demo.seed", detail={"seed": seed, **added})
    return added


# Demo staff: one of each role, and an account for every demo worker (so a demo laptop enrolled
# under a worker's name receives that worker's children). E-mail addresses use the reserved
# .example domain; they never reach anyone.
DEMO_STAFF: tuple[tuple[str, str, str], ...] = (
    ("lead@demoford.example", "Morgan Ellis", "missing-lead"),
    ("manager@demoford.example", "Helen Carter", "manager"),
    ("performance@demoford.example", "Ravi Patel", "performance"),
    ("admin@demoford.example", "Sam Whitaker", "admin"),
)


def demo_staff() -> list[tuple[str, str, str]]:
    workers = [
        (f"{name.lower().replace(' ', '.')}@demoford.example", name, "social-worker")
        for name in worker_names()
    ]
    return [*DEMO_STAFF, *workers]


def seed_staff(session: Session, *, password: str, actor: str) -> int:
    """Add the demo staff accounts that do not exist yet, all with ``password``."""
    from rhi_central.models import StaffUser
    from rhi_central.staff.service import add_user

    existing = set(session.scalars(select(StaffUser.email)))
    added = 0
    for email, name, role in demo_staff():
        if email not in existing:
            add_user(
                session, email=email, name=name, role=role, password=password, actor=actor,
                now=utcnow(),
            )  # fmt: skip
            added += 1
    return added
