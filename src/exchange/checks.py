"""``exchange ledger check``: every invariant of the money, proven from the ledger's entries — the funds'
books (:mod:`exchange.funds.check`), the deals' amounts (:mod:`exchange.deals.check`) and the campaigns'
money (:mod:`exchange.campaigns.check`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.campaigns.check import check_campaigns
from exchange.deals.check import check_deals
from exchange.funds.check import check_funds


async def check_ledger(session: AsyncSession) -> list[str]:
    """Every violation found, as a line of text (empty when the ledger is sound)."""
    return [*await check_funds(session), *await check_deals(session), *await check_campaigns(session)]
