"""E-mail to staff, through a real SMTP server on loopback (aiosmtpd): the daily digest at its
time, alerts when a child passes 72 hours or 5 days missing or an RHI passes its window. Each
is sent once, even with two API processes on one PostgreSQL; messages carry counts and links,
never a child's name or case number."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from console.kit import ConsoleServer, put_child

from rhi_central.context import Central
from rhi_central.db import Database, open_engine
from rhi_central.jobs import run_round
from rhi_central.service_settings import SmtpSettings
from rhi_core.reports.period import UK


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        return [m.get_content() for _, m in self.messages]  # type: ignore[attr-defined]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as sock:  # aiosmtpd's readiness check cannot use port 0
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mailing(console: ConsoleServer, port: int, digest_at: time | None) -> None:
    console.central.service = dataclasses.replace(
        console.central.service,
        console_url="https://rhi.council.example",
        smtp=SmtpSettings(
            host="127.0.0.1", port=port, security="none", from_address="rhi-central@council.example"
        ),  # fmt: skip
        digest_at=digest_at,
    )


def _children(console: ConsoleServer, now: datetime) -> None:
    c = console.central
    put_child(c, "00000000-0000-4000-8000-0000000e0001", worker="Jane Smith", case_number="N01",
              started=now - timedelta(hours=73), returned=None, first_name="Nia", last_name="Secret")  # fmt: skip
    put_child(c, "00000000-0000-4000-8000-0000000e0002", worker="Jane Smith", case_number="N02",
              started=now - timedelta(hours=90), returned=now - timedelta(hours=73),
              first_name="Oli", last_name="Hidden")  # fmt: skip


def test_alerts_and_the_digest_carry_counts_and_links_and_go_once(
    fresh: ConsoleServer, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    now = datetime.now(UTC)
    _children(fresh, now)
    digest_at = (now - timedelta(minutes=5)).astimezone(UK).time().replace(second=0, microsecond=0)
    if digest_at > now.astimezone(UK).time():  # just after midnight: the digest is due tomorrow
        digest_at = time(0, 0)
    _mailing(fresh, port, digest_at)
    first = run_round(fresh.central, now)
    assert (first.digest_sent, first.alerts_sent, first.mail_error) == (True, 2, None)
    second = run_round(fresh.central, now + timedelta(minutes=1))
    assert (second.digest_sent, second.alerts_sent) == (False, 0)
    assert len(inbox.messages) == 2
    (digest_to, digest), (alert_to, alert) = sorted(
        inbox.messages, key=lambda m: "alert" in str(m[1]["Subject"])
    )
    assert digest["Subject"] == "RHI Central daily digest: 1 missing now"
    assert sorted(digest_to) == ["lead@test.example", "manager@test.example"]
    assert alert_to == ["lead@test.example"]  # 72 hours: the Missing Lead (5 days adds managers)
    body = alert.get_content()  # type: ignore[attr-defined]
    assert "1 child has now been missing 72 hours or longer" in body
    assert "1 return home interview has passed the 72-hour window" in body
    assert "https://rhi.council.example/console/tasks/" in body
    for text in inbox.bodies():
        for secret in ("Nia", "Secret", "Oli", "Hidden", "N01", "N02", "Jane Smith"):
            assert secret not in text, (secret, text)
    actions = [a for a, _, _ in fresh.audit_actions()]
    assert actions.count("notify.digest") == 1 and actions.count("notify.alert") == 1


def test_a_failed_send_is_retried_next_round_and_loses_nothing(
    fresh: ConsoleServer, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    now = datetime.now(UTC)
    _children(fresh, now)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]  # nothing listens here
    _mailing(fresh, closed_port, None)
    failed = run_round(fresh.central, now)
    assert failed.tasks_raised == 1 and failed.mail_error is not None
    _mailing(fresh, port, None)
    retried = run_round(fresh.central, now + timedelta(minutes=1))
    assert retried.alerts_sent == 2 and len(inbox.messages) == 1


def test_two_api_processes_send_the_digest_once(
    postgresql_server: Any, smtp: tuple[Inbox, int], tmp_path: Any
) -> None:
    """Two central processes (two engines, two pools) on one PostgreSQL run their rounds at the
    same moment, again and again: one digest, one alert, tasks raised once."""
    inbox, port = smtp
    url = postgresql_server.new_database()
    now = datetime.now(UTC)
    from console.kit import add_staff, service_settings

    from rhi_central.settings import Settings

    service = dataclasses.replace(
        service_settings(),
        smtp=SmtpSettings(host="127.0.0.1", port=port, security="none"),
        digest_at=time(0, 0),
        console_url="https://rhi.council.example",
    )
    centrals = []
    for n in range(2):
        settings = Settings.load(url, data_dir=tmp_path / f"p{n}")
        centrals.append(Central(settings=settings, db=Database(open_engine(url)), service=service))
    try:
        add_staff(centrals[0])
        console = ConsoleServer(centrals[0], "")
        _children(console, now)
        results: list[Any] = []
        for attempt in range(3):
            barrier = threading.Barrier(2)

            def round_(
                central: Central,
                at: datetime = now + timedelta(seconds=attempt),
                barrier: threading.Barrier = barrier,
            ) -> None:
                barrier.wait()
                results.append(run_round(central, at))

            threads = [threading.Thread(target=round_, args=(c,)) for c in centrals]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        assert sum(r.digest_sent for r in results) == 1
        assert sum(r.alerts_sent for r in results) == 2
        assert sum(r.tasks_raised for r in results) == 1
        assert [str(m["Subject"]).split(":")[0] for _, m in inbox.messages].count(
            "RHI Central daily digest"
        ) == 1
        assert len(inbox.messages) == 2
    finally:
        for c in centrals:
            c.db.dispose()
