"""Issue 11, items 3 and 4: a laptop writes only about its own worker's children, revisions come
only from the child's worker, and review feedback goes to the worker who owns the interview.
Each test fails on the code before the fix (every push was accepted, feedback followed the
device of the latest revision)."""

from __future__ import annotations

import uuid
from typing import Any

from central.kit import Kit, Laptop, assign, bearer, child_wire
from sqlalchemy import func, select

from rhi_central import ownership
from rhi_central.models import AuditEvent, Child, Interview

AMARA, BEN = "Amara Okafor", "Ben Walsh"


def _one(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    return result


def _stored(kit: Kit) -> int:
    with kit.central.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Interview)) or 0)


def _push_bare(kit: Kit, laptop: Laptop, item: dict[str, Any]) -> dict[str, Any]:
    """A push that carries no child records (what an attacker or an old laptop sends)."""
    return _one(kit.push(laptop, [item], children=[]))


def test_an_interview_about_another_workers_child_is_refused_and_audited(kit: Kit) -> None:
    kit.publish()
    assign(kit.central, "child-ben", BEN)
    amara = kit.enrol(AMARA)
    item = kit.item(kit.payload(child_id="child-ben", worker=AMARA))
    # Even sending a record for the child changes nothing: central's allocation decides.
    result = _one(kit.push(amara, [item]))
    assert (result["status"], result["reason_code"]) == ("rejected", "child_not_assigned")
    assert "not allocated to you" in result["reason"]
    assert _stored(kit) == 0
    with kit.central.db.transaction() as s:
        child = s.get(Child, "child-ben")
        assert child is not None and child.assigned_worker == BEN  # not taken over
        details = [e.detail for e in s.scalars(select(AuditEvent)) if e.action == "interviews.push"]
    assert details[-1]["items"] == [[item["interview_id"], 1, "rejected", "child_not_assigned"]]


def test_a_made_up_child_is_refused(kit: Kit) -> None:
    kit.publish()
    amara = kit.enrol(AMARA)
    result = _push_bare(kit, amara, kit.item(kit.payload(child_id=str(uuid.uuid4()))))
    assert (result["status"], result["reason_code"]) == ("rejected", "child_unknown")
    assert _stored(kit) == 0


def test_a_child_added_on_the_laptop_comes_with_the_push_and_becomes_the_workers(
    kit: Kit,
) -> None:
    kit.publish()
    amara = kit.enrol(AMARA)
    child_id = str(uuid.uuid4())
    episode = {
        "id": str(uuid.uuid4()),
        "child_id": child_id,
        "category": "M",
        "started_at": "2026-03-08T20:00:00+00:00",
        "returned_at": "2026-03-09T08:00:00+00:00",
        "risk_grade": "medium",
    }
    r = kit.push(
        amara,
        [kit.item(kit.payload(child_id=child_id))],
        children=[child_wire(child_id).model_dump(mode="json")],
        episodes=[episode],
    )
    assert _one(r)["status"] == "accepted"
    with kit.central.db.transaction() as s:
        child = s.get(Child, child_id)
        assert child is not None
        assert (child.assigned_worker, child.created_by_device) == (AMARA, amara.device_id)
        assert ownership.owners(s, {child_id}) == {child_id: AMARA}
    # Another worker cannot then claim the same child by sending its record too.
    ben = kit.enrol(BEN)
    stolen = _one(kit.push(ben, [kit.item(kit.payload(child_id=child_id, worker=BEN))]))
    assert stolen["reason_code"] == "child_not_assigned"


def test_the_payload_must_name_the_devices_worker(kit: Kit) -> None:
    kit.publish()
    amara = kit.enrol(AMARA)
    assign(kit.central, "child-a", AMARA)
    result = _one(kit.push(amara, [kit.item(kit.payload(child_id="child-a", worker=BEN))]))
    assert (result["status"], result["reason_code"]) == ("rejected", "worker_mismatch")
    # Case and spacing are not a different worker (two people typed the name).
    same = _one(
        kit.push(amara, [kit.item(kit.payload(child_id="child-a", worker=" amara  OKAFOR"))])
    )
    assert same["status"] == "accepted"


def _first_revision(kit: Kit, laptop: Laptop, child_id: str) -> str:
    return _first_item(kit, laptop, child_id)["interview_id"]


def _first_item(kit: Kit, laptop: Laptop, child_id: str) -> dict[str, Any]:
    item = kit.item(kit.payload(child_id=child_id, worker=laptop.worker))
    assert _one(kit.push(laptop, [item]))["status"] == "accepted"
    return item


