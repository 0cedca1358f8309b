"""The OpenAPI document is true: every status an operation answers is documented for it, and
every error body is the documented `{"detail": "one sentence"}` (422 included: it used to be
FastAPI's list of validation errors while our own 422s were strings)."""

from __future__ import annotations

import re
import uuid

from central.kit import Kit, bearer
from fastapi import FastAPI

BODIES = (
    ("json", {}),
    ("json", {"unexpected": "x" * 10}),
    ("raw", b"{not json"),
    ("raw", b'{"code":"\\ud800"}'),
)
SAMPLE = {"device_id": str(uuid.uuid4()), "interview_id": str(uuid.uuid4()), "form_id": "f",
          "version": "1"}  # fmt: skip


def test_every_answer_is_documented_and_every_error_is_one_sentence(app: FastAPI, kit: Kit) -> None:
    doc = app.openapi()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    device = kit.enrol()
    revoked = kit.enrol(name="lost")
    admin = bearer(kit.admin_token())
    kit.http.post(f"/admin/devices/{revoked.device_id}/revoke", headers=admin)
    callers = {
        "none": {},
        "garbage": bearer("nope"),
        "revoked": revoked.headers,
        "device": device.headers,
        "admin": admin,
    }
    seen: set[tuple[str, str, int]] = set()
    for path, operations in doc["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "x"), path)
        for method, operation in operations.items():
            documented = set(operation["responses"])
            for headers in callers.values():
                for kind, body in BODIES if method == "post" else (("json", None),):
                    kwargs = {"json": body} if kind == "json" else {"content": body}
                    r = kit.http.request(method.upper(), url, headers=headers, **kwargs)
                    assert str(r.status_code) in documented, (method, path, r.status_code)
                    assert r.status_code < 500, (method, path, r.text)
                    if r.status_code >= 400:
                        detail = r.json()["detail"]
                        assert isinstance(detail, str) and detail, (method, path, r.text)
                    seen.add((method, path, r.status_code))
    statuses = {s for _, _, s in seen}
    assert {200, 401, 403, 422} <= statuses
