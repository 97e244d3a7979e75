"""Project opportunities (项目机会清单) over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.errors import problems
from exchange.kit.http import Session, check_if_match, resource_headers
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings.schemas import ListFilters, json_response, list_filters
from exchange.listings.validation import changes_of
from exchange.opportunities import flows, service
from exchange.opportunities.schemas import (
    CancelIn,
    OpportunityCreate,
    OpportunityFromNeeds,
    OpportunityList,
    OpportunityOut,
    OpportunityUpdate,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["opportunities"])
Filters = Annotated[ListFilters, Depends(list_filters)]


@router.get("/opportunities", response_model=OpportunityList, operation_id="listOpportunities",
            responses=problems(401, 422))
async def list_opportunities(session: Session, user: OptionalUser, f: Filters) -> Response:
    """Published opportunities by default (any tender status with `status=`); drafts with `status=draft`
    for their buyer, managers and admins. `region` overlaps (at, under or containing); `q` searches Chinese words;
    `budget_*_fen` bound the budget; sort `newest`, `deadline` or `budget`."""
    return json_response(await flows.list_page(session, user, f))


@router.post("/opportunities", response_model=OpportunityOut, status_code=201, operation_id="createOpportunity",
             responses=problems(401, 403, 422))
async def create_opportunity(body: OpportunityCreate, user: CurrentUser, session: Session,
                             response: Response) -> OpportunityOut:
    """A draft opportunity (buyer: for its own organization; managers and admins name the buyer)."""
    opp = await service.create(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, opp.version, f"/opportunities/{opp.id}")
    return await service.present(session, opp)


@router.post("/opportunities/from-needs", response_model=OpportunityOut, status_code=201,
             operation_id="createOpportunityFromNeeds", responses=problems(401, 403, 409, 422))
async def create_from_needs(body: OpportunityFromNeeds, user: CurrentUser, session: Session,
                            response: Response) -> OpportunityOut:
    """以需定供 (managers): open needs become one draft opportunity; they turn `converted` and link to it.
    Any need that is not open: 409, and nothing changes."""
    opp = await service.from_needs(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, opp.version, f"/opportunities/{opp.id}")
    return await service.present(session, opp)


@router.get("/opportunities/{opp_id}", response_model=OpportunityOut, operation_id="getOpportunity",
            responses=problems(401, 404))
async def get_opportunity(opp_id: str, session: Session, user: OptionalUser, response: Response) -> OpportunityOut:
    """One opportunity with its documents; a draft only for its buyer, managers and admins (404 for everyone
    else). Once bidding has closed, `bid_documents` publishes every submitted bid document's SHA-256."""
    opp = await flows.load(session, user, parse_uuid(opp_id, "opportunity"))
    resource_headers(response, opp.version)
    return await service.present(session, opp, with_documents=True)


@router.patch("/opportunities/{opp_id}", response_model=OpportunityOut, operation_id="updateOpportunity",
              responses=problems(401, 403, 404, 409, 412, 422))
async def update_opportunity(opp_id: str, body: OpportunityUpdate, request: Request, user: CurrentUser,
                             session: Session, response: Response) -> OpportunityOut:
    """Change a draft or published opportunity; honours `If-Match` (412 when stale)."""
    opp = await flows.load(session, user, parse_uuid(opp_id, "opportunity"), lock=True)
    check_if_match(request, opp.version)
    opp = await service.update(session, user=user, opp=opp, changes=changes_of(body, frozenset({"bid_deadline"})))
    resource_headers(response, opp.version)
    return await service.present(session, opp)


async def _act(session: Session, user: CurrentUser, opp_id: str, response: Response, action: str,
               reason: str | None = None) -> OpportunityOut:
    opp = await flows.load(session, user, parse_uuid(opp_id, "opportunity"), lock=True)
    if action == "cancel":
        opp = await flows.cancel(session, user, opp, reason or "")
    else:
        opp = await service.act(session, user=user, opp=opp, action=action, reason=reason)
    resource_headers(response, opp.version)
    return await service.present(session, opp)


@router.post("/opportunities/{opp_id}/publish", response_model=OpportunityOut, operation_id="publishOpportunity",
             responses=problems(401, 403, 404, 409, 422))
async def publish_opportunity(opp_id: str, user: CurrentUser, session: Session, response: Response) -> OpportunityOut:
    """Publish a draft (its buyer, managers, admins); the bid deadline must be set and in the future."""
    return await _act(session, user, opp_id, response, "publish")


@router.post("/opportunities/{opp_id}/cancel", response_model=OpportunityOut, operation_id="cancelOpportunity",
             responses=problems(401, 403, 404, 409, 422))
async def cancel_opportunity(opp_id: str, body: CancelIn, user: CurrentUser, session: Session,
                             response: Response) -> OpportunityOut:
    """Cancel, with a reason (its buyer, managers, admins)."""
    return await _act(session, user, opp_id, response, "cancel", body.reason)
