"""Push with attachments: pictures and files answering image/file questions travel inside the
payload (so its hash covers them), are stored with it, and are refused whole when they do not
add up (missing, altered, too big)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

from central.kit import Kit

from rhi_central.models import Interview
from rhi_core.protocol import MAX_ATTACHMENT_BYTES

FORM = """\
id: with-files
version: "1"
title: With files
languages:
  - {code: en, name: English}
sections:
  - name: s1
    label: One
    items:
      - {name: why_left, type: text, label: "Why did you leave?", required: true}
      - {name: letter, type: image, label: A photo of the letter}
      - name: places
        type: repeat
        label: Places
        items:
          - {name: place, type: text, label: Where}
          - {name: receipt, type: file, label: A receipt, required: true}
"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _attachment(data: bytes, question: str, name: str, media_type: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "question": question,
        "file_name": name,
        "media_type": media_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data_base64": base64.b64encode(data).decode("ascii"),
    }


def _payload(kit: Kit) -> dict[str, Any]:
    photo = _attachment(PNG, "letter", "letter.png", "image/png")
    receipt = _attachment(b"%PDF-1.4 receipt", "receipt", "receipt.pdf", "application/pdf")
    answers = {
        "why_left": "Argument at home",
        "letter": photo["id"],
        "places": [{"place": "Station", "receipt": receipt["id"]}],
    }
    payload = kit.payload(answers, form=("with-files", "1"))
    payload["attachments"] = [photo, receipt]
    return payload


def _push_one(kit: Kit, payload: dict[str, Any]) -> dict[str, Any]:
    kit.publish(FORM)
    laptop = kit.enrol()
    response = kit.push(laptop, [kit.item(payload)])
    assert response.status_code == 200, response.text
    return response.json()["results"][0]  # type: ignore[no-any-return]


def test_attachments_are_accepted_and_kept_with_the_payload(kit: Kit) -> None:
    payload = _payload(kit)
    result = _push_one(kit, payload)
    assert result["status"] == "accepted", result
    with kit.central.db.transaction() as s:
        stored = s.get(Interview, (result["interview_id"], 1))
        assert stored is not None
        kept = {a["question"]: a for a in stored.payload["attachments"]}
        assert base64.b64decode(kept["letter"]["data_base64"]) == PNG
        assert kept["receipt"]["file_name"] == "receipt.pdf"


def test_an_answer_naming_an_attachment_not_sent_is_refused(kit: Kit) -> None:
    payload = _payload(kit)
    payload["attachments"] = payload["attachments"][:1]  # the receipt is missing
    result = _push_one(kit, payload)
    assert (result["status"], result["reason"]) == (
        "rejected",
        "answers name attachments that were not sent: receipt",
    )


def test_an_altered_attachment_is_refused(kit: Kit) -> None:
    payload = _payload(kit)
    payload["attachments"][0]["data_base64"] = base64.b64encode(PNG + b"x").decode("ascii")
    payload["attachments"][0]["size"] = len(PNG) + 1
    result = _push_one(kit, payload)
    assert result["status"] == "rejected"
    assert "does not match its sha256" in result["reason"]


def test_an_attachment_over_the_limit_is_refused(kit: Kit) -> None:
    payload = _payload(kit)
    big = b"\x00" * (MAX_ATTACHMENT_BYTES + 1)
    payload["attachments"][1] = {
        **_attachment(big, "receipt", "big.bin", "application/octet-stream"),
        "id": payload["attachments"][1]["id"],
    }
    result = _push_one(kit, payload)
    assert result["status"] == "rejected"
    assert "payload.attachments.1.size" in result["reason"]
