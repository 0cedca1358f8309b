"""Helpers for the console tests (imported as ``console.kit``; conftest holds the fixtures).

A member of staff is driven two ways: ``StaffClient`` (httpx over real HTTP, for the matrix and
the refusals) and, in the browser tests, Playwright pages. Both sign in through the real form.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
from central.kit import LiveServer
from sqlalchemy import func, select

from rhi_central.app import create_app
from rhi_central.context import Central
from rhi_central.models import AuditEvent, Child, Episode
from rhi_central.ops import assign_child
from rhi_central.service_settings import ServiceSettings
from rhi_central.staff.passwords import hash_password
from rhi_central.staff.service import add_user
from rhi_core.protocol import ChildWire, EpisodeWire

COUNCIL = "Test Borough Council"
PASSWORD = "correct horse battery staple"
WORKER = "Jane Smith"  # the worker whose laptop the sync tests enrol (unit.sync.harness.WORKER)


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    name: str
    role: str


STAFF = (
    Person("missing-lead", "lead@test.example", "Lena Lead", "missing-lead"),
    Person("manager", "manager@test.example", "Mo Manager", "manager"),
    Person("social-worker", "jane@test.example", WORKER, "social-worker"),
    Person("other-worker", "otto@test.example", "Otto Other", "social-worker"),
    Person("performance", "perf@test.example", "Pat Perf", "performance"),
    Person("admin", "admin@test.example", "Ada Admin", "admin"),
)
BY_KEY = {p.key: p for p in STAFF}
ROLES = ("missing-lead", "manager", "social-worker", "performance", "admin")

OPEN_CLIENTS: list[httpx.Client] = []  # closed after each test (conftest)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class StaffClient(httpx.Client):
    """A browser-like client: it keeps the console's Secure cookies on loopback HTTP (as
    Chromium does for localhost) and sends the page's CSRF token with every form."""

    def __init__(self, base_url: str) -> None:
        super().__init__(
            base_url=base_url,
            timeout=30,
            event_hooks={"request": [self._send_cookies], "response": [self._keep_cookies]},
        )
        # httpx's own jar will not send a Secure cookie over http, even to loopback; browsers
        # treat loopback as secure. One host, so a plain dict is the whole cookie store.
        self.jar: dict[str, str] = {}
        self.csrf = ""
        OPEN_CLIENTS.append(self)

    def _send_cookies(self, request: httpx.Request) -> None:
        if self.jar:
            request.headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def _keep_cookies(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.value

    def sign_in(self, person: Person, password: str = PASSWORD) -> httpx.Response:
        page = self.get("/console/sign-in")
        response = self.post(
            "/console/sign-in",
            data={"csrf_token": csrf_of(page.text), "email": person.email, "password": password},
        )
        if response.status_code == 303:
            self.csrf = csrf_of(self.get("/console/account").text)
        return response

    def form(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return self.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


@dataclass
class ConsoleServer:
    central: Central
    url: str
    app: Any = None

    def client(self, person: str | None = None) -> StaffClient:
        c = StaffClient(self.url)
        if person is not None:
            r = c.sign_in(BY_KEY[person])
            assert r.status_code == 303, r.text
        return c

    def audit_actions(self, since_id: int = 0) -> list[tuple[str, str, dict[str, Any] | None]]:
        with self.central.db.transaction() as s:
            return [
                (a, actor, d)
                for a, actor, d in s.execute(
                    select(AuditEvent.action, AuditEvent.actor, AuditEvent.detail)
                    .where(AuditEvent.id > since_id)
                    .order_by(AuditEvent.id)
                )
            ]

    def last_audit_id(self) -> int:
        with self.central.db.transaction() as s:
            return int(s.scalar(select(func.max(AuditEvent.id))) or 0)

    def count(self, model: Any) -> int:
        with self.central.db.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)


def service_settings(**changes: Any) -> ServiceSettings:
    """No scheduled work of its own (tests run rounds themselves) unless asked."""
    return ServiceSettings(**({"jobs_interval_s": 0.0} | changes))


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # Argon2id costs ~0.3 s here: once per session, not per user


def add_staff(central: Central, people: tuple[Person, ...] = STAFF) -> None:
    with central.db.transaction() as s:
        for p in people:
            user = add_user(
                s, email=p.email, name=p.name, role=p.role, password=None, actor="test",
                now=datetime.now(UTC),
            )  # fmt: skip
            user.password_hash = _password_hash()


@contextmanager
def served_console(database_url: str, data_dir: Path, **service: Any) -> Iterator[ConsoleServer]:
    app = create_app(
        database_url, data_dir=data_dir, council_name=COUNCIL, service=service_settings(**service)
    )
    try:
        add_staff(app.state.central)
        with LiveServer(app) as live:
            yield ConsoleServer(app.state.central, live.url, app)
    finally:
        app.state.central.db.dispose()


def episode_of(child_id: str) -> str:
    """The id ``put_child`` gives the child's episode (a UUID: central's columns are 36 wide)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"episode-of:{child_id}"))


def put_child(
    central: Central,
    child_id: str,
    *,
    worker: str | None,
    case_number: str | None = None,
    started: datetime,
    returned: datetime | None,
    first_name: str = "Sam",
    last_name: str = "Example",
    police_reference: str | None = None,
) -> None:
    """A child with one episode, allocated to ``worker`` (None: not allocated)."""
    child = ChildWire(
        id=child_id,
        local_id=case_number or f"C{child_id[-6:]}",
        first_name=first_name,
        last_name=last_name,
        dob=date(2010, 5, 1),
        sex="female",
        ethnicity="White British",
        looked_after=True,
        uasc=False,
        out_of_area=False,
    )
    episode = EpisodeWire(
        id=episode_of(child_id),
        child_id=child_id,
        category="M",
        started_at=started,
        returned_at=returned,
        risk_grade="medium",
        police_reference=police_reference,
    )
    with central.db.transaction() as s:
        assign_child(s, child, [episode], worker or "nobody", "test")
        if worker is None:
            s.get_one(Child, child_id).assigned_worker = None


def episode_count(central: Central) -> int:
    with central.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Episode)) or 0)
