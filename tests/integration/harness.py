"""Helpers shared by the sync tests (imported as ``integration.harness``): a laptop profile with
completed interviews made through the real services, and a central store served over loopback.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from rhi_central import ops
from rhi_central.app import create_app
from rhi_central.context import Central
from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    OfferMethod,
    OfferOutcome,
    SignatureRole,
)
from rhi_core.forms.bundled import builtin_path
from rhi_desktop.services import answers, completion, interview_flow, offers, sessions, signatures
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.demo_answers import demo_answers
from rhi_desktop.services.forms_registry import current_form
from rhi_desktop.services.offers import OfferInput
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.sessions import SessionInput
from rhi_desktop.services.signatures import SignatureInput
from rhi_desktop.store.models import ReturnInterview

COUNCIL = "Test Borough Council"
WORKER = "Jane Smith"
STROKES = [
    [[10.0, 40.0, 0.0], [30.0, 20.0, 16.0], [60.0, 45.0, 32.0], [90.0, 25.0, 48.0]],
    [[100.0, 40.0, 300.0], [140.0, 42.0, 316.0]],
]


def _signature_png() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGBA", (40, 16), (255, 255, 255, 0))
    for x in range(40):
        image.putpixel((x, 8), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


SIGNATURE_PNG = _signature_png()


def builtin_form_text() -> str:
    return Path(builtin_path("rhi-v1")).read_text(encoding="utf-8")


@dataclass
class CentralStore:
    """A central store (app + state) for one test; ``url`` once served."""

    central: Central
    url: str = ""

    def enrol_code(self, worker: str = WORKER) -> str:
        with self.central.db.transaction() as s:
            code, _ = ops.create_enrol_code(s, worker, "test")
        return code

    def publish(self, text: str) -> None:
        with self.central.db.transaction() as s:
            ops.publish_form(s, text, "test")

    def review(self, interview_id: str, outcome: str, comment: str | None = None) -> None:
        from rhi_core.protocol import ReviewOutcome

        with self.central.db.transaction() as s:
            ops.review_interview(
                s, interview_id, ReviewOutcome(outcome), comment, "admin:test", "Team Manager"
            )

    def revoke(self, device_id: str) -> None:
        with self.central.db.transaction() as s:
            ops.revoke_device(s, device_id, "admin:test")

    def interview_rows(self) -> list[tuple[str, int, str]]:
        from rhi_central.models import Interview

        with self.central.db.transaction() as s:
            return [
                (r.interview_id, r.revision, r.content_sha256)
                for r in s.scalars(select(Interview).order_by(Interview.interview_id))
            ]

    def conflict_count(self) -> int:
        from rhi_central.models import InterviewConflict

        with self.central.db.transaction() as s:
            return len(list(s.scalars(select(InterviewConflict))))


@contextmanager
def central_app(
    database_url: str, data_dir: Path, retention_days: int = 30, *, publish_builtin: bool = True
) -> Iterator[tuple[object, CentralStore]]:
    """``publish_builtin=False``: a central that does not hold the questionnaire the laptop
    ships (central publishes the shipped forms at start, so they are taken away again here: as
    an older central, or one whose administrator withdrew them, would be)."""
    app = create_app(
        database_url, data_dir=data_dir, council_name=COUNCIL, retention_days=retention_days
    )
    try:
        store = CentralStore(app.state.central)
        if publish_builtin:
            store.publish(builtin_form_text())
        else:
            from sqlalchemy import delete

            from rhi_central.models import Form

            with store.central.db.transaction() as s:
                s.execute(delete(Form))
            store.central.forms.clear()
        yield app, store
    finally:
        app.state.central.db.dispose()


@contextmanager
def served_central(
    database_url: str, data_dir: Path, retention_days: int = 30, *, publish_builtin: bool = True
) -> Iterator[CentralStore]:
    """A central store served by uvicorn on a loopback port (``store.url``)."""
    from central.kit import LiveServer

    with (
        central_app(database_url, data_dir, retention_days, publish_builtin=publish_builtin) as (
            app,
            store,
        ),
        LiveServer(
            app  # type: ignore[arg-type]
        ) as live,
    ):
        store.url = live.url
        yield store


def new_child(profile: Profile, n: int, returned: datetime, actor: str = WORKER) -> str:
    """A child with one return, recorded on the laptop; returns the child id."""
    with profile.transaction() as s:
        child = add_child(
            s,
            NewChild(
                local_id=f"C{n:05d}", first_name="Test", last_name=f"Child{n}", dob=date(2010, 5, 1)
            ),
            actor=actor,
            today=returned.date(),
        )
        record_episode(
            s,
            NewEpisode(child.id, EpisodeCategory.MISSING, returned - timedelta(hours=20), returned),
            actor=actor,
            now=returned,
        )
        return child.id


def completed_interview(
    profile: Profile, n: int, now: datetime, *, declined: bool = False, seed: int = 1
) -> str:
    """A child, their return and a completed RHI on the laptop's current questionnaire."""
    returned = now - timedelta(days=2)
    child_id = new_child(profile, n, returned)
    with profile.transaction() as s:
        form = current_form(s)
        iid = s.scalars(
            select(ReturnInterview.id).where(ReturnInterview.child_id == child_id)
        ).one()
        if declined:
            offers.record_offer(
                s,
                iid,
                OfferInput(
                    returned + timedelta(hours=4),
                    OfferMethod.IN_PERSON,
                    OfferOutcome.DECLINED,
                    declined_by=DeclinedBy.PARENT_CARER,
                    decline_reason=DeclineReason.FAMILY_REFUSED,
                ),
                actor=WORKER,
                now=now,
            )
        else:
            offers.record_offer(
                s,
                iid,
                OfferInput(returned + timedelta(hours=2), OfferMethod.PHONE, OfferOutcome.ACCEPTED),
                actor=WORKER,
                now=now,
            )
            interview_flow.start_or_resume(s, child_id, form, actor=WORKER, now=now)
            sessions.record_session(
                s,
                iid,
                SessionInput(returned + timedelta(hours=3), 45, "Youth centre", (), True, True),
                actor=WORKER,
                now=now,
            )
            values = demo_answers(form, random.Random(seed + n), complete=True)
            answers.save_answers(s, iid, 1, values, now)
        signatures.sign(
            s,
            iid,
            SignatureInput(SignatureRole.WORKER, WORKER, STROKES, SIGNATURE_PNG),
            actor=WORKER,
            now=now,
        )
        completion.complete(s, iid, actor=WORKER, now=now)
    return iid
