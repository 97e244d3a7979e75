"""Statistics of the three lists over HTTP."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings import stats
from exchange.needs.models import Need
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity

router = APIRouter(route_class=UnitOfWorkRoute, tags=["stats"])


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


@router.get("/stats/lists", response_model=ListStats, operation_id="listStats")
async def list_stats(session: Session) -> ListStats:
    """Counts of the three lists by status and category (published items only), with budget totals in fen."""
    opp = _totals(await stats.counts(session, Opportunity, Opportunity.budget_fen, published_only=True))
    off = _totals(await stats.counts(session, Offer, Offer.price_fen, published_only=True))
    needs = _totals(await stats.counts(session, Need, None, published_only=False))
    opp_sums, need_sums = opp.pop("sums"), needs.pop("sums")
    off.pop("sums")
    return ListStats.model_validate({
        "opportunities": {**opp, "budget_fen": sum(opp_sums.values()), "budget_fen_by_status": opp_sums},  # type: ignore[union-attr]
        "offers": off,
        "needs": {**needs, "supporters": sum(need_sums.values())},  # type: ignore[union-attr]
    })
