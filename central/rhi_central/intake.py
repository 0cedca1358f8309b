"""Interview intake: the push path.

A push is a JSON body (``BatchRequest``) or a multipart body whose ``batch`` part holds the same
JSON and whose other parts hold the signed PDFs as raw bytes (named by each item's
``pdf_part``): a PDF is never base64-decoded or held twice. Everything here runs in a worker
thread, never on the event loop.

Per item, once each: the payload is serialised to canonical JSON (that one text is hashed,
scanned for NUL, measured and stored), its free-form parts are checked for depth and length,
its model is validated, its form looked up in an in-process map (forms are immutable once
published; a miss asks the database), its answers re-checked by the forms engine. Then, in
one transaction, a fixed handful of statements whatever the batch size:

1. (only when the push carries child records) children central has no record of are added,
   assigned to the device's worker, and their episodes with them;
2. one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`` stores every new revision the
   ownership rule allows (``ownership.may_record``, evaluated inside that statement);
3. (only if some were not stored) one read says why: already held (duplicate or conflict),
   someone else's child, a child central does not know, another child's interview;
4. the audit event, in the same transaction.

Answers: ``accepted``, ``duplicate``, ``conflict`` (kept aside, never written over),
``rejected`` with a reason a person can act on, ``deferred`` for a state on central that can
change (form not published yet, central busy), each with a ``reason_code``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy import (
    Integer,
    LargeBinary,
    String,
    cast,
    column,
    insert,
    literal,
    select,
    union_all,
    values,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from rhi_central import audit, ownership
from rhi_central import forms as forms_mod
from rhi_central.auth import device_actor
from rhi_central.context import Central
from rhi_central.db import RawJson, is_transient
from rhi_central.gate import Principal
from rhi_central.models import Child, Episode, Form, Interview, InterviewConflict, Json, UtcDateTime
from rhi_central.timeutil import utcnow
from rhi_core.canonical import canonical_json
from rhi_core.protocol import (
    BATCH_PART,
    MAX_BATCH_ITEMS,
    MAX_JSON_DEPTH,
    MAX_PAYLOAD_BYTES,
    MAX_PDF_BYTES,
    BatchItem,
    ChildWire,
    EpisodeWire,
    InterviewPayload,
    ItemResult,
    ItemStatus,
    ReasonCode,
    text_problem,
)

log = logging.getLogger(__name__)
ACTION = "interviews.push"
CONFLICT_REASON = (
    "central already holds this revision with different content; kept aside, not overwritten"
)
BUSY_REASON = (
    "central could not store it just now (its database is busy or full); it stays queued on "
    "the laptop and is sent again automatically"
)


class PushRefused(Exception):
    """The request as a whole cannot be read: status and one sentence for the client."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class _Envelope(BaseModel):
    """A push's top level as read: the same shape as ``BatchRequest``, whose whole-body text
    walk is replaced here by the per-payload checks below (one pass over each payload)."""

    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem]
    children: list[ChildWire] = []
    episodes: list[EpisodeWire] = []


@dataclass(slots=True)
class _Candidate:
    index: int  # position in the batch: answers go back in the order sent
    item: BatchItem
    payload: InterviewPayload
    text: str  # the canonical JSON: hashed, stored
    pdf: bytes | None
    form: tuple[str, str] = ("", "")


@dataclass(slots=True)
class Push:
    items: list[BatchItem]
    children: list[ChildWire] = field(default_factory=list)
    episodes: list[EpisodeWire] = field(default_factory=list)
    parts: dict[str, bytes] = field(default_factory=dict)


# --- reading the body ----------------------------------------------------------------------


