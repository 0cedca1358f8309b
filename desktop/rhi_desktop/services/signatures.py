"""Signatures on an interview revision: the worker (required to complete), the young person
(optional, may decline), a carer, others.

A signature keeps both the pen strokes (a list of strokes, each a list of ``[x, y, t]`` points:
pad units and milliseconds) and the PNG the pad drew. One signature per role per revision for
worker / young person / carer (signing again replaces it); "other" may sign more than once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import SignatureRole
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.store.models import Signature

from .children import ValidationFailed
from .completion import assert_editable, record_step, touch

__all__ = ["SignatureInput", "blank_signature_problem", "remove_signature", "sign"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A dot or a twitch on the pad is not a signature: fewer than 2 points in all, or everything
# inside a box whose diagonal is under this many pad units.
MIN_POINTS = 2
MIN_EXTENT = 10.0
_SINGLE_PER_ROLE = {SignatureRole.WORKER, SignatureRole.YOUNG_PERSON, SignatureRole.CARER}

Stroke = Sequence[Sequence[float]]


@dataclass(frozen=True)
class SignatureInput:
    role: SignatureRole | str
    name: str
    strokes: Sequence[Stroke] = field(default_factory=tuple)
    png: bytes | None = None
    declined_reason: str | None = None  # the person would not or could not sign


def blank_signature_problem(strokes: Sequence[Stroke]) -> str | None:
    """Why these strokes are not a signature, or None if they are one."""
    points: list[tuple[float, float]] = []
    for stroke in strokes:
        if not isinstance(stroke, Sequence):
            return "The signature could not be read; clear the pad and sign again."
        for point in stroke:
            if (
                not isinstance(point, Sequence)
                or len(point) != 3
                or not all(isinstance(v, int | float) and math.isfinite(v) for v in point)
            ):
                return "The signature could not be read; clear the pad and sign again."
            points.append((float(point[0]), float(point[1])))
    if len(points) < MIN_POINTS:
        return "The signature is blank: sign in the box, then save."
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if math.hypot(max(xs) - min(xs), max(ys) - min(ys)) < MIN_EXTENT:
        return "The signature is too small to be a signature: sign across the box, then save."
    return None


def _problems(data: SignatureInput) -> list[EpisodeProblem]:
    problems: list[EpisodeProblem] = []
    if data.role not in {r.value for r in SignatureRole}:
        return [EpisodeProblem("role", "Choose who is signing.")]
    role = SignatureRole(data.role)
    if not data.name.strip():
        problems.append(EpisodeProblem("name", "Enter the name of the person signing."))
    declined = bool((data.declined_reason or "").strip())
    if declined:
        if role is SignatureRole.WORKER:
            problems.append(
                EpisodeProblem("declined_reason", "The worker's signature cannot be declined.")
            )
        if data.strokes or data.png:
            problems.append(
                EpisodeProblem("strokes", "A declined signature has no drawing; clear the pad.")
            )
        return problems
    blank = blank_signature_problem(data.strokes)
    if blank:
        problems.append(EpisodeProblem("strokes", blank))
    if not data.png or not data.png.startswith(PNG_MAGIC):
        problems.append(EpisodeProblem("png", "The signature image is missing; sign again."))
    return problems


def sign(
    session: Session, interview_id: str, data: SignatureInput, *, actor: str, now: datetime
) -> Signature:
    """Record a signature (or a recorded refusal to sign) on the current revision."""
    interview = assert_editable(session, interview_id)
    problems = _problems(data)
    if problems:
        raise ValidationFailed(problems)
    role = SignatureRole(data.role)
    replaced = 0
    if role in _SINGLE_PER_ROLE:
        for old in session.scalars(
            select(Signature).where(
                Signature.interview_id == interview.id,
                Signature.revision == interview.revision,
                Signature.role == role,
            )
        ):
            session.delete(old)
            replaced += 1
    declined = (data.declined_reason or "").strip() or None
    row = Signature(
        interview_id=interview.id,
        revision=interview.revision,
        role=role,
        name=data.name.strip(),
        signed_at=now,
        strokes=None if declined else [[list(map(float, p)) for p in s] for s in data.strokes],
        png=None if declined else data.png,
        declined_reason=declined,
    )
    session.add(row)
    touch(interview, now)
    session.flush()
    record_step(
        session,
        interview,
        "signature.decline" if declined else "signature.sign",
        actor=actor,
        signature_id=row.id,
        role=role,
        replaced=replaced,
    )
    return row


def remove_signature(session: Session, signature_id: str, *, actor: str, now: datetime) -> None:
    row = session.get(Signature, signature_id)
    if row is None:
        raise ValidationFailed([EpisodeProblem("signature", "That signature is not here.")])
    interview = assert_editable(session, row.interview_id, row.revision)
    role = row.role
    session.delete(row)
    touch(interview, now)
    session.flush()
    record_step(
        session, interview, "signature.remove", actor=actor, signature_id=signature_id, role=role
    )
