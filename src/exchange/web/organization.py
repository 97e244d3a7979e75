"""An organization's workspace: my offers (create, publish, withdraw), the opportunities and needs that match
my offers (the engine's ranked list with its reasons), my rating and what it is made of.

Each page calls what the API's endpoint calls: ``offers.service.list_page/create/act/get_visible``,
``matching.service.for_offer``, ``organizations.flows.rating_out``."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.documents import flows as documents
from exchange.documents import service as document_service
from exchange.documents.models import DOCUMENT_TYPES, OwnerType
from exchange.documents.schemas import document_out
from exchange.errors import ExchangeError
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.listings.schemas import ListFilters, list_filters
from exchange.matching import service as matching
from exchange.matching.schemas import MatchOut
from exchange.offers import service as offers
from exchange.offers.schemas import OfferCreate, OfferOut, Pricing
from exchange.organizations import flows as organization_flows
from exchange.organizations import service as organizations
from exchange.organizations.models import FunctionType
from exchange.organizations.schemas import OrganizationUpdate
from exchange.tenders import service as tenders
from exchange.web import auth, common, uploads
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import UPLOAD_REFUSALS, Rejected, attempt, confirmation, for_roles, page, see_other
from exchange.web.workspace import fen as money_fen

router = APIRouter(prefix="/workspace/org", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
OrgUser = Annotated[User, for_roles(Role.org)]
Filters = Annotated[ListFilters, Depends(list_filters)]
TABS = ("published", "draft", "withdrawn")
MATCHES_PER_OFFER = 10



async def _reference(request: Request, session: Session) -> dict[str, Any]:
    ref = await common.reference(request, session)
    return {"labels": ref.labels[pick_language(request)], "region_names": ref.region_names,
            "regions": ref.place_options}


@router.get("")
async def home(request: Request, session: Session, user: OrgUser, f: Filters,
               tab: Annotated[str, Query(alias="status", pattern="^(published|draft|withdrawn)$")] = "published",
               ) -> Response:
    """My organization's offers in one status (``GET /offers?org_id=…&status=…``), and my rating in short."""
    mine = await offers.list_page(session, user, dataclasses.replace(f, org_id=str(user.organization_id), status=tab))
    org = await organizations.get_or_404(session, user.organization_id)  # type: ignore[arg-type]
    return await page(request, session, user, "ws_org.html", {
        "items": mine.items, "next_cursor": mine.next_cursor, "cursor": f.cursor, "tab": tab, "tabs": TABS,
        "org": org, "rating": await organization_flows.rating_out(session, org), **await _reference(request, session),
    }, title=Words.of(request).t("my_offers"))


def _offer_values(form: FormData | None, default_region: str | None) -> dict[str, Any]:
    if form is None:
        return {"title": "", "description": "", "category": "", "target_groups": [],
                "region_codes": [default_region] if default_region else [], "pricing": Pricing.free.value,
                "price_yuan": "", "capacity_per_month": ""}
    return {"title": str(form.get("title", "")).strip(), "description": str(form.get("description", "")).strip(),
            "category": str(form.get("category", "")), "target_groups": [str(v) for v in form.getlist("target_groups")],
            "region_codes": [str(v) for v in form.getlist("region_codes")], "pricing": str(form.get("pricing", "")),
            "price_yuan": str(form.get("price_yuan", "")).strip(),
            "capacity_per_month": str(form.get("capacity_per_month", "")).strip()}


async def _offer_form(request: Request, session: Session, user: User, values: dict[str, Any], *,
                      errors: dict[str, str] | None = None, general: str = "", status: int = 200) -> Response:
    return await page(request, session, user, "ws_offer_form.html", {
        "values": values, "errors": errors or {}, "general": general, "pricings": [p.value for p in Pricing],
        **await _reference(request, session),
    }, title=Words.of(request).t("new_offer"), status=status)


@router.get("/offers/new")
async def offer_form(request: Request, session: Session, user: OrgUser) -> Response:
    org = await organizations.get_or_404(session, user.organization_id)  # type: ignore[arg-type]
    return await _offer_form(request, session, user, _offer_values(None, org.region_code))


