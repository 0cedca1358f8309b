"""What to send and when: the daily digest (once a day, at the configured UK time) and alerts
(a child passed 72 hours or 5 days missing; an RHI passed its 72-hour window). Each is sent once:
``job_runs`` records it in the same transaction, and the scheduled work runs in one process at
a time (``rhi_central.jobs``).

Messages carry counts and links to the console (a task's address is a random id), never a
child's name, case number or details: e-mail leaves the council's systems.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.models import EscalationTask, JobRun, StaffUser
from rhi_central.notifications.mail import MailFailed, send
from rhi_central.oversight.board import awaiting_rhi, build_board
from rhi_central.service_settings import ServiceSettings
from rhi_central.staff.roles import Role
from rhi_core.domain.codes import EscalationKind
from rhi_core.domain.deadlines import Urgency
from rhi_core.reports.period import UK

log = logging.getLogger(__name__)
ACTOR = "system:notifications"
ALERT_LOOKBACK = timedelta(hours=24)  # a crossing older than this (server down) is not alerted


@dataclass(frozen=True, slots=True)
class Sent:
    digest: bool
    alerts: int


def _recipients(session: Session, roles: set[Role]) -> list[str]:
    return list(
        session.scalars(
            select(StaffUser.email)
            .where(StaffUser.disabled_at.is_(None), StaffUser.role.in_([r.value for r in roles]))
            .order_by(StaffUser.email)
        )
    )


def _done(session: Session, job: str, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found.update(
            session.scalars(
                select(JobRun.key).where(JobRun.job == job, JobRun.key.in_(keys[i : i + 500]))
            )
        )
    return found


def _record(
    session: Session, job: str, keys: list[str], now: datetime, detail: dict[str, object]
) -> None:
    if keys:
        session.execute(
            insert(JobRun), [{"job": job, "key": k, "at": now, "detail": detail} for k in keys]
        )


def send_due(session: Session, service: ServiceSettings, council: str, now: datetime) -> Sent:
    if service.smtp is None:
        return Sent(False, 0)
    digest = _digest(session, service, council, now)
    alerts = _alerts(session, service, council, now)
    return Sent(digest, alerts)


def _digest(session: Session, service: ServiceSettings, council: str, now: datetime) -> bool:
    if service.digest_at is None or service.smtp is None:
        return False
    local = now.astimezone(UK)
    if local.time() < service.digest_at:
        return False
    key = local.date().isoformat()
    if _done(session, "digest", [key]):
        return False
    board = build_board(session, now)
    c = board.counts
    link = service.link_base
    body = "\n".join(
        [
            f"{council}: RHI Central daily digest for {local:%A %-d %B %Y}, {local:%H:%M}.",
            "",
            f"Missing now: {c['missing_now']} ({c['past_72h']} for 72 hours or longer, "
            f"{c['past_5_days']} for more than 5 days).",
            f"Back and waiting for a return home interview: {c['awaiting']} "
            f"({c['overdue']} past the 72-hour window).",
            f"3 or more episodes in 30 days: {c['repeat']}.",
            f"Open escalation tasks: {c['open_tasks']} ({c['overdue_tasks']} overdue).",
            "",
            f"The board: {link}/console/board",
            f"The daily missing report: {link}/console/reports/daily-missing",
            "",
            "This message carries counts only. Sign in to the console to see who.",
        ]
    )
    to = _recipients(session, {Role.MISSING_LEAD, Role.MANAGER})
    subject = f"RHI Central daily digest: {c['missing_now']} missing now"
    assert service.smtp is not None
    send(service.smtp, to, subject, body)
    _record(session, "digest", [key], now, {"recipients": len(to), **c})
    audit.record(
        session,
        actor=ACTOR,
        action="notify.digest",
        detail={"day": key, "recipients": len(to), **c},
    )
    return True


def _alerts(session: Session, service: ServiceSettings, council: str, now: datetime) -> int:
    assert service.smtp is not None
    tasks = list(
        session.execute(
            select(EscalationTask.key, EscalationTask.id, EscalationTask.kind).where(
                EscalationTask.kind.in_(
                    [EscalationKind.MISSING_72H.value, EscalationKind.MISSING_5_DAYS.value]
                ),
                EscalationTask.created_at >= now - ALERT_LOOKBACK,
            )
        )
    )
    new_tasks = [t for t in tasks if t.key not in _done(session, "alert", [t.key for t in tasks])]
    passed = [
        a
        for a in awaiting_rhi(session, now)
        if a.urgency is Urgency.OVERDUE and a.due_at >= now - ALERT_LOOKBACK
    ]
    window_keys = [f"rhi_window:{a.episode_id}" for a in passed]
    done_windows = _done(session, "alert", window_keys)
    new_windows = [k for k in window_keys if k not in done_windows]
    if not new_tasks and not new_windows:
        return 0
    n72 = sum(1 for t in new_tasks if t.kind == EscalationKind.MISSING_72H.value)
    n5 = sum(1 for t in new_tasks if t.kind == EscalationKind.MISSING_5_DAYS.value)
    link = service.link_base
    lines = [f"{council}: RHI Central alert.", ""]
    if n72:
        lines.append(
            f"{n72} {'child has' if n72 == 1 else 'children have'} now been missing 72 hours or "
            "longer: the Missing Lead considers a strategy meeting."
        )
    if n5:
        lines.append(
            f"{n5} {'child has' if n5 == 1 else 'children have'} now been missing more than 5 "
            "days: update the Head of Service and the Director."
        )
    if new_windows:
        n = len(new_windows)
        lines.append(
            f"{n} return home interview{' has' if n == 1 else 's have'} passed the 72-hour "
            "window without an RHI received."
        )
    lines.append("")
    if new_tasks:
        lines.append("The tasks:")
        lines.extend(f"  {link}/console/tasks/{t.id}" for t in new_tasks)
    lines.append(f"The board: {link}/console/board")
    lines.extend(["", "This message carries counts only. Sign in to the console to see who."])
    roles = {Role.MISSING_LEAD} | ({Role.MANAGER} if n5 else set())
    to = _recipients(session, roles)
    count = len(new_tasks) + len(new_windows)
    send(service.smtp, to, f"RHI Central alert: {count} to act on", "\n".join(lines))
    detail = {
        "recipients": len(to),
        "missing_72h": n72,
        "missing_5_days": n5,
        "rhi_window": len(new_windows),
    }
    _record(session, "alert", [t.key for t in new_tasks] + new_windows, now, detail)
    audit.record(session, actor=ACTOR, action="notify.alert", detail=detail)
    return count


__all__ = ["MailFailed", "Sent", "send_due"]
