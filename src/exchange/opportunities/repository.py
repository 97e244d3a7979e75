"""Every query on opportunities."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import func, literal, select

from exchange.db import UTCDateTime
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.listings.index import ListingIndex
from exchange.listings.query import ListSpec, apply_filters, newest, visibility
from exchange.listings.schemas import ListFilters, Sort
from exchange.needs.models import Need
from exchange.opportunities.models import Opportunity

SPEC = ListSpec(Opportunity, Opportunity.buyer_organization_id, Opportunity.budget_fen)
NO_DEADLINE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


class OpportunityRepository(RepositoryBase[Opportunity]):
    model = Opportunity

    @property
    def index(self) -> ListingIndex:
        return ListingIndex(self.session, "opportunity")

    async def page(self, f: ListFilters, *, status: str | None, org_id: uuid.UUID | None, sees_all: bool,
                   own_org: uuid.UUID | None) -> Page[Opportunity]:
        stmt = select(Opportunity).where(visibility(SPEC, sees_all=sees_all, own_org=own_org))
        stmt = await apply_filters(stmt, SPEC, self.index, f, status=status, org_id=org_id)
        if f.sort is Sort.deadline:
            deadline = func.coalesce(Opportunity.bid_deadline, literal(NO_DEADLINE, UTCDateTime()))
            keys = [SortKey(deadline), SortKey(Opportunity.id)]
        elif f.sort in (Sort.budget, Sort.price):
            keys = [SortKey(Opportunity.budget_fen, descending=True), SortKey(Opportunity.id, descending=True)]
        else:
            keys = newest(Opportunity)
        return await self.list_page(stmt, keys, limit=f.limit, cursor=f.cursor, tag=f"opportunities:{f.sort.value}")

    async def needs_of(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[tuple[uuid.UUID, int]]]:
        """opportunity id → [(need id, supporters)] of the needs converted into it."""
        ids = list(ids)
        out: dict[uuid.UUID, list[tuple[uuid.UUID, int]]] = {i: [] for i in ids}
        if not ids:
            return out
        stmt = (select(Need.opportunity_id, Need.id, Need.supporters).where(Need.opportunity_id.in_(ids))
                .order_by(Need.created_at, Need.id))
        for opp_id, need_id, supporters in await self.session.execute(stmt):
            out[opp_id].append((need_id, supporters))
        return out
