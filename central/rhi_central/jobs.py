"""Scheduled work: raise escalation tasks, send the digest and alerts, clean up sessions.

Every API process runs a ``Scheduler`` thread (like the audit sealer), but each round runs in
one process at a time: on PostgreSQL it starts with ``pg_try_advisory_xact_lock`` and a process
that does not get the lock skips the round; on SQLite the write lock taken at BEGIN serialises
rounds. What is done once is recorded in the same transaction (task keys, ``job_runs``), so a
round that fails (SMTP down) is retried by the next one, and a round is never done twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from rhi_central.context import Central
from rhi_central.notifications.mail import MailFailed
from rhi_central.notifications.service import send_due
from rhi_central.oversight.tasks import raise_due
from rhi_central.staff import sessions
from rhi_central.timeutil import utcnow

log = logging.getLogger(__name__)
JOBS_LOCK = 7_240_002  # pg advisory lock key (7_240_001 is the migration lock)


@dataclass(frozen=True, slots=True)
class Round:
    ran: bool  # False: another process holds the lock
    tasks_raised: int = 0
    digest_sent: bool = False
    alerts_sent: int = 0
    mail_error: str | None = None


def run_round(central: Central, now: datetime | None = None) -> Round:
    """One round of scheduled work at ``now``; safe to call from several processes at once."""
    now = now or utcnow()
    with central.db.transaction() as s:
        if s.get_bind().dialect.name == "postgresql" and not s.scalar(
            select(func.pg_try_advisory_xact_lock(JOBS_LOCK))
        ):
            return Round(ran=False)
        raised = raise_due(s, now)
        sessions.clean_up(s, now, central.service)
    # Mail in a transaction of its own: a failed send must not undo the tasks just raised.
    mail_error = None
    sent = None
    try:
        with central.db.transaction() as s:
            if s.get_bind().dialect.name == "postgresql" and not s.scalar(
                select(func.pg_try_advisory_xact_lock(JOBS_LOCK))
            ):
                return Round(ran=True, tasks_raised=len(raised))
            sent = send_due(s, central.service, central.settings.council_name, now)
    except MailFailed as exc:
        mail_error = str(exc)
        log.warning("sending e-mail failed (retried next round): %s", exc)
    return Round(
        ran=True,
        tasks_raised=len(raised),
        digest_sent=bool(sent and sent.digest),
        alerts_sent=sent.alerts if sent else 0,
        mail_error=mail_error,
    )


class Scheduler:
    """Runs ``run_round`` every ``jobs_interval_s`` seconds in a daemon thread."""

    def __init__(self, central: Central) -> None:
        self._central = central
        self._interval = central.service.jobs_interval_s
        first = central.service.jobs_first_delay_s
        self._first_delay = self._interval if first is None else first
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduled-work", daemon=True)

    def start(self) -> None:
        if self._interval > 0:
            self._thread.start()

    def _run(self) -> None:
        delay = self._first_delay
        while not self._stop.wait(delay):
            delay = self._interval
            try:
                run_round(self._central)
            except Exception:  # the next round tries again; nothing is lost
                log.exception("scheduled work failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