@router.post("/offers/new")
async def create_offer(request: Request, session: Session, user: OrgUser) -> Response:
    """A draft offer of my organization (``POST /offers``), or the form again with the API's errors by field."""
    values = _offer_values(await request.form(), None)
    english = pick_language(request) == "en"
    data: dict[str, Any] = {k: values[k] for k in ("title", "description", "target_groups", "region_codes")}
    for key in ("category", "pricing"):
        if values[key]:
            data[key] = values[key]
    capacity = values["capacity_per_month"]
    if capacity:
        data["capacity_per_month"] = int(capacity) if capacity.isdigit() else capacity
    fen = money_fen(values["price_yuan"] or "0")
    if fen is None:
        zh, en = "价格应为金额（元），最多两位小数", "The price is an amount in yuan with at most two decimals"
        return await _offer_form(request, session, user, values, errors={"price_fen": en if english else zh},
                                 general="The input is invalid" if english else "输入无效", status=422)
    data["price_fen"] = fen
    offer = await attempt(request, lambda: offers.create(
        session, user=user, data=OfferCreate.model_validate(data).model_dump(mode="python")))
    if isinstance(offer, Rejected):
        return await _offer_form(request, session, user, values, errors=offer.errors, general=offer.general,
                                 status=offer.status)
    return see_other(f"/workspace/org/offers/{offer.id}?done=saved")


@router.get("/offers/{offer_id}")
async def offer_detail(request: Request, session: Session, user: OrgUser, offer_id: str) -> Response:
    """One of my offers (``GET /offers/{id}``: drafts only for their organization), with publish/withdraw."""
    offer = await offers.get_visible(session, user, parse_uuid(offer_id, "offer"))
    item = OfferOut.model_validate(offer)
    return await page(request, session, user, "ws_offer.html", {
        "item": item, "mine": offers.owns(user, offer), "done": request.query_params.get("done", ""),
        **await _reference(request, session),
    }, title=item.title)


@router.get("/offers/{offer_id}/withdraw")
async def withdraw_step(request: Request, session: Session, user: OrgUser, offer_id: str) -> Response:
    """Withdrawing takes the offer off the public list: a page that asks first."""
    offer = await offers.get_visible(session, user, parse_uuid(offer_id, "offer"))
    words = Words.of(request)
    return await confirmation(request, session, user, {
        "item": OfferOut.model_validate(offer), "action": f"/workspace/org/offers/{offer.id}/withdraw",
        "question": words.t("withdraw_offer_question"), "button": words.t("withdraw"),
        "back": f"/workspace/org/offers/{offer.id}",
    })


@router.post("/offers/{offer_id}/{action}")
async def act(request: Request, session: Session, user: OrgUser, offer_id: str, action: str) -> Response:
    """``publish`` or ``withdraw`` (``POST /offers/{id}/publish|withdraw``); the service decides whether I may."""
    if action not in ("publish", "withdraw"):
        raise ExchangeError("not_found", 404, "路径不存在", "No such path")
    offer = await offers.get_visible(session, user, parse_uuid(offer_id, "offer"), lock=True)
    offer = await offers.act(session, user=user, offer=offer, action=action)
    return see_other(f"/workspace/org/offers/{offer.id}?done={'publish' if action == 'publish' else 'offer_withdraw'}")


@router.get("/opportunities")
async def matching_opportunities(request: Request, session: Session, user: OrgUser, f: Filters) -> Response:
    """For each of my published offers, the open opportunities and needs the engine ranks for it
    (``GET /offers/{id}/matches``), best first, with the reasons; each opportunity or need once, under the
    offer it fits best."""
    mine = await offers.list_page(session, user, dataclasses.replace(f, org_id=str(user.organization_id),
                                                                     status="published", cursor=None, limit=20))
    best: dict[Any, tuple[MatchOut, OfferOut]] = {}
    for offer in mine.items:
        for match in await matching.for_offer(session, request.app.state.matching, user=user, offer_id=offer.id,
                                              limit=MATCHES_PER_OFFER, include_ineligible=False):
            target = match.opportunity or match.need
            if target is None:
                continue
            key = (match.kind, target.id)
            if key not in best or best[key][0].score < match.score:
                best[key] = (match, offer)
    ranked = sorted(best.values(), key=lambda pair: -pair[0].score)
    names = await common.organization_names(request, session, [
        m.opportunity.buyer_organization_id for m, _ in ranked if m.opportunity is not None])
    return await page(request, session, user, "ws_org_matches.html", {
        "matches": ranked, "has_offers": bool(mine.items), "org_names": names, **await _reference(request, session),
    }, title=Words.of(request).t("matching_opportunities"))


@router.get("/rating")
async def my_rating(request: Request, session: Session, user: OrgUser) -> Response:
    """My organization's star rating, each dimension with its formula and inputs (``GET /organizations/{id}/rating``)."""
    org = await organizations.get_or_404(session, user.organization_id)  # type: ignore[arg-type]
    return await page(request, session, user, "ws_org_rating.html", {
        "org": org, "rating": await organization_flows.rating_out(session, org),
    }, title=Words.of(request).t("my_rating"))


