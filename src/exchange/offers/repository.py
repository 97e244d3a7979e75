"""Every query on offers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Bundle, defer

from exchange import db
from exchange.kit.clock import now
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

    async def insert_new(self, offers: Sequence[Offer]) -> None:
        """Insert new offers (not added to the session) with one executemany: bulk imports, which should
        not hold a hundred thousand objects in the session. Column defaults are filled in as a flush would."""
        if not offers:
            return
        at = now()
        columns = [c.key for c in Offer.__table__.columns]
        rows = []
        for offer in offers:
            row = {key: getattr(offer, key) for key in columns}
            row.update(created_at=row["created_at"] or at, updated_at=row["updated_at"] or at, version=1,
                       target_groups=row["target_groups"] or [], region_codes=row["region_codes"] or [],
                       price_fen=row["price_fen"] or 0, search_text=row["search_text"] or "")
            rows.append(row)
        await db.insert_many(await self.session.connection(), Offer.__table__, rows)

    async def page(self, f: ListFilters, *, status: str | None, org_id: uuid.UUID | None, sees_all: bool,
                   own_org: uuid.UUID | None) -> Page[Offer]:
        # A page answers OfferOut: the stored analysis and index words (the widest columns) are left unread.
        stmt = select(Offer).options(defer(Offer.match_analysis, raiseload=True), defer(Offer.search_text, raiseload=True))
        return await self._page(stmt, f, status=status, org_id=org_id, sees_all=sees_all, own_org=own_org)

    async def page_rows(self, f: ListFilters, columns: Sequence[Any], *, status: str | None,
                        org_id: uuid.UUID | None, sees_all: bool, own_org: uuid.UUID | None) -> Page[Row[Any]]:
        """The page :meth:`page` reads, as plain rows of ``columns`` (attribute access by column name)."""
        stmt = select(Bundle("offer", *columns, single_entity=True))
        return await self._page(stmt, f, status=status, org_id=org_id, sees_all=sees_all, own_org=own_org)

    async def _page(self, stmt: Select[Any], f: ListFilters, *, status: str | None, org_id: uuid.UUID | None,
                    sees_all: bool, own_org: uuid.UUID | None) -> Page[Any]:
        stmt = stmt.where(visibility(SPEC, sees_all=sees_all, own_org=own_org))
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
