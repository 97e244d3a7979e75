"""Exports over HTTP: every list as ``.xlsx`` or CSV (UTF-8 with BOM), with the list's own filters, streamed.

Each export is "as the list it exports": its first page is read through the list endpoint's own page function
inside the request (so a bad filter or a missing permission is the list's own 4xx before anything is sent), and
the following pages the same way, each in a short transaction of its own, while the response streams. CSV rows
leave as they are read; an ``.xlsx`` is written in constant memory to a temporary file while the pages are read
(:class:`~exchange.sheets.writer.XlsxStream`), then streamed and deleted. The offers, the longest list, are read as
plain rows through the list's own query (:func:`exchange.offers.service.list_rows`): building and validating a
hundred thousand ORM objects and schemas cost most of an export's time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import db
from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.accounts.models import User
from exchange.deals.endpoints import deals_page
from exchange.errors import problems
from exchange.exports.lists import (
    DEAL_COLUMNS,
    DEAL_KINDS,
    NOTICE_COLUMNS,
    NOTICE_KINDS,
    PAGE,
    Labels,
    deal_rows,
    list_columns,
    list_fields,
    list_kinds,
    list_rows,
    notice_rows,
)
from exchange.imports.columns import SHEET_NAMES
from exchange.kit.clock import now
from exchange.kit.http import Session
from exchange.kit.memory import gc_paused
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings.schemas import ListFilters, list_filters
from exchange.needs import service as needs
from exchange.offers import service as offers
from exchange.opportunities import flows as opportunities
from exchange.organizations.endpoints import OrganizationFilters, organization_filters, organizations_page
from exchange.public import notices
from exchange.sheets.writer import (
    CSV_BOM,
    CSV_TYPE,
    XLSX_TYPE,
    ColumnKind,
    XlsxStream,
    attachment,
    csv_line,
    csv_lines,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["exports"])
Format = Literal["xlsx", "csv"]
FormatParam = Annotated[Format, Query(description="xlsx (default) or csv (UTF-8 with BOM, so that Excel opens it)")]
Filters = Annotated[ListFilters, Depends(list_filters)]
OrgFilters = Annotated[OrganizationFilters, Depends(organization_filters)]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The whole list as a file (streamed)",
          "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                      "text/csv": {"schema": {"type": "string"}}}},
    **problems(401, 403, 422),
}

Page = tuple[Sequence[Any], str | None]
Fetch = Callable[[AsyncSession, str | None], Awaitable[Page]]
Rows = Callable[[AsyncSession, Sequence[Any]], Awaitable[list[list[Any]]]]


async def _export(request: Request, session: AsyncSession, kind: str, headers: list[str], kinds: list[ColumnKind],
                  fetch: Fetch, rows: Rows, fmt: Format) -> StreamingResponse:
    first = await fetch(session, None)
    first_rows = await rows(session, first[0])
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    # The later pages are read in sessions of their own after this request's session has ended (which expires
    # what it loaded): detach what it loaded — the reader among it — as it stands, so they can still be read.
    session.expunge_all()

    async def pages() -> AsyncIterator[list[list[Any]]]:
        yield first_rows
        cursor = first[1]
        while cursor is not None:
            # A page's thousand objects are short-lived: no full collection walks them while they are read.
            with gc_paused():
                async with db.read_only(factory) as page_session:
                    items, cursor = await fetch(page_session, cursor)
                    page_rows = await rows(page_session, items)
            yield page_rows

    stamp = now().strftime("%Y%m%d-%H%M")
    name, ascii_name = f"{SHEET_NAMES[kind]}-{stamp}.{fmt}", f"{kind}-{stamp}.{fmt}"
    body = _csv(headers, pages()) if fmt == "csv" else _xlsx(SHEET_NAMES[kind], headers, kinds, pages())
    return StreamingResponse(body, media_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE,
                             headers=attachment(name, ascii_name))


async def _csv(headers: list[str], pages: AsyncIterator[list[list[Any]]]) -> AsyncIterator[bytes]:
    yield CSV_BOM + csv_line(headers)
    async for page in pages:
        yield csv_lines(page)


async def _xlsx(sheet: str, headers: list[str], kinds: list[ColumnKind],
                pages: AsyncIterator[list[list[Any]]]) -> AsyncIterator[bytes]:
    stream = XlsxStream(sheet, headers, kinds)
    try:
        await stream.write(pages)
    except BaseException:
        stream.discard()
        raise
    async for chunk in stream.chunks():
        yield chunk


def _fetch_list(page_of: Callable[..., Awaitable[Any]], user: User | None, f: Any, **extra: Any) -> Fetch:
    """Pages of a list through the page function its endpoint uses: the same filters, the same visibility."""
    async def fetch(session: AsyncSession, cursor: str | None) -> Page:
        result = await page_of(session, user, dataclasses.replace(f, limit=PAGE, cursor=cursor), **extra)
        return result.items, result.next_cursor

    return fetch


async def _run(request: Request, session: AsyncSession, kind: str, fmt: Format, fetch: Fetch) -> StreamingResponse:
    labels = await Labels.load(session)

    async def rows(s: AsyncSession, items: Sequence[Any]) -> list[list[Any]]:
        return await list_rows(s, kind, items, labels)

    return await _export(request, session, kind, [c.zh for c in list_columns(kind)], list_kinds(kind), fetch, rows,
                         fmt)


@router.get("/exports/opportunities", operation_id="exportOpportunities", response_class=StreamingResponse,
            responses=FILE_RESPONSES)
async def export_opportunities(request: Request, session: Session, user: OptionalUser, f: Filters,
                               format: FormatParam = "xlsx") -> StreamingResponse:
    """Every opportunity `GET /opportunities` would list with these filters (`limit` and `cursor` are ignored),
    in the import template's columns: the file can be imported again."""
    return await _run(request, session, "opportunities", format, _fetch_list(opportunities.list_page, user, f))


