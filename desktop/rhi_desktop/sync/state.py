"""What sync remembers between passes, all inside the encrypted database (ProfileSetting rows),
plus the device token, which lives in the OS keyring for real profiles.

The token is a credential: for a real profile it goes to the keychain (service "rhi-desktop",
user ``<profile_id>:device-token``) so a copy of the profile folder alone cannot sync as this
laptop. A demo profile has no keychain entry by design, so its token sits in the encrypted
database like the rest of its synthetic data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rhi_core.protocol import EnrolResponse
from rhi_desktop.security.keyring_store import SERVICE, KeyringSecretStore
from rhi_desktop.store.models import ProfileSetting
from rhi_desktop.sync.errors import NotEnrolled, SyncError

SERVER_URL = "sync.server_url"
DEVICE_ID = "sync.device_id"
COUNCIL_NAME = "sync.council_name"
ENROLLED_WORKER = "sync.worker"
ENROLLED_AT = "sync.enrolled_at"
CA_PEM = "sync.ca_certificate_pem"
DEMO_TOKEN = "sync.device_token"  # demo profiles only
CURSOR_ASSIGNMENTS = "sync.cursor.assignments"
CURSOR_FEEDBACK = "sync.cursor.feedback"
RETENTION_DAYS = "sync.retention_days"
LAST_SYNC_AT = "sync.last_sync_at"
LAST_RESULT = "sync.last_result"
KEPT_UNASSIGNED = "sync.kept_unassigned_child_ids"

DEFAULT_RETENTION_DAYS = 30


def get(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(ProfileSetting, key)
    return default if row is None else row.value


def put(session: Session, key: str, value: Any) -> None:
    row = session.get(ProfileSetting, key)
    if row is None:
        session.add(ProfileSetting(key=key, value=value))
    else:
        row.value = value


@dataclass(frozen=True)
class Enrolment:
    server_url: str
    device_id: str
    council_name: str
    worker: str


def enrolment(session: Session) -> Enrolment | None:
    url, device = get(session, SERVER_URL), get(session, DEVICE_ID)
    if not url or not device:
        return None
    return Enrolment(url, device, get(session, COUNCIL_NAME, ""), get(session, ENROLLED_WORKER, ""))


def remember_enrolment(
    session: Session, *, server_url: str, response: EnrolResponse, now: datetime
) -> None:
    """Which central store this laptop now talks to, as whom; the delta cursors start again
    (a new device has seen nothing yet)."""
    put(session, SERVER_URL, server_url)
    put(session, DEVICE_ID, response.device_id)
    put(session, COUNCIL_NAME, response.council_name)
    put(session, ENROLLED_WORKER, response.worker)
    put(session, CA_PEM, response.ca_certificate_pem)
    put(session, ENROLLED_AT, now.isoformat())
    put(session, CURSOR_ASSIGNMENTS, 0)
    put(session, CURSOR_FEEDBACK, 0)


def last_sync_at(session: Session) -> datetime | None:
    raw = get(session, LAST_SYNC_AT)
    return datetime.fromisoformat(raw) if raw else None


# --- the device token -----------------------------------------------------------------------------


def token_username(profile_id: str) -> str:
    return f"{profile_id}:device-token"


class TokenStore:
    """Where one profile's device token lives (see the module docstring)."""

    def __init__(
        self, profile_id: str, demo: bool, keyring_store: KeyringSecretStore | None = None
    ) -> None:
        self.profile_id = profile_id
        self.demo = demo
        self._keyring = keyring_store

    def _backend(self) -> Any:
        if self._keyring is None:
            # Vetted like the device secret: an insecure backend is refused with a sentence.
            self._keyring = KeyringSecretStore()
        return self._keyring.backend

    def save(self, session: Session, token: str) -> None:
        if self.demo:
            put(session, DEMO_TOKEN, token)
            return
        try:
            self._backend().set_password(SERVICE, token_username(self.profile_id), token)
        except Exception:  # noqa: BLE001 - any backend failure is "keychain failed"
            # `from None`: a backend's exception may echo the value it was asked to store.
            raise SyncError(
                "The device token could not be saved in this computer's keychain, so the laptop "
                "was not enrolled; unlock the keychain and try again."
            ) from None

    def load(self, session: Session) -> str:
        if self.demo:
            token = get(session, DEMO_TOKEN)
        else:
            try:
                token = self._backend().get_password(SERVICE, token_username(self.profile_id))
            except Exception as exc:  # noqa: BLE001
                raise SyncError(
                    "The computer's keychain did not give back the device token; unlock it and "
                    "sync again."
                ) from exc
        if not token:
            raise NotEnrolled(
                "This laptop is not enrolled with a central store yet; run "
                "'rhi-desktop enrol' with a code from your administrator."
            )
        return str(token)

    def forget(self) -> None:
        """Remove the keychain entry (wipe); the database copy goes with the database."""
        if self.demo:
            return
        try:
            self._backend().delete_password(SERVICE, token_username(self.profile_id))
        except Exception:  # noqa: BLE001 - already gone, or no keychain: nothing left to do
            return
