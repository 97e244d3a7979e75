"""Funds, deposits, earmarks for opportunities, the ledger, and money by source."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from exchange.accounts.deps import AdminUser, CurrentUser, require_roles
from exchange.accounts.models import Role, User
from exchange.errors import invalid, problems
from exchange.funds import service
from exchange.funds import statement as sheets
from exchange.funds.models import Source
from exchange.funds.repository import LedgerRepository
from exchange.funds.schemas import (
    DepositCreate,
    DepositOut,
    FundCreate,
    FundingCreate,
    FundingOut,
    FundList,
    FundOut,
    LedgerEntryOut,
    LedgerPage,
    MoneyStats,
    ReversalCreate,
)
from exchange.kit.http import Session, resource_headers
from exchange.kit.idempotency import IDEMPOTENT
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam, LimitParam
from exchange.kit.routing import UnitOfWorkRoute
from exchange.opportunities import flows as opportunity_flows
from exchange.sheets.writer import XLSX_RESPONSES, StatsFormat, xlsx_response

router = APIRouter(route_class=UnitOfWorkRoute, tags=["money"])

FundCreator = Annotated[User, Depends(require_roles(Role.admin, Role.buyer))]
Funder = Annotated[User, Depends(require_roles(Role.admin, Role.manager, Role.buyer))]


@router.get("/funds", response_model=FundList, operation_id="listFunds", responses=problems(401, 422))
async def list_funds(session: Session, user: CurrentUser, source: Source | None = None,
                     limit: int = LimitParam, cursor: str | None = CursorParam) -> FundList:
    """The funds the caller may see: all for admins and managers, its own organization's for others."""
    return await service.list_page(session, user, source=source.value if source else None, limit=limit, cursor=cursor)


@router.post("/funds", response_model=FundOut, status_code=201, operation_id="createFund",
             responses=problems(401, 403, 422))
async def create_fund(body: FundCreate, user: FundCreator, session: Session, response: Response) -> FundOut:
    """Create a fund (资金池): admins for any organization, a buyer for its own."""
    fund = await service.create_fund(session, user=user, data=body.model_dump())
    resource_headers(response, fund.version, f"/funds/{fund.id}")
    return (await service.present(session, [fund]))[0]


@router.get("/funds/{fund_id}", response_model=FundOut, operation_id="getFund", responses=problems(401, 404))
async def get_fund(fund_id: str, user: CurrentUser, session: Session, response: Response) -> FundOut:
    """A fund's figures: ``deposited_fen = available_fen + earmarked_fen + committed_fen + paid_fen``
    (owner organization's users, managers, admins)."""
    fund = await service.get_visible(session, user, parse_uuid(fund_id, "fund"))
    resource_headers(response, fund.version)
    return (await service.present(session, [fund]))[0]


@router.post("/funds/{fund_id}/deposits", response_model=DepositOut, status_code=201, operation_id="depositToFund",
             responses=problems(401, 403, 404, 409, 422), openapi_extra=IDEMPOTENT)
async def deposit(fund_id: str, body: DepositCreate, user: CurrentUser, session: Session) -> DepositOut:
    """Money into the fund (the owner's buyer users, admins). Takes ``Idempotency-Key``."""
    fund = await service.get_visible(session, user, parse_uuid(fund_id, "fund"))
    service.reject_if_not_owner(user, fund)
    txn = await service.deposit(session, actor_id=user.id, fund_id=fund.id, amount_fen=body.amount_fen, note=body.note)
    return DepositOut(transaction_id=txn.id, fund_id=fund.id, amount_fen=body.amount_fen, note=body.note,
                      actor_id=user.id, created_at=txn.created_at, fund=(await service.present(session, [fund]))[0])


@router.post("/funds/{fund_id}/deposits/{transaction_id}/reversal", response_model=DepositOut, status_code=201,
             operation_id="reverseDeposit", responses=problems(401, 403, 404, 409, 422), openapi_extra=IDEMPOTENT)
async def reverse_deposit(fund_id: str, transaction_id: str, body: ReversalCreate, admin: AdminUser,
                          session: Session) -> DepositOut:
    """Correct a deposit made in error (admins): a reversing transaction takes the amount back out of
    available; entries are never changed. Once per deposit (409 ``already_reversed``)."""
    fund = await service.get_or_404(session, parse_uuid(fund_id, "fund"))
    txn = await service.reverse_deposit(session, actor_id=admin.id, fund_id=fund.id, reason=body.reason,
                                        transaction_id=parse_uuid(transaction_id, "deposit"))
    change = await LedgerRepository(session).transaction_amount(txn.id, fund.id)  # negative: money out
    return DepositOut(transaction_id=txn.id, fund_id=fund.id, amount_fen=change, note=body.reason, actor_id=admin.id,
                      created_at=txn.created_at, fund=(await service.present(session, [fund]))[0])


