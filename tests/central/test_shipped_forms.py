"""Issue 11, item 1 (central side): a fresh central knows the questionnaire versions the product
ships, and a refusal caused by a state that can change is `deferred` (the laptop keeps the item
and sends it again), a permanent one `rejected`, each with a reason code."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from central.kit import Kit, assign
from sqlalchemy import select

from rhi_central.app import create_app
from rhi_central.models import AuditEvent, Form
from rhi_central.ops import BUILTIN_ACTOR
from rhi_core.forms.bundled import BUILTIN_FORMS, load_builtin


def _declined_on(form: tuple[str, str], kit: Kit) -> dict[str, Any]:
    """An RHI offered and declined (no answers are due), filed against ``form``."""
    payload = kit.payload(answers={}, form=form)
    payload["sessions"] = []
    payload["path"] = "declined"
    payload["offers"][0] |= {
        "outcome": "declined",
        "declined_by": "child",
        "decline_reason": "does_not_want_to_talk",
    }
    return payload


def test_a_fresh_central_accepts_interviews_on_the_shipped_questionnaire(kit: Kit) -> None:
    """Nobody ran `forms publish`: the first sync is accepted (it was `rejected 5` before)."""
    assign(kit.central, "child-1", "Amara Okafor")
    laptop = kit.enrol()
    shipped = load_builtin("rhi-v1")
    item = kit.item(_declined_on((shipped.id, shipped.version), kit))
    (result,) = kit.push(laptop, [item]).json()["results"]
    assert result["status"] == "accepted", result
    with kit.central.db.transaction() as s:
        forms = {(f.form_id, f.version, f.published_by) for f in s.scalars(select(Form))}
        published = [e for e in s.scalars(select(AuditEvent)) if e.action == "form.publish"]
    assert forms == {
        (load_builtin(f).id, load_builtin(f).version, BUILTIN_ACTOR) for f in BUILTIN_FORMS
    }
    assert [e.actor for e in published] == [BUILTIN_ACTOR] * len(BUILTIN_FORMS)  # audited


def test_publishing_at_start_happens_once(database_url: str, data_dir: Path) -> None:
    for _ in range(2):
        app = create_app(database_url, data_dir=data_dir)
        with app.state.central.db.transaction() as s:
            events = [e for e in s.scalars(select(AuditEvent)) if e.action == "form.publish"]
        app.state.central.db.dispose()
    assert len(events) == len(BUILTIN_FORMS)


def test_an_unpublished_form_is_deferred_then_accepted_once_published(kit: Kit) -> None:
    assign(kit.central, "child-1", "Amara Okafor")
    laptop = kit.enrol()
    item = kit.item(kit.payload())  # on test-rhi 1, not published yet
    (first,) = kit.push(laptop, [item]).json()["results"]
    assert (first["status"], first["reason_code"]) == ("deferred", "form_not_published")
    assert "sent again automatically" in first["reason"]
    kit.publish()
    (again,) = kit.push(laptop, [item]).json()["results"]  # the very same item, retried
    assert again["status"] == "accepted"


def test_permanent_refusals_are_rejected_with_a_code(kit: Kit) -> None:
    kit.publish()
    assign(kit.central, "child-1", "Amara Okafor")
    laptop = kit.enrol()
    incomplete = kit.item(kit.payload(answers={}))
    wrong_hash = kit.item(kit.payload()) | {"content_sha256": "0" * 64}
    other_child = kit.item(kit.payload(child_id=str(uuid.uuid4())))
    results = kit.push(laptop, [incomplete, wrong_hash, other_child], children=[]).json()["results"]
    assert [(r["status"], r["reason_code"]) for r in results] == [
        ("rejected", "answers_incomplete"),
        ("rejected", "hash_mismatch"),
        ("rejected", "child_unknown"),
    ]
    assert all(r["reason"] for r in results)
