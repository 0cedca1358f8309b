"""Write a synthetic dataset into a demo profile (passphrase "demo", DEMO on every screen).

Held interviews get a session; completed ones also get a safety plan, referrals, the worker's
analysis and signatures, so a demo record exports as a full PDF. Everything is bulk inserted
(the same facts the services would record, without their per-row checks and audit events): a
425-child demo is written in about a second and the benchmarks' 6,000-child profile in seconds.
"""

from __future__ import annotations

import functools
import math
import os
import random
import struct
import zlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from rhi_core.demo.synthetic import generate
from rhi_core.domain.codes import (
    InterviewState,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    SafetyPlanItemKind,
    SessionPresent,
    SignatureRole,
)
from rhi_core.domain.referrals import suggested_referrals
from rhi_core.forms.risk import compute_risk_flags
from rhi_core.reports.records import Dataset, InterviewRecord
from rhi_desktop.security import audit
from rhi_desktop.security.keys import KdfParams
from rhi_desktop.store.models import (
    Answer,
    Child,
    InterviewSession,
    MissingEpisode,
    OfferAttempt,
    Referral,
    ReturnInterview,
    SafetyPlan,
    SafetyPlanItem,
    Signature,
    interview_episode,
)
from rhi_desktop.store.types import new_id

from .demo_answers import demo_answers
from .forms_registry import current_form
from .profiles import Profile, create_profile

DEMO_PASSPHRASE = "demo"
DEMO_WORKER = "Sam Okafor (demo)"
# Demo data is synthetic, so its key needs less work to derive: the demo opens quickly.
DEMO_KDF = KdfParams(time_cost=1, memory_cost_kib=16 * 1024, parallelism=1)


def create_demo_profile(
    root: Path,
    *,
    seed: int = 2021,
    n_children: int = 425,
    now: datetime | None = None,
) -> Profile:
    profile = create_profile(
        Path(root),
        worker_name=DEMO_WORKER,
        passphrase=DEMO_PASSPHRASE,
        demo=True,
        kdf=DEMO_KDF,
    )
    # Anchored to the real clock so the caseload's countdowns are live when the demo opens.
    anchor = now or datetime.now(UTC)
    dataset = generate(seed=seed, n_children=n_children, now=anchor)
    with profile.transaction() as s:
        write_dataset(s, dataset, answers_seed=seed, now=anchor)
        audit.record(
            s,
            actor=DEMO_WORKER,
            action="demo.seed",
            detail={"seed": seed, "children": len(dataset.children)},
        )
    return profile


