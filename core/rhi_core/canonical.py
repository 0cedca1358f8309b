"""The one canonical byte form, and the hashes and parsers both sides must agree on.

Every content hash in the product (the fingerprint printed on a signed PDF, the
``content_sha256`` of a synced revision, the laptop's audit chain) is SHA-256 over
``canonical_json``. Its output must never change for the same input: sealed revisions and
signed PDFs already carry hashes computed with it.

Also here: the parsers that turn stored values (text from SQLite, aware datetimes from
PostgreSQL, code strings) back into typed values, used by the laptop's store and by central.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

E = TypeVar("E", bound=enum.Enum)

GENESIS = "0" * 64  # the previous hash of the first event of any hash chain


def _jsonable(obj: Any) -> Any:
    """json.dumps ``default`` hook: one fixed spelling for every non-JSON type we use."""
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, datetime | date | time):
        return obj.isoformat()
    if isinstance(obj, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(obj)).decode("ascii")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=lambda v: canonical_json(v))
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(f"cannot put a {type(obj).__name__} into canonical JSON")


def canonical_json(obj: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, UTF-8 (not \\u escapes), no whitespace, no NaN.

    Datetimes and dates are ISO 8601 (keep them timezone-aware upstream), bytes are base64,
    enums are their values and dataclasses their fields. For plain JSON data (what the wire
    protocol carries) this is exactly ``json.dumps(sort_keys, compact, ensure_ascii=False)``.
    """
    text = json.dumps(
        obj,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
        default=_jsonable,
    )
    return text.encode("utf-8")


def content_sha256(obj: Any) -> str:
    """Lower-case hex SHA-256 of ``canonical_json(obj)`` (raw bytes are hashed as given)."""
    data = bytes(obj) if isinstance(obj, bytes | bytearray) else canonical_json(obj)
    return hashlib.sha256(data).hexdigest()


def chain_digest(prev_hash: str, body: Mapping[str, Any]) -> str:
    """The hash of one link of a hash chain: the event's content and the previous hash."""
    return content_sha256({**body, "prev": prev_hash})


def audit_event_digest(
    *,
    prev_hash: str,
    id: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str | None,
    entity_id: str | None,
    detail: Mapping[str, Any] | None,
) -> str:
    """The hash of one laptop audit event, computed the same on the laptop (when the event is
    written) and on central (when the chain arrives). ``at`` must be the aware UTC time."""
    return chain_digest(
        prev_hash,
        {
            "id": id,
            "at": at.isoformat(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": detail,
        },
    )


# --- parsing stored values ------------------------------------------------------------------


def utc_instant(value: str | datetime | None) -> datetime | None:
    """An instant as an aware UTC datetime, from a column (naive UTC text or datetime as
    SQLite returns it, aware on PostgreSQL) or from ISO 8601 text with an offset."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def calendar_day(value: str | date) -> date:
    """A date from a column or ISO text (``YYYY-MM-DD``)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def code_map(enum_cls: type[E]) -> dict[Any, E]:
    """value -> member. A dict lookup is several times faster than ``enum_cls(value)``, and
    the figures parse hundreds of thousands of coded values."""
    return {member.value: member for member in enum_cls}


def code_of(enum_cls: type[E], value: Any) -> E | None:
    """The member for a stored code, None for None; an unknown code raises ValueError."""
    return None if value is None else enum_cls(value)
