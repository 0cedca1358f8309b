"""Push: idempotent intake of completed revisions, per-item answers, refusals."""

from __future__ import annotations

import base64
import copy

from central.kit import Kit
from sqlalchemy import func, select

from rhi_central.models import Interview, InterviewConflict
from rhi_core.protocol import DEVICE_REVOKED, MAX_BATCH_ITEMS


def _statuses(response: object) -> list[str]:
    return [r["status"] for r in response.json()["results"]]  # type: ignore[attr-defined]


def test_accepted_then_duplicate_then_conflict(kit: Kit) -> None:
    kit.publish()
    laptop = kit.enrol()
    item = kit.item(kit.payload())

    first = kit.push(laptop, [item])
    assert first.status_code == 200
    assert first.json()["results"] == [
        {
            "interview_id": item["interview_id"],
            "revision": 1,
            "status": "accepted",
            "reason": None,
            "reason_code": None,
        }
    ]
    assert _statuses(kit.push(laptop, [item])) == ["duplicate"]

    changed = copy.deepcopy(item["payload"])
    changed["answers"]["why_left"] = "Something else"
    clash = kit.item(changed, item["interview_id"], 1)
    result = kit.push(laptop, [clash]).json()["results"][0]
    assert result["status"] == "conflict"
    assert "not overwritten" in result["reason"]

    with kit.central.db.transaction() as s:
        stored = s.get(Interview, (item["interview_id"], 1))
        assert stored is not None
        assert stored.content_sha256 == item["content_sha256"]  # never overwritten
        assert stored.payload["answers"]["why_left"] == "Argument at home"
        kept = s.execute(select(InterviewConflict)).scalars().one()
        assert kept.content_sha256 == clash["content_sha256"]
        assert kept.device_id == laptop.device_id

    # A new revision of the same interview is a new record (the "has issues" round trip).
    assert _statuses(kit.push(laptop, [kit.item(changed, item["interview_id"], 2)])) == ["accepted"]


def test_each_item_gets_its_own_answer_in_order(kit: Kit) -> None:
    kit.publish()
    laptop = kit.enrol()
    good = kit.item(kit.payload())
    bad_hash = kit.item(kit.payload())
    bad_hash["content_sha256"] = "0" * 64
    unknown_form = kit.item(kit.payload(form=("test-rhi", "99")))
    missing_answer = kit.item(kit.payload(answers={}))
    malformed = kit.item({"form_id": "test-rhi"})
    not_pdf = kit.item(kit.payload()) | {"pdf_base64": base64.b64encode(b"hello").decode()}
    pdf = kit.item(kit.payload()) | {"pdf_base64": base64.b64encode(b"%PDF-1.7 x").decode()}
    same_again = dict(good)

    r = kit.push(
        laptop, [good, bad_hash, unknown_form, missing_answer, malformed, not_pdf, pdf, same_again]
    )
    results = r.json()["results"]
    assert [(x["status"], x["reason_code"]) for x in results] == [
        ("accepted", None),
        ("rejected", "hash_mismatch"),
        ("deferred", "form_not_published"),  # a state on central that can change
        ("rejected", "answers_incomplete"),
        ("rejected", "invalid_payload"),
        ("rejected", "invalid_pdf"),
        ("accepted", None),
        ("duplicate", None),
    ]
    reasons = [x["reason"] for x in results]
    assert "content_sha256" in reasons[1]
    assert reasons[2].startswith("form test-rhi version 99 is not published on central yet")
    assert "why_left: required" in reasons[3]
    assert reasons[4].startswith("payload.")
    assert "PDF" in reasons[5]
    with kit.central.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Interview)) == 2
        stored = s.get(Interview, (pdf["interview_id"], 1))
        assert stored is not None and stored.pdf == b"%PDF-1.7 x"


def test_batch_too_big_is_413(kit: Kit) -> None:
    kit.publish()
    laptop = kit.enrol()
    items = [kit.item(kit.payload()) for _ in range(MAX_BATCH_ITEMS + 1)]
    r = kit.push(laptop, items)
    assert r.status_code == 413
    assert f"at most {MAX_BATCH_ITEMS}" in r.json()["detail"]
    assert _statuses(kit.push(laptop, items[:MAX_BATCH_ITEMS])) == ["accepted"] * MAX_BATCH_ITEMS


def test_revoked_device_is_told_to_wipe(kit: Kit) -> None:
    kit.publish()
    laptop = kit.enrol()
    admin = kit.admin_token()
    r = kit.http.post(
        f"/admin/devices/{laptop.device_id}/revoke",
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = kit.push(laptop, [kit.item(kit.payload())])
    assert r.status_code == 403
    assert r.json() == {"detail": DEVICE_REVOKED}
    assert kit.http.post("/api/v1/ping", headers=laptop.headers).json() == {
        "detail": DEVICE_REVOKED
    }


def test_unknown_or_missing_token_is_401(kit: Kit) -> None:
    r = kit.http.post("/api/v1/interviews/batch", json={"items": []})
    assert r.status_code == 401
    r = kit.http.post(
        "/api/v1/interviews/batch", json={"items": []}, headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code == 401
    assert r.json()["detail"] == "unknown device token"
    assert r.headers["www-authenticate"].startswith("Bearer")
