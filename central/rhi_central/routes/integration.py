"""POST /api/v1/integration/episodes: a case system or police feed pushes episodes.

Its own revocable bearer token (``integration_tokens``; made in the console by an
administrator). The body is ``{"episodes": [{field: value}]}`` with the CSV import's field names
and ISO 8601 dates (without an offset: UK time). All or nothing, exactly like an import: any
problem is a 422 listing each one by item number, and nothing is applied; sending the same
episodes again changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from rhi_central import audit
from rhi_central.context import Central, get_central
from rhi_central.episodes.mapping import MappingProblem
from rhi_central.episodes.service import import_items
from rhi_central.integration import tokens
from rhi_central.timeutil import utcnow

router = APIRouter(tags=["integration"])
MAX_ITEMS = 5000
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="IntegrationToken",
    description="From the console's Integrations page",
)


def integration_caller(
    request: Request,
    central: Annotated[Central, Depends(get_central)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The calling system's name, or 401 before the body is even read (an unauthenticated
    caller learns nothing about the API, not even a 422 on its body)."""
    with central.db.transaction() as s:
        token = tokens.authenticate(
            s, credentials.credentials if credentials else None, now=utcnow()
        )
        if token is None:
            audit.record(
                s,
                actor="anonymous",
                action="integration.refused",
                detail={"status": 401, "path": request.url.path},
            )
        name = token.name if token is not None else None
    if name is None:
        raise HTTPException(
            401, "a valid integration token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return name


class EpisodesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    episodes: list[dict[str, str | bool | int | None]] = Field(
        max_length=MAX_ITEMS,
        description="Each: case_number, started_at, category (M or A) and any other import field",
    )


class ItemProblem(BaseModel):
    item: int
    field: str | None
    message: str


class EpisodesOut(BaseModel):
    rows: int
    children_created: int
    children_updated: int
    episodes_created: int
    episodes_updated: int
    unchanged: int
    allocations: int


class EpisodesRefused(BaseModel):
    detail: str
    problems: list[ItemProblem]


@router.post(
    "/integration/episodes",
    response_model=EpisodesOut,
    responses={
        401: {"description": "No valid integration token"},
        422: {"model": EpisodesRefused, "description": "Nothing applied: the problems, by item"},
    },
)
def push_episodes(
    system: Annotated[str, Depends(integration_caller)],
    body: EpisodesIn,
    central: Annotated[Central, Depends(get_central)],
) -> Any:
    """Episodes from a case system or police feed: applied whole, or refused whole (422)."""
    now = utcnow()
    actor = f"integration:{system}"
    with central.db.transaction() as s:
        try:
            result = import_items(s, body.episodes, actor=actor, now=now, source=system)
        except MappingProblem as exc:
            problems = [ItemProblem(item=0, field=None, message=str(exc))]
            refused = EpisodesRefused(detail=str(exc), problems=problems)
            audit.record(
                s,
                actor=actor,
                action="episodes.import_refused",
                detail={"source": "integration", "reason": str(exc)},
            )
            result = None
        else:
            refused = None
    if result is None:
        assert refused is not None
        return JSONResponse(refused.model_dump(), status_code=422)
    assert result.plan is not None
    if not result.plan.ok:
        problems = [
            ItemProblem(item=p.row, field=p.field, message=p.message) for p in result.plan.problems
        ]
        body = EpisodesRefused(
            detail=f"Nothing was applied: {len(problems)} problems.", problems=problems
        )
        return JSONResponse(body.model_dump(), status_code=422)
    counts = result.plan.counts()
    return EpisodesOut(**{k: counts[k] for k in EpisodesOut.model_fields})
