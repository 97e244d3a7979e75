"""Public reads: notices (公示), the OCDS release package and deal statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from exchange.deals import transparency
from exchange.errors import problems
from exchange.kit.http import API_PREFIX, Session
from exchange.kit.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["transparency"])


@router.get("/public/ocds/releases", operation_id="getOcdsReleases", responses=problems(422))
async def ocds_releases(request: Request, session: Session, limit: int = Query(500, ge=1, le=2000)) -> dict[str, Any]:
    """An OCDS 1.1 release package: published opportunities (tender), awards and contracts.
    Sealed bids never appear; awards and tenderer counts only after bidding closes."""
    api_root = str(request.base_url).rstrip("/") + API_PREFIX
    return await transparency.ocds_package(session, str(request.url), limit, api_root)


@router.get("/stats/deals", operation_id="getDealStats")
async def deal_stats(session: Session) -> dict[str, Any]:
    """Deals by status and kind, money contracted and paid, evaluation grades, people served."""
    return await transparency.deal_stats(session)
