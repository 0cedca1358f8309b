"""A laptop's whole audit trail on central: stored once, verified as it grows, refused (409,
naming the first bad seq) on a gap or an altered event, kept per device, re-checked by an
administrator. SQLite and a real PostgreSQL (the ``kit`` fixture is parametrised)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from central.kit import Kit, Laptop, bearer
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from rhi_central.models import AuditEvent as CentralAuditEvent
from rhi_central.models import DeviceAuditEvent
from rhi_core.canonical import audit_event_digest
from rhi_core.protocol import AUDIT_GENESIS, AUDIT_VERIFIED_HEADER, AuditEventWire
from rhi_desktop.security import audit as desktop_audit
from rhi_desktop.store.models import AuditEvent as LaptopAuditEvent
from rhi_desktop.store.models import Base as LaptopBase

URL = "/api/v1/audit/events"
ACTIONS = [
    ("unlock", "profile", "p-1", None),
    ("record.view", "interview", "i-1", {"revision": 1}),
    ("answers.save", "interview", "i-1", {"revision": 1, "fields": ["why_left", "feel_now"]}),
    ("pdf.export", "interview", "i-1", {"revision": 1, "sha256": "ab" * 32}),
    ("record.print", "interview", "i-1", {"note": "café – ünïcode ✓", "n": 2.5, "ok": True}),
    ("interview.complete", "interview", "i-1", {"revision": 1}),
]


def laptop_chain(n: int) -> list[dict[str, Any]]:
    """``n`` events recorded by the laptop's real audit code, read back, as sent on the wire."""
    engine = create_engine("sqlite://")
    LaptopBase.metadata.create_all(engine)
    with Session(engine) as s:
        for k in range(n):
            action, entity, entity_id, detail = ACTIONS[k % len(ACTIONS)]
            desktop_audit.record(
                s,
                actor="Amara Okafor",
                action=action,
                entity=entity,
                entity_id=entity_id,
                detail=detail,
            )
        s.commit()
    with Session(engine) as s:
        rows = s.scalars(select(LaptopAuditEvent).order_by(LaptopAuditEvent.seq)).all()
        assert not desktop_audit.verify_chain(rows)
        out = [
            AuditEventWire(
                id=e.id,
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                entity=e.entity,
                entity_id=e.entity_id,
                detail=e.detail,
                prev_hash=e.prev_hash,
                hash=e.hash,
            ).model_dump(mode="json")
            for e in rows
        ]
    engine.dispose()
    return out


def push(kit: Kit, laptop: Laptop, events: list[dict[str, Any]]) -> httpx.Response:
    head = events[-1]["hash"] if events else AUDIT_GENESIS
    return kit.http.post(
        URL, json={"device_chain_head": head, "events": events}, headers=laptop.headers
    )


def stored(kit: Kit, device_id: str) -> list[tuple[int, str, str]]:
    with kit.central.db.transaction() as s:
        return [
            (r.seq, r.id, r.hash)
            for r in s.scalars(
                select(DeviceAuditEvent)
                .where(DeviceAuditEvent.device_id == device_id)
                .order_by(DeviceAuditEvent.seq)
            )
        ]


