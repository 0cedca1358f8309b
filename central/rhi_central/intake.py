"""Interview intake: the push path. One transaction per batch, a handful of statements per
batch whatever its size (no per-item round trips), so 1,000 interviews take a few seconds.

Idempotent on (interview_id, revision): a resend after a lost response is a "duplicate" and
changes nothing; the same key with other content is a "conflict", kept aside for a human and
never written over the stored revision.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rhi_central import forms as forms_mod
from rhi_central.context import Central
from rhi_central.models import Device, Form, Interview, InterviewConflict
from rhi_central.timeutil import utcnow
from rhi_core.canonical import content_sha256
from rhi_core.protocol import BatchItem, InterviewPayload, ItemResult, ItemStatus

MAX_PDF_BYTES = 20 * 1024 * 1024


@dataclass(slots=True)
class _Candidate:
    index: int  # position in the batch: answers go back in the order sent
    item: BatchItem
    payload: InterviewPayload
    pdf: bytes | None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "payload"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"payload.{where}: {err['msg']}{more}"


def _decode_pdf(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        pdf = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("pdf_base64 is not valid base64") from None
    if len(pdf) > MAX_PDF_BYTES:
        raise ValueError("the PDF is larger than 20 MB")
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("pdf_base64 does not hold a PDF")
    return pdf


def _forms(central: Central, session: Session, keys: set[tuple[str, str]]) -> dict[Any, Any]:
    """Published forms used by this batch, parsed once per process (cached by content hash)."""
    if not keys:
        return {}
    ids = {k[0] for k in keys}
    rows = session.execute(
        select(Form.form_id, Form.version, Form.sha256).where(Form.form_id.in_(ids))
    ).all()
    found: dict[tuple[str, str], Any] = {}
    for form_id, version, sha in rows:
        if (form_id, version) not in keys:
            continue
        cache_key = (form_id, version, sha)
        if cache_key not in central.form_cache:
            text = session.execute(
                select(Form.yaml_text).where(Form.form_id == form_id, Form.version == version)
            ).scalar_one()
            try:
                central.form_cache[cache_key] = forms_mod.parse(text)
            except forms_mod.FormProblem:
                # Published before the engine grew stricter: still accept structurally.
                central.form_cache[cache_key] = None
        found[(form_id, version)] = central.form_cache[cache_key]
    return found


def _result(item: BatchItem, status: ItemStatus, reason: str | None = None) -> ItemResult:
    return ItemResult(
        interview_id=item.interview_id, revision=item.revision, status=status, reason=reason
    )


def _check(
    central: Central, session: Session, items: list[BatchItem]
) -> tuple[list[_Candidate], dict[int, ItemResult]]:
    """Per-item checks that need no stored interviews: hash, structure, form, PDF."""
    rejected: dict[int, ItemResult] = {}
    parsed: list[_Candidate] = []

    def reject(index: int, item: BatchItem, reason: str) -> None:
        rejected[index] = _result(item, ItemStatus.REJECTED, reason)

    for index, item in enumerate(items):
        if content_sha256(item.payload) != item.content_sha256:
            reject(
                index, item, "content_sha256 does not match the SHA-256 of the canonical payload"
            )
            continue
        try:
            payload = InterviewPayload.model_validate(item.payload)
        except ValidationError as exc:
            reject(index, item, _first_error(exc))
            continue
        try:
            pdf = _decode_pdf(item.pdf_base64)
        except ValueError as exc:
            reject(index, item, str(exc))
            continue
        parsed.append(_Candidate(index, item, payload, pdf))

    forms = _forms(central, session, {(c.payload.form_id, c.payload.form_version) for c in parsed})
    accepted: list[_Candidate] = []
    for cand in parsed:
        key = (cand.payload.form_id, cand.payload.form_version)
        if key not in forms:
            reject(
                cand.index, cand.item, f"form {key[0]} version {key[1]} is not published on central"
            )
            continue
        # A declined RHI was never held: the questionnaire's required answers do not apply
        # (the laptop's completion rules say the same).
        # "declined" is believed only when the payload bears it out (no session was held and
        # an offer was declined), so it cannot be used to slip incomplete answers past intake.
        declined = (
            cand.payload.path == "declined"
            and not cand.payload.sessions
            and any(o.outcome.value == "declined" for o in cand.payload.offers)
        )
        problems = (
            []
            if declined
            else forms_mod.answer_problems(
                forms[key], cand.payload.answers, cand.payload.completed_at
            )
        )
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            reject(
                cand.index,
                cand.item,
                "answers incomplete or invalid: " + "; ".join(problems[:3]) + more,
            )
            continue
        missing = forms_mod.missing_attachments(
            forms[key], cand.payload.answers, {a.id for a in cand.payload.attachments}
        )
        if missing:
            reject(
                cand.index,
                cand.item,
                "answers name attachments that were not sent: " + ", ".join(missing[:5]),
            )
            continue
        accepted.append(cand)
    return accepted, rejected


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """Insert, skipping keys another request stored meanwhile; returns the keys inserted."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    dialect_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        dialect_insert(Interview)
        .on_conflict_do_nothing(index_elements=["interview_id", "revision"])
        .returning(Interview.interview_id, Interview.revision)
    )
    result = session.execute(stmt, rows)
    return {(r[0], r[1]) for r in result}