def write_dataset(
    session: Session,
    data: Dataset,
    answers_seed: int | None = None,
    now: datetime | None = None,
) -> None:
    """Bulk inserts: a 10,000-interview benchmark profile is written in seconds.

    With ``answers_seed``, interviews also get answers, sessions, and (completed ones) safety
    plans, referrals, outcomes and signatures; ``now`` caps the dates written (default: the
    latest completion in the data).
    """
    completed = {str(s) for s in _COMPLETED}
    form = current_form()
    raised: dict[str, list[str]] = {}  # interview id -> the flags its answers raise
    if data.children:
        session.execute(
            insert(Child),
            [
                {
                    "id": c.id,
                    "local_id": c.local_id,
                    "first_name": c.first_name,
                    "last_name": c.last_name,
                    "dob": c.dob,
                    "sex": str(c.sex),
                    "ethnicity": c.ethnicity,
                    "looked_after": c.looked_after,
                    "uasc": c.uasc,
                    "out_of_area": c.out_of_area,
                    "placement_type": c.placement_type,
                    "placing_authority": c.placing_authority,
                    "social_worker": c.social_worker,
                    "preferred_language": c.preferred_language,
                    "interpreter_needed": c.interpreter_needed,
                }
                for c in data.children
            ],
        )
    if data.episodes:
        session.execute(
            insert(MissingEpisode),
            [
                {
                    "id": e.id,
                    "child_id": e.child_id,
                    "category": str(e.category),
                    "started_at": e.started_at,
                    "returned_at": e.returned_at,
                    "where_found": e.where_found,
                    "found_by": e.found_by,
                    "police_reference": e.police_reference,
                    "risk_grade": str(e.risk_grade),
                }
                for e in data.episodes
            ],
        )
    if data.interviews:
        session.execute(
            insert(ReturnInterview),
            [
                {
                    "id": i.id,
                    "child_id": i.child_id,
                    "form_id": form.id if i.state else None,
                    "form_version": form.version if i.state else None,
                    "state": str(i.state) if i.state else None,
                    "revision": i.revision,
                    "worker": i.worker,
                    "created_at": i.created_at,
                    "held_at": i.held_at,
                    "completed_at": i.completed_at,
                    "late_reason": str(i.late_reason) if i.late_reason else None,
                    "risk_flags": list(i.risk_flags),
                    "locked_at": i.completed_at if str(i.state) in completed else None,
                    **(_outcomes_text(i, now) if answers_seed is not None else {}),
                }
                for i in data.interviews
            ],
        )
        links = [
            {"interview_id": i.id, "episode_id": eid}
            for i in data.interviews
            for eid in i.episode_ids
        ]
        if links:
            session.execute(insert(interview_episode), links)
        if answers_seed is not None:
            rng = random.Random(answers_seed)
            stamp = now or datetime.now(UTC)
            answered = {
                i.id: demo_answers(form, rng, i.state != "draft", tuple(i.risk_flags))
                for i in data.interviews
                if i.state is not None
            }
            rows = [
                {
                    "id": _fast_id(),
                    "interview_id": i.id,
                    "revision": i.revision,
                    "question": name,
                    "repeat_path": "",
                    "value": value,
                    "updated_at": i.completed_at or i.held_at or stamp,
                }
                for i in data.interviews
                if i.id in answered
                for name, value in answered[i.id].items()
            ]
            _bulk(session, Answer, rows)
            # The flags the answers raise, so each completed record's referrals answer them
            # (a completed record must: see domain.referrals).
            raised = {
                i.id: [f.code for f in compute_risk_flags(form, answered[i.id])]
                for i in data.interviews
                if i.id in answered and str(i.state) in completed
            }
    if data.offers:
        session.execute(
            insert(OfferAttempt),
            [
                {
                    "id": o.id,
                    "interview_id": o.interview_id,
                    "at": o.at,
                    "method": str(o.method),
                    "outcome": str(o.outcome),
                    "by_whom": o.by_whom,
                    "declined_by": str(o.declined_by) if o.declined_by else None,
                    "decline_reason": str(o.decline_reason) if o.decline_reason else None,
                    "decline_note": o.decline_note,
                }
                for o in data.offers
            ],
        )
    if answers_seed is not None:
        _write_record_details(session, data, random.Random(answers_seed + 1), now, raised)


# --- the rest of a held / completed record ------------------------------------------------------

_COMPLETED = (
    InterviewState.COMPLETED,
    InterviewState.SYNCED,
    InterviewState.APPROVED,
    InterviewState.HAS_ISSUES,
)
_SESSION_PLACES = [
    "At the placement, in the quiet room",
    "Café near school (their choice)",
    "At home, in the kitchen",
    "Youth centre",
    "Walk in the park, then the car",
]
_TRUSTED = [
    ("Auntie Grace", "Aunt", "07700 900123"),
    ("Dave", "Key worker", "01632 960321"),
    ("Coach Lewis", "Football coach", "07700 900456"),
    ("Nan (Pat)", "Grandmother", "01632 960987"),
]
_SAFE_PLACES = [
    "Auntie's house",
    "The youth club on Tuesdays and Thursdays",
    "The library in town",
    "Home, in my room",
]
_WARNING_SIGNS = [
    "Messages from people I don't know offering lifts or money",
    "Arguments at home about my phone at night",
    "Feeling bored and wound up after school",
]
_ANALYSIS = {
    "cce": "The account and the indicators point to criminal exploitation: travel out of "
    "area with older males and unexplained money on return. The young person engaged well "
    "and named people and places, shared with the police.",
    "cse": "There are signs of grooming for sexual exploitation: gifts, lifts and online "
    "contact with older adults. The young person did not see it as a risk; trust is building.",
    "": "The episode followed conflict at home; no exploitation concerns were found. The young "
    "person talked openly and agreed a plan for what to do next time things get hard.",
}
_RECOMMENDATIONS = {
    "cce": "Discuss at MACE; CCE screening tool completed; consider a strategy meeting.",
    "cse": "Complete the CSE screening tool; share with the police exploitation team.",
    "": "Weekly check-ins with the key worker for a month; family meeting to agree curfew.",
}
_REFERRAL_NOTES = {
    ReferralKind.POLICE_INFORMATION: "Names, places and vehicle details passed on",
    ReferralKind.MACE: "For the next panel",
    ReferralKind.STRATEGY_MEETING: "Requested with the social worker",
    ReferralKind.FOLLOW_UP_1_1: "Weekly sessions for six weeks",
}


