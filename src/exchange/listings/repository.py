"""Figures over the three lists (for ``GET /stats/lists``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.needs.models import Need
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity


async def counts(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """Per list: rows of (status, category, count, amount in fen), drafts left out."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, model, amount in (("opportunities", Opportunity, Opportunity.budget_fen),
                                ("offers", Offer, Offer.price_fen), ("needs", Need, None)):
        total = func.coalesce(func.sum(amount), 0) if amount is not None else func.sum(model.supporters)
        stmt = (select(model.status, model.category, func.count(), total)
                .group_by(model.status, model.category).order_by(model.status, model.category))
        if name != "needs":
            stmt = stmt.where(model.published_at.is_not(None))
        out[name] = [{"status": s, "category": c, "count": n, "sum": int(t or 0)}
                     for s, c, n, t in await session.execute(stmt)]
    return out
