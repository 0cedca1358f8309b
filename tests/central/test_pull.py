"""Pull: forms, assignments and feedback, each scoped to the calling device (least privilege)."""

from __future__ import annotations

from central.kit import FORM_YAML, Kit, assign, bearer

from rhi_central.forms import form_sha256
from rhi_central.ops import builtin_form_texts
from rhi_core.forms.bundled import load_builtin


def builtin_text() -> str:
    return builtin_form_texts()["rhi-v1"]


def builtin_version() -> str:
    return load_builtin("rhi-v1").version


def test_forms_list_and_text(kit: Kit) -> None:
    kit.publish()
    laptop = kit.enrol()
    forms = kit.http.get("/api/v1/forms", headers=laptop.headers).json()["forms"]
    # The questionnaire the product ships is published at start; then the one published here.
    assert [(f["id"], f["version"], f["sha256"]) for f in forms] == [
        ("rhi-v1", builtin_version(), form_sha256(builtin_text())),
        ("test-rhi", "1", form_sha256(FORM_YAML)),
    ]
    r = kit.http.get("/api/v1/forms/test-rhi/1", headers=laptop.headers)
    assert r.status_code == 200
    assert r.text == FORM_YAML
    assert r.headers["content-type"].startswith("application/yaml")
    missing = kit.http.get("/api/v1/forms/test-rhi/2", headers=laptop.headers)
    assert missing.status_code == 404
    assert "not published" in missing.json()["detail"]


def test_assignments_are_scoped_to_the_worker_and_follow_a_cursor(kit: Kit) -> None:
    a = kit.enrol("Amara Okafor", "laptop-a")
    b = kit.enrol("Ben Castellano", "laptop-b")
    assign(kit.central, "child-a1", "Amara Okafor", episodes=2)
    assign(kit.central, "child-b1", "Ben Castellano")

    page = kit.http.get("/api/v1/assignments", headers=a.headers).json()
    assert [c["id"] for c in page["children"]] == ["child-a1"]
    assert sorted(e["id"] for e in page["episodes"]) == ["child-a1-e0", "child-a1-e1"]
    assert page["has_more"] is False
    cursor = page["next_cursor"]
    assert cursor > 0

    # Nothing new since the cursor; B's children never show up for A.
    again = kit.http.get(f"/api/v1/assignments?cursor={cursor}", headers=a.headers).json()
    assert again["children"] == [] and again["next_cursor"] == cursor
    b_page = kit.http.get("/api/v1/assignments", headers=b.headers).json()
    assert [c["id"] for c in b_page["children"]] == ["child-b1"]

    # The child moves to Ben: Amara's laptop is told to drop it, Ben's receives it.
    assign(kit.central, "child-a1", "Ben Castellano")
    moved = kit.http.get(f"/api/v1/assignments?cursor={cursor}", headers=a.headers).json()
    assert moved["children"] == [] and moved["unassigned_child_ids"] == ["child-a1"]
    b_next = kit.http.get(
        f"/api/v1/assignments?cursor={b_page['next_cursor']}", headers=b.headers
    ).json()
    assert [c["id"] for c in b_next["children"]] == ["child-a1"]


def test_assignments_page(kit: Kit) -> None:
    laptop = kit.enrol()
    for i in range(5):
        assign(kit.central, f"child-{i}", "Amara Okafor")
    seen, cursor, pages = [], 0, 0
    while True:
        page = kit.http.get(
            f"/api/v1/assignments?cursor={cursor}&limit=2", headers=laptop.headers
        ).json()
        seen += [c["id"] for c in page["children"]]
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            break
    assert sorted(seen) == [f"child-{i}" for i in range(5)] and pages == 3


def test_review_feedback_reaches_only_the_device_that_pushed(kit: Kit) -> None:
    kit.publish()
    a = kit.enrol("Amara Okafor", "laptop-a")
    b = kit.enrol("Ben Castellano", "laptop-b")
    item = kit.item(kit.payload())
    assert kit.push(a, [item]).json()["results"][0]["status"] == "accepted"
    admin = kit.admin_token("Missing Lead")

    r = kit.http.post(
        f"/admin/interviews/{item['interview_id']}/review",
        json={"outcome": "has_issues", "comment": "Please add the safety plan review date."},
        headers=bearer(admin),
    )
    assert r.status_code == 201, r.text

    feedback = kit.http.get("/api/v1/feedback", headers=a.headers).json()
    assert len(feedback["items"]) == 1
    got = feedback["items"][0]
    assert got["interview_id"] == item["interview_id"] and got["revision"] == 1
    assert got["outcome"] == "has_issues"
    assert got["comment"] == "Please add the safety plan review date."
    assert got["reviewer"] == "Missing Lead" and got["reviewed_at"]
    after = kit.http.get(
        f"/api/v1/feedback?cursor={feedback['next_cursor']}", headers=a.headers
    ).json()
    assert after["items"] == []
    assert kit.http.get("/api/v1/feedback", headers=b.headers).json()["items"] == []


def test_review_targets_the_latest_revision(kit: Kit) -> None:
    kit.publish()
    laptop = kit.enrol()
    first = kit.item(kit.payload())
    second = kit.item(kit.payload({"why_left": "Revised"}), first["interview_id"], 2)
    kit.push(laptop, [first, second])
    admin = kit.admin_token()
    r = kit.http.post(
        f"/admin/interviews/{first['interview_id']}/review",
        json={"outcome": "approved"},
        headers=bearer(admin),
    )
    assert r.json()["revision"] == 2
    unknown = kit.http.post(
        "/admin/interviews/nope/review", json={"outcome": "approved"}, headers=bearer(admin)
    )
    assert unknown.status_code == 404


def test_settings_and_ping(kit: Kit) -> None:
    laptop = kit.enrol()
    settings = kit.http.get("/api/v1/settings", headers=laptop.headers).json()
    assert settings["retention_days"] == 30
    assert settings["council_name"] == "Test Borough Council"
    assert settings["max_batch_items"] == 100
    ping = kit.http.post("/api/v1/ping", headers=laptop.headers).json()
    assert ping["device_id"] == laptop.device_id
    admin = kit.admin_token()
    devices = kit.http.get("/admin/devices", headers=bearer(admin)).json()["devices"]
    assert devices[0]["last_contact_at"] >= devices[0]["enrolled_at"]