def read_push(body: bytes, content_type: str) -> Push:
    """The push in ``body`` (JSON or multipart/form-data); PushRefused if it cannot be read."""
    kind, options = parse_options_header(content_type or "application/json")
    parts: dict[str, bytes] = {}
    if kind == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise PushRefused(400, "a multipart push needs a boundary in its Content-Type")
        parts = _multipart_parts(body, boundary)
        if BATCH_PART not in parts:
            raise PushRefused(422, f"a multipart push needs a '{BATCH_PART}' part (the JSON)")
        raw = parts.pop(BATCH_PART)
    elif kind in (b"application/json", b""):
        raw = body
    else:
        raise PushRefused(415, "a push is application/json or multipart/form-data")
    try:
        data = json.loads(raw)
    except RecursionError:
        raise PushRefused(422, "the JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise PushRefused(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise PushRefused(422, "a push is a JSON object with 'items'")
    items = data.get("items")
    if isinstance(items, list) and len(items) > MAX_BATCH_ITEMS:
        raise PushRefused(
            413,
            f"a batch may hold at most {MAX_BATCH_ITEMS} interviews, this one has "
            f"{len(items)}; send it in smaller batches",
        )
    # Child records and episodes are small: check their text as a whole. Payloads are checked
    # one by one below, so one bad interview does not refuse the rest of the batch.
    problem = text_problem([data.get("children"), data.get("episodes")])
    if problem:
        raise PushRefused(422, f"children or episodes: {problem}")
    try:
        envelope = _Envelope.model_validate(data)
    except ValidationError as exc:
        raise PushRefused(422, first_error(exc, "")) from None
    except RecursionError:
        raise PushRefused(422, "the JSON is nested too deeply") from None
    return Push(envelope.items, envelope.children, envelope.episodes, parts)


def _multipart_parts(body: bytes, boundary: bytes) -> dict[str, bytes]:
    """name -> content of every part, in memory (never a temp file: PDFs hold child data)."""
    parts: dict[str, bytes] = {}
    chunks: list[bytes] = []
    name: list[bytes] = [b""]
    header: list[bytes] = [b"", b""]

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        if header[0].lower() == b"content-disposition":
            _, opts = parse_options_header(header[1])
            name[0] = opts.get(b"name", b"")
        header[0] = header[1] = b""

    def on_part_begin() -> None:
        chunks.clear()
        name[0] = b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunks.append(data[start:end])

    def on_part_end() -> None:
        key = name[0].decode("utf-8", "replace")
        if not key or key in parts:
            raise PushRefused(422, "every multipart part needs its own name")
        parts[key] = b"".join(chunks)

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except PushRefused:
        raise
    except Exception:  # python-multipart raises its own errors for a broken body
        raise PushRefused(400, "the multipart body cannot be read") from None
    if len(parts) > MAX_BATCH_ITEMS + 1:
        raise PushRefused(413, f"a push may carry at most {MAX_BATCH_ITEMS} PDFs")
    return parts


def first_error(exc: ValidationError, prefix: str = "payload.") -> str:
    """One sentence from a pydantic error: where and what, never the value itself."""
    err = exc.errors(include_input=False)[0]
    where = ".".join(str(p) for p in err["loc"]) or "payload"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{prefix}{where}: {err['msg']}{more}"


# --- per-item checks -----------------------------------------------------------------------


def _result(
    item: BatchItem, status: ItemStatus, code: ReasonCode | None = None, reason: str | None = None
) -> ItemResult:
    return ItemResult(
        interview_id=item.interview_id,
        revision=item.revision,
        status=status,
        reason=reason,
        reason_code=code.value if code else None,
    )


def _canonical(payload: dict[str, Any]) -> tuple[str | None, str | None, ReasonCode | None]:
    """(canonical JSON text, problem, code): the one serialisation of a payload."""
    try:
        text = canonical_json(payload).decode("utf-8")
    except UnicodeEncodeError:
        return None, "the payload has text that is not valid Unicode", ReasonCode.INVALID_TEXT
    except RecursionError:
        return None, "the payload is nested too deeply", ReasonCode.INVALID_PAYLOAD
    except (ValueError, TypeError):
        return None, "the payload is not plain JSON (NaN or infinity?)", ReasonCode.INVALID_PAYLOAD
    if len(text) > MAX_PAYLOAD_BYTES:  # characters <= bytes; the exact check is below
        return (
            None,
            f"the payload is larger than {MAX_PAYLOAD_BYTES // 1024:,} KB",
            ReasonCode.TOO_LARGE,
        )
    if _has_nul_escape(text):
        # Canonical JSON escapes U+0000 as \u0000: one search instead of a walk.
        return None, "the payload contains a NUL character", ReasonCode.INVALID_TEXT
    return text, None, None


def _has_nul_escape(text: str) -> bool:
    at = text.find("\\u0000")
    while at != -1:
        backslashes = 0
        while at - backslashes - 1 >= 0 and text[at - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:  # an escape, not a literal backslash followed by "u0000"
            return True
        at = text.find("\\u0000", at + 1)
    return False


def _free_form_problem(payload: dict[str, Any]) -> str | None:
    """Depth and length of the parts the model cannot bound: answers and audit details."""
    problem = text_problem(payload.get("answers"), MAX_JSON_DEPTH)
    if problem:
        return f"answers: {problem}"
    events = payload.get("audit_events")
    if isinstance(events, list):
        details = [e.get("detail") for e in events if isinstance(e, dict)]
        problem = text_problem(details, MAX_JSON_DEPTH)
        if problem:
            return f"audit events: {problem}"
    return None


def _pdf(item: BatchItem, parts: dict[str, bytes]) -> bytes | None:
    if item.pdf_part is not None:
        if item.pdf_part not in parts:
            raise ValueError(f"the push has no part named {item.pdf_part!r} for this PDF")
        pdf: bytes | None = parts[item.pdf_part]
    elif item.pdf_base64 is not None:
        try:
            pdf = base64.b64decode(item.pdf_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("pdf_base64 is not valid base64") from None
    else:
        return None
    assert pdf is not None
    if len(pdf) > MAX_PDF_BYTES:
        raise ValueError(f"the PDF is larger than {MAX_PDF_BYTES // (1024 * 1024)} MB")
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("the PDF part does not hold a PDF")
    return pdf


def _check_item(
    index: int, item: BatchItem, parts: dict[str, bytes], device: Principal
) -> _Candidate | ItemResult:
    rejected = ItemStatus.REJECTED
    text, problem, code = _canonical(item.payload)
    if text is None:
        return _result(item, rejected, code, problem)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != item.content_sha256:
        return _result(
            item,
            rejected,
            ReasonCode.HASH_MISMATCH,
            "content_sha256 does not match the SHA-256 of the canonical payload",
        )
    problem = _free_form_problem(item.payload)
    if problem:
        return _result(item, rejected, ReasonCode.INVALID_TEXT, problem)
    try:
        payload = InterviewPayload.model_validate(item.payload)
    except ValidationError as exc:
        return _result(item, rejected, ReasonCode.INVALID_PAYLOAD, first_error(exc))
    try:
        pdf = _pdf(item, parts)
    except ValueError as exc:
        return _result(item, rejected, ReasonCode.INVALID_PDF, str(exc))
    if not ownership.same_worker(payload.worker, device.worker):
        return _result(
            item,
            rejected,
            ReasonCode.WORKER_MISMATCH,
            f"the interview names {payload.worker!r} as its worker but this laptop is enrolled "
            f"for {device.worker!r}; only the enrolled worker's interviews are accepted",
        )
    return _Candidate(index, item, payload, text, pdf, (payload.form_id, payload.form_version))


def _forms(central: Central, session: Session, keys: set[tuple[str, str]]) -> dict[Any, Any]:
    """(id, version) -> parsed definition for the published ones among ``keys``. Forms never
    change once published, so the map only grows; a key not in it asks the database (another
    process may have published it)."""
    missing = keys - central.forms.keys()
    if missing:
        rows = session.execute(
            select(Form.form_id, Form.version, Form.yaml_text).where(
                Form.form_id.in_({k[0] for k in missing})
            )
        ).all()
        for form_id, version, text in rows:
            if (form_id, version) in missing:
                central.remember_form(form_id, version, text)
    return {k: central.forms[k] for k in keys if k in central.forms}


def _answers_result(cand: _Candidate, definition: Any) -> ItemResult | None:
    # A declined RHI was never held: the questionnaire's required answers do not apply (the
    # laptop's completion rules say the same). "declined" is believed only when the payload
    # bears it out (no session held, an offer declined), so it cannot slip incomplete
    # answers past intake.
    payload = cand.payload
    declined = (
        payload.path == "declined"
        and not payload.sessions
        and any(o.outcome.value == "declined" for o in payload.offers)
    )
    if declined:
        return None
    problems = forms_mod.answer_problems(definition, payload.answers, payload.completed_at)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return _result(
            cand.item,
            ItemStatus.REJECTED,
            ReasonCode.ANSWERS_INCOMPLETE,
            "answers incomplete or invalid: " + "; ".join(problems[:3]) + more,
        )
    missing = forms_mod.missing_attachments(
        definition, payload.answers, {a.id for a in payload.attachments}
    )
    if missing:
        return _result(
            cand.item,
            ItemStatus.REJECTED,
            ReasonCode.ANSWERS_INCOMPLETE,
            "answers name attachments that were not sent: " + ", ".join(missing[:5]),
        )
    return None


# --- storing -------------------------------------------------------------------------------


@dataclass
class _Outcome:
    results: list[ItemResult]
    children_added: list[str] = field(default_factory=list)
    episodes_added: int = 0


def _dialect_insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _register_children(session: Session, device: Principal, push: Push) -> tuple[list[str], int]:
    """Children the worker added on the laptop (central has no record of them) become theirs;
    new episodes of the worker's own children are added. Central's own records win."""
    added: list[str] = []
    episodes = 0
    worker = device.worker or ""
    insert_ = _dialect_insert(session)
    if push.children:
        rows = [
            {
                **c.model_dump(mode="python"),
                "sex": c.sex.value,
                "assigned_worker": worker,
                "created_by_device": device.id,
            }
            for c in {c.id: c for c in push.children}.values()
        ]
        result = session.execute(
            insert_(Child).on_conflict_do_nothing(index_elements=["id"]).returning(Child.id), rows
        )
        added = sorted(r[0] for r in result)
    if push.episodes:
        rows = [
            {
                **e.model_dump(mode="python"),
                "category": e.category.value,
                "risk_grade": e.risk_grade.value,
            }
            for e in {e.id: e for e in push.episodes}.values()
        ]
        cols = list(rows[0])
        types = {"started_at": UtcDateTime(), "returned_at": UtcDateTime()}
        v = _Rows(
            session,
            "new_episodes",
            [(c, types.get(c, String())) for c in cols],
            [tuple(r[c] for c in cols) for r in rows],
        )
        # Only episodes of children that are this worker's (central's owner rule).
        chosen = select(*[v.cols[c] for c in cols]).where(
            ownership.owns_child(worker, v.cols["child_id"])
        )
        result = session.execute(
            insert_(Episode)
            .from_select(cols, chosen)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(Episode.id)
        )
        episodes = len(result.all())
    return added, episodes


_COLUMNS = (
    ("interview_id", String()),
    ("revision", Integer()),
    ("device_id", String()),
    ("worker", String()),
    ("child_id", String()),
    ("form_id", String()),
    ("form_version", String()),
    ("state", String()),
    ("completed_at", UtcDateTime()),
    ("content_sha256", String()),
    ("payload", Json),
    ("pdf", LargeBinary()),
    ("received_at", UtcDateTime()),
)


class _Rows:
    """Rows of values as a table for ``INSERT ... SELECT`` (so the ownership rule can filter
    them inside the statement). ``cols[name]`` is each column, typed for the target table.

    PostgreSQL: ``(VALUES ...) AS name(columns)``, each value a bound parameter (a PDF goes
    as binary bytea, never escaped as text), cast to its column's type in the SELECT (so an
    all-NULL column is not taken for text); SQLAlchemy caches the statement per batch size.
    SQLite accepts no column names on VALUES: a CTE of ``SELECT ... UNION ALL``."""

    def __init__(
        self, session: Session, name: str, columns: Any, rows: list[tuple[Any, ...]]
    ) -> None:
        self.cols: dict[str, Any] = {}
        if session.get_bind().dialect.name == "postgresql":
            table = values(*[column(col, t) for col, t in columns], name=name).data(rows)
            for col, t in columns:
                self.cols[col] = cast(table.c[col], JSONB if t is Json else t)
            return
        selects = [
            select(*[literal(v, t).label(col) for (col, t), v in zip(columns, row, strict=True)])
            for row in rows
        ]
        table = (selects[0] if len(selects) == 1 else union_all(*selects)).cte(name)
        for col, _t in columns:
            self.cols[col] = table.c[col]


def _insert_allowed(
    session: Session, device: Principal, cands: list[_Candidate], now: datetime
) -> set[tuple[str, int]]:
    """One statement: insert every candidate the ownership rule allows and central does not
    hold yet; returns the keys stored."""
    worker = device.worker or ""
    v = _Rows(
        session,
        "incoming",
        _COLUMNS,
        [
            (
                c.item.interview_id,
                c.item.revision,
                device.id,
                worker,
                c.payload.child_id,
                c.payload.form_id,
                c.payload.form_version,
                "completed",
                c.payload.completed_at,
                c.item.content_sha256,
                RawJson(c.text),
                c.pdf,
                now,
            )
            for c in cands
        ],
    )
    names = [name for name, _ in _COLUMNS]
    chosen = select(*[v.cols[n] for n in names]).where(
        ownership.may_record(worker, v.cols["child_id"], v.cols["interview_id"])
    )
    stmt = (
        _dialect_insert(session)(Interview)
        .from_select(names, chosen)
        .on_conflict_do_nothing(index_elements=["interview_id", "revision"])
        .returning(Interview.interview_id, Interview.revision)
    )
    return {(r[0], r[1]) for r in session.execute(stmt)}


def _explain(
    session: Session, device: Principal, cands: list[_Candidate], now: datetime
) -> dict[int, ItemResult]:
    """Why these candidates were not stored (one read of interviews, one of children)."""
    ids = {c.item.interview_id for c in cands}
    held: dict[tuple[str, int], str] = {}
    child_of: dict[str, str] = {}
    for iid, rev, sha, child in session.execute(
        select(
            Interview.interview_id, Interview.revision, Interview.content_sha256, Interview.child_id
        ).where(Interview.interview_id.in_(ids))
    ):
        held[(iid, rev)] = sha
        child_of.setdefault(iid, child)
    owner = ownership.owners(session, {c.payload.child_id for c in cands})
    worker = device.worker or ""
    out: dict[int, ItemResult] = {}
    conflicts: list[_Candidate] = []
    for c in cands:
        key = (c.item.interview_id, c.item.revision)
        sha = held.get(key)
        if sha is not None and sha == c.item.content_sha256:
            # Central holds exactly this: say so whoever sends it (it changes nothing).
            out[c.index] = _result(c.item, ItemStatus.DUPLICATE)
            continue
        child = c.payload.child_id
        if child not in owner:
            out[c.index] = _result(
                c.item,
                ItemStatus.REJECTED,
                ReasonCode.CHILD_UNKNOWN,
                "central has no record of this child; the laptop sends the child's record with "
                "the interview (update RHI Desktop if this persists)",
            )
        elif owner[child] != worker:
            out[c.index] = _result(
                c.item,
                ItemStatus.REJECTED,
                ReasonCode.CHILD_NOT_ASSIGNED,
                "this child is not allocated to you on central; ask your Missing Lead to "
                "transfer the child to you, then sync again",
            )
        elif child_of.get(c.item.interview_id, child) != child:
            out[c.index] = _result(
                c.item,
                ItemStatus.REJECTED,
                ReasonCode.INTERVIEW_OF_ANOTHER_CHILD,
                "central holds this interview about another child; it cannot be moved to this one",
            )
        elif sha is not None:
            conflicts.append(c)
        else:  # not held, allowed: another request stored it between our insert and now
            out[c.index] = _result(c.item, ItemStatus.DUPLICATE)
    if conflicts:
        session.execute(
            insert(InterviewConflict),
            [
                {
                    "interview_id": c.item.interview_id,
                    "revision": c.item.revision,
                    "device_id": device.id,
                    "content_sha256": c.item.content_sha256,
                    "payload": RawJson(c.text),
                    "pdf": c.pdf,
                    "received_at": now,
                }
                for c in conflicts
            ],
        )
        for c in conflicts:
            out[c.index] = _result(
                c.item, ItemStatus.CONFLICT, ReasonCode.CONTENT_DIFFERS, CONFLICT_REASON
            )
    return out


def _judge(
    central: Central, session: Session, device: Principal, push: Push
) -> tuple[list[_Candidate], dict[int, ItemResult]]:
    results: dict[int, ItemResult] = {}
    checked: list[_Candidate] = []
    for index, item in enumerate(push.items):
        outcome = _check_item(index, item, push.parts, device)
        if isinstance(outcome, ItemResult):
            results[index] = outcome
        else:
            checked.append(outcome)
    forms = _forms(central, session, {c.form for c in checked})
    ready: list[_Candidate] = []
    for cand in checked:
        if cand.form not in forms:
            results[cand.index] = _result(
                cand.item,
                ItemStatus.DEFERRED,
                ReasonCode.FORM_NOT_PUBLISHED,
                f"form {cand.form[0]} version {cand.form[1]} is not published on central yet; "
                "the interview stays queued and is sent again automatically",
            )
            continue
        refused = _answers_result(cand, forms[cand.form])
        if refused is not None:
            results[cand.index] = refused
            continue
        ready.append(cand)
    return ready, results


def _store(central: Central, session: Session, device: Principal, push: Push) -> _Outcome:
    ready, results = _judge(central, session, device, push)
    children_added, episodes_added = _register_children(session, device, push)
    now = utcnow()
    # The same revision twice in one push: the first is judged, the rest follow it.
    first: dict[tuple[str, int], _Candidate] = {}
    repeats: list[_Candidate] = []
    for cand in ready:
        key = (cand.item.interview_id, cand.item.revision)
        if key in first:
            repeats.append(cand)
        else:
            first[key] = cand
    unique = list(first.values())
    stored = _insert_allowed(session, device, unique, now) if unique else set()
    for cand in unique:
        if (cand.item.interview_id, cand.item.revision) in stored:
            results[cand.index] = _result(cand.item, ItemStatus.ACCEPTED)
    missing = [c for c in unique if (c.item.interview_id, c.item.revision) not in stored]
    if missing:
        results.update(_explain(session, device, missing, now))
    for cand in repeats:
        lead = first[(cand.item.interview_id, cand.item.revision)]
        head = results[lead.index]
        same = cand.item.content_sha256 == lead.item.content_sha256
        if head.status in (ItemStatus.ACCEPTED, ItemStatus.DUPLICATE) and same:
            results[cand.index] = _result(cand.item, ItemStatus.DUPLICATE)
        elif head.status in (ItemStatus.ACCEPTED, ItemStatus.DUPLICATE, ItemStatus.CONFLICT):
            results[cand.index] = _result(
                cand.item, ItemStatus.CONFLICT, ReasonCode.CONTENT_DIFFERS, CONFLICT_REASON
            )
        else:
            results[cand.index] = head.model_copy(update={"revision": cand.item.revision})
    ordered = [results[i] for i in range(len(push.items))]
    return _Outcome(ordered, children_added, episodes_added)


def _audit(session: Session, device: Principal, outcome: _Outcome) -> None:
    results = outcome.results
    detail: dict[str, Any] = {
        "counts": dict(Counter(r.status.value for r in results)),
        "items": [[r.interview_id, r.revision, r.status.value, r.reason_code] for r in results],
    }
    if outcome.children_added:
        detail["children_added"] = outcome.children_added
    if outcome.episodes_added:
        detail["episodes_added"] = outcome.episodes_added
    audit.record(session, actor=device_actor(device), action=ACTION, detail=detail)


def process_push(central: Central, device: Principal, push: Push) -> list[ItemResult]:
    """Store what is new and answer every item, in the order sent (a worker thread's job)."""
    try:
        with central.db.transaction() as session:
            outcome = _store(central, session, device, push)
            _audit(session, device, outcome)
        return outcome.results
    except (OperationalError, PoolTimeout) as exc:
        if not is_transient(exc):
            raise
        # Busy or full (lock timeout, disk full, too many connections): nothing was stored.
        # Items that passed their own checks wait on the laptop; the rest keep their answer.
        log.warning("push deferred: %s", type(exc).__name__)
        return _deferred_busy(central, device, push)


def _deferred_busy(central: Central, device: Principal, push: Push) -> list[ItemResult]:
    results = [
        _result(item, ItemStatus.DEFERRED, ReasonCode.CENTRAL_BUSY, BUSY_REASON)
        for item in push.items
    ]
    for index, item in enumerate(push.items):
        checked = _check_item(index, item, push.parts, device)
        if isinstance(checked, ItemResult):
            results[index] = checked
    try:
        with central.db.transaction() as session:
            _audit(session, device, _Outcome(results))
    except (OperationalError, PoolTimeout):  # the audit waits with the data: nothing stored
        log.warning("could not audit a deferred push")
    return results
