"""A buyer's workspace: my organization's opportunities; after the close, the bids with their documents and the
panel's ranking; award a bid after a confirmation page.

The pages call what the API's endpoints call: ``opportunities.flows.list_page/load``
(``GET /opportunities?org_id=``), ``tenders.service.list_bids`` (``GET /opportunities/{id}/bids``: sealed until
the close), ``tenders.service.ranking``, ``tenders.service.award`` (``POST /opportunities/{id}/award``)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.documents.models import OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import document_out
from exchange.errors import ExchangeError
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.listings.schemas import ListFilters, list_filters
from exchange.opportunities import flows as opportunity_flows
from exchange.tenders import service as tenders
from exchange.web import auth, common
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import for_roles, page, see_other

router = APIRouter(prefix="/workspace/buyer", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Buyer = Annotated[User, for_roles(Role.buyer)]
Filters = Annotated[ListFilters, Depends(list_filters)]
TABS = ("published", "bidding_closed", "under_review", "awarded", "contracted", "closed", "draft", "unsuccessful",
        "cancelled")


def _words(request: Request) -> Words:
    return Words(pick_language(request))


@router.get("")
async def home(request: Request, session: Session, user: Buyer, f: Filters,
               tab: Annotated[str, Query(alias="status", max_length=20)] = "published") -> Response:
    """My organization's opportunities in one status."""
    if tab not in TABS:
        tab = "published"
    mine = await opportunity_flows.list_page(session, user, dataclasses.replace(
        f, org_id=str(user.organization_id), status=tab))
    return await page(request, session, user, "ws_buyer.html", {
        "items": mine.items, "next_cursor": mine.next_cursor, "cursor": f.cursor, "tab": tab, "tabs": TABS,
    }, title=_words(request).t("my_opportunities"))


async def _bids(session: Session, user: User, opp_id: uuid.UUID) -> tuple[list[Any], str]:
    """The bids with their documents, or why they cannot be read yet (sealed: the API's words)."""
    try:
        bids, _ = await tenders.list_bids(session, user, opp_id)
    except ExchangeError as exc:
        if exc.status == 409:
            return [], exc.zh
        raise
    docs = await DocumentRepository(session).for_owners(OwnerType.bid, [b.id for b in bids])
    return [(b, [document_out(d) for d in docs[b.id]]) for b in bids], ""


@router.get("/opportunities/{opp_id}")
async def opportunity(request: Request, session: Session, user: Buyer, opp_id: str) -> Response:
    """One of my opportunities: after the close its bids (with documents) and the ranking, and the award."""
    opp = await opportunity_flows.load(session, user, parse_uuid(opp_id, "opportunity"))
    bids, sealed = await _bids(session, user, opp.id)
    ranked = [] if sealed else await tenders.ranking(session, user, opp.id)
    names = await common.organization_names(request, session, [b.organization_id for b, _ in bids])
    english = pick_language(request) == "en"
    return await page(request, session, user, "ws_buyer_opportunity.html", {
        "opp": opp, "bids": bids, "sealed": sealed if not english else "Bids are sealed until bidding closes",
        "ranked": ranked, "org_names": names, "done": request.query_params.get("done", ""),
    }, title=opp.title)


@router.get("/opportunities/{opp_id}/award/{bid_id}")
async def award_step(request: Request, session: Session, user: Buyer, opp_id: str, bid_id: str) -> Response:
    """Awarding opens the public standstill: a page that asks first."""
    opp = await opportunity_flows.load(session, user, parse_uuid(opp_id, "opportunity"))
    words = _words(request)
    return await page(request, session, user, "ws_confirm.html", {
        "item": opp, "action": f"/workspace/buyer/opportunities/{opp.id}/award/{parse_uuid(bid_id, 'bid')}",
        "question": words.t("award_question"), "button": words.t("award"),
        "back": f"/workspace/buyer/opportunities/{opp.id}",
    }, title=words.t("award"))


@router.post("/opportunities/{opp_id}/award/{bid_id}")
async def award(request: Request, session: Session, user: Buyer, opp_id: str, bid_id: str) -> Response:
    """Award the bid (``POST /opportunities/{id}/award``); the state machine and the objections rule answer."""
    item = await tenders.award(session, user, parse_uuid(opp_id, "opportunity"), parse_uuid(bid_id, "bid"))
    return see_other(f"/workspace/buyer/opportunities/{opp_id}?done=award&award={item.id}")
