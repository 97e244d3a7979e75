"""The public notice board over HTTP."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from exchange.errors import problems
from exchange.kit.http import Session
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.public import notices

router = APIRouter(route_class=UnitOfWorkRoute, tags=["transparency"])

NoticeKind = Literal["award", "evaluation", "deal_closed", "proposal"]


@router.get("/public/notices", operation_id="listPublicNotices", responses=problems(422))
async def public_notices(
    session: Session,
    kind: Annotated[list[NoticeKind] | None, Query(description="Only these kinds (repeatable)")] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> dict[str, Any]:
    """Public notices (公示), newest first and paged: awards (`on_notice` while in standstill and open
    to objections; final and cancelled ones stay listed), evaluations, closed deals, and the outcomes of
    publicized community proposals."""
    page = await notices.notices(session, kinds=kind, limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}
