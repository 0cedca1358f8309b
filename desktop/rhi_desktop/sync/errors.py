"""What can go wrong talking to central, each as one sentence a worker can act on.

They derive from StoreError so the CLI's ``friendly`` wrapper prints them and exits 1.
"""

from __future__ import annotations

from rhi_desktop.store.errors import StoreError


class SyncError(StoreError):
    """Base of every sync failure; ``str()`` is one sentence."""


class Unreachable(SyncError):
    """No answer (offline, DNS, refused, timed out, connection dropped): try again later."""


class ServerBusy(SyncError):
    """Central answered 5xx (or 429): try again later; nothing was lost."""


class TlsProblem(SyncError):
    """The server's certificate could not be verified: never retried blindly."""


class NotEnrolled(SyncError):
    """This profile has no device token yet."""


class TokenRejected(SyncError):
    """Central does not know the token (401): enrol again."""


class EnrolmentRefused(SyncError):
    """The code was unknown, used or expired, or the request was refused."""


class DeviceRevoked(SyncError):
    """Central said ``device revoked`` (403): the laptop must wipe itself."""


class ProfileWiped(SyncError):
    """The local data was erased after revocation (raised after the wipe, for the caller)."""


class ProtocolProblem(SyncError):
    """Central answered something this client cannot use (a version mismatch)."""
