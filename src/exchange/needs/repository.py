"""Every query on needs and their supports."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.listings.index import ListingIndex
from exchange.listings.query import ListSpec, apply_filters, newest
from exchange.listings.schemas import ListFilters, Sort
from exchange.needs.models import Need, NeedSupport

SPEC = ListSpec(Need, Need.on_behalf_organization_id, None)


class NeedRepository(RepositoryBase[Need]):
    model = Need

    @property
    def index(self) -> ListingIndex:
        return ListingIndex(self.session, "need")

    async def page(self, f: ListFilters, *, status: str | None, org_id: uuid.UUID | None,
                   requester_id: uuid.UUID | None = None) -> Page[Need]:
        stmt = await apply_filters(select(Need), SPEC, self.index, f, status=status, org_id=org_id)
        if requester_id is not None:
            stmt = stmt.where(Need.requester_id == requester_id)
        if f.sort is Sort.supporters:
            keys = [SortKey(Need.supporters, descending=True), SortKey(Need.id, descending=True)]
        else:
            keys = newest(Need)
        return await self.list_page(stmt, keys, limit=f.limit, cursor=f.cursor, tag=f"needs:{f.sort.value}")

    async def support_of(self, need_id: uuid.UUID, user_id: uuid.UUID) -> NeedSupport | None:
        stmt = select(NeedSupport).where(NeedSupport.need_id == need_id, NeedSupport.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def many_for_update(self, ids: Iterable[uuid.UUID]) -> list[Need]:
        """Lock several needs in a fixed order (by id), so two conversions never deadlock."""
        stmt = (select(Need).where(Need.id.in_(list(ids))).order_by(Need.id).with_for_update()
                .execution_options(populate_existing=True))
        return list((await self.session.execute(stmt)).scalars())

    async def claimed_by_organization(self, org_id: uuid.UUID) -> dict[str, int]:
        """Needs the organization claimed (揭榜), by their status now."""
        stmt = (select(Need.status, func.count()).where(Need.claimant_organization_id == org_id)
                .group_by(Need.status))
        return {status: int(n) for status, n in (await self.session.execute(stmt)).all()}