def _revision(kit: Kit, laptop: Laptop, interview_id: str, child_id: str, n: int) -> dict:
    payload = kit.payload({"why_left": f"revision {n}"}, child_id=child_id, worker=laptop.worker)
    return _one(kit.push(laptop, [kit.item(payload, interview_id, n)]))


def test_a_second_laptop_cannot_add_a_revision_to_another_workers_interview(kit: Kit) -> None:
    kit.publish()
    assign(kit.central, "child-a", AMARA)
    assign(kit.central, "child-b", BEN)
    amara, ben = kit.enrol(AMARA, "laptop-a"), kit.enrol(BEN, "laptop-b")
    interview_id = _first_revision(kit, amara, "child-a")
    # About Amara's child: not Ben's to write.
    assert _revision(kit, ben, interview_id, "child-a", 2)["reason_code"] == "child_not_assigned"
    # Moved onto Ben's own child: an interview cannot change child.
    moved = _revision(kit, ben, interview_id, "child-b", 2)
    assert moved["reason_code"] == "interview_of_another_child"
    with kit.central.db.transaction() as s:
        revisions = s.scalars(
            select(Interview.revision).where(Interview.interview_id == interview_id)
        ).all()
    assert revisions == [1]


def test_feedback_goes_to_the_worker_who_owns_the_interview(kit: Kit) -> None:
    kit.publish()
    assign(kit.central, "child-a", AMARA)
    amara, amara_spare = kit.enrol(AMARA, "laptop-a"), kit.enrol(AMARA, "laptop-a2")
    ben = kit.enrol(BEN, "laptop-b")
    interview_id = _first_revision(kit, amara, "child-a")
    admin = bearer(kit.admin_token())
    review = kit.http.post(
        f"/admin/interviews/{interview_id}/review", json={"outcome": "approved"}, headers=admin
    )
    assert review.status_code == 201, review.text

    def feedback(laptop: Laptop) -> list[str]:
        items = kit.http.get("/api/v1/feedback", headers=laptop.headers).json()["items"]
        return [i["interview_id"] for i in items]

    # Every laptop of the owning worker, and nobody else.
    assert feedback(amara) == feedback(amara_spare) == [interview_id]
    assert feedback(ben) == []


def test_an_explicit_transfer_moves_the_child_its_revisions_and_its_feedback(kit: Kit) -> None:
    kit.publish()
    assign(kit.central, "child-a", AMARA)
    amara, ben = kit.enrol(AMARA, "laptop-a"), kit.enrol(BEN, "laptop-b")
    first = _first_item(kit, amara, "child-a")
    interview_id = first["interview_id"]
    with kit.central.db.transaction() as s:
        moved = ownership.transfer_child(
            s, "child-a", BEN, actor="console:lead@example", reason="Amara on leave"
        )
    assert (moved.previous, moved.worker, moved.interviews) == (AMARA, BEN, 1)
    # Amara's resend of what central holds is still a duplicate (her laptop can let it go)...
    assert _one(kit.push(amara, [first]))["status"] == "duplicate"
    # ...but new revisions now come only from Ben.
    assert _revision(kit, amara, interview_id, "child-a", 2)["reason_code"] == "child_not_assigned"
    assert _revision(kit, ben, interview_id, "child-a", 2)["status"] == "accepted"
    admin = bearer(kit.admin_token())
    kit.http.post(
        f"/admin/interviews/{interview_id}/review",
        json={"outcome": "has_issues", "comment": "Add the safety plan"},
        headers=admin,
    )
    ben_feedback = kit.http.get("/api/v1/feedback", headers=ben.headers).json()["items"]
    amara_feedback = kit.http.get("/api/v1/feedback", headers=amara.headers).json()["items"]
    assert [(i["interview_id"], i["revision"]) for i in ben_feedback] == [(interview_id, 2)]
    assert amara_feedback == []
    # Ben's laptops get the child; Amara's drop it (the assignments cursor).
    assert [
        c["id"] for c in kit.http.get("/api/v1/assignments", headers=ben.headers).json()["children"]
    ] == ["child-a"]
    gone = kit.http.get("/api/v1/assignments", headers=amara.headers).json()
    assert "child-a" in gone["unassigned_child_ids"]
    with kit.central.db.transaction() as s:
        events = [e for e in s.scalars(select(AuditEvent)) if e.action == "child.transfer"]
    assert events[-1].detail == {
        "from": AMARA,
        "to": BEN,
        "reason": "Amara on leave",
        "interviews": 1,
    }
