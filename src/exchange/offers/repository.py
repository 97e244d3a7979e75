"""Every query on offers."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.listings.index import ListingIndex
from exchange.listings.query import ListSpec, apply_filters, newest, visibility
from exchange.listings.schemas import ListFilters, Sort
from exchange.offers.models import Offer

SPEC = ListSpec(Offer, Offer.organization_id, Offer.price_fen)


class OfferRepository(RepositoryBase[Offer]):
    model = Offer

    @property
    def index(self) -> ListingIndex:
        return ListingIndex(self.session, "offer")

    async def page(self, f: ListFilters, *, status: str | None, org_id: uuid.UUID | None, sees_all: bool,
                   own_org: uuid.UUID | None) -> Page[Offer]:
        stmt = select(Offer).where(visibility(SPEC, sees_all=sees_all, own_org=own_org))
        stmt = await apply_filters(stmt, SPEC, self.index, f, status=status, org_id=org_id)
        if f.sort in (Sort.budget, Sort.price):
            keys = [SortKey(Offer.price_fen), SortKey(Offer.id)]
        else:
            keys = newest(Offer)
        return await self.list_page(stmt, keys, limit=f.limit, cursor=f.cursor, tag=f"offers:{f.sort.value}")

    async def organization_facts(self, org_id: uuid.UUID, since: dt.datetime) -> tuple[int, int, dt.datetime | None, list[str]]:
        """Published offers: how many, how many published since ``since``, the latest, their areas."""
        stmt = select(Offer.published_at, Offer.region_codes).where(
            Offer.organization_id == org_id, Offer.status == "published"
        )
        rows = (await self.session.execute(stmt)).all()
        published = [at for at, _ in rows if at is not None]
        recent = sum(1 for at in published if at >= since)
        areas = sorted({code for _, codes in rows for code in (codes or [])})
        return len(rows), recent, max(published, default=None), areas
