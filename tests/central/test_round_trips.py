"""Issue 17, item 1: a push costs a fixed handful of database statements whatever its size: one
token lookup (the gate's), one INSERT ... RETURNING that also applies the ownership rule, the
audit row in the same transaction. No forms SELECT once the form is known, no pre-read of
stored hashes, no second token lookup in the route."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from central.kit import Kit, assign
from sqlalchemy import event

N = 50


@contextmanager
def _statements(kit: Kit) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cur: object, statement: str, *_args: object) -> None:
        if threading.current_thread().name == "audit-sealer":
            return  # the background sealer, not the request
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(" ".join(statement.split()))

    engine = kit.central.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_push_of_50_is_three_statements(kit: Kit) -> None:
    kit.publish()
    for n in range(N):
        assign(kit.central, f"child-{n}", "Amara Okafor")
    laptop = kit.enrol()

    def batch() -> list[dict]:
        return [kit.item(kit.payload(child_id=f"child-{n}")) for n in range(N)]

    kit.push(laptop, batch(), children=[])  # warms the form map
    with _statements(kit) as seen:
        r = kit.push(laptop, batch(), children=[])
    assert {x["status"] for x in r.json()["results"]} == {"accepted"}
    assert len(seen) == 3, [x[:80] for x in seen]
    assert seen[0].startswith("SELECT devices.id")  # the gate's one token lookup
    assert "INSERT INTO interviews" in seen[1] and "ON CONFLICT" in seen[1]
    assert seen[2].startswith("INSERT INTO audit_events")


def test_a_pull_is_two_statements(kit: Kit) -> None:
    laptop = kit.enrol()
    with _statements(kit) as seen:
        assert kit.http.get("/api/v1/settings", headers=laptop.headers).status_code == 200
    assert len(seen) == 2, [x[:80] for x in seen]
