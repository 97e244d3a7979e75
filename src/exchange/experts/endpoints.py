"""The expert pool (专家库) over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from exchange.accounts.deps import AdminUser, CurrentUser
from exchange.errors import problems
from exchange.experts import service
from exchange.experts.models import Expert
from exchange.experts.schemas import ExpertCreate, ExpertList, ExpertOut, ExpertUpdate
from exchange.kit.http import Session, check_if_match, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["experts"])


def present(expert: Expert, names: dict[uuid.UUID, str]) -> ExpertOut:
    out = ExpertOut.model_validate(expert)
    out.display_name = names.get(expert.user_id, "")
    return out


@router.get("/experts", response_model=ExpertList, operation_id="listExperts", responses=problems(401, 403, 422))
async def list_experts(
    user: CurrentUser, session: Session,
    specialty: Annotated[str | None, Query(max_length=40, description="A category code the expert reviews")] = None,
    q: Annotated[str | None, Query(max_length=50, description="Part of the name, username or title")] = None,
    active: bool | None = None,
    affiliation_organization_id: uuid.UUID | None = None,
    limit: int = LimitParam, cursor: str | None = CursorParam,
) -> ExpertList:
    """The expert pool by name (buyers, managers, admins), so a buyer finds reviewers without knowing ids."""
    service.ensure_reader(user)
    page = await service.page(session, specialty=specialty, q=q, active=active,
                              affiliation=affiliation_organization_id, limit=limit, cursor=cursor)
    names = await service.names(session, page.items)
    return ExpertList(items=[present(e, names) for e in page.items], next_cursor=page.next_cursor)


@router.post("/experts", response_model=ExpertOut, status_code=201, operation_id="createExpert",
             responses=problems(401, 403, 409, 422))
async def create_expert(body: ExpertCreate, admin: AdminUser, session: Session, response: Response) -> ExpertOut:
    """Put an expert account into the pool with its specialties and affiliation (admin)."""
    expert = await service.create(session, actor=admin, data=body.model_dump())
    resource_headers(response, expert.version, f"/experts/{expert.id}")
    return present(expert, await service.names(session, [expert]))


@router.get("/experts/{expert_id}", response_model=ExpertOut, operation_id="getExpert", responses=problems(401, 403, 404))
async def get_expert(expert_id: str, user: CurrentUser, session: Session, response: Response) -> ExpertOut:
    """One expert of the pool."""
    service.ensure_reader(user)
    expert = await service.get_or_404(session, parse_uuid(expert_id, "expert"))
    resource_headers(response, expert.version)
    return present(expert, await service.names(session, [expert]))


@router.patch("/experts/{expert_id}", response_model=ExpertOut, operation_id="updateExpert",
              responses=problems(401, 403, 404, 409, 412, 422))
async def update_expert(expert_id: str, body: ExpertUpdate, request: Request, admin: AdminUser, session: Session,
                        response: Response) -> ExpertOut:
    """Change an expert's specialties, affiliation, title or whether it may be drawn (admin). Honours ``If-Match``."""
    expert = await service.get_or_404(session, parse_uuid(expert_id, "expert"))
    check_if_match(request, expert.version)
    expert = await service.update(session, actor=admin, expert=expert, changes=body.model_dump(exclude_unset=True))
    resource_headers(response, expert.version)
    return present(expert, await service.names(session, [expert]))
