"""Figures over a list (for ``GET /stats/lists``): the same query for each of the three lists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


async def counts(session: AsyncSession, model: Any, amount: InstrumentedAttribute[Any] | None, *,
                 published_only: bool) -> list[dict[str, Any]]:
    """Rows of (status, category, count, sum of ``amount`` — or of supporters without one) of one list's model."""
    total = func.coalesce(func.sum(amount), 0) if amount is not None else func.sum(model.supporters)
    stmt = (select(model.status, model.category, func.count(), total)
            .group_by(model.status, model.category).order_by(model.status, model.category))
    if published_only:
        stmt = stmt.where(model.published_at.is_not(None))
    return [{"status": s, "category": c, "count": n, "sum": int(t or 0)} for s, c, n, t in await session.execute(stmt)]
