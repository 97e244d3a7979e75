"""Figures over a list (for ``GET /stats/lists`` and the portal's home and statistics): the same query for each of
the three lists, and the totals the API answers. Which models are counted is decided by
:func:`exchange.listings.flows.list_stats` (this package does not import the lists)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


class ListGroup(BaseModel):
    status: str
    category: str | None
    count: int


class ListTotals(BaseModel):
    count: int
    by_status: dict[str, int]
    groups: list[ListGroup]


class OpportunityTotals(ListTotals):
    budget_fen: int = Field(description="Sum of the budgets (fen)")
    budget_fen_by_status: dict[str, int]


class NeedTotals(ListTotals):
    supporters: int


class ListStats(BaseModel):
    opportunities: OpportunityTotals
    offers: ListTotals
    needs: NeedTotals


async def counts(session: AsyncSession, model: Any, amount: InstrumentedAttribute[Any] | None, *,
                 published_only: bool) -> list[dict[str, Any]]:
    """Rows of (status, category, count, sum of ``amount`` — or of supporters without one) of one list's model."""
    total = func.coalesce(func.sum(amount), 0) if amount is not None else func.sum(model.supporters)
    stmt = (select(model.status, model.category, func.count(), total)
            .group_by(model.status, model.category).order_by(model.status, model.category))
    if published_only:
        stmt = stmt.where(model.published_at.is_not(None))
    return [{"status": s, "category": c, "count": n, "sum": int(t or 0)} for s, c, n, t in await session.execute(stmt)]


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by status, sums by status and the (status, category) groups of one list's rows."""
    by_status: dict[str, int] = {}
    sums: dict[str, int] = {}
    for r in rows:
        by_status[str(r["status"])] = by_status.get(str(r["status"]), 0) + int(r["count"])
        sums[str(r["status"])] = sums.get(str(r["status"]), 0) + int(r["sum"])
    return {"count": sum(by_status.values()), "by_status": by_status, "sums": sums,
            "groups": [{"status": r["status"], "category": r["category"], "count": r["count"]} for r in rows]}


def list_stats(opportunities: list[dict[str, Any]], offers: list[dict[str, Any]],
               needs: list[dict[str, Any]]) -> ListStats:
    """The answer of ``GET /stats/lists`` from the three lists' rows."""
    opp, off, nd = totals(opportunities), totals(offers), totals(needs)
    opp_sums, need_sums = opp.pop("sums"), nd.pop("sums")
    off.pop("sums")
    return ListStats.model_validate({
        "opportunities": {**opp, "budget_fen": sum(opp_sums.values()), "budget_fen_by_status": opp_sums},
        "offers": off,
        "needs": {**nd, "supporters": sum(need_sums.values())},
    })