@router.get("/exports/offers", operation_id="exportOffers", response_class=StreamingResponse, responses=FILE_RESPONSES)
async def export_offers(request: Request, session: Session, user: OptionalUser, f: Filters,
                        format: FormatParam = "xlsx") -> StreamingResponse:
    """Every offer `GET /offers` would list with these filters (`limit` and `cursor` are ignored), in the import
    template's columns: the file can be imported again."""
    fetch = _fetch_list(offers.list_rows, user, f, fields=list_fields("offers"))
    return await _run(request, session, "offers", format, fetch)


@router.get("/exports/needs", operation_id="exportNeeds", response_class=StreamingResponse, responses=FILE_RESPONSES)
async def export_needs(request: Request, session: Session, user: OptionalUser, f: Filters,
                       mine: Annotated[bool, Query()] = False, format: FormatParam = "xlsx") -> StreamingResponse:
    """Every need `GET /needs` would list with these filters (`limit` and `cursor` are ignored)."""
    return await _run(request, session, "needs", format, _fetch_list(needs.list_page, user, f, mine=mine))


@router.get("/exports/organizations", operation_id="exportOrganizations", response_class=StreamingResponse,
            responses=FILE_RESPONSES)
async def export_organizations(request: Request, session: Session, user: OptionalUser, f: OrgFilters,
                               format: FormatParam = "xlsx") -> StreamingResponse:
    """The registry as `GET /organizations` lists it with these filters; contact details only for signed-in users."""
    async def fetch(s: AsyncSession, cursor: str | None) -> Page:
        result = await organizations_page(s, user, f, limit=PAGE, cursor=cursor)
        return result.items, result.next_cursor

    return await _run(request, session, "organizations", format, fetch)


@router.get("/exports/deals", operation_id="exportDeals", response_class=StreamingResponse, responses=FILE_RESPONSES)
async def export_deals(request: Request, session: Session, user: CurrentUser,
                       status: Annotated[str | None, Query(max_length=30)] = None,
                       format: FormatParam = "xlsx") -> StreamingResponse:
    """Every deal `GET /deals` would list for the caller (a party its organization's; staff all)."""
    async def fetch(s: AsyncSession, cursor: str | None) -> Page:
        result = await deals_page(s, user, status=status, limit=PAGE, cursor=cursor)
        return result.items, result.next_cursor

    labels = await Labels.load(session)

    async def rows(s: AsyncSession, items: Sequence[Any]) -> list[list[Any]]:
        return await deal_rows(s, items, labels)

    return await _export(request, session, "deals", [h for _, h in DEAL_COLUMNS], DEAL_KINDS, fetch, rows, format)




@router.get("/exports/notices", operation_id="exportNotices", response_class=StreamingResponse,
            responses=FILE_RESPONSES)
async def export_notices(request: Request, session: Session, format: FormatParam = "xlsx") -> StreamingResponse:
    """The public notices as `GET /public/notices` gathers them (awards on notice, evaluations, closed deals,
    publicized proposals), newest first; public."""
    async def fetch(s: AsyncSession, cursor: str | None) -> Page:
        page = await notices.notices(s, limit=PAGE, cursor=cursor)
        return page.items, page.next_cursor

    async def rows(_: AsyncSession, items: Sequence[Any]) -> list[list[Any]]:
        return notice_rows(items)

    return await _export(request, session, "notices", [h for _, h in NOTICE_COLUMNS], NOTICE_KINDS, fetch, rows,
                         format)
