"""Every central endpoint x every kind of caller answers as it should, and generated requests
(schemathesis from the OpenAPI document, hypothesis over sync payloads) never get a 5xx."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import schemathesis
from central.kit import Kit, assign
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rhi_central.integration import tokens
from rhi_central.timeutil import utcnow
from rhi_core.canonical import content_sha256
from rhi_core.protocol import DEVICE_REVOKED

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

PUBLIC = {("get", "/healthz"), ("post", "/api/v1/enrol"), ("get", "/api/v1/crl")}
SAMPLE_PATH_VALUES = {
    "device_id": str(uuid.uuid4()),
    "interview_id": str(uuid.uuid4()),
    "form_id": "test-rhi",
    "version": "1",
}


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    spec = app.openapi()
    return sorted(
        (method, path)
        for path, methods in spec["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    )


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES.get(m.group(1), "x"), path)


@pytest.fixture
def callers(kit: Kit) -> dict[str, dict[str, str]]:
    own = kit.enrol("Amara Okafor", "laptop-a")
    revoked = kit.enrol("Amara Okafor", "laptop-lost")
    admin = kit.admin_token()
    r = kit.http.post(f"/admin/devices/{revoked.device_id}/revoke", headers=_auth(admin))
    assert r.status_code == 200, r.text
    with kit.central.db.transaction() as s:
        integration, _ = tokens.create(s, "Case system", actor="test", now=utcnow())
    return {
        "none": {},
        "garbage": _auth("not-a-token"),
        "revoked": revoked.headers,
        "device": own.headers,
        "admin": _auth(admin),
        "integration": _auth(integration),
    }


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_authorisation_matrix(app: FastAPI, kit: Kit, callers: dict[str, dict[str, str]]) -> None:
    """The whole matrix, derived from the OpenAPI document so a new endpoint cannot skip it."""
    operations = _operations(app)
    assert len(operations) >= 12
    for method, path in operations:
        if path in ("/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc"):
            continue
        url = _url(path)
        for who, headers in callers.items():
            r = kit.http.request(method.upper(), url, headers=headers, json={})
            status = r.status_code
            assert status < 500, (method, path, who, status, r.text)
            if (method, path) in PUBLIC:
                continue
            is_admin_route = path.startswith("/admin/")
            if path.startswith("/api/v1/integration/"):
                # Systems that push episodes: their own token and nothing else opens it.
                if who == "integration":
                    assert status not in (401, 403), (method, path, who, status, r.text)
                else:
                    assert status == 401, (method, path, who, status)
            elif who in ("none", "garbage"):
                assert status == 401, (method, path, who, status)
            elif who == "integration":
                assert status in (401, 403), (method, path, who, status)
            elif who == "revoked":
                if is_admin_route:
                    assert status in (401, 403), (method, path, who, status)
                else:
                    assert (status, r.json()["detail"]) == (403, DEVICE_REVOKED), (method, path)
            elif who == "device":
                if is_admin_route:
                    assert status in (401, 403), (method, path, who, status)
                else:
                    assert status not in (401, 403), (method, path, who, status, r.text)
            elif who == "admin":
                if is_admin_route:
                    assert status not in (401, 403), (method, path, who, status, r.text)
                else:
                    assert status in (401, 403), (method, path, who, status)


def test_other_workers_device_sees_nothing_of_mine(app: FastAPI, kit: Kit) -> None:
    kit.publish()
    mine = kit.enrol("Amara Okafor", "laptop-a")
    theirs = kit.enrol("Ben Walsh", "laptop-b")
    assign(app.state.central, "child-aaaa", "Amara Okafor")
    interview_id = str(uuid.uuid4())
    payload = kit.payload(child_id="child-aaaa")
    assert kit.push(mine, [kit.item(payload, interview_id)]).json()["results"][0]["status"] == (
        "accepted"
    )
    admin = _auth(kit.admin_token())
    r = kit.http.post(
        f"/admin/interviews/{interview_id}/review",
        json={"outcome": "has_issues", "comment": "Please add the safety plan"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    for laptop, expected in ((mine, 1), (theirs, 0)):
        feedback = kit.http.get("/api/v1/feedback", headers=laptop.headers).json()["items"]
        children = kit.http.get("/api/v1/assignments", headers=laptop.headers).json()["children"]
        assert len(feedback) == expected
        assert len(children) == expected


@pytest.mark.slow
def test_generated_requests_never_get_a_server_error(
    app: FastAPI, kit: Kit, server: Any, callers: dict[str, dict[str, str]]
) -> None:
    """schemathesis: cases generated from the OpenAPI document, sent with each kind of token,
    never get a 5xx, and every answer conforms to the document (status, content type, schema)."""
    kit.publish()
    schema = schemathesis.openapi.from_dict(app.openapi())
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        headers = callers["admin"] if operation.path.startswith("/admin/") else callers["device"]

        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(base_url=server.url, headers=run.headers)
            try:
                case.validate_response(response, checks=CONFORMANCE)
            except Exception as exc:  # schemathesis raises a group of its check failures
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} "
                    f"{str(exc)[:300]} query={case.query!r} body={str(case.body)[:200]}"
                )

        run.headers = headers  # bound per operation (a closure would see the last one)
        run()
    assert failures == []


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(
    payload=st.dictionaries(
        st.sampled_from(["form_id", "form_version", "child_id", "answers", "offers", "x"]),
        json_values,
        max_size=6,
    ),
    revision=st.integers(min_value=1, max_value=5),
)
def test_random_payloads_are_answered_per_item(
    kit: Kit, callers: dict[str, dict[str, str]], payload: dict[str, Any], revision: int
) -> None:
    item = {
        "interview_id": str(uuid.uuid4()),
        "revision": revision,
        "content_sha256": content_sha256(payload),
        "payload": payload,
    }
    r = kit.http.post("/api/v1/interviews/batch", json={"items": [item]}, headers=callers["device"])
    assert r.status_code < 500, r.text
    if r.status_code == 200:
        (result,) = r.json()["results"]
        assert result["status"] in ("accepted", "rejected")
        if result["status"] == "rejected":
            assert result["reason"]
