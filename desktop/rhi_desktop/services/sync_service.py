"""Sync use cases for the CLI and the GUI: enrol, one sync pass (push then pull), status.

One pass: make sure every completed revision is in the outbox, push what is due in batches of
at most 50, send the laptop's whole audit trail (``sync.audit_push``), then pull settings,
questionnaires, assignments and review feedback, and purge what the retention period allows.
Nothing leaves ``pending`` without central's word for that item; a network failure leaves the
batch pending with a backoff, recorded in the database. A ``403 device revoked`` at any point
wipes the profile and raises ProfileWiped with the sentence to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_core.protocol import BatchItem, ItemStatus
from rhi_desktop.security import audit
from rhi_desktop.store.models import Attachment, OutboxItem
from rhi_desktop.sync import outbox, pull, state
from rhi_desktop.sync.audit_push import push_audit_trail
from rhi_desktop.sync.client import SyncClient
from rhi_desktop.sync.errors import (
    DeviceRevoked,
    NotEnrolled,
    ProtocolProblem,
    ServerBusy,
    Unreachable,
)

from . import retention, sync_issues, sync_pull
from .device_wipe import wipe_revoked
from .enrolment import EnrolResult, enrol
from .profiles import Profile
from .sealing import seal_completed, seal_rows
from .sync_children import push_records

__all__ = [
    "EnrolResult",
    "ItemFn",
    "ProgressFn",
    "SyncStatus",
    "SyncSummary",
    "enrol",
    "outbox_rows",
    "ping",
    "retry_refused",
    "seal_completed",
    "sync_once",
    "sync_status",
]

ProgressFn = Callable[[int, int, str], None]  # (done, total, what)
ItemFn = Callable[[str, int, str], None]  # (interview_id, revision, outbox state)


@dataclass
class SyncSummary:
    started_at: datetime
    finished_at: datetime | None = None
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    deferred: int = 0  # put off by central this pass (queued, sent again by itself)
    queued: int = 0  # still pending after the pass
    without_pdf: int = 0
    forms: int = 0
    children: int = 0
    episodes: int = 0
    removed_children: int = 0
    kept_children: int = 0
    feedback: int = 0
    approved: int = 0
    reopened: int = 0
    purged: int = 0
    audit_events: int = 0  # audit events central confirmed this pass (new or resent)
    problems: list[str] = field(default_factory=list)
    # After the pass: every interview central has not taken (refused, in conflict, put off),
    # whether answered this pass or before.
    attention: list[outbox.OutboxRow] = field(default_factory=list)

    @property
    def pushed(self) -> int:
        return self.accepted + self.duplicate + self.conflict + self.rejected + self.deferred

    @property
    def needs_attention(self) -> bool:
        """Some interview is refused, in conflict or put off: `rhi-desktop sync` exits 3."""
        return bool(self.attention)

    def issue_lines(self, retry: str) -> list[str]:
        """One sentence per interview central has not taken (``retry``: how to retry here)."""
        return [sync_issues.describe(row, retry) for row in self.attention]

    def lines(self) -> list[str]:
        out = [
            f"pushed {self.pushed} (accepted {self.accepted}, duplicate {self.duplicate}, "
            f"conflict {self.conflict}, rejected {self.rejected}, deferred {self.deferred}); "
            f"{self.queued} still queued",
            f"pulled {self.forms} forms, {self.children} children, {self.episodes} episodes, "
            f"{self.feedback} feedback ({self.approved} approved, {self.reopened} reopened)",
            f"purged {self.purged}",
            f"sent {self.audit_events} audit events",
        ]
        if self.removed_children or self.kept_children:
            out.append(
                f"unassigned children: {self.removed_children} removed, {self.kept_children} "
                "kept because they have work not yet synced"
            )
        out.extend(self.problems)
        return out


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str | None
    council_name: str | None
    device_id: str | None
    last_sync_at: datetime | None
    counts: dict[str, int]

    @property
    def queued(self) -> int:
        return self.counts.get(outbox.PENDING, 0)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# --- one pass ---------------------------------------------------------------------------------


@contextmanager
def _client(profile: Profile, transport: httpx.BaseTransport | None) -> Iterator[SyncClient]:
    with profile.sessions() as s:
        enrolled = state.enrolment(s)
        if enrolled is None:
            raise NotEnrolled(
                "This laptop is not enrolled with a central store yet; run 'rhi-desktop enrol' "
                "with a code from your administrator."
            )
        token = state.TokenStore(profile.profile_id, profile.demo).load(s)
    with SyncClient(enrolled.server_url, token, transport=transport) as client:
        yield client


def sync_once(
    profile: Profile,
    *,
    now: datetime | None = None,
    force: bool = True,
    include_pdf: bool = True,
    transport: httpx.BaseTransport | None = None,
    on_progress: ProgressFn | None = None,
    on_item: ItemFn | None = None,
) -> SyncSummary:
    """One pass: push, then pull and purge. ``force`` sends pending items even before their
    backoff has passed (a person pressed "Sync now"); the automatic timer passes False.

    Raises Unreachable/ServerBusy (outbox kept, with backoff), ProfileWiped after a
    revocation, NotEnrolled/TokenRejected/TlsProblem; each ``str()`` is one sentence."""
    when = _now(now)
    summary = SyncSummary(started_at=when)
    try:
        with _client(profile, transport) as client:
            _push(profile, client, summary, when, force, include_pdf, on_progress, on_item)
            _push_audit(profile, client, summary)
            _pull(profile, client, summary, when, on_progress)
    except DeviceRevoked:
        raise wipe_revoked(profile) from None
    summary.finished_at = _now(None) if now is None else now
    with profile.transaction() as s:
        summary.queued = outbox.counts(s)[outbox.PENDING]
        summary.attention = outbox.snapshot(s, only_attention=True)
        state.put(s, state.LAST_SYNC_AT, summary.finished_at.isoformat())
        state.put(s, state.LAST_RESULT, summary.lines())
        audit.record(
            s,
            actor=profile.worker_name,
            action="sync.run",
            detail={
                "accepted": summary.accepted,
                "duplicate": summary.duplicate,
                "conflict": summary.conflict,
                "rejected": summary.rejected,
                "deferred": summary.deferred,
                "queued": summary.queued,
                "forms": summary.forms,
                "children": summary.children,
                "episodes": summary.episodes,
                "feedback": summary.feedback,
                "purged": summary.purged,
                "audit_events": summary.audit_events,
            },
        )
    return summary


# A batch request stays about this size (a row bigger than it goes alone): interviews with
# pictures and files can carry tens of megabytes each.
BATCH_BYTES = 24 * 1024 * 1024


def _batches(
    profile: Profile, due: list[tuple[str, str, int]]
) -> Iterator[list[tuple[str, str, int]]]:
    """``due`` in order, in batches of at most BATCH_SIZE rows and about BATCH_BYTES (the
    sealed payload and PDF, or the attachments of a row not sealed yet)."""
    weights: dict[str, int] = {}
    if due:
        with profile.sessions() as s:
            ids = [row_id for row_id, _, _ in due]
            for n in range(0, len(ids), 500):
                chunk = ids[n : n + 500]
                sealed = select(
                    OutboxItem.id,
                    OutboxItem.entity_id,
                    func.coalesce(func.length(OutboxItem.pdf), 0),
                    func.length(OutboxItem.payload),
                ).where(OutboxItem.id.in_(chunk))
                for row_id, entity_id, pdf_len, payload_len in s.execute(sealed):
                    weights[row_id] = pdf_len + (payload_len or 0)
                    if payload_len is None:
                        weights[row_id] += (
                            int(
                                s.scalar(
                                    select(func.coalesce(func.sum(Attachment.size), 0)).where(
                                        Attachment.interview_id == entity_id
                                    )
                                )
                                or 0
                            )
                            * 4
                            // 3
                        )
    batch: list[tuple[str, str, int]] = []
    size = 0
    for row in due:
        weight = weights.get(row[0], 0)
        if batch and (len(batch) >= outbox.BATCH_SIZE or size + weight > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += weight
    if batch:
        yield batch


def _prepare(
    profile: Profile,
    rows: list[tuple[str, str, int]],
    when: datetime,
    include_pdf: bool,
    summary: SyncSummary,
) -> tuple[list[tuple[str, tuple[BatchItem, bytes | None]]], dict[str, str]]:
    """Batch items (each with its PDF) for outbox rows (id, interview, revision); and rows that
    cannot be built.

    A row sealed at completion is sent as sealed (no rebuild, the same bytes on every retry);
    an unsealed one is sealed now, once."""
    ready: list[tuple[str, tuple[BatchItem, bytes | None]]] = []
    broken: dict[str, str] = {}
    unsealed = []
    with profile.sessions() as s:
        for row_id, interview_id, revision in rows:
            item = s.get_one(OutboxItem, row_id)
            if item.payload is not None and (item.pdf is not None or not include_pdf):
                ready.append((row_id, _sealed_item(item, include_pdf)))
            else:
                unsealed.append((row_id, interview_id, revision))
    if unsealed:
        sealed = seal_rows(profile, unsealed, when, include_pdf)
        broken = sealed.broken
        summary.without_pdf += sealed.without_pdf
        with profile.sessions() as s:
            for row_id in sealed.sealed:
                ready.append((row_id, _sealed_item(s.get_one(OutboxItem, row_id), include_pdf)))
    order = {row_id: n for n, (row_id, _, _) in enumerate(rows)}
    ready.sort(key=lambda pair: order[pair[0]])
    return ready, broken


def _sealed_item(item: OutboxItem, include_pdf: bool) -> tuple[BatchItem, bytes | None]:
    """The item, and its PDF to send as a raw multipart part (named by ``pdf_part``)."""
    pdf = item.pdf if include_pdf and item.pdf else None
    return (
        BatchItem(
            interview_id=item.entity_id,
            revision=item.revision,
            content_sha256=item.content_sha256 or "",
            payload=item.payload or {},
            pdf_part=f"pdf-{item.id}" if pdf is not None else None,
        ),
        pdf,
    )


def _push(
    profile: Profile,
    client: SyncClient,
    summary: SyncSummary,
    when: datetime,
    force: bool,
    include_pdf: bool,
    on_progress: ProgressFn | None,
    on_item: ItemFn | None,
) -> None:
    with profile.transaction() as s:
        outbox.ensure_items(s, when)
        due = [(o.id, o.entity_id, o.revision) for o in outbox.due_items(s, when, force=force)]
    total = len(due) + 4
    done = 0
    if on_progress:
        on_progress(done, total, f"Sending {len(due)} interviews")
    for rows in _batches(profile, due):
        ready, broken = _prepare(profile, rows, when, include_pdf, summary)
        # PDFs go as raw multipart parts; the records of the interviews' children go along, so
        # central can take a child the worker added on this laptop (it has no record of it).
        pdfs = {sent.pdf_part: pdf for _, (sent, pdf) in ready if sent.pdf_part and pdf}
        with profile.sessions() as s:
            children, episodes = push_records(s, [sent.interview_id for _, (sent, _) in ready])
        try:
            response = (
                client.push(
                    [sent for _, (sent, _) in ready],
                    pdfs=pdfs,
                    children=children,
                    episodes=episodes,
                )
                if ready
                else None
            )
        except (Unreachable, ServerBusy, ProtocolProblem) as exc:
            with profile.transaction() as s:
                outbox.postpone(_rows(s, [r for r, _ in ready]), str(exc), when)
            raise
        with profile.transaction() as s:
            statuses: list[list[object]] = []
            for row_id, reason in broken.items():
                item = s.get_one(OutboxItem, row_id)
                outbox.mark_not_prepared(item, reason)
                summary.rejected += 1
                statuses.append([item.entity_id, item.revision, outbox.REJECTED])
            results = response.results if response is not None else []
            if len(results) != len(ready):
                raise ProtocolProblem("The central store answered a batch with the wrong count.")
            for (row_id, (sent, _)), result in zip(ready, results, strict=True):
                item = s.get_one(OutboxItem, row_id)
                if (result.interview_id, result.revision) != (sent.interview_id, sent.revision):
                    raise ProtocolProblem("The central store answered a batch out of order.")
                new_state = outbox.apply_result(s, item, result, when)
                _count(summary, result.status)
                statuses.append([item.entity_id, item.revision, result.status.value])
                if on_item:
                    on_item(item.entity_id, item.revision, new_state)
            audit.record(
                s,
                actor=profile.worker_name,
                action="sync.push",
                detail={"items": statuses},
            )
        done += len(rows)
        if on_progress:
            on_progress(done, total, f"Sent {done} of {len(due)} interviews")


def _push_audit(profile: Profile, client: SyncClient, summary: SyncSummary) -> None:
    """The whole audit trail, after the interviews; a refusal is one line, not a failure."""
    result = push_audit_trail(client, profile.transaction)
    summary.audit_events = result.sent
    if result.problem:
        summary.problems.append(result.problem)


def _rows(s: Session, ids: list[str]) -> list[OutboxItem]:
    return [s.get_one(OutboxItem, i) for i in ids]


def _count(summary: SyncSummary, status: ItemStatus) -> None:
    name = status.value
    setattr(summary, name, getattr(summary, name) + 1)


def _pull(
    profile: Profile,
    client: SyncClient,
    summary: SyncSummary,
    when: datetime,
    on_progress: ProgressFn | None,
) -> None:
    counts = sync_pull.PullCounts()
    base = summary.pushed

    def step(n: int, text: str) -> None:
        if on_progress:
            on_progress(base + n, base + 4, text)

    step(0, "Fetching settings")
    retention_days = pull.pull_settings(client, profile.transaction)
    step(1, "Fetching questionnaires")
    sync_pull.pull_forms(client, profile.transaction, counts)
    step(2, "Fetching assignments")
    sync_pull.pull_assignments(client, profile.transaction, counts, profile.worker_name)
    step(3, "Fetching review feedback")
    sync_pull.pull_feedback(client, profile.transaction, counts, when)
    with profile.transaction() as s:
        summary.purged = len(retention.purge(s, when, retention_days, profile.worker_name))
    step(4, "Done")
    summary.forms = counts.forms
    summary.children = counts.children
    summary.episodes = counts.episodes
    summary.removed_children = counts.removed_children
    summary.kept_children = len(counts.kept_children)
    summary.feedback = counts.feedback
    summary.approved = counts.approved
    summary.reopened = counts.reopened
    summary.problems.extend(counts.problems)


# --- small reads for the UI -------------------------------------------------------------------


def ping(profile: Profile, *, transport: httpx.BaseTransport | None = None) -> bool:
    """Is central reachable and this laptop still welcome? (cheap; False when offline).
    A revoked laptop is wiped here too, and ProfileWiped raised."""
    try:
        with _client(profile, transport) as client:
            client.ping()
    except (Unreachable, ServerBusy):
        return False
    except DeviceRevoked:
        raise wipe_revoked(profile) from None
    return True


def sync_status(profile: Profile) -> SyncStatus:
    with profile.sessions() as s:
        enrolled = state.enrolment(s)
        return SyncStatus(
            enrolled=enrolled is not None,
            server_url=enrolled.server_url if enrolled else None,
            council_name=enrolled.council_name if enrolled else None,
            device_id=enrolled.device_id if enrolled else None,
            last_sync_at=state.last_sync_at(s),
            counts=outbox.counts(s),
        )


def retry_refused(profile: Profile, keys: set[tuple[str, int]] | None = None) -> int:
    """Queue refused and conflicting interviews again (all, or the (interview id, revision)
    ``keys``), to go at the next pass; audited. Returns how many were queued."""
    with profile.transaction() as s:
        rows = outbox.retry(s, keys)
        if rows:
            audit.record(
                s,
                actor=profile.worker_name,
                action="sync.retry",
                detail={"items": [[o.entity_id, o.revision] for o in rows]},
            )
        return len(rows)


def outbox_rows(profile: Profile) -> list[outbox.OutboxRow]:
    with profile.transaction() as s:
        outbox.ensure_items(s, _now(None))
        return outbox.snapshot(s)