@router.get("/funds/{fund_id}/ledger", response_model=LedgerPage, operation_id="getFundLedger",
            responses=problems(401, 404, 422))
async def fund_ledger(fund_id: str, user: CurrentUser, session: Session,
                      limit: int = LimitParam, cursor: str | None = CursorParam) -> LedgerPage:
    """Every entry of every transaction that moved the fund's money, oldest first. Each bucket's
    entries sum to its figure; each transaction's entries sum to zero."""
    fund = await service.get_visible(session, user, parse_uuid(fund_id, "fund"))
    page = await LedgerRepository(session).fund_entries_page(fund.id, limit=limit, cursor=cursor)
    return LedgerPage(items=[LedgerEntryOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/funds/{fund_id}/statement", response_model=sheets.Statement, response_model_by_alias=True,
            operation_id="getFundStatement", responses={**problems(401, 404, 422), **XLSX_RESPONSES})
async def fund_statement(
    fund_id: str, user: CurrentUser, session: Session,
    from_: Annotated[dt.datetime | None, Query(alias="from", description="Start of the period (inclusive)")] = None,
    to: Annotated[dt.datetime | None, Query(description="End of the period (exclusive)")] = None,
    format: StatsFormat = "json",
) -> Any:
    """The fund's statement for a period (whoever may read its ledger): each bucket's opening balance, every
    entry with the balances after it, each bucket's closing balance. `format=xlsx`: as a sheet (amounts in yuan)."""
    fund = await service.get_visible(session, user, parse_uuid(fund_id, "fund"))
    result = await sheets.statement(session, fund, _utc(from_), _utc(to))
    if format == "xlsx":
        return xlsx_response([sheets.statement_table(result)], f"{fund.name}对账单.xlsx", "fund-statement.xlsx")
    return result


@router.post("/opportunities/{opportunity_id}/funding", response_model=FundingOut, operation_id="fundOpportunity",
             responses=problems(401, 403, 404, 409, 422), openapi_extra=IDEMPOTENT)
async def fund_opportunity(opportunity_id: str, body: FundingCreate, user: Funder, session: Session) -> FundingOut:
    """Earmark ``amount_fen`` of ``fund_id`` for the opportunity (draft or published): a buyer from its
    organization's funds, a manager from any. Earmarks add up; never more than the fund has available
    (409 ``insufficient_funds``). Takes ``Idempotency-Key``."""
    return await opportunity_flows.fund(session, user, parse_uuid(opportunity_id, "opportunity"), body.fund_id,
                                        body.amount_fen)


@router.get("/opportunities/{opportunity_id}/funding", response_model=FundingOut, operation_id="getOpportunityFunding",
            responses=problems(401, 404))
async def opportunity_funding(opportunity_id: str, user: CurrentUser, session: Session) -> FundingOut:
    """What is earmarked for the opportunity, per fund."""
    return await opportunity_flows.funding(session, user, parse_uuid(opportunity_id, "opportunity"))


@router.get("/stats/money", response_model=MoneyStats, response_model_by_alias=True, operation_id="moneyBySource",
            responses={**problems(422), **XLSX_RESPONSES})
async def money_stats(
    session: Session,
    from_: Annotated[dt.datetime | None, Query(alias="from", description="Start of the period (inclusive)")] = None,
    to: Annotated[dt.datetime | None, Query(description="End of the period (exclusive)")] = None,
    format: StatsFormat = "json",
) -> Any:
    """Money by source (财政资金, 社区基金, 微基金, 众筹 …) over a period: a public aggregate.
    `format=xlsx`: the table as a sheet with totals and shares. `from` after `to` is 422 `invalid_range`."""
    start, end = _utc(from_), _utc(to)
    if start is not None and end is not None and start > end:
        raise invalid(["query", "from"], "开始时间不能晚于结束时间", "`from` is after `to`", code="invalid_range")
    result = await service.money_by_source(session, start, end)
    if format == "xlsx":
        return xlsx_response([sheets.money_table(result)], "资金来源统计.xlsx", "money-stats.xlsx")
    return result


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
