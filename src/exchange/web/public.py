"""Home, the notice board (公示), the organizations registry, statistics and open data.

Every figure comes from the function behind the matching API endpoint: ``/stats/lists``,
``/stats/money``, ``/stats/deals``, ``/stats/organizations``, ``/public/notices``, ``/organizations``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.deals import transparency
from exchange.funds import service as funds
from exchange.kit.clock import now
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.listings import flows as list_stats
from exchange.listings.schemas import ListFilters, Sort
from exchange.offers import service as offers
from exchange.organizations import flows as organization_flows
from exchange.organizations import service as organizations
from exchange.organizations.models import Kind, Registration
from exchange.organizations.stats import organization_stats
from exchange.public import notices as public_notices
from exchange.web import charts, common
from exchange.web.formats import CHINA
from exchange.web.i18n import Words
from exchange.web.render import is_fragment, render
from exchange.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)
PUBLIC = None  # an anonymous visitor



@router.get("/")
async def home(request: Request, session: Session) -> HTMLResponse:
    w = Words.of(request)
    lists = await list_stats.list_stats(session)
    money = await funds.money_by_source(session, None, None)
    notices = (await public_notices.notices(session, limit=6)).items
    names = await common.organization_names(request, session, [n.get("organization_id") for n in notices])
    context = {
        "lists": lists, "money": money, "notices": notices, "org_names": names,
        "money_chart": charts.money_by_source(money, w),
        "lists_chart": charts.list_counts(lists, w),
    }
    return render(request, "home.html", context, title=f"{w.t('site')} · {w.t('home')}")


@router.get("/notices")
async def notice_board(request: Request, session: Session,
                       print_view: Annotated[bool, Query(alias="print")] = False) -> HTMLResponse:
    w = Words.of(request)
    items = (await public_notices.notices(session, limit=200)).items
    names = await common.organization_names(request, session, [n.get("organization_id") for n in items])
    context = {
        "awards": [n for n in items if n["kind"] == "award" and (n["on_notice"] or n["cancelled"])],
        "evaluations": [n for n in items if n["kind"] == "evaluation"],
        "closed": [n for n in items if n["kind"] == "deal_closed"],
        "proposals": [n for n in items if n["kind"] == "proposal"],
        "org_names": names, "print_view": print_view,
    }
    template = "notices_print.html" if print_view else "notices.html"
    return render(request, template, context, title=f"{w.t('notices')} · {w.t('site')}",
                  description=w.t("awards_intro"))


@router.get("/organizations")
async def organization_list(
    request: Request, session: Session, kind: Kind | None = None, registration: Registration | None = None,
    q: Annotated[str | None, Query(max_length=50)] = None, cursor: str | None = CursorParam,
) -> HTMLResponse:
    w = Words.of(request)
    page = await organizations.list_page(session, PUBLIC, kind=kind.value if kind else None,
                                         registration=registration.value if registration else None, q=q,
                                         limit=20, cursor=cursor)
    context = {"items": page.items, "next_cursor": page.next_cursor, "kind": kind, "registration": registration,
               "q": q or "", "region_names": (await common.reference(request, session)).region_names}
    template = "_organizations.html" if is_fragment(request) else "organizations.html"
    return render(request, template, context, title=f"{w.t('organizations')} · {w.t('site')}")


@router.get("/organizations/{org_id}")
async def organization_profile(request: Request, session: Session, org_id: str) -> HTMLResponse:
    w = Words.of(request)
    org = await organizations.get_or_404(session, parse_uuid(org_id, "organization"))
    offered = await offers.list_page(session, PUBLIC, _org_filter(str(org.id)))
    ref = await common.reference(request, session)
    context = {
        "org": organizations.present(org, signed_in=False), "rating": await organization_flows.rating_out(session, org),
        "offers": offered.items, "deals": await transparency.delivered_by(session, org.id),
        "labels": ref.labels[w.lang], "region_names": ref.region_names,
    }
    return render(request, "organization.html", context, title=f"{org.name} · {w.t('organizations')}",
                  description=(org.description or "")[:150])


def _org_filter(org_id: str) -> ListFilters:
    return ListFilters(status=None, category=None, region=None, target_group=None, q=None, budget_min_fen=None,
                       budget_max_fen=None, org_id=org_id, updated_since=None, sort=Sort.newest, limit=50, cursor=None)


def _months(at: dt.datetime, count: int = 12) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The last ``count`` calendar months in China time, oldest first, as (label, start, end) in UTC."""
    local = at.astimezone(CHINA)
    year, month = local.year, local.month
    out = []
    for _ in range(count):
        start = dt.datetime(year, month, 1, tzinfo=CHINA)
        end_year, end_month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = dt.datetime(end_year, end_month, 1, tzinfo=CHINA)
        out.append((f"{year}-{month:02d}", start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


async def _money_by_month(session: AsyncSession) -> list[tuple[str, Any]]:
    return [(label, await funds.money_by_source(session, start, end)) for label, start, end in _months(now())]


@router.get("/stats")
async def statistics(request: Request, session: Session) -> HTMLResponse:
    w = Words.of(request)
    lists = await list_stats.list_stats(session)
    orgs = await organization_stats(session)
    deals = await transparency.deal_stats(session)
    months = await _money_by_month(session)
    labels = (await common.reference(request, session)).labels[w.lang]
    context = {
        "orgs": charts.orgs_table(orgs, w), "function_types": charts.function_types_table(orgs, w),
        "deals": deals, "lists": lists,
        "months": charts.money_months_table(months, w),
        "needs_by_category": charts.needs_by_category(lists, labels, w),
        "deals_by_stage": charts.deals_by_stage(deals, w),
    }
    return render(request, "stats.html", context, title=f"{w.t('stats')} · {w.t('site')}")


@router.get("/ocds")
async def open_data(request: Request, session: Session) -> HTMLResponse:
    w = Words.of(request)
    lists = await list_stats.list_stats(session)
    return render(request, "ocds.html", {"lists": lists}, title=f"{w.t('ocds')} · {w.t('site')}",
                  description=w.t("ocds_intro"))
