"""Every query on filings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from exchange.filings.models import Filing
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.regions.models import Region


class FilingRepository(RepositoryBase[Filing]):
    model = Filing

    async def page(self, *, under: str | None, applicant_id: uuid.UUID | None, status: str | None,
                   limit: int, cursor: str | None) -> Page[Filing]:
        stmt = select(Filing)
        if under is not None:
            stmt = stmt.join(Region, Region.code == Filing.region_code).where(
                Region.path.contains(f"/{under}/", autoescape=True))
        if applicant_id is not None:
            stmt = stmt.where(Filing.applicant_id == applicant_id)
        if status is not None:
            stmt = stmt.where(Filing.status == status)
        keys = [SortKey(Filing.created_at, descending=True), SortKey(Filing.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="filings")

    async def pending_named(self, name: str, statuses: Sequence[str]) -> Filing | None:
        stmt = select(Filing).where(Filing.name == name, Filing.status.in_(list(statuses))).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()