def _main_flag(i: InterviewRecord) -> str:
    return "cce" if "cce" in i.risk_flags else "cse" if "cse" in i.risk_flags else ""


def _outcomes_text(i: InterviewRecord, now: datetime | None) -> dict[str, Any]:
    if i.state not in _COMPLETED or i.completed_at is None:
        return {}
    shared = i.completed_at.date() + timedelta(days=1)
    if now is not None and shared > now.date():
        shared = None  # not sent to the social worker yet
    flag = _main_flag(i)
    return {
        "analysis": _ANALYSIS[flag],
        "recommendations": _RECOMMENDATIONS[flag],
        "shared_with_social_worker_on": shared,
    }


def _write_record_details(
    session: Session,
    data: Dataset,
    rng: random.Random,
    now: datetime | None,
    raised: dict[str, list[str]],
) -> None:
    children = {c.id: c for c in data.children}
    accepted = {
        o.interview_id for o in data.offers if str(o.outcome) == OfferOutcome.ACCEPTED.value
    }
    offers: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    signatures: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    for i in data.interviews:
        if i.held_at is None or i.state is None:
            continue
        child = children[i.child_id]
        if i.id not in accepted:
            # A session follows an accepted offer (the services insist on it).
            offers.append(
                {
                    "id": new_id(),
                    "interview_id": i.id,
                    "at": i.held_at - timedelta(minutes=30),
                    "method": OfferMethod.IN_PERSON.value,
                    "outcome": OfferOutcome.ACCEPTED.value,
                    "by_whom": i.worker,
                }
            )
        present = [SessionPresent.INTERPRETER.value] if child.interpreter_needed else []
        if rng.random() < 0.25:
            present.append(SessionPresent.CARER.value)
        sessions.append(
            {
                "id": new_id(),
                "interview_id": i.id,
                "started_at": i.held_at,
                "duration_minutes": rng.choice((30, 40, 45, 55, 60, 75)),
                "place": rng.choice(_SESSION_PLACES),
                "present": present,
                "time_alone": SessionPresent.CARER.value not in present,
                "confidentiality_explained": True,
                "revision": 1,
            }
        )
        if i.state not in _COMPLETED or i.completed_at is None:
            continue
        done = i.completed_at
        plan_id = new_id()
        plans.append(
            {
                "id": plan_id,
                "interview_id": i.id,
                "revision": i.revision,
                "review_date": done.date() + timedelta(days=28),
            }
        )
        items.extend(_plan_items(plan_id, child.first_name, i.worker, done.date(), rng))
        referrals.extend(_referrals(i, done.date()))
        kinds = {r["kind"] for r in referrals if r["interview_id"] == i.id}
        reasons = _flag_reasons(raised.get(i.id, []), kinds)
        if reasons:
            decisions.append({"id": i.id, "flag_decisions": reasons})
        signatures.extend(_signatures(i, f"{child.first_name} {child.last_name}", rng))
    for model, rows in (
        (OfferAttempt, offers),
        (InterviewSession, sessions),
        (SafetyPlan, plans),
        (SafetyPlanItem, items),
        (Referral, referrals),
        (Signature, signatures),
    ):
        _bulk(session, model, rows)
    if decisions:
        session.execute(update(ReturnInterview), decisions)


# What a worker writes when a flag asks for a referral they judged was not needed (the
# synthetic data's referrals are calibrated to the seed council's figures, so they stay).
_NO_REFERRAL = (
    "Discussed with the social worker and the family; not needed now, the safety plan covers "
    "it and it will be reviewed."
)


