"""Statistics of the three lists over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings import flows
from exchange.listings.stats import ListStats

router = APIRouter(route_class=UnitOfWorkRoute, tags=["stats"])


@router.get("/stats/lists", response_model=ListStats, operation_id="listStats")
async def list_stats(session: Session) -> ListStats:
    """Counts of the three lists by status and category (published items only), with budget totals in fen."""
    return await flows.list_stats(session)
