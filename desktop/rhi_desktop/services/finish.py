"""Finishing an interview: complete and lock the revision, then seal it for sending. One use case.

Completion (``completion.complete``) reads the stored record and refuses an incomplete one;
sealing (``sealing.seal_completed``) builds the exact payload, its hash and the signed PDF
once, so a later sync only sends. They used to be two background jobs started by the screen,
which could race; here sealing follows completion in the same job, and a sealing problem never
undoes the completion (the next sync seals what is left, and says so if it cannot).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from rhi_desktop.store.errors import StoreError

from . import completion
from .children import ValidationFailed
from .profiles import Profile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    interview_id: str
    revision: int
    sealed: bool  # ready to send: payload, hash and signed PDF kept in the outbox
    problem: str | None = None  # why it is not sealed yet (one sentence)

    @property
    def message(self) -> str:
        if self.sealed:
            return "Interview completed, locked and ready to send at the next sync."
        return f"Interview completed and locked; it will be prepared to send at the next sync ({self.problem})."


def finish_interview(
    profile: Profile, interview_id: str, *, now: datetime, actor: str | None = None
) -> Finished:
    """Complete the current revision (IncompleteInterview lists every gap), then seal it."""
    with profile.transaction() as s:
        interview = completion.complete(
            s, interview_id, actor=actor or profile.worker_name, now=now
        )
        revision = interview.revision
    return Finished(interview_id, revision, *_seal(profile, now))


def _seal(profile: Profile, now: datetime) -> tuple[bool, str | None]:
    # The signing stack is loaded here, after the record is safely locked.
    from .sealing import seal_completed

    try:
        seal_completed(profile, now=now)
    except (StoreError, ValidationFailed, OSError, ValueError) as exc:
        log.warning("sealing after completion failed: %s", type(exc).__name__)
        return False, str(exc) or "it could not be prepared now"
    return True, None
