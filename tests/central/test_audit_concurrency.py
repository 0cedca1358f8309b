"""Issue 17, item 2: the audit chain is not a global lock. Requests write their audit row in
their own transaction; only the background sealer takes the chain's head. While the head is
held (as a slow sealer would hold it), pushes and pulls from many laptops still complete, and
once it is released the chain seals and verifies whole (tamper-evidence as before:
tests/central/test_audit.py)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from central.kit import Kit, assign
from sqlalchemy import text

from rhi_central import audit

LAPTOPS = 10


def test_requests_do_not_wait_for_the_audit_chain(kit: Kit) -> None:
    if kit.central.db.dialect != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer whatever we do")
    kit.publish()
    laptops = []
    for n in range(LAPTOPS):
        worker = f"Worker {n}"
        assign(kit.central, f"child-{n}", worker)
        laptops.append(kit.enrol(worker, f"laptop-{n}"))
    with kit.central.db.engine.connect() as holder:
        holder.execute(text("SELECT * FROM audit_head WHERE id = 1 FOR UPDATE"))  # the chain
        answers: list[tuple[int, float]] = []

        def work(n: int) -> None:
            with httpx.Client(base_url=str(kit.http.base_url), timeout=30) as c:
                t0 = time.monotonic()
                item = kit.item(kit.payload(child_id=f"child-{n}", worker=f"Worker {n}"))
                r = c.post(
                    "/api/v1/interviews/batch",
                    json={"items": [item]},
                    headers=laptops[n].headers,
                )
                p = c.get("/api/v1/assignments", headers=laptops[n].headers)
                answers.append((r.status_code + p.status_code, time.monotonic() - t0))

        threads = [threading.Thread(target=work, args=(n,)) for n in range(LAPTOPS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert [code for code, _ in answers] == [400] * LAPTOPS  # 200 + 200 each
        assert max(s for _, s in answers) < 10  # nobody waited for the chain
        holder.rollback()
    sealed = audit.seal_all(kit.central.db)
    assert sealed >= 2 * LAPTOPS
    with kit.central.db.transaction() as s:
        assert audit.verify(s) == []
