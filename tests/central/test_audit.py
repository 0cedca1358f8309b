"""The central audit trail: every access is recorded, the chain verifies, tampering shows."""

from __future__ import annotations

from central.kit import Kit, bearer
from sqlalchemy import delete, select, update

from rhi_central import audit
from rhi_central.models import AuditEvent


def _actions(kit: Kit) -> list[tuple[str, str]]:
    with kit.central.db.transaction() as s:
        return [
            (e.actor.split(":")[0], e.action)
            for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        ]


def test_every_access_is_audited_including_refusals_and_admin_actions(kit: Kit) -> None:
    kit.publish()
    laptop = kit.enrol()
    kit.http.get("/api/v1/assignments", headers=laptop.headers)
    kit.push(laptop, [kit.item(kit.payload())])
    kit.http.get("/api/v1/forms", headers=bearer("forged"))
    admin = kit.admin_token()
    kit.http.get("/admin/devices", headers=bearer(admin))
    actions = _actions(kit)
    for expected in [
        ("device", "device.enrol"),
        ("device", "assignments.pull"),
        ("device", "interviews.push"),
        ("anonymous", "forms.list.refused"),
        ("admin", "devices.list"),
        ("test", "form.publish"),
    ]:
        assert expected in actions, expected


def test_chain_verifies_and_detects_an_edited_row(kit: Kit) -> None:
    laptop = kit.enrol()
    for _ in range(3):
        kit.http.post("/api/v1/ping", headers=laptop.headers)
    admin = kit.admin_token()
    ok = kit.http.get("/admin/audit/verify", headers=bearer(admin)).json()
    assert ok["ok"] is True and ok["events"] >= 5

    with kit.central.db.transaction() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="device:someone"))
    with kit.central.db.transaction() as s:
        problems = audit.verify(s)
    assert [p.seq for p in problems] == [2]
    assert "altered" in problems[0].message
    broken = kit.http.get("/admin/audit/verify", headers=bearer(admin)).json()
    assert broken["ok"] is False


def test_chain_detects_a_deleted_row(kit: Kit) -> None:
    laptop = kit.enrol()
    for _ in range(3):
        kit.http.post("/api/v1/ping", headers=laptop.headers)
    with kit.central.db.transaction() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    with kit.central.db.transaction() as s:
        messages = [p.message for p in audit.verify(s)]
    assert any("missing" in m for m in messages)
    assert any("does not follow" in m for m in messages)
