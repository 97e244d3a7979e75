"""The region tree over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from exchange.accounts.deps import AdminUser
from exchange.errors import not_found, problems
from exchange.kit.http import Session, resource_headers
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.regions import service
from exchange.regions.models import Level
from exchange.regions.repository import RegionRepository
from exchange.regions.schemas import RegionCreate, RegionDetail, RegionList, RegionOut

router = APIRouter(route_class=UnitOfWorkRoute, tags=["regions"])


@router.get("/regions", response_model=RegionList, operation_id="listRegions", responses=problems(422))
async def list_regions(
    session: Session,
    parent_code: Annotated[str | None, Query(max_length=32, description="Direct children of this region")] = None,
    under: Annotated[str | None, Query(max_length=32, description="This region and everything under it")] = None,
    level: Level | None = None,
    q: Annotated[str | None, Query(max_length=50, description="Name contains, or code begins with")] = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> RegionList:
    """The region tree, filtered; ordered from the root down."""
    page = await RegionRepository(session).page(
        parent_code=parent_code, under=under, level=level.value if level else None, q=q, limit=limit, cursor=cursor
    )
    return RegionList(items=[RegionOut.model_validate(r) for r in page.items], next_cursor=page.next_cursor)


@router.post("/regions", response_model=RegionOut, status_code=201, operation_id="createRegion",
             responses=problems(401, 403, 409, 422))
async def create_region(body: RegionCreate, admin: AdminUser, session: Session, response: Response) -> RegionOut:
    """Add a region (admin). Its parent must exist, sit at a higher level, and prefix its code."""
    region = await service.create_region(
        session, actor_id=admin.id, code=body.code, name=body.name, level=body.level, parent_code=body.parent_code
    )
    resource_headers(response, 1, f"/regions/{region.code}")
    return RegionOut.model_validate(region)


@router.get("/regions/{code}", response_model=RegionDetail, operation_id="getRegion", responses=problems(404))
async def get_region(code: str, session: Session) -> RegionDetail:
    """One region with its ancestors (root first) and its direct children."""
    repo = RegionRepository(session)
    region = await repo.get(code) if len(code) <= 32 else None
    if region is None:
        raise not_found("region")
    ancestors = await repo.get_many(region.ancestor_codes[:-1])
    children = await repo.children(code)
    return RegionDetail(
        **RegionOut.model_validate(region).model_dump(),
        ancestors=[RegionOut.model_validate(ancestors[c]) for c in region.ancestor_codes[:-1] if c in ancestors],
        children=[RegionOut.model_validate(c) for c in children],
    )