def verify(kit: Kit, device_id: str, token: str) -> dict[str, Any]:
    r = kit.http.get(f"/admin/devices/{device_id}/audit/verify", headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def central_events(kit: Kit, prefix: str) -> list[CentralAuditEvent]:
    with kit.central.db.transaction() as s:
        rows = s.scalars(
            select(CentralAuditEvent)
            .where(CentralAuditEvent.action.startswith(prefix))
            .order_by(CentralAuditEvent.id)
        ).all()
        s.expunge_all()
        return list(rows)


# --- the digest -------------------------------------------------------------------------------


def test_protocol_digest_matches_the_laptops_audit_chain() -> None:
    engine = create_engine("sqlite://")
    LaptopBase.metadata.create_all(engine)
    with Session(engine) as s:
        for action, entity, entity_id, detail in ACTIONS:
            desktop_audit.record(
                s,
                actor="Amara Okafor",
                action=action,
                entity=entity,
                entity_id=entity_id,
                detail=detail,
            )
        s.commit()
    with Session(engine) as s:  # read back: the types the laptop really hashes later
        events = s.scalars(select(LaptopAuditEvent).order_by(LaptopAuditEvent.seq)).all()
        for e in events:
            fields = dict(
                id=e.id,
                at=e.at,
                actor=e.actor,
                action=e.action,
                entity=e.entity,
                entity_id=e.entity_id,
                detail=e.detail,
            )
            ours = audit_event_digest(prev_hash=e.prev_hash, **fields)
            assert ours == desktop_audit._digest(e.prev_hash, e) == e.hash
            # ...and after the trip over the wire (JSON text, parsed back by pydantic)
            wire = AuditEventWire.model_validate_json(
                AuditEventWire(
                    seq=e.seq, prev_hash=e.prev_hash, hash=e.hash, **fields
                ).model_dump_json()
            )
            assert wire.at.astimezone(UTC) == e.at
            again = wire.model_dump(exclude={"seq", "hash"})
            again["at"] = wire.at.astimezone(UTC)
            assert audit_event_digest(**again) == e.hash
    engine.dispose()
    # Any change to any field changes the hash.
    base = dict(
        prev_hash=AUDIT_GENESIS,
        id="e1",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        actor="a",
        action="record.view",
        entity="interview",
        entity_id="i",
        detail={"revision": 1},
    )
    first = audit_event_digest(**base)
    for name, value in [
        ("prev_hash", "1" * 64),
        ("id", "e2"),
        ("at", base["at"] + timedelta(microseconds=1)),
        ("actor", "b"),
        ("action", "pdf.export"),
        ("entity", None),
        ("entity_id", "j"),
        ("detail", {"revision": 2}),
    ]:
        assert audit_event_digest(**{**base, name: value}) != first, name


# --- store, resend, verify ---------------------------------------------------------------------


def test_chain_is_stored_in_order_and_verifies(kit: Kit) -> None:
    laptop = kit.enrol()
    admin = kit.admin_token()
    chain = laptop_chain(9)

    r = push(kit, laptop, chain[:5])
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": 5, "duplicates": 0, "verified_through_seq": 5}
    r = push(kit, laptop, chain[5:])
    assert r.json() == {"stored": 4, "duplicates": 0, "verified_through_seq": 9}
    assert stored(kit, laptop.device_id) == [(e["seq"], e["id"], e["hash"]) for e in chain]
    assert verify(kit, laptop.device_id, admin) == {"ok": True, "events": 9, "first_problem": None}

    # Stored verbatim: the content re-hashes to the laptop's hash (detail JSON included).
    with kit.central.db.transaction() as s:
        row = s.scalars(select(DeviceAuditEvent).where(DeviceAuditEvent.seq == 5)).one()
        assert row.detail == ACTIONS[4][3] and row.action == "record.print"
        assert row.received_at is not None and row.at.tzinfo is not None

    # Every call is on central's own chain, with ids and counts only.
    calls = central_events(kit, "device_audit.")
    assert [c.action for c in calls] == [
        "device_audit.push",
        "device_audit.push",
        "device_audit.verify",
    ]
    assert calls[0].actor == f"device:{laptop.device_id}" and calls[0].entity_id == laptop.device_id
    assert calls[1].detail == {
        "received": 4,
        "first_seq": 6,
        "last_seq": 9,
        "stored": 4,
        "duplicates": 0,
        "verified_through_seq": 9,
        "refused_seq": None,
        "caught_up": True,
    }
    assert "Amara" not in str([c.detail for c in calls])


def test_a_resend_is_counted_as_duplicates_never_a_second_row(kit: Kit) -> None:
    laptop = kit.enrol()
    chain = laptop_chain(7)
    assert push(kit, laptop, chain[:5]).status_code == 200
    r = push(kit, laptop, chain[:5])  # the answer was lost: the laptop sends the same again
    assert r.status_code == 200
    assert r.json() == {"stored": 0, "duplicates": 5, "verified_through_seq": 5}
    r = push(kit, laptop, chain[3:])  # overlapping
    assert r.json() == {"stored": 2, "duplicates": 2, "verified_through_seq": 7}
    assert len(stored(kit, laptop.device_id)) == 7
    r = push(kit, laptop, [])
    assert r.json() == {"stored": 0, "duplicates": 0, "verified_through_seq": 7}


# --- refusals ----------------------------------------------------------------------------------


def test_a_gap_is_refused_naming_the_first_bad_seq(kit: Kit) -> None:
    laptop = kit.enrol()
    admin = kit.admin_token()
    chain = laptop_chain(6)
    assert push(kit, laptop, chain[:3]).status_code == 200
    r = push(kit, laptop, chain[4:])  # #4 never sent
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert detail.startswith("audit event #5 was refused") and "#4 to #4" in detail
    assert "up to #3" in detail and r.headers[AUDIT_VERIFIED_HEADER] == "3"
    assert len(stored(kit, laptop.device_id)) == 3
    # The first event of a chain must start from the genesis hash, at seq 1.
    other = kit.enrol(name="laptop-2")
    r = push(kit, other, chain[1:3])
    assert r.status_code == 409 and "#2 was refused" in r.json()["detail"]
    assert "none of this laptop's chain" in r.json()["detail"]
    # Refusals are audited too, and the chain on central is still whole.
    refused = central_events(kit, "device_audit.push.refused")
    assert [c.detail["refused_seq"] for c in refused if c.detail] == [5, 2]
    assert verify(kit, laptop.device_id, admin)["ok"] is True
    # Sending the missing event makes the rest fit.
    r = push(kit, laptop, chain[3:])
    assert r.json() == {"stored": 3, "duplicates": 0, "verified_through_seq": 6}


def test_an_altered_event_is_refused_and_what_verified_before_it_is_kept(kit: Kit) -> None:
    laptop = kit.enrol()
    admin = kit.admin_token()
    chain = laptop_chain(6)
    tampered = [dict(e) for e in chain]
    tampered[3]["detail"] = {"revision": 99}  # #4 edited on the laptop after it was hashed
    r = push(kit, laptop, tampered)
    assert r.status_code == 409
    assert r.json()["detail"] == (
        "audit event #4 was refused: its hash does not match its content (it was altered); "
        "central holds this laptop's chain up to #3"
    )
    assert [s[0] for s in stored(kit, laptop.device_id)] == [1, 2, 3]
    assert verify(kit, laptop.device_id, admin) == {"ok": True, "events": 3, "first_problem": None}

    # A forged hash that recomputes but does not follow #3 (prev_hash rewritten).
    forged = dict(chain[3], prev_hash="f" * 64)
    forged["hash"] = audit_event_digest(
        **{
            k: forged[k]
            for k in ("prev_hash", "id", "actor", "action", "entity", "entity_id", "detail")
        },
        at=datetime.fromisoformat(forged["at"]),
    )
    r = push(kit, laptop, [forged])
    assert r.status_code == 409 and "#4 was refused: it does not follow event #3" in r.text

    # A resend that differs from the copy central holds is not a duplicate.
    changed = dict(chain[2], hash="e" * 64)
    r = push(kit, laptop, [changed])
    assert r.status_code == 409 and "differs from the copy central already holds" in r.text
    # Nor is a different event under a seq central already holds.
    r = push(kit, laptop, [dict(chain[2], id="another-id")])
    assert r.status_code == 409 and "central already holds a different event #3" in r.text
    assert len(stored(kit, laptop.device_id)) == 3

    assert push(kit, laptop, chain[3:]).json()["verified_through_seq"] == 6


def test_a_device_cannot_write_into_another_devices_chain(kit: Kit) -> None:
    a, b = kit.enrol(name="laptop-a"), kit.enrol(worker="Ben Carter", name="laptop-b")
    admin = kit.admin_token()
    chain_a, chain_b = laptop_chain(3), laptop_chain(4)
    assert push(kit, a, chain_a).status_code == 200

    # B replays A's events: they belong to A, B's chain stays empty.
    r = push(kit, b, chain_a)
    assert r.status_code == 409 and "belongs to another device's chain" in r.json()["detail"]
    # B tries to continue A's chain: in B's own (empty) chain that is a gap.
    more_a = laptop_chain(4)[3:]
    r = push(kit, b, more_a)
    assert r.status_code == 409 and "#1 to #3 before it are missing" in r.json()["detail"]
    assert stored(kit, b.device_id) == []

    # Each device's chain is its own, seq 1 upwards, even when seqs overlap.
    assert push(kit, b, chain_b).json()["verified_through_seq"] == 4
    assert [s[0] for s in stored(kit, a.device_id)] == [1, 2, 3]
    assert verify(kit, a.device_id, admin)["events"] == 3
    assert verify(kit, b.device_id, admin)["events"] == 4


def test_requests_that_are_not_a_chain_at_all(kit: Kit) -> None:
    laptop = kit.enrol()
    chain = laptop_chain(2)
    r = kit.http.post(URL, json={"device_chain_head": "0" * 64, "events": chain})
    assert r.status_code == 401
    r = push(kit, laptop, [dict(chain[0], surprise=1)])
    assert r.status_code == 422
    r = push(kit, laptop, [dict(chain[0], seq=0)])
    assert r.status_code == 422
    r = push(kit, laptop, [dict(chain[0], actor="x" * 201)])
    assert r.status_code == 422
    r = push(kit, laptop, [dict(chain[0], detail={"k": "a\x00b"})])
    assert r.status_code == 422
    r = push(kit, laptop, [chain[0]] * 501)
    assert r.status_code == 413 and "at most 500" in r.json()["detail"]
    assert stored(kit, laptop.device_id) == []


# --- admin -------------------------------------------------------------------------------------


def test_admin_verify_finds_tampering_on_central(kit: Kit) -> None:
    laptop = kit.enrol()
    admin = kit.admin_token()
    assert push(kit, laptop, laptop_chain(4)).status_code == 200
    with kit.central.db.transaction() as s:
        s.execute(
            update(DeviceAuditEvent).where(DeviceAuditEvent.seq == 2).values(detail={"revision": 7})
        )
    assert verify(kit, laptop.device_id, admin) == {
        "ok": False,
        "events": 4,
        "first_problem": "event #2 was altered",
    }
    with kit.central.db.transaction() as s:
        s.execute(DeviceAuditEvent.__table__.delete().where(DeviceAuditEvent.seq <= 2))
        left = s.scalar(select(func.count()).select_from(DeviceAuditEvent))
    assert left == 2
    body = verify(kit, laptop.device_id, admin)
    assert body["ok"] is False and body["first_problem"] == "events #1 to #2 are missing"

    verified = central_events(kit, "device_audit.verify")
    assert verified[-1].detail == {"ok": False, "events": 2}
    assert verified[-1].actor.startswith("admin:")


@pytest.mark.parametrize("who", ["device", "nobody"])
def test_admin_verify_needs_an_administrator(kit: Kit, who: str) -> None:
    laptop = kit.enrol()
    headers = laptop.headers if who == "device" else {}
    r = kit.http.get(f"/admin/devices/{laptop.device_id}/audit/verify", headers=headers)
    assert r.status_code == 401


def test_admin_verify_of_an_unknown_device_is_404(kit: Kit) -> None:
    r = kit.http.get("/admin/devices/nope/audit/verify", headers=bearer(kit.admin_token()))
    assert r.status_code == 404 and "nope" in r.json()["detail"]
