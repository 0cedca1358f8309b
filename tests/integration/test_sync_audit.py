"""The laptop's whole audit trail reaches central: every event (unlock, view, completion,
export, sync...) in order, verified by central as it grows; a resend after a lost answer is
counted as duplicates, never second rows; an event altered on the laptop stops the audit push
with one sentence while interviews still sync. Real SQLCipher profile, real HTTP on loopback;
central on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import PASSPHRASE
from integration.harness import WORKER, CentralStore, completed_interview, served_central
from pg import PostgresServer, postgresql_server  # noqa: F401  (session fixture)
from sqlalchemy import select, update

from rhi_central import ops
from rhi_central.models import AuditEvent as CentralAuditEvent
from rhi_central.models import DeviceAuditEvent
from rhi_desktop.security import audit
from rhi_desktop.services import record_open, sync_service
from rhi_desktop.services.forms_registry import current_form
from rhi_desktop.services.pdf_export import export_signed_pdf
from rhi_desktop.services.profiles import Profile, open_profile
from rhi_desktop.store.models import AuditEvent, ReturnInterview
from rhi_desktop.sync.errors import Unreachable

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    return server.new_database()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralStore]:
    with served_central(f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "data") as store:
        yield store


def _enrol(profile: Profile, store: CentralStore) -> str:
    done = sync_service.enrol(profile, store.url, store.enrol_code(WORKER), device_name="t")
    return done.device_id


def _laptop_events(profile: Profile) -> list[tuple[int, str, str, bool]]:
    with profile.sessions() as s:
        return [
            (e.seq, e.id, e.hash, e.synced)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]


def _central_events(store: CentralStore, device_id: str) -> list[DeviceAuditEvent]:
    with store.central.db.transaction() as s:
        rows = list(
            s.scalars(
                select(DeviceAuditEvent)
                .where(DeviceAuditEvent.device_id == device_id)
                .order_by(DeviceAuditEvent.row_id)
            )
        )
        s.expunge_all()
        return rows


def _push_calls(store: CentralStore) -> list[dict[str, Any]]:
    with store.central.db.transaction() as s:
        return [
            e.detail or {}
            for e in s.scalars(
                select(CentralAuditEvent)
                .where(CentralAuditEvent.action.startswith("device_audit.push"))
                .order_by(CentralAuditEvent.id)
            )
        ]


def _admin_verify(store: CentralStore, device_id: str) -> dict[str, Any]:
    with store.central.db.transaction() as s:
        token, _ = ops.create_admin_token(s, "Missing Lead", "test")
    r = httpx.get(
        f"{store.url}/admin/devices/{device_id}/audit/verify",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def _view(profile: Profile, iid: str) -> None:
    with profile.transaction() as s:
        child_id = s.get_one(ReturnInterview, iid).child_id
        record_open.open_for_child(s, child_id, current_form(s), actor=WORKER, now=NOW)


def test_the_whole_trail_reaches_central_in_order(
    profile: Profile, database_url: str, tmp_path: Path
) -> None:
    with served_central(database_url, tmp_path / "data") as store:
        device_id = _enrol(profile, store)
        root = profile.paths.root
        profile.close()
        laptop = open_profile(root, PASSPHRASE)  # an unlock, audited
        try:
            iid = completed_interview(laptop, 1, NOW)
            _view(laptop, iid)
            export_signed_pdf(laptop, iid, tmp_path / "rec.pdf", now=NOW)
            before = _laptop_events(laptop)
            actions = _actions(laptop)
            for wanted in ("profile.unlock", "interview.complete", "interview.view"):
                assert wanted in actions
            assert "interview.export" in actions

            summary = sync_service.sync_once(laptop)
            assert summary.accepted == 1 and summary.problems == []
            # Everything recorded before the audit push went: the sync's own push event too.
            after = _laptop_events(laptop)
            sent = [e for e in after if e[3]]
            assert summary.audit_events == len(sent) > len(before)
            assert [e[:3] for e in sent] == [e[:3] for e in after[: len(sent)]]
            held = _central_events(store, device_id)
            assert [(r.seq, r.id, r.hash) for r in held] == [e[:3] for e in sent]
            assert f"sent {summary.audit_events} audit events" in summary.lines()

            # The next pass sends what the last one recorded after its audit push.
            again = sync_service.sync_once(laptop)
            assert again.accepted == 0 and again.audit_events >= 1 and again.problems == []
            unsynced = [e for e in _laptop_events(laptop) if not e[3]]
            assert _actions(laptop)[-len(unsynced) :] == ["sync.run"]
            held = _central_events(store, device_id)
            assert [r.seq for r in held] == list(range(1, len(held) + 1))
            assert _admin_verify(store, device_id) == {
                "ok": True,
                "events": len(held),
                "first_problem": None,
            }
            # Ids and codes only: no child's name travels in the trail.
            text = repr([(r.entity, r.entity_id, r.detail) for r in held])
            assert "Child1" not in text and WORKER not in text
            assert {r.actor for r in held} == {WORKER}
        finally:
            laptop.close()


def _actions(profile: Profile) -> list[str]:
    with profile.sessions() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


class CutAudit(httpx.BaseTransport):
    """Forwards to central; while ``cut``, drops central's answer to the audit push."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.cut = True
        self.cuts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.cut and request.url.path.endswith("/audit/events"):
            response.read()  # central stored the events; the laptop never hears about it
            response.close()
            self.cuts += 1
            raise httpx.RemoteProtocolError("connection closed", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_a_resend_after_a_lost_answer_is_duplicates_not_second_rows(
    profile: Profile, central: CentralStore
) -> None:
    device_id = _enrol(profile, central)
    completed_interview(profile, 1, NOW)
    transport = CutAudit()
    try:
        with pytest.raises(Unreachable, match="cut"):
            sync_service.sync_once(profile, transport=transport)
        assert transport.cuts == 1
        held = _central_events(central, device_id)
        assert held and not any(e[3] for e in _laptop_events(profile))  # nothing marked
        assert central.interview_rows()  # the interviews went before the audit push

        transport.cut = False
        summary = sync_service.sync_once(profile, transport=transport)
        assert summary.problems == []
        last = _push_calls(central)[-1]
        assert (last["duplicates"], last["stored"]) == (len(held), 0)  # nothing new since
        assert summary.audit_events == last["duplicates"] + last["stored"]
        again = _central_events(central, device_id)
        assert [r.id for r in again[: len(held)]] == [r.id for r in held]
        assert len({r.id for r in again}) == len(again)
        assert all(e[3] for e in _laptop_events(profile) if e[0] <= again[-1].seq)
        assert _admin_verify(central, device_id)["ok"] is True
    finally:
        transport.close()


def test_an_altered_event_stops_the_audit_push_while_interviews_still_sync(
    profile: Profile, central: CentralStore
) -> None:
    device_id = _enrol(profile, central)
    completed_interview(profile, 1, NOW)
    assert sync_service.sync_once(profile).problems == []
    through = len(_central_events(central, device_id))

    second = completed_interview(profile, 2, NOW)
    with profile.transaction() as s:
        audit.record(s, actor=WORKER, action="interview.view", entity="interview", entity_id=second)
        bad = s.scalars(
            select(AuditEvent).where(AuditEvent.synced.is_not(True)).order_by(AuditEvent.seq)
        ).all()[3]
        bad_seq = bad.seq
        # Someone edits an event on the laptop behind the app's back.
        s.execute(
            update(AuditEvent).where(AuditEvent.seq == bad_seq).values(detail={"revision": 9})
        )

    summary = sync_service.sync_once(profile)
    assert summary.accepted == 1  # the interview still went
    assert second in {r[0] for r in central.interview_rows()}
    [problem] = summary.problems
    assert problem.startswith("The central store refused this laptop's audit trail")
    assert f"audit event #{bad_seq} was refused" in problem and "altered" in problem
    assert problem.endswith("administrator.") and problem.count(". ") == 0
    assert problem in summary.lines()
    # Central kept what verified before the altered event and nothing after it.
    held = _central_events(central, device_id)
    assert [r.seq for r in held] == list(range(1, bad_seq))
    assert len(held) > through
    assert _admin_verify(central, device_id)["ok"] is True
    # The laptop's chain is evidence: nothing there was "fixed", and it still shows the break.
    with profile.sessions() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        problems = audit.verify_chain(events)
        assert [p.seq for p in problems] == [bad_seq]
        assert not s.get_one(AuditEvent, bad_seq).synced

    # The next pass says so again (the trail is still refused), and still pulls and pushes.
    later = sync_service.sync_once(profile)
    assert len(later.problems) == 1 and f"#{bad_seq}" in later.problems[0]
    assert [r.seq for r in _central_events(central, device_id)] == list(range(1, bad_seq))
