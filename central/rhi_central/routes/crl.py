"""The certificate revocation list: which worker signing certificates central revoked.

Standard X.509 CRL (RFC 5280), DER by default (``application/pkix-crl``) or PEM, signed by the
central CA. Public like any CRL distribution point: it names certificate serial numbers and
revocation dates, nothing about children or workers. ``rhi-desktop verify --crl FILE`` (or any
X.509 tool) reads it; ``rhi-central ca crl --out FILE`` writes the same list.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from rhi_central import ca
from rhi_central.errors import ErrorResponse
from rhi_central.routes.deps import CentralDep

router = APIRouter(tags=["device"])


@router.get(
    "/crl",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pkix-crl": {}, "application/x-pem-file": {}},
            "description": "The current CRL",
        },
        503: {"model": ErrorResponse, "description": "The CA key cannot be used"},
    },
)
def revocation_list(
    central: CentralDep,
    format: Annotated[Literal["der", "pem"], Query(description="der (default) or pem")] = "der",
) -> Response:
    """The current certificate revocation list of the central CA (no token needed)."""
    try:
        with central.db.transaction() as session:
            data = ca.current_crl(session, central.settings, pem=format == "pem")
    except ca.CaError as exc:
        raise HTTPException(503, str(exc)) from None
    media = "application/x-pem-file" if format == "pem" else "application/pkix-crl"
    return Response(data, media_type=media, headers={"Cache-Control": "max-age=300"})
