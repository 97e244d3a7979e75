"""An organization bids on an opportunity before its deadline, adds documents to the sealed bid and sees each
document's receipt (the SHA-256 of its bytes, which the bidding's close publishes).

The pages call what the API's endpoints call: ``tenders.service.submit_bid`` (``POST /opportunities/{id}/bids``),
``tenders.service.readable_bid`` (``GET /bids/{id}``), ``documents.flows.read_owner/add``
(``POST /bids/{id}/documents``; the form is posted to a path ending in ``/documents`` so it gets the document
uploads' size limit)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.documents import flows as documents
from exchange.documents import service as document_service
from exchange.documents.models import DOCUMENT_TYPES, OwnerType
from exchange.documents.schemas import document_out
from exchange.errors import invalid
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.listings.schemas import ListFilters
from exchange.listings.schemas import Sort as ListSort
from exchange.offers import service as offers
from exchange.opportunities import flows as opportunity_flows
from exchange.tenders import service as tenders
from exchange.tenders.schemas import BidCreate
from exchange.web import auth, uploads
from exchange.web.i18n import Words
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import Rejected, attempt, for_roles, page, see_other
from exchange.web.workspace import fen as money_fen

router = APIRouter(prefix="/workspace/org", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
OrgUser = Annotated[User, for_roles(Role.org)]



async def _my_offers(session: Session, user: User) -> list[Any]:
    f = ListFilters(status="published", category=None, region=None, target_group=None, q=None, budget_min_fen=None,
                    budget_max_fen=None, org_id=str(user.organization_id), updated_since=None, sort=ListSort.newest,
                    limit=100, cursor=None)
    return (await offers.list_page(session, user, f)).items


async def _bid_form(request: Request, session: Session, user: User, opp_id: uuid.UUID, values: dict[str, str], *,
                    errors: dict[str, str] | None = None, general: str = "", status: int = 200) -> Response:
    opp = await opportunity_flows.load(session, user, opp_id)
    return await page(request, session, user, "ws_bid_form.html", {
        "opp": opp, "values": values, "errors": errors or {}, "general": general,
        "offers": await _my_offers(session, user),
    }, title=Words.of(request).t("bid"), status=status)


@router.get("/opportunities/{opp_id}/bid")
async def bid_form(request: Request, session: Session, user: OrgUser, opp_id: str) -> Response:
    values = {"proposal": "", "price_yuan": "", "offer_id": ""}
    return await _bid_form(request, session, user, parse_uuid(opp_id, "opportunity"), values)


@router.post("/opportunities/{opp_id}/bid")
async def submit_bid(request: Request, session: Session, user: OrgUser, opp_id: str) -> Response:
    """Submit my organization's sealed bid (``POST /opportunities/{id}/bids``); the API's errors by field."""
    opportunity_id = parse_uuid(opp_id, "opportunity")
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("proposal", "price_yuan", "offer_id")}
    fen = money_fen(values["price_yuan"]) if values["price_yuan"] else None
    data: dict[str, Any] = {"proposal": values["proposal"], "price_fen": fen}
    if values["offer_id"]:
        data["offer_id"] = values["offer_id"]

    async def submit() -> Any:
        if fen is None:
            raise invalid(["body", "price_fen"], "请填写报价（元），最多两位小数",
                          "Give the price in yuan, with at most two decimals")
        body = BidCreate.model_validate(data)
        return (await tenders.submit_bid(session, user, opportunity_id, body.model_dump()))[0]

    bid = await attempt(request, submit)
    if isinstance(bid, Rejected):
        return await _bid_form(request, session, user, opportunity_id, values, errors=bid.errors, general=bid.general,
                               status=bid.status)
    return see_other(f"/workspace/org/bids/{bid.id}?done=bid")


@router.get("/bids/{bid_id}")
async def bid_detail(request: Request, session: Session, user: OrgUser, bid_id: str) -> Response:
    """My bid (``GET /bids/{id}``) with its documents and their receipts (``GET /bids/{id}/documents``)."""
    bid, opp, _ = await tenders.readable_bid(session, user, parse_uuid(bid_id, "bid"))
    owner = await documents.read_owner(session, user, OwnerType.bid, bid.id)
    docs = [document_out(d) for d in await document_service.list_for(session, owner)]
    return await page(request, session, user, "ws_bid.html", {
        "bid": bid, "opp": opp, "docs": docs, "types": DOCUMENT_TYPES[OwnerType.bid],
        "receipt": request.query_params.get("receipt", ""), "done": request.query_params.get("done", ""),
        "open": not tenders.is_closed(opp), "error": "",
    }, title=f"{Words.of(request).t('my_bid')} · {opp.title}")


@router.post("/bids/{bid_id}/documents")
async def add_document(request: Request, session: Session, user: OrgUser, bid_id: str) -> Response:
    """Add a document to my bid, before the deadline (the API's checks of the fields, the content and the
    deadline); the page then shows its receipt."""
    bid, opp, _ = await tenders.readable_bid(session, user, parse_uuid(bid_id, "bid"))
    owner = await documents.read_owner(session, user, OwnerType.bid, bid.id)
    form = await request.form()
    fields = {k: str(form.get(k, "")) for k in ("document_type", "title") if form.get(k)}
    doc = await uploads.add_document(request, session, user, owner, form.get("file"), fields)
    return see_other(f"/workspace/org/bids/{bid.id}?receipt={doc.sha256}")
