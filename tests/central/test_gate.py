"""Issue 11, item 6: the token and the size are checked before a body is read, crafted bodies
never get a 5xx, every wire field has a limit, responses carry security headers.

The "unread" tests speak raw HTTP on a socket: they announce a large body, send none, and must
get their answer at once (the code before the fix sat waiting for the body, then 401)."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from central.kit import Kit, Laptop, LiveServer, assign
from sqlalchemy import func, select

from rhi_central.models import Interview
from rhi_core.canonical import content_sha256
from rhi_core.protocol import MAX_BATCH_BYTES, MAX_REQUEST_BYTES, MAX_TEXT_CHARS

ANSWER_WITHIN_S = 5.0


def _raw_request(server: LiveServer, head: str) -> tuple[int, bytes]:
    """Send request headers only (no body) and read the status line and body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN_S) as sock:
        sock.sendall(head.encode("latin-1"))
        data = b""
        try:
            while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(
                data
            ):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            pytest.fail("the server waited for the body instead of answering")
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def _head(path: str, length: int, token: str | None = None) -> str:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{auth}Content-Length: {length}\r\n\r\n"
    )


def test_an_anonymous_50_mb_upload_is_refused_before_its_body_is_read(
    server: LiveServer,
) -> None:
    status, body = _raw_request(server, _head("/api/v1/interviews/batch", 50 * 1024 * 1024))
    assert status == 401
    assert json.loads(body) == {"detail": "a device token is required"}


@pytest.mark.parametrize("token", [None, "not-an-integration-token"])
def test_the_integration_endpoint_checks_its_token_before_the_body(
    server: LiveServer, token: str | None
) -> None:
    head = _head("/api/v1/integration/episodes", 50 * 1024 * 1024, token)
    status, body = _raw_request(server, head)
    assert status == 401
    assert json.loads(body) == {"detail": (
        "an integration token is required" if token is None
        else "a valid integration token is required"
    )}  # fmt: skip


def test_an_oversized_body_is_refused_unread_even_with_a_token(
    server: LiveServer, kit: Kit
) -> None:
    laptop = kit.enrol()
    status, body = _raw_request(
        server, _head("/api/v1/interviews/batch", MAX_BATCH_BYTES + 1, laptop.token)
    )
    assert status == 413 and "larger than this endpoint accepts" in json.loads(body)["detail"]
    status, _ = _raw_request(server, _head("/api/v1/ping", MAX_REQUEST_BYTES + 1, laptop.token))
    assert status == 413
    status, _ = _raw_request(server, _head("/api/v1/enrol", MAX_REQUEST_BYTES + 1))
    assert status == 413


def test_a_chunked_body_is_cut_off_at_the_limit(kit: Kit) -> None:
    admin = {"Authorization": f"Bearer {kit.admin_token()}", "Content-Type": "application/json"}

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"worker": "'
        for _ in range(4):
            yield b"x" * (MAX_REQUEST_BYTES // 2)
        yield b'"}'

    r = kit.http.post("/admin/enrol-codes", content=chunks(), headers=admin)
    assert r.status_code == 413, r.text


def test_invalid_json_without_a_token_learns_nothing(kit: Kit) -> None:
    r = kit.http.post(
        "/api/v1/interviews/batch",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 401
    assert r.json() == {"detail": "a device token is required"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"code":"\\ud800","device_name":"x","csr_pem":"y"}',  # a lone surrogate
        b'{"code":' + b"[" * 700 + b"]" * 700 + b',"device_name":"x","csr_pem":"y"}',
        b'{"code":' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"code":"A","device_name":"' + b"x" * 300 + b'","csr_pem":"y"}',
        b'{"code":"A","device_name":"x\\u0000","csr_pem":"y"}',
        b"\xff\xfe not utf-8",
    ],
    ids=["surrogate", "nested-700", "nested-5000", "long-name", "nul", "not-utf8"],
)
def test_crafted_enrolment_bodies_get_one_sentence_not_a_server_error(
    kit: Kit, body: bytes
) -> None:
    r = kit.http.post("/api/v1/enrol", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail and "\ud800" not in detail


def _item(kit: Kit, payload: dict[str, Any]) -> dict[str, Any]:
    return kit.item(payload)


@pytest.fixture
def laptop(kit: Kit) -> Laptop:
    kit.publish()
    assign(kit.central, "child-1", "Amara Okafor")
    return kit.enrol()


def _stored(kit: Kit) -> int:
    with kit.central.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Interview)) or 0)


@pytest.mark.parametrize("depth", [40, 500, 900, 3000])
def test_deeply_nested_uploads_are_refused_per_item(kit: Kit, laptop: Laptop, depth: int) -> None:
    # Written out by hand: json.dumps itself cannot go this deep.
    payload = kit.payload({"why_left": "ok", "deep": "DEEP"})
    body = json.dumps({"items": [_raw_item(payload)]}).replace(
        '"DEEP"', "[" * depth + '"x"' + "]" * depth
    )
    r = kit.http.post(
        "/api/v1/interviews/batch",
        content=body.encode(),
        headers={**laptop.headers, "Content-Type": "application/json"},
    )
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        (result,) = r.json()["results"]
        assert result["status"] == "rejected" and result["reason_code"], result
    assert _stored(kit) == 0


def _raw_item(payload: dict[str, Any]) -> dict[str, Any]:
    # content_sha256 cannot be computed for JSON deeper than the interpreter recurses.
    return {"interview_id": str(uuid.uuid4()), "revision": 1, "content_sha256": "0" * 64,
            "payload": payload}  # fmt: skip


