"""The public notice board over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from exchange.errors import problems
from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.public import notices

router = APIRouter(route_class=UnitOfWorkRoute, tags=["transparency"])


@router.get("/public/notices", operation_id="listPublicNotices", responses=problems(422))
async def public_notices(session: Session, limit: int = Query(100, ge=1, le=200)) -> dict[str, Any]:
    """Public notices (`kind`): awards in standstill (cancelled ones marked), evaluations, closed deals, and the
    outcomes of publicized community proposals."""
    return {"items": await notices.notices(session, limit), "next_cursor": None}
