"""Service offers (服务供给清单) over HTTP."""

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
from exchange.offers import service
from exchange.offers.schemas import OfferCreate, OfferList, OfferOut, OfferUpdate

router = APIRouter(route_class=UnitOfWorkRoute, tags=["offers"])
Filters = Annotated[ListFilters, Depends(list_filters)]


@router.get("/offers", response_model=OfferList, operation_id="listOffers", responses=problems(401, 422))
async def list_offers(session: Session, user: OptionalUser, f: Filters) -> Response:
    """Published offers by default; drafts and withdrawn ones for their organization, managers and admins.
    `budget_*_fen` bound the price; sort `newest` or `price` (cheapest first)."""
    return json_response(await service.list_page(session, user, f))


@router.post("/offers", response_model=OfferOut, status_code=201, operation_id="createOffer",
             responses=problems(401, 403, 422))
async def create_offer(body: OfferCreate, user: CurrentUser, session: Session, response: Response) -> OfferOut:
    """A draft offer of the org user's organization (managers and admins name the organization)."""
    offer = await service.create(session, user=user, data=body.model_dump(mode="python"))
    resource_headers(response, offer.version, f"/offers/{offer.id}")
    return OfferOut.model_validate(offer)


@router.get("/offers/{offer_id}", response_model=OfferOut, operation_id="getOffer", responses=problems(401, 404))
async def get_offer(offer_id: str, session: Session, user: OptionalUser, response: Response) -> OfferOut:
    """One offer; a never-published one only for its organization, managers and admins."""
    offer = await service.get_visible(session, user, parse_uuid(offer_id, "offer"))
    resource_headers(response, offer.version)
    return OfferOut.model_validate(offer)


@router.patch("/offers/{offer_id}", response_model=OfferOut, operation_id="updateOffer",
              responses=problems(401, 403, 404, 409, 412, 422))
async def update_offer(offer_id: str, body: OfferUpdate, request: Request, user: CurrentUser, session: Session,
                       response: Response) -> OfferOut:
    """Change an offer; honours `If-Match` (412 when stale)."""
    offer = await service.get_visible(session, user, parse_uuid(offer_id, "offer"), lock=True)
    check_if_match(request, offer.version)
    offer = await service.update(session, user=user, offer=offer,
                                 changes=changes_of(body, frozenset({"capacity_per_month"})))
    resource_headers(response, offer.version)
    return OfferOut.model_validate(offer)


async def _act(session: Session, user: CurrentUser, offer_id: str, response: Response, action: str) -> OfferOut:
    offer = await service.get_visible(session, user, parse_uuid(offer_id, "offer"), lock=True)
    offer = await service.act(session, user=user, offer=offer, action=action)
    resource_headers(response, offer.version)
    return OfferOut.model_validate(offer)


@router.post("/offers/{offer_id}/publish", response_model=OfferOut, operation_id="publishOffer",
             responses=problems(401, 403, 404, 409))
async def publish_offer(offer_id: str, user: CurrentUser, session: Session, response: Response) -> OfferOut:
    """Publish a draft or withdrawn offer (its organization, managers, admins)."""
    return await _act(session, user, offer_id, response, "publish")


@router.post("/offers/{offer_id}/withdraw", response_model=OfferOut, operation_id="withdrawOffer",
             responses=problems(401, 403, 404, 409))
async def withdraw_offer(offer_id: str, user: CurrentUser, session: Session, response: Response) -> OfferOut:
    """Take a published offer off the list; it may be published again."""
    return await _act(session, user, offer_id, response, "withdraw")
