"""Write a synthetic dataset into a demo profile (passphrase "demo", DEMO on every screen)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from rhi_desktop.demo.synthetic import generate
from rhi_desktop.reports.records import Dataset
from rhi_desktop.security import audit
from rhi_desktop.security.keys import KdfParams
from rhi_desktop.store.models import (
    Answer,
    Child,
    MissingEpisode,
    OfferAttempt,
    ReturnInterview,
    interview_episode,
)

from .demo_answers import demo_answers
from .forms_registry import current_form
from .profiles import Profile, create_profile

DEMO_PASSPHRASE = "demo"
DEMO_WORKER = "Sam Okafor (demo)"
# Demo data is synthetic, so its key needs less work to derive: the demo opens quickly.
DEMO_KDF = KdfParams(time_cost=1, memory_cost_kib=16 * 1024, parallelism=1)


def create_demo_profile(
    root: Path,
    *,
    seed: int = 2021,
    n_children: int = 425,
    now: datetime | None = None,
) -> Profile:
    profile = create_profile(
        Path(root),
        worker_name=DEMO_WORKER,
        passphrase=DEMO_PASSPHRASE,
        demo=True,
        kdf=DEMO_KDF,
    )
    # Anchored to the real clock so the caseload's countdowns are live when the demo opens.
    dataset = generate(seed=seed, n_children=n_children, now=now or datetime.now(UTC))
    with profile.transaction() as s:
        write_dataset(s, dataset, answers_seed=seed)
        audit.record(
            s,
            actor=DEMO_WORKER,
            action="demo.seed",
            detail={"seed": seed, "children": len(dataset.children)},
        )
    return profile


def write_dataset(session: Session, data: Dataset, answers_seed: int | None = None) -> None:
    """Bulk inserts: a 10,000-interview benchmark profile is written in seconds."""
    form = current_form()
    if data.children:
        session.execute(
            insert(Child),
            [
                {
                    "id": c.id,
                    "local_id": c.local_id,
                    "first_name": c.first_name,
                    "last_name": c.last_name,
                    "dob": c.dob,
                    "sex": str(c.sex),
                    "ethnicity": c.ethnicity,
                    "looked_after": c.looked_after,
                    "uasc": c.uasc,
                    "out_of_area": c.out_of_area,
                    "placement_type": c.placement_type,
                    "placing_authority": c.placing_authority,
                    "social_worker": c.social_worker,
                    "preferred_language": c.preferred_language,
                    "interpreter_needed": c.interpreter_needed,
                }
                for c in data.children
            ],
        )
    if data.episodes:
        session.execute(
            insert(MissingEpisode),
            [
                {
                    "id": e.id,
                    "child_id": e.child_id,
                    "category": str(e.category),
                    "started_at": e.started_at,
                    "returned_at": e.returned_at,
                    "where_found": e.where_found,
                    "found_by": e.found_by,
                    "police_reference": e.police_reference,
                    "risk_grade": str(e.risk_grade),
                }
                for e in data.episodes
            ],
        )
    if data.interviews:
        session.execute(
            insert(ReturnInterview),
            [
                {
                    "id": i.id,
                    "child_id": i.child_id,
                    "form_id": form.id if i.state else None,
                    "form_version": form.version if i.state else None,
                    "state": str(i.state) if i.state else None,
                    "revision": i.revision,
                    "worker": i.worker,
                    "created_at": i.created_at,
                    "held_at": i.held_at,
                    "completed_at": i.completed_at,
                    "late_reason": str(i.late_reason) if i.late_reason else None,
                    "risk_flags": list(i.risk_flags),
                }
                for i in data.interviews
            ],
        )
        links = [
            {"interview_id": i.id, "episode_id": eid}
            for i in data.interviews
            for eid in i.episode_ids
        ]
        if links:
            session.execute(insert(interview_episode), links)
        if answers_seed is not None:
            rng = random.Random(answers_seed)
            rows = [
                {
                    "interview_id": i.id,
                    "revision": i.revision,
                    "question": name,
                    "repeat_path": "",
                    "value": value,
                }
                for i in data.interviews
                if i.state is not None
                for name, value in demo_answers(form, rng, i.state != "draft").items()
            ]
            if rows:
                session.execute(insert(Answer), rows)
    if data.offers:
        session.execute(
            insert(OfferAttempt),
            [
                {
                    "id": o.id,
                    "interview_id": o.interview_id,
                    "at": o.at,
                    "method": str(o.method),
                    "outcome": str(o.outcome),
                    "by_whom": o.by_whom,
                    "declined_by": str(o.declined_by) if o.declined_by else None,
                    "decline_reason": str(o.decline_reason) if o.decline_reason else None,
                    "decline_note": o.decline_note,
                }
                for o in data.offers
            ],
        )