def _flag_reasons(raised: list[str], kinds: set[str]) -> dict[str, str]:
    return {
        code: _NO_REFERRAL
        for code in raised
        if (suggested := suggested_referrals(code)) and not kinds & set(suggested)
    }


def _fast_id() -> str:
    """A random (version 4) UUID string, several times faster than ``str(uuid.uuid4())``:
    a demo makes one per answer, tens of thousands."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {c: "89ab"[int(c, 16) % 4] for c in "0123456789abcdef"}


def _bulk(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany on the table (Core, not the ORM's per-row bookkeeping: 5-10x faster for
    the 40,000 answers of a demo). Every row gets every key the rows use, with None where a row
    has none, because an executemany takes its columns from the first row."""
    if not rows:
        return
    table = model.__table__
    # ORM attribute names that differ from their column names (SafetyPlanItem.relationship_).
    column_of = {attr.key: attr.columns[0].name for attr in model.__mapper__.column_attrs}
    keys = {k for row in rows for k in row}
    names = {k: column_of.get(k, k) for k in keys}
    session.execute(table.insert(), [{names[k]: row.get(k) for k in keys} for row in rows])


def _plan_items(
    plan_id: str, first_name: str, worker: str, day: date, rng: random.Random
) -> Iterable[dict[str, Any]]:
    name, relationship, phone = rng.choice(_TRUSTED)
    kind = SafetyPlanItemKind
    rows: list[dict[str, Any]] = [
        {
            "kind": kind.HELPLINE,
            "position": 0,
            "name": "Runaway Helpline",
            "phone": "116 000",
            "text": "Free and confidential, call or text, 24 hours a day",
        },
        {
            "kind": kind.TRUSTED_ADULT,
            "position": 0,
            "name": name,
            "relationship": relationship,
            "phone": phone,
        },
        {"kind": kind.SAFE_PLACE, "position": 0, "text": rng.choice(_SAFE_PLACES)},
        {"kind": kind.WARNING_SIGN, "position": 0, "text": rng.choice(_WARNING_SIGNS)},
        {
            "kind": kind.ACTION,
            "position": 0,
            "who": first_name,
            "text": f"Call {name} before leaving if things get hard",
            "by_when": day + timedelta(days=7),
        },
        {
            "kind": kind.ACTION,
            "position": 1,
            "who": worker,
            "text": "Check in by phone and arrange the next visit",
            "by_when": day + timedelta(days=14),
        },
    ]
    for row in rows:
        row["id"] = new_id()
        row["plan_id"] = plan_id
        row["kind"] = str(row["kind"])
        # The model's attribute for the "relationship" column is relationship_.
        if "relationship" in row:
            row["relationship_"] = row.pop("relationship")
    return rows


def _referrals(i: InterviewRecord, day: date) -> list[dict[str, Any]]:
    kinds = set(i.referrals)
    if i.risk_flags and not kinds & {ReferralKind.MACE, ReferralKind.POLICE_INFORMATION}:
        kinds |= {ReferralKind.POLICE_INFORMATION, ReferralKind.MACE}
    return [
        {
            "id": new_id(),
            "interview_id": i.id,
            "revision": i.revision,
            "kind": str(k),
            "made_on": day,
            "note": _REFERRAL_NOTES.get(k),
        }
        for k in sorted(kinds, key=str)
    ]


def _signatures(i: InterviewRecord, child_name: str, rng: random.Random) -> list[dict[str, Any]]:
    assert i.completed_at is not None
    # The same worker always signs the same way; children vary.
    worker_variant = zlib.crc32(i.worker.encode()) % _VARIANTS
    strokes, png = signature_drawing(worker_variant)
    rows = [
        {
            "id": new_id(),
            "interview_id": i.id,
            "revision": i.revision,
            "role": SignatureRole.WORKER.value,
            "name": i.worker,
            "signed_at": i.completed_at,
            "strokes": strokes,
            "png": png,
        }
    ]
    roll = rng.random()
    if roll < 0.6:
        strokes, png = signature_drawing(rng.randrange(_VARIANTS))
        rows.append(
            {
                "id": new_id(),
                "interview_id": i.id,
                "revision": i.revision,
                "role": SignatureRole.YOUNG_PERSON.value,
                "name": child_name,
                "signed_at": i.completed_at - timedelta(minutes=2),
                "strokes": strokes,
                "png": png,
            }
        )
    elif roll < 0.85:
        rows.append(
            {
                "id": new_id(),
                "interview_id": i.id,
                "revision": i.revision,
                "role": SignatureRole.YOUNG_PERSON.value,
                "name": child_name,
                "signed_at": i.completed_at - timedelta(minutes=2),
                "declined_reason": "chose not to sign after the record was read back to them",
            }
        )
    return rows


