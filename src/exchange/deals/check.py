"""The deals' part of ``exchange ledger check`` (:mod:`exchange.checks`): no deal commits or pays more
than its amount."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.deals.repository import DealRepository


async def check_deals(session: AsyncSession) -> list[str]:
    return [f"deal {deal_id}: committed {committed} / paid {paid} beyond its amount {amount}"
            for deal_id, amount, committed, paid in await DealRepository(session).beyond_amount()]