CONFLICT_REASON = (
    "central already holds this revision with different content; kept aside, not overwritten"
)


def process_batch(
    central: Central, session: Session, device: Device, items: list[BatchItem]
) -> list[ItemResult]:
    """Store what is new and answer every item, in the order sent."""
    candidates, results = _check(central, session, items)

    wanted = {(c.item.interview_id, c.item.revision) for c in candidates}
    stored = _stored_hashes(session, wanted)

    now = utcnow()
    new_rows: dict[tuple[str, int], dict[str, Any]] = {}
    first_index: dict[tuple[str, int], int] = {}
    conflicts: list[_Candidate] = []
    for cand in candidates:
        key = (cand.item.interview_id, cand.item.revision)
        known = stored.get(key) or new_rows.get(key, {}).get("content_sha256")
        if known is None:
            new_rows[key] = _row(cand, device, now)
            first_index[key] = cand.index
            results[cand.index] = _result(cand.item, ItemStatus.ACCEPTED)
        elif known == cand.item.content_sha256:
            results[cand.index] = _result(cand.item, ItemStatus.DUPLICATE)
        else:
            conflicts.append(cand)

    raced = set(new_rows) - _insert_new(session, list(new_rows.values()))
    if raced:
        # Another request stored some of these between our read and our insert (a laptop
        # retrying while its first attempt is still in flight): judge them against that row.
        winners = _stored_hashes(session, raced)
        for key in raced:
            index = first_index[key]
            cand = next(c for c in candidates if c.index == index)
            if winners.get(key) == new_rows[key]["content_sha256"]:
                results[index] = _result(cand.item, ItemStatus.DUPLICATE)
            else:
                conflicts.append(cand)

    if conflicts:
        session.execute(
            insert(InterviewConflict),
            [
                {
                    "interview_id": c.item.interview_id,
                    "revision": c.item.revision,
                    "device_id": device.id,
                    "content_sha256": c.item.content_sha256,
                    "payload": c.item.payload,
                    "pdf": c.pdf,
                    "received_at": now,
                }
                for c in conflicts
            ],
        )
        for c in conflicts:
            results[c.index] = _result(c.item, ItemStatus.CONFLICT, CONFLICT_REASON)
    return [results[i] for i in range(len(items))]


def _stored_hashes(session: Session, keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    if not keys:
        return {}
    rows = session.execute(
        select(Interview.interview_id, Interview.revision, Interview.content_sha256).where(
            Interview.interview_id.in_({k[0] for k in keys})
        )
    )
    return {(iid, rev): sha for iid, rev, sha in rows if (iid, rev) in keys}


def _row(cand: _Candidate, device: Device, now: datetime) -> dict[str, Any]:
    return {
        "interview_id": cand.item.interview_id,
        "revision": cand.item.revision,
        "device_id": device.id,
        "worker": device.worker,
        "child_id": cand.payload.child_id,
        "form_id": cand.payload.form_id,
        "form_version": cand.payload.form_version,
        "state": "completed",
        "completed_at": cand.payload.completed_at,
        "content_sha256": cand.item.content_sha256,
        "payload": cand.item.payload,
        "pdf": cand.pdf,
        "received_at": now,
    }
