"""Typed storage errors: each carries one sentence a worker can act on."""

from __future__ import annotations


class StoreError(Exception):
    """A storage problem the user must hear about; str(e) is the sentence to show."""


class DatabaseMissing(StoreError):
    pass


class DatabaseCorrupt(StoreError):
    pass


class ProfileTooNew(StoreError):
    pass


class ProfileNotWritable(StoreError):
    pass


class DiskFull(StoreError):
    pass


class ProfileExists(StoreError):
    pass


class NotAProfile(StoreError):
    pass
