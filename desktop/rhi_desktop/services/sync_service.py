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
from sqlalchemy import update
from sqlalchemy.orm import Session

from rhi_core.protocol import BatchItem, ItemStatus
from rhi_desktop.security import audit
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.profiles import Profile, default_secret_store
from rhi_desktop.services.signing_identity import get_or_create_identity
from rhi_desktop.services.sync_children import push_records
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import AuditEvent, OutboxItem
from rhi_desktop.sync import outbox, pull, purge, state
from rhi_desktop.sync.audit_push import push_audit_trail
from rhi_desktop.sync.client import SyncClient, normalise_server_url
from rhi_desktop.sync.enrol import EnrolResult, request_enrolment, store_enrolment
from rhi_desktop.sync.errors import (
    DeviceRevoked,
    NotEnrolled,
    ProfileWiped,
    ProtocolProblem,
    ServerBusy,
    Unreachable,
)
from rhi_desktop.sync.payload import batch_item, build_payload, signed_pdf
from rhi_desktop.sync.wipe import WIPED_MESSAGE, wipe_profile

__all__ = [
    "ItemFn",
    "ProgressFn",
    "SyncStatus",
    "SyncSummary",
    "enrol",
    "outbox_rows",
    "ping",
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

    @property
    def pushed(self) -> int:
        return self.accepted + self.duplicate + self.conflict + self.rejected

    def lines(self) -> list[str]:
        out = [
            f"pushed {self.pushed} (accepted {self.accepted}, duplicate {self.duplicate}, "
            f"conflict {self.conflict}, rejected {self.rejected}); {self.queued} still queued",
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


def _tokens(profile: Profile) -> state.TokenStore:
    return state.TokenStore(profile.profile_id, profile.demo)


# --- enrolment --------------------------------------------------------------------------------


def enrol(
    profile: Profile,
    server_url: str,
    code: str,
    *,
    device_name: str | None = None,
    now: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> EnrolResult:
    """Enrol this laptop with a one-time code; raises a SyncError with one sentence."""
    url = normalise_server_url(server_url)
    with SyncClient(url, transport=transport) as client:
        key_pem, response = request_enrolment(client, code, profile.worker_name, device_name)
    # The code is spent now: save the token first, so a failure below still leaves a laptop
    # that can be fixed by enrolling again rather than a token nobody kept.
    with profile.transaction() as s:
        _tokens(profile).save(s, response.device_token)
        # A new device id starts a new chain on central: the whole trail goes again, from #1.
        s.execute(update(AuditEvent).values(synced=False))
        return store_enrolment(
            s,
            server_url=url,
            key_pem=key_pem,
            response=response,
            actor=profile.worker_name,
            profile_id=profile.profile_id,
            now=_now(now),
        )


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
        token = _tokens(profile).load(s)
    with SyncClient(enrolled.server_url, token, transport=transport) as client:
        yield client


def _wipe(profile: Profile) -> ProfileWiped:
    try:
        with profile.transaction() as s:
            audit.record(
                s,
                actor=profile.worker_name,
                action="sync.wipe",
                entity="profile",
                entity_id=profile.profile_id,
                detail={"reason": "device revoked"},
            )
    except StoreError:
        pass  # the record is about to be erased anyway; the wipe must not depend on it
    paths = profile.paths
    profile.close()
    wipe_profile(
        paths,
        secret_store=None if profile.demo else default_secret_store(),
        tokens=_tokens(profile),
    )
    return ProfileWiped(WIPED_MESSAGE)


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
        raise _wipe(profile) from None
    summary.finished_at = _now(None) if now is None else now
    with profile.transaction() as s:
        summary.queued = outbox.counts(s)[outbox.PENDING]
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


def _prepare(
    profile: Profile,
    rows: list[tuple[str, str, int]],
    when: datetime,
    include_pdf: bool,
    summary: SyncSummary,
) -> tuple[list[tuple[str, tuple[BatchItem, bytes | None]]], dict[str, str]]:
    """Batch items for outbox rows (id, interview, revision); and rows that cannot be built.

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
        sealed, broken, without_pdf = _seal(profile, unsealed, when, include_pdf)
        summary.without_pdf += without_pdf
        with profile.sessions() as s:
            for row_id in sealed:
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


def _seal(
    profile: Profile,
    rows: list[tuple[str, str, int]],
    when: datetime,
    include_pdf: bool,
) -> tuple[list[str], dict[str, str], int]:
    """Build and store payload, hash and signed PDF for outbox rows. Returns the sealed row
    ids, the rows that could not be built (with why) and how many have no PDF."""
    sealed: list[str] = []
    broken: dict[str, str] = {}
    without_pdf = 0
    identity = verified = None
    if include_pdf:
        with profile.transaction() as s:
            identity, verified = get_or_create_identity(s, profile.worker_name, profile.profile_id)
    with profile.transaction() as s:
        for row_id, interview_id, revision in rows:
            try:
                payload = build_payload(s, interview_id, revision)
            except (StoreError, ValidationFailed, ValueError) as exc:
                broken[row_id] = f"could not be prepared on this laptop: {exc}"
                continue
            pdf = None
            if identity is not None:
                pdf = _pdf_or_none(
                    s, profile, interview_id, revision, identity, bool(verified), when
                )
                if pdf is None:
                    without_pdf += 1
            item = batch_item(payload, interview_id, revision, None)
            row = s.get_one(OutboxItem, row_id)
            row.payload, row.content_sha256, row.pdf = item.payload, item.content_sha256, pdf
            sealed.append(row_id)
    return sealed, broken, without_pdf


def seal_completed(
    profile: Profile, *, now: datetime | None = None, include_pdf: bool = True
) -> int:
    """Seal every completed revision not sealed yet (called right after completion, off the
    GUI thread): the expensive part of a sync (the read model and the signed PDF) then happens
    once, when the worker finishes, not while the laptop has a moment of network."""
    when = _now(now)
    with profile.transaction() as s:
        outbox.ensure_items(s, when)
        rows = [
            (o.id, o.entity_id, o.revision)
            for o in outbox.due_items(s, when, force=True)
            if o.payload is None
        ]
    if not rows:
        return 0
    sealed, _broken, _ = _seal(profile, rows, when, include_pdf)
    return len(sealed)


def _pdf_or_none(
    s: Session,
    profile: Profile,
    interview_id: str,
    revision: int,
    identity: object,
    verified: bool,
    when: datetime,
) -> bytes | None:
    try:
        return signed_pdf(
            s,
            interview_id,
            revision,
            identity=identity,  # type: ignore[arg-type]
            verified=verified,
            demo=profile.demo,
            worker_name=profile.worker_name,
            now=when,
        )
    except (StoreError, ValidationFailed, ValueError, OSError):
        # The record still goes: central keeps the data, and the PDF can be made there or
        # exported from the laptop; losing the interview over a rendering problem would not do.
        return None


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
    for start in range(0, len(due), outbox.BATCH_SIZE):
        rows = due[start : start + outbox.BATCH_SIZE]
        ready, broken = _prepare(profile, rows, when, include_pdf, summary)
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
                item.state, item.last_error = outbox.REJECTED, reason
                summary.rejected += 1
                statuses.append([item.entity_id, item.revision, outbox.REJECTED])
            results = response.results if response is not None else []
            if len(results) != len(ready):
                raise ProtocolProblem("The central store answered a batch with the wrong count.")
            for (row_id, (sent, _)), result in zip(ready, results, strict=True):
                item = s.get_one(OutboxItem, row_id)
                if (result.interview_id, result.revision) != (sent.interview_id, sent.revision):
                    raise ProtocolProblem("The central store answered a batch out of order.")
                new_state = outbox.apply_result(s, item, result)
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
    counts = pull.PullCounts()
    base = summary.pushed

    def step(n: int, text: str) -> None:
        if on_progress:
            on_progress(base + n, base + 4, text)

    step(0, "Fetching settings")
    retention = pull.pull_settings(client, profile.transaction)
    step(1, "Fetching questionnaires")
    pull.pull_forms(client, profile.transaction, counts)
    step(2, "Fetching assignments")
    pull.pull_assignments(client, profile.transaction, counts, profile.worker_name)
    step(3, "Fetching review feedback")
    pull.pull_feedback(client, profile.transaction, counts, when)
    with profile.transaction() as s:
        summary.purged = len(purge.purge(s, when, retention, profile.worker_name))
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
        raise _wipe(profile) from None
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


def outbox_rows(profile: Profile) -> list[outbox.OutboxRow]:
    with profile.transaction() as s:
        outbox.ensure_items(s, _now(None))
        return outbox.snapshot(s)
