"""Residents' needs (居民需求清单) and the 揭榜 flow over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.errors import problems
from exchange.kit.http import Session, check_if_match, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings.schemas import ListFilters, json_response, list_filters
from exchange.listings.validation import changes_of
from exchange.needs import service
from exchange.needs.schemas import ClaimIn, NeedCreate, NeedList, NeedOut, NeedUpdate

router = APIRouter(route_class=UnitOfWorkRoute, tags=["needs"])
Filters = Annotated[ListFilters, Depends(list_filters)]


@router.get("/needs", response_model=NeedList, operation_id="listNeeds", responses=problems(401, 422))
async def list_needs(
    session: Session, user: OptionalUser, f: Filters,
    mine: Annotated[bool, Query(description="Only the needs I posted, in every status unless `status` is given")] = False,
) -> Response:
    """Open needs by default (any status with `status=`). `region` overlaps the need's place (at, under or
    containing it); `org_id` is the community that posted them; sort `newest` or `supporters`."""
    return json_response(await service.list_page(session, user, f, mine=mine))


@router.post("/needs", response_model=NeedOut, status_code=201, operation_id="createNeed",
             responses=problems(401, 403, 422))
async def create_need(body: NeedCreate, user: CurrentUser, session: Session, response: Response) -> NeedOut:
    """Post a need (residents for themselves, community committees for their residents, managers).
    `category` is optional; `region_code` defaults to the resident's own."""
    need = await service.create(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, need.version, f"/needs/{need.id}")
    return service.present(need, user)


@router.get("/needs/{need_id}", response_model=NeedOut, operation_id="getNeed", responses=problems(401, 404))
async def get_need(need_id: str, session: Session, response: Response, user: OptionalUser) -> NeedOut:
    """One need (anyone may read it; personal data only its requester, claimant, community and staff)."""
    need = await service.get_or_404(session, parse_uuid(need_id, "need"))
    resource_headers(response, need.version)
    return service.present(need, user)


@router.patch("/needs/{need_id}", response_model=NeedOut, operation_id="updateNeed",
              responses=problems(401, 403, 404, 409, 412, 422))
async def update_need(need_id: str, body: NeedUpdate, request: Request, user: CurrentUser, session: Session,
                      response: Response) -> NeedOut:
    """Change an open need (its requester, managers); honours `If-Match`."""
    need = await service.get_or_404(session, parse_uuid(need_id, "need"), lock=True)
    check_if_match(request, need.version)
    need = await service.update(session, user=user, need=need, changes=changes_of(body, frozenset({"category"})))
    resource_headers(response, need.version)
    return service.present(need, user)


async def _act(session: Session, user: CurrentUser, need_id: str, response: Response, action: str,
               skill_id: uuid.UUID | None = None) -> NeedOut:
    need = await service.act(session, user=user, need_id=parse_uuid(need_id, "need"), action=action, skill_id=skill_id)
    resource_headers(response, need.version)
    return service.present(need, user)


@router.post("/needs/{need_id}/support", response_model=NeedOut, operation_id="supportNeed",
             responses=problems(401, 403, 404, 409))
async def support_need(need_id: str, user: CurrentUser, session: Session, response: Response) -> NeedOut:
    """附议: a resident supports someone's need, once (a second time: 409 `already_supported`)."""
    return await _act(session, user, need_id, response, "support")


@router.post("/needs/{need_id}/claim", response_model=NeedOut, operation_id="claimNeed",
             responses=problems(401, 403, 404, 409))
async def claim_need(need_id: str, user: CurrentUser, session: Session, response: Response,
                     body: ClaimIn | None = None) -> NeedOut:
    """揭榜: a resident or an organization takes the need on; of concurrent claims exactly one wins (409 for the rest).
    A resident may name the skill of theirs (`skill_id`, 能人库) the claim comes from."""
    return await _act(session, user, need_id, response, "claim", body.skill_id if body else None)


@router.post("/needs/{need_id}/release", response_model=NeedOut, operation_id="releaseNeed",
             responses=problems(401, 403, 404, 409))
async def release_need(need_id: str, user: CurrentUser, session: Session, response: Response) -> NeedOut:
    """The claimant gives the need back; it is open again."""
    return await _act(session, user, need_id, response, "release")


@router.post("/needs/{need_id}/fulfil", response_model=NeedOut, operation_id="fulfilNeed",
             responses=problems(401, 403, 404, 409))
async def fulfil_need(need_id: str, user: CurrentUser, session: Session, response: Response) -> NeedOut:
    """The claimant reports the need fulfilled."""
    return await _act(session, user, need_id, response, "fulfil")


@router.post("/needs/{need_id}/confirm", response_model=NeedOut, operation_id="confirmNeed",
             responses=problems(401, 403, 404, 409))
async def confirm_need(need_id: str, user: CurrentUser, session: Session, response: Response) -> NeedOut:
    """The requester (or a manager) confirms; the need's points go to the claimant, once."""
    return await _act(session, user, need_id, response, "confirm")


@router.post("/needs/{need_id}/withdraw", response_model=NeedOut, operation_id="withdrawNeed",
             responses=problems(401, 403, 404, 409))
async def withdraw_need(need_id: str, user: CurrentUser, session: Session, response: Response) -> NeedOut:
    """The requester takes back an open need."""
    return await _act(session, user, need_id, response, "withdraw")
