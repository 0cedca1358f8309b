"""Issue 11, item 5: the enrolment limiter cannot be bypassed with X-Forwarded-For, cannot be
turned into a council-wide lockout, survives a restart, and every refusal is audited."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from central.kit import Kit, LiveServer, make_csr
from sqlalchemy import select

from rhi_central import ratelimit
from rhi_central.app import create_app
from rhi_central.models import AuditEvent
from rhi_central.settings import Settings

CSR = make_csr()[1]


def _try(http: httpx.Client, code: str, **headers: str) -> httpx.Response:
    return http.post(
        "/api/v1/enrol",
        json={"code": code, "device_name": "x", "csr_pem": CSR},
        headers=headers,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(database_url: str, data_dir: Path, *args: str) -> Iterator[str]:
    """The real `rhi-central serve`, as an administrator runs it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RHI_CENTRAL_")}
    env["RHI_CENTRAL_DATA_DIR"] = str(data_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rhi_central.cli", "serve", "--port", str(port),
         "--database-url", database_url, "--workers", "1", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "rhi-central serve exited"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            assert time.monotonic() < deadline, "rhi-central serve did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    database_url: str, data_dir: Path
) -> None:
    """Against `rhi-central serve` itself: ten failures with ten forged addresses still lock
    out the one real address (before the fix uvicorn believed the header from loopback)."""
    with _serve(database_url, data_dir) as url, httpx.Client(base_url=url, timeout=30) as http:
        for n in range(ratelimit.PER_ADDRESS):
            assert _try(http, "WRONG", **{"X-Forwarded-For": f"203.0.113.{n}"}).status_code == 400
        r = _try(http, "WRONG", **{"X-Forwarded-For": "198.51.100.7"})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0


def test_a_configured_proxy_is_believed_and_one_address_cannot_lock_out_the_rest(
    database_url: str, data_dir: Path
) -> None:
    settings = Settings.load(database_url, data_dir=data_dir, trusted_proxies="127.0.0.1")
    app = create_app(settings=settings)
    try:
        with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=30) as http:
            kit = Kit(app.state.central, http)
            attacker = {"X-Forwarded-For": "203.0.113.9"}
            for _ in range(ratelimit.PER_ADDRESS):
                assert _try(http, "WRONG", **attacker).status_code == 400
            assert _try(http, "WRONG", **attacker).status_code == 429
            # Hundreds of failures from many addresses: no council-wide cap any more.
            for n in range(120):
                _try(http, "WRONG", **{"X-Forwarded-For": f"198.51.100.{n}"})
            good = _try(http, kit.enrol_code("Amara Okafor"), **{"X-Forwarded-For": "192.0.2.1"})
            assert good.status_code == 200, good.text
            # The attacker cannot hide behind a forged hop either: the nearest untrusted wins.
            forged = {"X-Forwarded-For": "192.0.2.77, 203.0.113.9"}
            assert _try(http, "WRONG", **forged).status_code == 429
    finally:
        app.state.central.db.dispose()


def test_one_code_is_refused_after_five_failed_uses_from_anywhere(kit: Kit) -> None:
    used = kit.enrol_code("Amara Okafor")
    assert _try(kit.http, used).status_code == 200
    codes = []
    for _ in range(ratelimit.PER_CODE):
        codes.append(_try(kit.http, used).status_code)
    assert codes == [409] * ratelimit.PER_CODE
    assert _try(kit.http, used).status_code == 429
    # The address itself is not locked by that code: another code still works from here.
    assert _try(kit.http, kit.enrol_code("Ben Walsh")).status_code == 200


def test_the_count_survives_a_restart_and_every_refusal_is_audited(
    database_url: str, data_dir: Path
) -> None:
    def run(expect_locked: bool) -> None:
        app = create_app(database_url, data_dir=data_dir)
        try:
            with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=30) as http:
                if not expect_locked:
                    for _ in range(ratelimit.PER_ADDRESS):
                        assert _try(http, "WRONG").status_code == 400
                assert _try(http, "WRONG").status_code == 429
        finally:
            app.state.central.db.dispose()

    run(expect_locked=False)
    run(expect_locked=True)  # a new process on the same database: still counted
    app = create_app(database_url, data_dir=data_dir)
    try:
        with app.state.central.db.transaction() as s:
            refused = [
                e.detail
                for e in s.scalars(select(AuditEvent))
                if e.action == "device.enrol.refused"
            ]
    finally:
        app.state.central.db.dispose()
    statuses = [d["status"] for d in refused]
    assert statuses.count(400) == ratelimit.PER_ADDRESS
    assert statuses.count(429) == 2
    assert all(d.get("address") == "127.0.0.1" for d in refused)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("10.0.0.1", ["198.51.100.1"], "10.0.0.1"),  # not a proxy: header ignored
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["198.51.100.1, 127.0.0.1"], "198.51.100.1"),  # proxy chain
        ("127.0.0.1", ["not-an-ip"], "127.0.0.1"),
        ("127.0.0.1", [], "127.0.0.1"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], expected: str) -> None:
    proxies = ratelimit.parse_networks("127.0.0.1, 10.9.0.0/16")
    assert ratelimit.client_address(peer, forwarded, proxies) == expected


def test_an_ipv6_client_counts_by_its_64() -> None:
    assert ratelimit.address_key("2001:db8:1:2::5") == ratelimit.address_key("2001:db8:1:2::9")
    assert ratelimit.address_key("2001:db8:1:3::5") != ratelimit.address_key("2001:db8:1:2::5")