# -- my profile and documents -------------------------------------------------------------------------

PROFILE_TEXT = ("name", "function_type", "region_code", "member_count", "founded_on", "description",
                "contact_person", "contact_phone")


def _profile_values(org: Any, form: FormData | None) -> dict[str, Any]:
    if form is None:
        return {"name": org.name, "function_type": org.function_type or "", "region_code": org.region_code or "",
                "member_count": "" if org.member_count is None else str(org.member_count),
                "founded_on": org.founded_on.isoformat() if org.founded_on else "", "description": org.description or "",
                "contact_person": (org.contact or {}).get("person") or "",
                "contact_phone": (org.contact or {}).get("phone") or "",
                "categories": list(org.categories or []), "service_region_codes": list(org.service_region_codes or [])}
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in PROFILE_TEXT}
    values["categories"] = [str(v) for v in form.getlist("categories")]
    values["service_region_codes"] = [str(v) for v in form.getlist("service_region_codes")]
    return values


async def _profile_page(request: Request, session: Session, user: User, values: dict[str, Any] | None = None, *,
                        rejected: Rejected | None = None) -> Response:
    org = await organizations.get_or_404(session, user.organization_id)  # type: ignore[arg-type]
    owner = await documents.read_owner(session, user, OwnerType.organization, org.id)
    docs = [document_out(d) for d in await document_service.list_for(session, owner)]
    return await page(request, session, user, "ws_org_profile.html", {
        "org": org, "values": values or _profile_values(org, None), "docs": docs,
        "doc_types": DOCUMENT_TYPES[OwnerType.organization], "function_types": [f.value for f in FunctionType],
        "done": request.query_params.get("done", ""), **await _reference(request, session),
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=Words.of(request).t("my_profile"), status=rejected.status if rejected else 200)


@router.get("/profile")
async def profile(request: Request, session: Session, user: OrgUser) -> Response:
    """My organization's profile (what the registry shows) and its documents."""
    return await _profile_page(request, session, user)


@router.post("/profile")
async def update_profile(request: Request, session: Session, user: OrgUser) -> Response:
    """Change the profile (``PATCH /organizations/{id}``: its own users may change all but the registry's fields)."""
    org = await organizations.get_or_404(session, user.organization_id)  # type: ignore[arg-type]
    values = _profile_values(org, await request.form())
    changes: dict[str, Any] = {k: (v or None) for k, v in values.items() if k in PROFILE_TEXT}
    changes["name"] = values["name"]
    if values["member_count"].isdigit():
        changes["member_count"] = int(values["member_count"])
    changes["categories"] = values["categories"]
    changes["service_region_codes"] = values["service_region_codes"]

    async def save() -> Any:
        body = OrganizationUpdate.model_validate(changes)
        return await organizations.update(session, user=user, org=org,
                                          changes=body.model_dump(mode="python", exclude_unset=True))

    done = await attempt(request, save)
    if isinstance(done, Rejected):
        return await _profile_page(request, session, user, values, rejected=done)
    return see_other("/workspace/org/profile?done=saved")


@router.post("/profile/documents")
async def add_profile_document(request: Request, session: Session, user: OrgUser) -> Response:
    """Add a registration certificate, the charter, an annual report (``POST /organizations/{id}/documents``)."""
    owner = await documents.read_owner(session, user, OwnerType.organization, user.organization_id)  # type: ignore[arg-type]
    form = await request.form()
    fields = {k: str(form.get(k, "")) for k in ("document_type", "title") if form.get(k)}
    doc = await attempt(request, lambda: uploads.add_document(request, session, user, owner, form.get("file"), fields),
                        also=UPLOAD_REFUSALS)
    if isinstance(doc, Rejected):
        return await _profile_page(request, session, user, rejected=doc)
    return see_other("/workspace/org/profile?done=document")


# -- my bids and their results ---------------------------------------------------------------------------

@router.get("/bids")
async def my_bids(request: Request, session: Session, user: OrgUser, cursor: str | None = CursorParam) -> Response:
    """My organization's bids, newest first, each with its opportunity's stage and the result: sealed until the
    close, then under review, then won or not once the award is on notice."""
    found, opps, awards = await tenders.my_bids(session, user, limit=20, cursor=cursor)
    return await page(request, session, user, "ws_org_bids.html", {
        "items": found.items, "opps": opps, "awards": awards, "next_cursor": found.next_cursor, "cursor": cursor,
    }, title=Words.of(request).t("my_bids"))
