"""The three lists (三张清单) and their detail pages.

Each page calls the list or read function the API's endpoint calls, with the API's own query parsing
(``list_filters``), as an anonymous reader: what a visitor sees is what ``GET /api/v1/...`` answers
without a token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.listings.schemas import ListFilters, list_filters
from exchange.needs import service as needs
from exchange.offers import service as offers
from exchange.offers.schemas import OfferOut
from exchange.opportunities import flows as opportunity_flows
from exchange.opportunities import service as opportunities
from exchange.web import common
from exchange.web.i18n import Words, pick_language
from exchange.web.render import is_fragment, render
from exchange.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)
Filters = Annotated[ListFilters, Depends(list_filters)]
PUBLIC = None  # the portal reads as an anonymous visitor: exactly what the API shows without a token

KINDS = {
    "opportunities": ("opportunities_list", "/api/v1/opportunities"),
    "offers": ("offers_list", "/api/v1/offers"),
    "needs": ("needs_list", "/api/v1/needs"),
}


async def _list_page(request: Request, session: AsyncSession, kind: str, f: ListFilters, page: Any,
                     org_ids: list[Any]) -> HTMLResponse:
    lang = pick_language(request)
    words = Words(lang)
    ref = await common.reference(request, session)
    context = {
        "kind": kind, "items": page.items, "next_cursor": page.next_cursor, "filters": f,
        "labels": ref.labels[lang], "regions": ref.region_options, "region_names": ref.region_names,
        "org_names": await common.organization_names(request, session, org_ids),
        "api_url": KINDS[kind][1],
    }
    template = "_results.html" if is_fragment(request) else "list.html"
    title = words.t(KINDS[kind][0])
    return render(request, template, context, title=f"{title} · {words.t('site')}", description=words.t("tagline"))


@router.get("/opportunities")
async def opportunity_list(request: Request, session: Session, f: Filters) -> HTMLResponse:
    page = await opportunity_flows.list_page(session, PUBLIC, f)
    return await _list_page(request, session, "opportunities", f, page, [o.buyer_organization_id for o in page.items])


@router.get("/offers")
async def offer_list(request: Request, session: Session, f: Filters) -> HTMLResponse:
    page = await offers.list_page(session, PUBLIC, f)
    return await _list_page(request, session, "offers", f, page, [o.organization_id for o in page.items])


@router.get("/needs")
async def need_list(request: Request, session: Session, f: Filters) -> HTMLResponse:
    page = await needs.list_page(session, PUBLIC, f)
    return await _list_page(request, session, "needs", f, page, [n.on_behalf_organization_id for n in page.items])


async def _detail(request: Request, session: AsyncSession, template: str, item: Any, kind: str,
                  org_ids: list[Any], extra: dict[str, Any] | None = None) -> HTMLResponse:
    lang = pick_language(request)
    words = Words(lang)
    ref = await common.reference(request, session)
    context = {
        "item": item, "kind": kind, "labels": ref.labels[lang], "region_names": ref.region_names,
        "org_names": await common.organization_names(request, session, org_ids),
        "api_url": f"{KINDS[kind][1]}/{item.id}", **(extra or {}),
    }
    description = (item.description or words.t("tagline"))[:150]
    return render(request, template, context, title=f"{item.title} · {words.t(KINDS[kind][0])}",
                  description=description)


@router.get("/opportunities/{opp_id}")
async def opportunity_detail(request: Request, session: Session, opp_id: str) -> HTMLResponse:
    opp = await opportunity_flows.load(session, PUBLIC, parse_uuid(opp_id, "opportunity"))
    item = await opportunities.present(session, opp, with_documents=True)
    return await _detail(request, session, "opportunity.html", item, "opportunities",
                         [item.buyer_organization_id], {"documents": item.documents})


@router.get("/offers/{offer_id}")
async def offer_detail(request: Request, session: Session, offer_id: str) -> HTMLResponse:
    item = OfferOut.model_validate(await offers.get_visible(session, PUBLIC, parse_uuid(offer_id, "offer")))
    return await _detail(request, session, "offer.html", item, "offers", [item.organization_id])


@router.get("/needs/{need_id}")
async def need_detail(request: Request, session: Session, need_id: str) -> HTMLResponse:
    item = needs.present(await needs.get_or_404(session, parse_uuid(need_id, "need")), PUBLIC)
    return await _detail(request, session, "need.html", item, "needs",
                         [item.on_behalf_organization_id, item.claimant_organization_id])
