"""Least privilege between the two kinds of token, and the admin endpoints themselves."""

from __future__ import annotations

import pytest
from central.kit import FORM_YAML, Kit, bearer

DEVICE_GETS = ["/api/v1/forms", "/api/v1/assignments", "/api/v1/feedback", "/api/v1/settings"]


def test_admin_endpoints_refuse_device_tokens(kit: Kit) -> None:
    laptop = kit.enrol()
    for method, path, body in [
        ("GET", "/admin/devices", None),
        ("POST", f"/admin/devices/{laptop.device_id}/revoke", None),
        ("POST", "/admin/enrol-codes", {"worker": "Someone"}),
        ("POST", "/admin/forms", {"yaml_text": FORM_YAML}),
        ("POST", "/admin/interviews/x/review", {"outcome": "approved"}),
        ("GET", "/admin/audit/verify", None),
    ]:
        r = kit.http.request(method, path, json=body, headers=laptop.headers)
        assert r.status_code == 401, (path, r.text)
        assert "administrator token" in r.json()["detail"]
    # ...and nothing happened: the device is not revoked.
    assert kit.http.post("/api/v1/ping", headers=laptop.headers).status_code == 200


@pytest.mark.parametrize("path", DEVICE_GETS)
def test_device_endpoints_refuse_admin_tokens(kit: Kit, path: str) -> None:
    admin = kit.admin_token()
    r = kit.http.get(path, headers=bearer(admin))
    assert r.status_code == 401
    assert r.json()["detail"] == "unknown device token"


def test_admin_can_make_codes_list_and_revoke(kit: Kit) -> None:
    admin = kit.admin_token()
    r = kit.http.post("/admin/enrol-codes", json={"worker": "Chloe Haddad"}, headers=bearer(admin))
    assert r.status_code == 201
    code = r.json()["code"]
    assert len(code) == 19 and code.count("-") == 3
    laptop = kit.enrol("Dev Sharma")
    devices = kit.http.get("/admin/devices", headers=bearer(admin)).json()["devices"]
    assert [(d["id"], d["worker"], d["revoked_at"]) for d in devices] == [
        (laptop.device_id, "Dev Sharma", None)
    ]
    r = kit.http.post(f"/admin/devices/{laptop.device_id}/revoke", headers=bearer(admin))
    assert r.json()["revoked_at"] is not None
    r = kit.http.post("/admin/devices/no-such-device/revoke", headers=bearer(admin))
    assert r.status_code == 404


def test_publish_form_is_immutable_per_version(kit: Kit) -> None:
    admin = kit.admin_token()
    first = kit.http.post("/admin/forms", json={"yaml_text": FORM_YAML}, headers=bearer(admin))
    assert first.status_code == 201 and first.json()["id"] == "test-rhi"
    same = kit.http.post("/admin/forms", json={"yaml_text": FORM_YAML}, headers=bearer(admin))
    assert same.status_code == 200
    changed = FORM_YAML.replace("Test RHI", "Changed")
    clash = kit.http.post("/admin/forms", json={"yaml_text": changed}, headers=bearer(admin))
    assert clash.status_code == 409 and "new version" in clash.json()["detail"]
    broken = kit.http.post(
        "/admin/forms", json={"yaml_text": "id: x\nversion: 1\n"}, headers=bearer(admin)
    )
    assert broken.status_code == 422
    no_id = kit.http.post("/admin/forms", json={"yaml_text": "title: x\n"}, headers=bearer(admin))
    assert no_id.status_code == 422 and "'id'" in no_id.json()["detail"]


def test_openapi_document_and_docs_are_served(kit: Kit) -> None:
    spec = kit.http.get("/openapi.json").json()
    assert spec["info"]["title"] == "RHI Central"
    for path in [
        "/api/v1/enrol",
        "/api/v1/interviews/batch",
        "/api/v1/assignments",
        "/admin/devices",
    ]:
        assert path in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert {"DeviceToken", "AdminToken"} <= set(schemes)
    docs = kit.http.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
