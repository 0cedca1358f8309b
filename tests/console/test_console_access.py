"""Who may open what: the whole matrix (every console route x every role x no session) generated
from the routes' own guards, and each refusal a clear page with a 4xx and an audit event."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from console.kit import BY_KEY, PASSWORD, ROLES, ConsoleServer, Person, StaffClient
from sqlalchemy import update

from rhi_central.console.guard import SESSION_COOKIE, Guard
from rhi_central.console.routes import console_routes
from rhi_central.integration import tokens
from rhi_central.models import ConsoleSession, StaffUser
from rhi_central.staff.roles import Role, can
from rhi_central.staff.service import add_user

# Routes whose POST ends or changes the caller's own session: checked last, once per role.
LAST = {("POST", "/console/sign-out")}


def guarded_routes() -> list[tuple[str, str, Guard]]:
    """(method, path, guard) of every console route; each must have exactly one guard."""
    found = []
    for path, route in console_routes():
        guards = [d.call for d in route.dependant.dependencies if isinstance(d.call, Guard)]
        assert len(guards) == 1, f"{path} has {len(guards)} guards"
        for method in sorted(route.methods):
            found.append((method, path, guards[0]))
    return found


@pytest.fixture(scope="module")
def samples(console: ConsoleServer, world: dict[str, str]) -> dict[str, str]:
    now = datetime.now(UTC)
    with console.central.db.transaction() as s:
        throwaway = add_user(
            s, email="matrix@test.example", name="Matrix Throwaway", role="manager",
            password=None, actor="test", now=now,
        )  # fmt: skip
        _, token = tokens.create(s, "Matrix feed", actor="test", now=now)
        user_id, token_id = throwaway.id, token.id
    return {
        "child_id": world["own_child"],
        "episode_id": world["episode"],
        "task_id": world["task"],
        "user_id": user_id,
        "token_id": token_id,
        "import_id": "00000000-0000-4000-8000-000000000000",
        "rest": "no-such-page",
    }


def _url(path: str, samples: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: samples[m.group(1)], path)


def test_every_route_is_guarded_and_the_matrix_holds(
    console: ConsoleServer, samples: dict[str, str]
) -> None:
    routes = guarded_routes()
    assert len(routes) >= 30
    anonymous = StaffClient(console.url)
    for role in ROLES:
        person = next(p for p in BY_KEY.values() if p.role == role)
        client = console.client(person.key)
        ordered = sorted(routes, key=lambda r: (r[0], r[1]) in LAST)
        for method, path, guard in ordered:
            url = _url(path, samples)
            r = client.request(
                method, url, data={"csrf_token": client.csrf}, follow_redirects=False
            )
            assert r.status_code < 500, (role, method, path, r.status_code)
            if guard.public:
                continue  # sign-in, single sign-on, the accessibility statement, "not found"
            if can(Role(role), *guard.permissions):
                assert r.status_code not in (401, 403), (role, method, path, r.status_code)
            else:
                assert r.status_code == 403, (role, method, path, r.status_code)
                assert "You do not have access to this page" in r.text
    for method, path, guard in routes:
        url = _url(path, samples)
        r = anonymous.request(method, url, follow_redirects=False)
        assert r.status_code < 500, ("no session", method, path, r.status_code)
        if guard.public:
            continue
        if method == "GET":
            assert r.status_code == 303, ("no session", path, r.status_code)
            assert r.headers["location"].startswith("/console/sign-in?next=")
        else:
            assert r.status_code == 401, ("no session", method, path, r.status_code)


def test_a_social_worker_asking_for_another_workers_child_is_refused_and_audited(
    console: ConsoleServer, world: dict[str, str]
) -> None:
    jane = console.client("social-worker")
    assert jane.get(f"/console/children/{world['own_child']}").status_code == 200
    before = console.last_audit_id()
    r = jane.get(f"/console/children/{world['other_child']}")
    assert r.status_code == 403
    assert "You can only see the children allocated to you." in r.text
    assert "Billie" not in r.text  # nothing of the child leaks into the refusal
    refused = [
        d for a, actor, d in console.audit_actions(before)
        if a == "console.refused" and actor == "staff:jane@test.example"
    ]  # fmt: skip
    assert refused and refused[0]["reason"] == "not_your_child"
    assert refused[0]["child"] == world["other_child"]


def test_sign_in_sets_a_strict_secure_host_only_cookie_and_a_new_session(
    console: ConsoleServer,
) -> None:
    client = StaffClient(console.url)
    page = client.get("/console/sign-in")
    before = client.jar.get(SESSION_COOKIE)
    assert before  # the sign-in form's own session (it carries the form's CSRF token)
    r = client.sign_in(BY_KEY["missing-lead"])
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert attribute.lower() in cookie.lower(), cookie
    assert "domain=" not in cookie.lower()
    assert client.jar.get(SESSION_COOKIE) != before  # no session fixation
    assert "csrf_token" in page.text
    headers = client.get("/console/board").headers
    assert "nonce-" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"


def test_a_wrong_password_is_one_sentence_a_401_and_an_audit_event(console: ConsoleServer) -> None:
    client = StaffClient(console.url)
    before = console.last_audit_id()
    r = client.sign_in(BY_KEY["manager"], password="not the password at all")
    assert r.status_code == 401
    assert "The e-mail address or password is not right." in r.text
    assert "There is a problem" in r.text
    r = client.sign_in(Person("x", "nobody@test.example", "Nobody", "manager"), password="whatever")
    assert r.status_code == 401
    assert "The e-mail address or password is not right." in r.text  # the same: no enumeration
    reasons = [
        d["reason"] for a, _, d in console.audit_actions(before) if a == "console.sign_in_refused"
    ]
    assert reasons == ["wrong_email_or_password", "wrong_email_or_password"]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    fresh: ConsoleServer,
) -> None:
    client = StaffClient(fresh.url)
    person = BY_KEY["performance"]
    for _ in range(5):
        assert client.sign_in(person, password="wrong password here").status_code == 401
    r = client.sign_in(person, password=PASSWORD)
    assert r.status_code == 401  # locked: the right password does not open it
    reasons = [d["reason"] for a, _, d in fresh.audit_actions() if a == "console.sign_in_refused"]
    assert reasons[-1] == "locked"
    with fresh.central.db.transaction() as s:
        s.execute(
            update(StaffUser)
            .where(StaffUser.email == person.email)
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert client.sign_in(person, password=PASSWORD).status_code == 303


def test_an_idle_session_ends_with_a_clear_401_page(console: ConsoleServer) -> None:
    client = console.client("manager")
    assert client.get("/console/board").status_code == 200
    token = client.jar.get(SESSION_COOKIE)
    with console.central.db.transaction() as s:
        s.execute(
            update(ConsoleSession)
            .where(ConsoleSession.user_id.is_not(None))
            .where(ConsoleSession.token_sha256 == _sha(token))
            .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
        )
    before = console.last_audit_id()
    r = client.get("/console/board", follow_redirects=False)
    assert r.status_code == 401
    assert "Your session has ended" in r.text and 'href="/console/sign-in"' in r.text
    assert [d["reason"] for a, _, d in console.audit_actions(before) if a == "console.refused"] == [
        "session_expired"
    ]
    # The session is gone for good, not merely refused once.
    assert client.get("/console/board", follow_redirects=False).status_code == 401


def _sha(token: str | None) -> str:
    from rhi_central.staff.sessions import token_sha256

    assert token
    return token_sha256(token)


def test_a_forged_csrf_token_is_refused_with_403_and_audited(
    console: ConsoleServer, world: dict[str, str]
) -> None:
    lead = console.client("missing-lead")
    before = console.last_audit_id()
    r = lead.post(
        f"/console/tasks/{world['task']}/close",
        data={
            "csrf_token": "forged-" + lead.csrf[7:],
            "decision": "strategy_meeting_not_needed",
            "reason": "The child is safe with family now.",
        },  # fmt: skip
    )
    assert r.status_code == 403
    assert "This form could not be accepted" in r.text
    r = lead.post(f"/console/tasks/{world['task']}/close", data={"decision": "x"})
    assert r.status_code == 403  # no token at all
    reasons = [d["reason"] for a, _, d in console.audit_actions(before) if a == "console.refused"]
    assert reasons == ["csrf", "csrf"]
    assert lead.get(f"/console/tasks/{world['task']}").text.count("Record the decision") == 1


def test_sign_in_never_redirects_to_another_site(console: ConsoleServer) -> None:
    client = StaffClient(console.url)
    page = client.get("/console/sign-in?next=https://evil.example/steal")
    person = BY_KEY["manager"]
    r = client.post(
        "/console/sign-in",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),  # type: ignore[union-attr]
            "email": person.email,
            "password": PASSWORD,
            "next": "https://evil.example/steal",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/"


def test_signing_out_ends_the_session_on_the_server(console: ConsoleServer) -> None:
    client = console.client("admin")
    token = client.jar.get(SESSION_COOKIE)
    r = client.form("/console/sign-out")
    assert r.status_code == 303 and r.headers["location"].endswith("done=signed-out")
    replay = StaffClient(console.url)
    replay.jar[SESSION_COOKIE] = token or ""
    assert replay.get("/console/users", follow_redirects=False).status_code == 401


def test_an_unknown_console_address_is_a_page_not_a_json_error(console: ConsoleServer) -> None:
    r = console.client("manager").get("/console/no/such/page")
    assert r.status_code == 404
    assert "Page not found" in r.text and r.headers["content-type"].startswith("text/html")
