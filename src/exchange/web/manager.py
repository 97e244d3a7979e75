"""A public-benefit manager's (公益经理人) triage board: open needs by community and urgency, each with the offers
the engine ranks for it (``GET /needs?status=open`` and ``GET /needs/{id}/matches``, the same functions)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.kit.http import Session
from exchange.listings.schemas import ListFilters, list_filters
from exchange.matching import service as matching
from exchange.needs import service as needs
from exchange.web import auth, common
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import for_roles, page

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
    }, title=Words(lang).t("triage_board"))
