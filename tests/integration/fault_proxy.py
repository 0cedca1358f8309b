"""A loopback TCP proxy that injects network faults between the laptop and central.

For every HTTP request it reads from the laptop it draws, from a seeded ``random.Random``, one
of: pass it through; delay it (100-800 ms) before forwarding the request or before relaying the
answer; drop the connection before forwarding (central never sees the request); cut the
connection after forwarding but before relaying the answer (central did the work, the laptop
never hears about it: the nasty case for an outbox); or truncate the answer part-way. The draw
happens before anything touches central, so a run with the same seed and the same sequence of
requests makes the same decisions.

It speaks just enough HTTP/1.1 to find message boundaries (Content-Length, chunked, or
read-until-close), so keep-alive connections carry several requests, each with its own draw.
``stats`` counts what it did. Loopback only; daemon threads; ``stop()`` (or leaving the
``with`` block) closes every socket, and idle sockets time out on their own.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
FAULTS = ("delay_request", "delay_response", "drop", "cut", "truncate")
CUT_BATCH = "cut_batch_after_central_answered"
BATCH_PATH = b"/interviews/batch"
_MAX_HEAD = 64 * 1024
_CHUNK = 65536


@dataclass(frozen=True)
class Odds:
    """Chance of each fault per request; whatever is left passes straight through."""

    delay: float = 0.10  # split evenly between before-forwarding and before-answering
    drop: float = 0.06
    cut: float = 0.08
    truncate: float = 0.06
    delay_ms: tuple[int, int] = (100, 800)
    # While a kind has not happened yet, a request that drew "pass" gets one of the missing
    # kinds with this chance (a cut is owed until one has hit a batch): every kind shows up
    # early in a short run, without making faults more frequent once they all have.
    owed: float = 0.3

    def __post_init__(self) -> None:
        total = self.delay + self.drop + self.cut + self.truncate
        if not 0.0 <= total <= 1.0 or min(self.delay, self.drop, self.cut, self.truncate) < 0:
            raise ValueError("fault probabilities must be >= 0 and add up to at most 1")


NO_FAULTS = Odds(delay=0.0, drop=0.0, cut=0.0, truncate=0.0)


class _Closed(Exception):
    """The peer went away (or sent something that is not HTTP): end this connection."""


class _Reader:
    """Buffered reads of whole HTTP/1.1 messages from one socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _fill(self) -> bool:
        chunk = self.sock.recv(_CHUNK)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise _Closed
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            if len(self.buf) > _MAX_HEAD or not self._fill():
                raise _Closed
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line + b"\r\n"

    def message(self, *, response: bool, head_request: bool = False) -> tuple[bytes, bytes, bool]:
        """(start line, whole raw message, close after it?); raises _Closed if the peer left."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > _MAX_HEAD or not self._fill():
                raise _Closed
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        start = lines[0]
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        raw = head + b"\r\n\r\n"
        close = headers.get(b"connection") == b"close"
        status = int(start.split()[1]) if response and len(start.split()) > 1 else 0
        if response and (head_request or 100 <= status < 200 or status in (204, 304)):
            return start, raw, close
        if b"chunked" in headers.get(b"transfer-encoding", b""):
            while True:
                size_line = self._line()
                raw += size_line
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        trailer = self._line()
                        raw += trailer
                        if trailer == b"\r\n":
                            return start, raw, close
                raw += self._take(size + 2)
        if b"content-length" in headers:
            return start, raw + self._take(int(headers[b"content-length"])), close
        if not response:
            return start, raw, close  # a request without a body
        while self._fill():  # no length: the body runs to the end of the connection
            pass
        raw, self.buf = raw + self.buf, b""
        return start, raw, True


class FaultProxy:
    """``with FaultProxy(central_port, seed=1) as proxy:`` then point the laptop at
    ``proxy.url``. ``odds`` may be changed at any time (``NO_FAULTS`` for a clean pass)."""

    def __init__(
        self,
        target_port: int,
        *,
        seed: int = 0,
        odds: Odds = Odds(),
        idle_timeout_s: float = 30.0,
        upstream_timeout_s: float = 120.0,
    ) -> None:
        self.target_port = target_port
        self.odds = odds
        self.stats: Counter[str] = Counter()
        self.batch_forwarded = threading.Event()  # set whenever a batch goes to central
        self.batches_in_flight = 0
        self.batch_seconds: list[float] = []  # how long central took to answer each batch
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._idle_timeout = idle_timeout_s
        self._upstream_timeout = upstream_timeout_s
        self._sockets: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()
        with self._lock:
            live = list(self._sockets)
        for sock in live:
            _close(sock)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the work ------------------------------------------------------------------------------

    def _count(self, *keys: str) -> None:
        with self._lock:
            self.stats.update(keys)

    def _track(self, sock: socket.socket, live: bool) -> None:
        with self._lock:
            (self._sockets.add if live else self._sockets.discard)(sock)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._count("connections")
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _draw(self, batch: bool) -> tuple[str, float, float]:
        """(what to do, delay in seconds, where to truncate as a fraction) for one request."""
        with self._lock:
            odds = self.odds
            u, frac, owed_u = self._rng.random(), self._rng.random(), self._rng.random()
            delay = self._rng.uniform(*odds.delay_ms) / 1000.0
            kind = "pass"
            for name, p in (("drop", odds.drop), ("cut", odds.cut), ("truncate", odds.truncate)):
                if u < p:
                    kind = name
                    break
                u -= p
            else:
                if u < odds.delay:
                    kind = "delay_request" if u < odds.delay / 2 else "delay_response"
            enabled = {k for k, p in (("drop", odds.drop), ("cut", odds.cut),
                       ("truncate", odds.truncate), ("delay_request", odds.delay),
                       ("delay_response", odds.delay)) if p > 0}  # fmt: skip
            owed = sorted(k for k in enabled if not self.stats[k])
            if batch and "cut" in enabled and not self.stats[CUT_BATCH] and "cut" not in owed:
                owed.append("cut")
            if kind == "pass" and owed and owed_u < odds.owed:
                kind = owed[int(frac * len(owed)) % len(owed)]
        return kind, (delay if kind.startswith("delay") else 0.0), frac

    def _serve(self, client: socket.socket) -> None:
        self._track(client, True)
        client.settimeout(self._idle_timeout)
        upstream: socket.socket | None = None
        up_reader: _Reader | None = None
        reader = _Reader(client)
        try:
            while not self._stopping.is_set():
                start, request, close = reader.message(response=False)
                batch = BATCH_PATH in start
                kind, delay, frac = self._draw(batch)
                self._count("requests", *(("batch_requests",) if batch else ()))
                if kind == "drop":
                    self._count("drop")
                    _reset(client)  # an RST: the request never reaches central
                    return
                if kind == "delay_request":
                    self._count("delay_request")
                    time.sleep(delay)
                if upstream is None:
                    try:
                        upstream = socket.create_connection(
                            (LOOPBACK, self.target_port), timeout=self._upstream_timeout
                        )
                    except OSError:
                        self._count("upstream_down")  # central is not listening (restarting)
                        return
                    self._track(upstream, True)
                    up_reader = _Reader(upstream)
                assert up_reader is not None
                with self._lock:
                    self.batches_in_flight += batch
                sent_at = time.monotonic()
                try:
                    if batch:
                        self.batch_forwarded.set()
                    upstream.sendall(request)
                    _, response, up_close = up_reader.message(
                        response=True, head_request=start.startswith(b"HEAD ")
                    )
                except (OSError, _Closed):
                    # Central died while working on it (or on a kept-alive connection).
                    self._count("upstream_lost", *(("batch_lost_in_crash",) if batch else ()))
                    return
                finally:
                    with self._lock:
                        self.batches_in_flight -= batch
                if batch:
                    with self._lock:
                        self.batch_seconds.append(time.monotonic() - sent_at)
                if kind == "cut":
                    self._count("cut", *((CUT_BATCH,) if batch else ()))
                    return
                if kind == "truncate":
                    self._count("truncate")
                    client.sendall(
                        response[: min(len(response) - 1, max(1, int(len(response) * frac)))]
                    )
                    return
                if kind == "delay_response":
                    self._count("delay_response")
                    time.sleep(delay)
                if kind == "pass":
                    self._count("pass")
                client.sendall(response)
                if close or up_close:
                    return
        except (OSError, _Closed):
            return
        finally:
            self._track(client, False)
            _close(client)
            if upstream is not None:
                self._track(upstream, False)
                _close(upstream)


def _reset(sock: socket.socket) -> None:
    """Close with an RST rather than a FIN (SO_LINGER 0): an abrupt drop."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()
