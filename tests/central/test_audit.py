"""The central audit trail: every access is recorded, the chain verifies, tampering shows."""

from __future__ import annotations

import threading

from central.kit import Kit, bearer
from sqlalchemy import delete, select, update

from rhi_central import audit
from rhi_central.models import AuditEvent


def _actions(kit: Kit) -> list[tuple[str, str]]:
    with kit.central.db.transaction() as s:
        return [
            (e.actor.split(":")[0], e.action)
            for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
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
        # Refused at the gate, before the request body is even read (path in the details).
        ("anonymous", "device_auth.refused"),
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
        s.execute(
            update(AuditEvent).where(AuditEvent.chain_seq == 2).values(actor="device:someone")
        )
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
        assert audit.verify(s) == []  # seals everything so far
    with kit.central.db.transaction() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.chain_seq == 3))
    with kit.central.db.transaction() as s:
        messages = [p.message for p in audit.verify(s)]
    assert any("missing" in m for m in messages)
    assert any("does not follow" in m for m in messages)


def test_concurrent_requests_make_one_unbroken_chain(kit: Kit) -> None:
    laptops = [kit.enrol(f"Worker {i}", f"laptop-{i}") for i in range(4)]

    def hammer(headers: dict[str, str]) -> None:
        for _ in range(10):
            assert kit.http.post("/api/v1/ping", headers=headers).status_code == 200

    threads = [threading.Thread(target=hammer, args=(lt.headers,)) for lt in laptops]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with kit.central.db.transaction() as s:
        assert audit.verify(s) == []
        sealed = s.execute(select(AuditEvent.chain_seq).order_by(AuditEvent.chain_seq)).scalars()
        chain = list(sealed)
    assert chain == list(range(1, len(chain) + 1))
    assert len(chain) >= 44  # 4 enrolments + 40 pings, none lost or forked
