"""Builders for the money tests: funds, deposits, opportunities to earmark for, and the invariants."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from exchange import db
from exchange.checks import check_ledger
from exchange.funds import service
from exchange.funds.repository import FundRepository
from exchange.opportunities.models import Opportunity


async def make_fund(app: FastAPI, owner_id: uuid.UUID, *, source: str = "fiscal", deposit_fen: int = 0,
                    name: str = "测试资金池") -> uuid.UUID:
    async with db.unit_of_work(app.state.session_factory) as session:
        fund = await service.create_fund(session, user=None, data={"name": name, "source": source,
                                                                   "owner_organization_id": owner_id})
        if deposit_fen:
            await service.deposit(session, actor_id=None, fund_id=fund.id, amount_fen=deposit_fen, note="seed")
        return fund.id


async def make_opportunity(app: FastAPI, buyer_org_id: uuid.UUID, *, status: str = "draft") -> uuid.UUID:
    async with db.unit_of_work(app.state.session_factory) as session:
        opportunity = Opportunity(id=uuid.uuid4(), buyer_organization_id=buyer_org_id, title="社区助餐服务项目",
                                  description="为辖区老年人提供助餐配送", category="elderly_care", target_groups=["elderly"],
                                  region_codes=[], budget_fen=100_000_00, min_bids=1, eligibility={}, rubric=[],
                                  standstill_days=5.0, status=status, search_text="")
        session.add(opportunity)
        await session.flush()
        return opportunity.id


async def figures(app: FastAPI, fund_id: uuid.UUID) -> dict[str, int]:
    async with db.unit_of_work(app.state.session_factory) as session:
        b = await FundRepository(session).balance(fund_id)
        assert b is not None
        return {k: getattr(b, f"{k}_fen") for k in ("deposited", "available", "earmarked", "committed", "paid")}


async def violations(app: FastAPI) -> list[str]:
    async with db.unit_of_work(app.state.session_factory) as session:
        return await check_ledger(session)


async def run(app: FastAPI, fn: Any, /, **kwargs: Any) -> Any:
    """Run one service function in its own unit of work."""
    async with db.unit_of_work(app.state.session_factory) as session:
        return await fn(session, **kwargs)
