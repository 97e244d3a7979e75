"""A public-benefit manager's (公益经理人) workspace: the triage board of open needs by community and urgency, each
with the offers the engine ranks for it (``GET /needs?status=open``, ``GET /needs/{id}/matches``), from which a
deal is brokered (the deals pages) or chosen needs become one opportunity (``POST /opportunities/from-needs``);
my consultations (``GET/POST /consultations``) and my KPIs (``GET /managers/{id}/kpis``, also as a sheet)."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.kit.clock import now
from exchange.kit.http import Session
from exchange.kit.pagination import CursorParam
from exchange.listings.schemas import ListFilters, list_filters
from exchange.managers import service as managers
from exchange.managers import sheets as manager_sheets
from exchange.managers.models import ConsultationKind
from exchange.managers.schemas import ConsultationCreate
from exchange.matching import service as matching
from exchange.needs import service as needs
from exchange.opportunities import service as opportunities
from exchange.opportunities.schemas import OpportunityFromNeeds
from exchange.organizations import service as organizations
from exchange.sheets.writer import xlsx_response
from exchange.web import auth, common
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import (
    Rejected,
    amount,
    attempt,
    for_roles,
    page,
    see_other,
)

router = APIRouter(prefix="/workspace/manager", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Manager = Annotated[User, for_roles(Role.manager)]
Filters = Annotated[ListFilters, Depends(list_filters)]
URGENCY_ORDER = {"high": 0, "normal": 1, "low": 2}
MATCHES_PER_NEED = 3


@router.get("")
async def triage(request: Request, session: Session, user: Manager, f: Filters) -> Response:
    """One page of open needs (the API's filters and paging), grouped by community, most urgent first within
    each, with the best offers for each need and the reasons."""
    return await _triage(request, session, user, f)


BUYER_KINDS = ("government", "mass_org", "foundation", "community")


async def _buyers(session: Session, user: User) -> list[Any]:
    """Organizations that can publish an opportunity (a manager names the buyer)."""
    found: list[Any] = []
    for kind in BUYER_KINDS:
        found += (await organizations.list_page(session, user, kind=kind, registration=None, min_a_level=None,
                                                region=None, q=None, limit=100, cursor=None)).items
    return sorted(found, key=lambda o: o.name)


async def _triage(request: Request, session: Session, user: User, f: ListFilters, *,
                  rejected: Rejected | None = None, values: dict[str, Any] | None = None) -> Response:
    lang = pick_language(request)
    found = await needs.list_page(session, user, f)
    ref = await common.reference(request, session)
    groups: OrderedDict[str, list[Any]] = OrderedDict()
    for need in sorted(found.items, key=lambda n: URGENCY_ORDER.get(n.urgency, 1)):
        groups.setdefault(need.region_code, []).append(need)
    matches = {}
    for need in found.items:
        matches[need.id] = await matching.for_need(session, request.app.state.matching, user=user, need_id=need.id,
                                                   limit=MATCHES_PER_NEED, include_ineligible=False)
    names = await common.organization_names(request, session, [
        m.offer.organization_id for ms in matches.values() for m in ms if m.offer is not None])
    return await page(request, session, user, "ws_manager.html", {
        "groups": sorted(groups.items(), key=lambda kv: ref.region_names.get(kv[0], kv[0])),
        "matches": matches, "org_names": names, "next_cursor": found.next_cursor, "filters": f,
        "labels": ref.labels[lang], "region_names": ref.region_names, "regions": ref.region_options,
        "buyers": await _buyers(session, user), "done": request.query_params.get("done", ""),
        "values": values or {"need_ids": [], "title": "", "budget_yuan": "", "buyer_organization_id": ""},
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=Words(lang).t("triage_board"), status=rejected.status if rejected else 200)


@router.post("/opportunities/from-needs")
async def from_needs(request: Request, session: Session, user: Manager, f: Filters) -> Response:
    """以需定供: the chosen open needs become one draft opportunity of the buyer named
    (``POST /opportunities/from-needs``); any need no longer open refuses the whole and changes nothing."""
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in ("title", "budget_yuan", "buyer_organization_id")}
    values["need_ids"] = [str(v) for v in form.getlist("need_ids")]
    data: dict[str, Any] = {"need_ids": values["need_ids"], "title": values["title"],
                            "budget_fen": amount(values["budget_yuan"]),
                            "buyer_organization_id": values["buyer_organization_id"] or None}
    opp = await attempt(request, lambda: opportunities.from_needs(
        session, user=user, data=OpportunityFromNeeds.model_validate(data).model_dump(mode="python")))
    if isinstance(opp, Rejected):
        return await _triage(request, session, user, f, rejected=opp, values=values)
    return see_other(f"/opportunities/{opp.id}")


def _consultation_values(request: Request) -> dict[str, str]:
    return {"kind": "consultation", "held_on": now().date().isoformat(), "notes": "", "outcome": "",
            "need_id": request.query_params.get("need_id", ""), "opportunity_id": "", "party_organization_id": ""}


async def _consultations(request: Request, session: Session, user: User, cursor: str | None, values: dict[str, str],
                         *, rejected: Rejected | None = None) -> Response:
    found = await managers.page(session, user, filters={"manager_id": user.id}, start=None, end=None, limit=20,
                                cursor=cursor)
    return await page(request, session, user, "ws_consultations.html", {
        "items": found.items, "next_cursor": found.next_cursor, "cursor": cursor, "kinds": [k.value for k in
                                                                                             ConsultationKind],
        "values": values, "done": request.query_params.get("done", ""),
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=Words.of(request).t("consultations"), status=rejected.status if rejected else 200)


@router.get("/consultations")
async def consultations(request: Request, session: Session, user: Manager, cursor: str | None = CursorParam) -> Response:
    """My work records, newest first, and the form to record one (``?need_id=`` from the board)."""
    return await _consultations(request, session, user, cursor, _consultation_values(request))


@router.post("/consultations")
async def record_consultation(request: Request, session: Session, user: Manager) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in _consultation_values(request)}
    data = {k: v for k, v in values.items() if v}
    done = await attempt(request, lambda: managers.record(
        session, user, ConsultationCreate.model_validate(data).model_dump()))
    if isinstance(done, Rejected):
        return await _consultations(request, session, user, None, values, rejected=done)
    return see_other("/workspace/manager/consultations?done=recorded")


@router.get("/kpis")
async def my_kpis(request: Request, session: Session, user: Manager,
                  start: Annotated[dt.date | None, Query(alias="from")] = None,
                  end: Annotated[dt.date | None, Query(alias="to")] = None,
                  format: Annotated[str, Query(pattern="^(html|xlsx)$")] = "html") -> Response:
    """My KPIs for a period of days (default the last 90), as the API computes them; ``?format=xlsx`` the sheet."""
    def moment(day: dt.date | None) -> dt.datetime | None:
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None

    kpis = await managers.kpis(session, user, user.id, moment(start), moment(end))
    table = manager_sheets.kpi_table(kpis, now())
    if format == "xlsx":
        return xlsx_response([table], f"公益经理人绩效-{kpis.display_name}.xlsx", "manager-kpis.xlsx")
    return await page(request, session, user, "ws_kpis.html", {
        "kpis": kpis, "table": table, "start": start.isoformat() if start else "", "end": end.isoformat() if end else "",
    }, title=Words.of(request).t("my_kpis"))
