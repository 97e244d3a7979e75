"""The deal's calls into the ledger (:mod:`exchange.funds.service`), in the deal's own transaction.

A signed deal commits its funds, an accepted milestone pays its tranche, a terminated deal releases
what is left — synchronously, so the money and the deal never disagree."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.funds import service as funds
from exchange.funds.repository import FundRepository
from exchange.funds.schemas import PaymentOut

earmarks_for = funds.earmarks_for
release_earmarks = funds.release_earmarks
deal_money = funds.deal_money


async def fund_owner(session: AsyncSession, fund_id: uuid.UUID) -> uuid.UUID | None:
    """The organization that owns a fund, or None when there is no such fund."""
    fund = await FundRepository(session).get(fund_id)
    return fund.owner_organization_id if fund is not None else None


async def fund_exists(session: AsyncSession, fund_id: uuid.UUID) -> bool:
    return await FundRepository(session).get(fund_id) is not None


async def commit_to_deal(session: AsyncSession, *, actor_id: uuid.UUID, deal_id: uuid.UUID, fund_id: uuid.UUID | None,
                         amount_fen: int, opportunity_id: uuid.UUID | None) -> None:
    if fund_id is not None:
        await funds.commit_to_deal(session, actor_id=actor_id, deal_id=deal_id, fund_id=fund_id,
                                   amount_fen=amount_fen, opportunity_id=opportunity_id)


async def pay_tranche(session: AsyncSession, *, actor_id: uuid.UUID, deal_id: uuid.UUID, fund_id: uuid.UUID | None,
                      milestone_id: uuid.UUID, amount_fen: int, organization_id: uuid.UUID) -> uuid.UUID | None:
    """Pay one milestone's tranche; None when there is nothing to pay."""
    if fund_id is None or amount_fen == 0:
        return None
    return await funds.pay_tranche(session, actor_id=actor_id, deal_id=deal_id, fund_id=fund_id,
                                   milestone_id=milestone_id, amount_fen=amount_fen, organization_id=organization_id)


async def release_deal(session: AsyncSession, *, actor_id: uuid.UUID, deal_id: uuid.UUID, fund_id: uuid.UUID | None,
                       reason: str) -> int:
    if fund_id is None:
        return 0
    return await funds.release_deal(session, actor_id=actor_id, deal_id=deal_id, fund_id=fund_id, reason=reason)


async def deal_payments(session: AsyncSession, deal_id: uuid.UUID) -> list[PaymentOut]:
    return await funds.deal_payments(session, deal_id)
