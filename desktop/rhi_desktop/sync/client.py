"""The HTTP client of the sync API: one method per endpoint, every failure a SyncError.

A thin layer over httpx on purpose: no retries here (the outbox owns retry and backoff, so a
retry is always recorded in the database and survives a restart), and no business logic.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from rhi_core.protocol import (
    API_PREFIX,
    BATCH_PART,
    DEVICE_REVOKED,
    AssignmentsResponse,
    BatchItem,
    BatchResponse,
    ChildWire,
    EnrolRequest,
    EnrolResponse,
    EpisodeWire,
    FeedbackResponse,
    FormsResponse,
    PingResponse,
    SettingsResponse,
)
from rhi_desktop.sync.errors import (
    DeviceRevoked,
    EnrolmentRefused,
    ProtocolProblem,
    ServerBusy,
    SyncError,
    TlsProblem,
    TokenRejected,
    Unreachable,
)

M = TypeVar("M", bound=BaseModel)

# Connect fast (a laptop on a dead Wi-Fi should give up quickly); allow slow batches to finish.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
PING_TIMEOUT = httpx.Timeout(5.0, connect=3.0)


def normalise_server_url(url: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash; plain http only on loopback,
    because the device token and child data must never cross a network unencrypted."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(f"{url!r} is not a server address; use https://host[:port].")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SyncError(
            "The central store must be reached over https (plain http is allowed only on this "
            "computer, for tests and demos)."
        )
    return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    return str(detail)[:200] if detail is not None else response.reason_phrase


class SyncClient:
    """One connection pool to one central store. ``token`` is None only for enrolment."""

    def __init__(
        self,
        server_url: str,
        token: str | None = None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server_url = normalise_server_url(server_url)
        headers = {"User-Agent": "rhi-desktop-sync"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.server_url + API_PREFIX,
            headers=headers,
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            if isinstance(exc.__cause__, ssl.SSLError) or "CERTIFICATE" in str(exc).upper():
                raise TlsProblem(
                    f"The central store at {self.server_url} did not present a certificate this "
                    "laptop trusts, so nothing was sent; check the address or ask your "
                    "administrator."
                ) from exc
            raise Unreachable(
                f"The central store at {self.server_url} could not be reached; everything is "
                "kept on this laptop and will be sent at the next sync."
            ) from exc
        except httpx.TimeoutException as exc:
            raise Unreachable(
                f"The central store at {self.server_url} did not answer in time; everything is "
                "kept on this laptop and will be sent at the next sync."
            ) from exc
        except httpx.TransportError as exc:  # dropped connection, reset, broken protocol
            raise Unreachable(
                f"The connection to the central store at {self.server_url} was cut; everything "
                "is kept on this laptop and will be sent again at the next sync."
            ) from exc
        if response.status_code == 403 and _detail(response) == DEVICE_REVOKED:
            raise DeviceRevoked("This laptop has been revoked by the central store.")
        if response.status_code == 401:
            raise TokenRejected(
                "The central store did not accept this laptop's device token; enrol it again."
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise ServerBusy(
                f"The central store answered {response.status_code} "
                f"({_detail(response)}); nothing was lost and it will be tried again later."
            )
        return response

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        if response.status_code >= 400:
            raise ProtocolProblem(
                f"The central store refused the request ({response.status_code}: "
                f"{_detail(response)})."
            )
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolProblem(
                "The central store answered in a form this version of RHI Desktop does not "
                "understand; update the app or contact support."
            ) from exc

    # --- endpoints -----------------------------------------------------------------------------

    def enrol(self, request: EnrolRequest) -> EnrolResponse:
        response = self._request("POST", "/enrol", json=request.model_dump(mode="json"))
        if 400 <= response.status_code < 500:
            detail = _detail(response).rstrip(".")
            raise EnrolmentRefused(f"Enrolment was refused: {detail}.")
        return self._parse(EnrolResponse, response)

    def push(
        self,
        items: list[BatchItem],
        *,
        pdfs: dict[str, bytes] | None = None,
        children: list[ChildWire] | None = None,
        episodes: list[EpisodeWire] | None = None,
    ) -> BatchResponse:
        """One batch. With ``pdfs`` (part name -> bytes, named by each item's ``pdf_part``) it
        goes as multipart/form-data, the PDFs as raw parts (no base64, a third fewer bytes)."""
        body: dict[str, Any] = {"items": [i.model_dump(mode="json") for i in items]}
        if children:
            body["children"] = [c.model_dump(mode="json") for c in children]
        if episodes:
            body["episodes"] = [e.model_dump(mode="json") for e in episodes]
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if not pdfs:
            headers = {"Content-Type": "application/json"}
            response = self._request("POST", "/interviews/batch", content=text, headers=headers)
        else:
            files = {BATCH_PART: (None, text, "application/json")} | {
                name: (f"{name}.pdf", data, "application/pdf") for name, data in pdfs.items()
            }
            response = self._request("POST", "/interviews/batch", files=files)
        return self._parse(BatchResponse, response)

    def forms(self) -> FormsResponse:
        return self._parse(FormsResponse, self._request("GET", "/forms"))

    def form_text(self, form_id: str, version: str) -> str:
        response = self._request("GET", f"/forms/{form_id}/{version}")
        if response.status_code >= 400:
            raise ProtocolProblem(
                f"Questionnaire {form_id} {version} could not be fetched ({_detail(response)})."
            )
        return response.text

    def assignments(self, cursor: int, limit: int = 200) -> AssignmentsResponse:
        response = self._request("GET", "/assignments", params={"cursor": cursor, "limit": limit})
        return self._parse(AssignmentsResponse, response)

    def feedback(self, cursor: int, limit: int = 500) -> FeedbackResponse:
        response = self._request("GET", "/feedback", params={"cursor": cursor, "limit": limit})
        return self._parse(FeedbackResponse, response)

    def settings(self) -> SettingsResponse:
        return self._parse(SettingsResponse, self._request("GET", "/settings"))

    def ping(self) -> PingResponse:
        return self._parse(PingResponse, self._request("POST", "/ping", timeout=PING_TIMEOUT))
