"""How uvicorn runs central: one place for the options `rhi-central serve` (and the tests'
server) use.

- Proxy headers are never taken from uvicorn: the app decides whom to believe
  (``RHI_CENTRAL_TRUSTED_PROXIES``, see ratelimit.py).
- Every connection gets TCP_NODELAY. asyncio sets it only on sockets it created itself; with
  ``--workers N`` (and any server handed a listening socket) the accepted connections kept
  Nagle's algorithm, and each small response waited for the client's delayed ACK: measured 44
  ms for /healthz instead of 1 ms.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


UVICORN_OPTIONS: dict[str, Any] = {
    "proxy_headers": False,
    "server_header": False,
    "http": NoDelayH11Protocol,
}