def test_a_10_mb_text_is_refused(kit: Kit, laptop: Laptop) -> None:
    payload = kit.payload({"why_left": "x" * (10 * 1024 * 1024)})
    (result,) = kit.push(laptop, [_item(kit, payload)]).json()["results"]
    assert (result["status"], result["reason_code"]) == ("rejected", "invalid_text")
    assert f"longer than {MAX_TEXT_CHARS:,} characters" in result["reason"]
    assert _stored(kit) == 0


def test_a_hundred_items_of_600_kb_text_are_each_refused(kit: Kit, laptop: Laptop) -> None:
    big = "y" * (600 * 1024)
    items = [_item(kit, kit.payload({"why_left": big})) for _ in range(100)]
    r = kit.push(laptop, items)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert {(x["status"], x["reason_code"]) for x in results} == {("rejected", "invalid_text")}
    assert f"{MAX_TEXT_CHARS:,} characters" in results[0]["reason"]
    assert _stored(kit) == 0


def test_limits_hold_on_typed_fields_too(kit: Kit, laptop: Laptop) -> None:
    payload = kit.payload()
    payload["offers"][0]["by_whom"] = "z" * 1000  # a name of 1,000 characters
    (result,) = kit.push(laptop, [_item(kit, payload)]).json()["results"]
    assert (result["status"], result["reason_code"]) == ("rejected", "invalid_payload")
    assert "offers.0.by_whom" in result["reason"]


def test_a_nul_or_a_lone_surrogate_in_a_payload_is_refused_per_item(
    kit: Kit, laptop: Laptop
) -> None:
    nul = kit.payload({"why_left": "a\x00b"})
    # A lone surrogate cannot be hashed as UTF-8: send it raw, as an attacker would.
    raw = json.dumps({"items": [_item(kit, nul), _raw_item(kit.payload({"why_left": "\ud800"}))]})
    r = kit.http.post(
        "/api/v1/interviews/batch",
        content=raw.encode(),
        headers={**laptop.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert [x["reason_code"] for x in r.json()["results"]] == ["invalid_text", "invalid_text"]


def test_responses_carry_security_headers_and_no_store(kit: Kit, laptop: Laptop) -> None:
    for r in (
        kit.http.get("/api/v1/assignments", headers=laptop.headers),
        kit.http.get("/api/v1/assignments"),  # a refusal too
    ):
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert "server" not in r.headers
    assert kit.http.get("/healthz").headers["x-content-type-options"] == "nosniff"


def test_a_multipart_push_stores_the_pdf_bytes_as_sent(kit: Kit, laptop: Laptop) -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 400  # binary, as a signed PDF is
    payload = kit.payload()
    item = kit.item(payload) | {"pdf_part": "pdf-1"}
    batch = json.dumps({"items": [item]}).encode()
    r = kit.http.post(
        "/api/v1/interviews/batch",
        files={
            "batch": (None, batch, "application/json"),
            "pdf-1": ("a.pdf", pdf, "application/pdf"),
        },
        headers=laptop.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "accepted"
    with kit.central.db.transaction() as s:
        stored = s.get(Interview, (item["interview_id"], 1))
        assert stored is not None and stored.pdf == pdf
        assert stored.content_sha256 == content_sha256(payload)
    missing = kit.item(kit.payload()) | {"pdf_part": "nope"}
    r = kit.http.post(
        "/api/v1/interviews/batch",
        files={"batch": (None, json.dumps({"items": [missing]}).encode(), "application/json")},
        headers=laptop.headers,
    )
    assert r.json()["results"][0]["reason_code"] == "invalid_pdf"


def test_an_unreadable_push_body_is_one_sentence(kit: Kit, laptop: Laptop) -> None:
    for content_type, body, status in (
        ("application/json", b"{broken", 400),
        ("text/plain", b"hello", 415),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nnonsense", 422),
        ("application/json", json.dumps({"items": "no"}).encode(), 422),
    ):
        r = kit.http.post(
            "/api/v1/interviews/batch",
            content=body,
            headers={**laptop.headers, "Content-Type": content_type},
        )
        assert r.status_code == status, (content_type, r.text)
        assert isinstance(r.json()["detail"], str)


def test_the_gate_answers_while_the_database_is_held(kit: Kit, app: Any) -> None:
    """The token check and the route's work run off the event loop: while another transaction
    holds SQLite's write lock, an authenticated request waits in its worker thread and
    /healthz still answers at once (before the fix the token check took the lock on the loop)."""
    if app.state.central.db.dialect != "sqlite":
        pytest.skip("SQLite's single writer lock makes the wait deterministic")
    laptop = kit.enrol()
    holder = app.state.central.db.engine.raw_connection()
    done: list[int] = []
    with httpx.Client(base_url=str(kit.http.base_url), timeout=60) as other:
        holder.execute("BEGIN IMMEDIATE")
        ping = threading.Thread(
            target=lambda: done.append(
                other.post("/api/v1/ping", headers=laptop.headers).status_code
            )
        )
        try:
            ping.start()
            time.sleep(0.3)
            t0 = time.monotonic()
            assert kit.http.get("/healthz", timeout=5).status_code == 200
            assert time.monotonic() - t0 < 1.0  # the loop is free
            assert not done  # the ping still waits for the lock, in its thread
        finally:
            holder.rollback()
            holder.close()
        ping.join(30)
    assert done == [200]
