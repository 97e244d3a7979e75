"""The deal's calls into the ledger (``exchange.funds.service``).

Kept in one place so that the deal's rules read the same whether or not the money domain is
installed in this build: without it, nothing is committed or paid and the figures are zero."""

from __future__ import annotations

import importlib
import uuid
from types import ModuleType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def _funds() -> ModuleType | None:
    try:
        return importlib.import_module("exchange.funds.service")
    except ImportError:
        return None


def available() -> bool:
    return _funds() is not None


async def earmarks_for(session: AsyncSession, opportunity_id: uuid.UUID) -> list[tuple[uuid.UUID, int]]:
    funds = _funds()
    return list(await funds.earmarks_for(session, opportunity_id)) if funds else []


async def fund_owner(session: AsyncSession, fund_id: uuid.UUID) -> uuid.UUID | None:
    """The organization that owns a fund, or None when unknown."""
    try:
        models = importlib.import_module("exchange.funds.models")
    except ImportError:
        return None
    fund = await session.get(models.Fund, fund_id)
    return getattr(fund, "owner_organization_id", None) if fund is not None else None


async def fund_exists(session: AsyncSession, fund_id: uuid.UUID) -> bool:
    try:
        models = importlib.import_module("exchange.funds.models")
    except ImportError:
        return True
    return await session.get(models.Fund, fund_id) is not None


async def commit_to_deal(session: AsyncSession, *, actor_id: uuid.UUID, deal_id: uuid.UUID, fund_id: uuid.UUID | None,
                         amount_fen: int, opportunity_id: uuid.UUID | None) -> None:
    funds = _funds()
    if funds and fund_id is not None:
        await funds.commit_to_deal(session, actor_id=actor_id, deal_id=deal_id, fund_id=fund_id,
                                   amount_fen=amount_fen, opportunity_id=opportunity_id)


async def pay_tranche(session: AsyncSession, *, actor_id: uuid.UUID, deal_id: uuid.UUID, fund_id: uuid.UUID | None,
                      milestone_id: uuid.UUID, amount_fen: int, organization_id: uuid.UUID) -> uuid.UUID | None:
    funds = _funds()
    if not funds or fund_id is None or amount_fen == 0:
        return None
    result: uuid.UUID = await funds.pay_tranche(session, actor_id=actor_id, deal_id=deal_id, fund_id=fund_id,
                                                milestone_id=milestone_id, amount_fen=amount_fen,
                                                organization_id=organization_id)
    return result


async def release_deal(session: AsyncSession, *, actor_id: uuid.UUID, deal_id: uuid.UUID, fund_id: uuid.UUID | None,
                       reason: str) -> int:
    funds = _funds()
    if not funds or fund_id is None:
        return 0
    return int(await funds.release_deal(session, actor_id=actor_id, deal_id=deal_id, fund_id=fund_id, reason=reason))


async def release_earmarks(session: AsyncSession, *, actor_id: uuid.UUID | None, opportunity_id: uuid.UUID,
                           reason: str) -> int:
    funds = _funds()
    if not funds:
        return 0
    return int(await funds.release_earmarks(session, actor_id=actor_id, opportunity_id=opportunity_id, reason=reason))


async def deal_payments(session: AsyncSession, deal_id: uuid.UUID) -> list[Any]:
    funds = _funds()
    return list(await funds.deal_payments(session, deal_id)) if funds else []


async def deal_money(session: AsyncSession, deal_id: uuid.UUID) -> dict[str, int]:
    funds = _funds()
    if not funds:
        return {"committed_fen": 0, "paid_fen": 0, "released_fen": 0}
    return dict(await funds.deal_money(session, deal_id))
