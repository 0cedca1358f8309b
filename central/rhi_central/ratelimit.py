"""Failed-enrolment limits, kept in the database (``enrol_failures``): they hold across
restarts and across API processes.

A one-time code has 80 bits of randomness, so guessing one is hopeless; the limits keep it slow
and loud without letting anyone lock the council out:

- per client address (an IPv6 address counts by its /64, which one machine can fill): 10
  failed codes in 15 minutes, then 429 until the oldest ages out. Only that address waits.
- per code: 5 failed uses of one existing code (already used, expired, or a broken signing
  request) in 15 minutes, then that code is refused for the rest of the window (an
  administrator can issue a new one).

There is deliberately no council-wide cap: it was a switch anyone could flip to block every new
laptop. The client address is the connection's peer, or, only when that peer is a configured
reverse proxy (``RHI_CENTRAL_TRUSTED_PROXIES``), the nearest untrusted address in its
``X-Forwarded-For``: nobody else can choose the address they are counted under.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from rhi_central.models import EnrolFailure

WINDOW = timedelta(minutes=15)
PER_ADDRESS = 10  # failed attempts from one address per window
PER_CODE = 5  # failed uses of one existing code per window

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[IpNetwork, ...]:
    """``"10.0.0.5, 10.1.0.0/16"`` -> networks; ValueError names the entry that is not one."""
    out: list[IpNetwork] = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            out.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(out)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: str, proxies: Sequence[IpNetwork]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], proxies: Sequence[IpNetwork]
) -> str:
    """Who to count a request against: the peer, unless it is a trusted proxy, then the
    right-most address in X-Forwarded-For that is not a trusted proxy."""
    address = peer or "unknown"
    if not _trusted(address, proxies):
        return address
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop if _ip(hop) is not None else address
        address = hop
    return address


def address_key(address: str) -> str:
    ip = _ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        return "addr:" + str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return "addr:" + (str(ip) if ip is not None else address[:100])


def code_key(code_sha256: str) -> str:
    return "code:" + code_sha256


def _limit(key: str) -> int:
    return PER_CODE if key.startswith("code:") else PER_ADDRESS


def retry_after(session: Session, keys: Sequence[str], now: datetime) -> int:
    """Seconds to wait before trying again under any of ``keys`` (0: go ahead)."""
    since = now - WINDOW
    rows = session.execute(
        select(EnrolFailure.key, func.count(), func.min(EnrolFailure.at))
        .where(EnrolFailure.key.in_(keys), EnrolFailure.at > since)
        .group_by(EnrolFailure.key)
    ).all()
    waits = [
        (oldest + WINDOW - now).total_seconds()
        for key, count, oldest in rows
        if count >= _limit(key)
    ]
    return max(1, int(max(waits)) + 1) if waits else 0


def record_failure(session: Session, keys: Sequence[str], now: datetime) -> None:
    session.execute(insert(EnrolFailure), [{"key": key, "at": now} for key in keys])
    # Failures older than the window count for nothing: keep the table small.
    session.execute(delete(EnrolFailure).where(EnrolFailure.at <= now - WINDOW))