# --- synthetic handwritten signatures (no Qt: the demo is written headless too) ----------------

_VARIANTS = 8
PAD_W, PAD_H = 360, 110  # pad units = pixels of the drawn PNG


@functools.cache
def signature_drawing(variant: int) -> tuple[list[list[list[float]]], bytes]:
    """Pen strokes (``[[x, y, t_ms], ...]`` per stroke) and their PNG, for demo signatures.

    A looping cursive scribble (a prolate cycloid with a wandering baseline) plus an underline:
    it reads as a signature at a glance and never as a real person's. Cached: eight variants
    serve every demo interview.
    """
    r = random.Random(9000 + variant)
    strokes: list[list[list[float]]] = []
    t = 0.0
    x0 = 18.0 + r.uniform(0, 12)
    for part in range(2):  # first name, surname
        loops = r.randint(3, 6) if part else r.randint(2, 4)
        radius = r.uniform(5.5, 8.0)
        d = radius * r.uniform(1.25, 1.8)
        height = r.uniform(0.9, 1.4)
        base = PAD_H * 0.55 + r.uniform(-6, 6)
        stroke: list[list[float]] = []
        steps = loops * 14
        # Each loop its own height, the first one tall (a capital), slanting up to the right.
        heights = [2.2] + [r.uniform(0.7, 1.5) for _ in range(loops)]
        for k in range(steps + 1):
            a = k / 14 * 2 * math.pi
            x = x0 + radius * a - d * math.sin(a)
            lift = heights[min(k // 14, loops)]
            y = base + height * d * math.cos(a) * lift - 0.05 * (x - x0) + 3 * math.sin(a / 5)
            stroke.append([round(x, 1), round(y, 1), round(t, 1)])
            t += 9.0
        strokes.append(stroke)
        x0 = stroke[-1][0] + r.uniform(14, 24)
        t += 180.0
    widest = max(p[0] for stroke in strokes for p in stroke)
    if widest > PAD_W - 14:  # squeeze a long name into the pad, as a person would
        squeeze = (PAD_W - 14) / widest
        strokes = [[[round(x * squeeze, 1), y, tt] for x, y, tt in st] for st in strokes]
        x0 *= squeeze
    left, right = 14.0, min(PAD_W - 12.0, x0 + 4)
    under_y = PAD_H * 0.82
    underline = []
    for k in range(21):
        u = k / 20
        underline.append(
            [round(left + (right - left) * u, 1), round(under_y - 6 * u * u, 1), round(t, 1)]
        )
        t += 6.0
    strokes.append(underline)
    return strokes, _strokes_png(strokes, PAD_W, PAD_H)


def _strokes_png(strokes: list[list[list[float]]], width: int, height: int) -> bytes:
    """Greyscale PNG of the strokes (2 px pen), encoded by hand with zlib."""
    pixels = [bytearray(b"\xff" * width) for _ in range(height)]

    def dot(x: float, y: float) -> None:
        for dx in (0, 1):
            for dy in (0, 1):
                px, py = int(x) + dx, int(y) + dy
                if 0 <= px < width and 0 <= py < height:
                    pixels[py][px] = 0x22

    for stroke in strokes:
        for (x1, y1, _), (x2, y2, _) in zip(stroke, stroke[1:], strict=False):
            n = max(1, int(max(abs(x2 - x1), abs(y2 - y1))))
            for k in range(n + 1):
                dot(x1 + (x2 - x1) * k / n, y1 + (y2 - y1) * k / n)
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
