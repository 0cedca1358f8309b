"""The one canonical byte form: every content hash and chain digest in the product is over it,
so its output for a given input must never change (sealed revisions and signed PDFs carry it)."""

from __future__ import annotations

import datetime as dt
import enum

import pytest

from rhi_core.canonical import (
    GENESIS,
    audit_event_digest,
    calendar_day,
    canonical_json,
    chain_digest,
    code_map,
    code_of,
    content_sha256,
    utc_instant,
)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    data = {"b": 1, "a": ["é", dt.date(2025, 6, 1)], "c": {"z": None, "y": True}}
    assert canonical_json(data) == '{"a":["é","2025-06-01"],"b":1,"c":{"y":true,"z":null}}'.encode()
    assert content_sha256(data) == content_sha256(dict(reversed(list(data.items()))))
    assert len(content_sha256(data)) == 64


def test_canonical_json_rejects_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_known_bytes_never_change() -> None:
    # A fixed input and its hash, written down once: if this fails, every sealed revision and
    # signed PDF in the field would stop matching what central stored.
    payload = {"form_id": "rhi-v1", "answers": {"why": "argument at home"}, "n": 3}
    assert (
        content_sha256(payload)
        == "88d09810fbb99bd39c9ad1beb203fc79f3515101b708c21bdede6d2365b2f59d"
    )


def test_laptop_audit_digest_is_a_chain_link() -> None:
    at = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
    fields = {
        "id": "e1",
        "actor": "Jane Smith",
        "action": "interview.open",
        "entity": "interview",
        "entity_id": "i1",
        "detail": {"revision": 1},
    }
    digest = audit_event_digest(prev_hash=GENESIS, at=at, **fields)
    assert digest == chain_digest(GENESIS, {**fields, "at": at.isoformat()})
    # Each field and the previous hash are covered.
    assert audit_event_digest(prev_hash="1" * 64, at=at, **fields) != digest
    for name in fields:
        assert audit_event_digest(prev_hash=GENESIS, at=at, **{**fields, name: "x"}) != digest


class Colour(enum.StrEnum):
    RED = "red"


def test_stored_values_parse_the_same_on_both_backends() -> None:
    aware = dt.datetime(2026, 3, 10, 14, 30, tzinfo=dt.UTC)
    assert utc_instant("2026-03-10 14:30:00") == aware  # SQLite text, naive UTC
    assert utc_instant("2026-03-10T15:30:00+01:00") == aware  # ISO text with an offset
    assert utc_instant(aware.replace(tzinfo=None)) == aware
    assert utc_instant(None) is None and utc_instant("") is None
    assert calendar_day("2013-05-14") == dt.date(2013, 5, 14)
    assert code_map(Colour) == {"red": Colour.RED}
    assert code_of(Colour, "red") is Colour.RED and code_of(Colour, None) is None
    with pytest.raises(ValueError):
        code_of(Colour, "blue")
