"""Things the app itself does that the audit trail must show (the screen locking and
unlocking). Written here, in the service layer, so no widget writes audit events."""

from __future__ import annotations

from .profiles import Profile

LOCK = "app.lock"
UNLOCK = "app.unlock"


def record_lock(profile: Profile, locked: bool) -> None:
    """The idle lock hid the caseload (``locked``) or the worker unlocked it again."""
    from rhi_desktop.security import audit

    with profile.transaction() as s:
        audit.record(s, actor=profile.worker_name, action=LOCK if locked else UNLOCK)
