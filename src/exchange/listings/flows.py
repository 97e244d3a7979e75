"""Stories over the three lists together: their figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.listings import stats
from exchange.needs.models import Need
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity


async def list_rows(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """Per list: rows of (status, category, count, amount in fen); published opportunities and offers, every need."""
    return {"opportunities": await stats.counts(session, Opportunity, Opportunity.budget_fen, published_only=True),
            "offers": await stats.counts(session, Offer, Offer.price_fen, published_only=True),
            "needs": await stats.counts(session, Need, None, published_only=False)}


async def list_stats(session: AsyncSession) -> stats.ListStats:
    """Counts of the three lists by status and category (published items only), with budget totals in fen."""
    rows = await list_rows(session)
    return stats.list_stats(rows["opportunities"], rows["offers"], rows["needs"])
