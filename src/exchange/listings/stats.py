"""Figures of the three lists (``GET /stats/lists``, the portal's home and statistics)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.listings import repository


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


def _totals(rows: list[dict[str, object]]) -> dict[str, object]:
    by_status: dict[str, int] = {}
    sums: dict[str, int] = {}
    for r in rows:
        by_status[str(r["status"])] = by_status.get(str(r["status"]), 0) + int(r["count"])  # type: ignore[call-overload]
        sums[str(r["status"])] = sums.get(str(r["status"]), 0) + int(r["sum"])  # type: ignore[call-overload]
    return {"count": sum(by_status.values()), "by_status": by_status, "sums": sums,
            "groups": [{"status": r["status"], "category": r["category"], "count": r["count"]} for r in rows]}


async def list_stats(session: AsyncSession) -> ListStats:
    """Counts of the three lists by status and category (published items only), with budget totals in fen."""
    rows = await repository.counts(session)
    opp, off, needs = _totals(rows["opportunities"]), _totals(rows["offers"]), _totals(rows["needs"])
    opp_sums, need_sums = opp.pop("sums"), needs.pop("sums")
    off.pop("sums")
    return ListStats.model_validate({
        "opportunities": {**opp, "budget_fen": sum(opp_sums.values()), "budget_fen_by_status": opp_sums},  # type: ignore[union-attr]
        "offers": off,
        "needs": {**needs, "supporters": sum(need_sums.values())},  # type: ignore[union-attr]
    })
