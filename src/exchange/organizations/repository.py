"""Every query on organizations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.organizations.models import Organization


class OrganizationRepository(RepositoryBase[Organization]):
    model = Organization

    async def by_credit_code(self, code: str) -> Organization | None:
        stmt = select(Organization).where(Organization.credit_code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_many(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Organization]:
        ids = list(set(ids))
        if not ids:
            return {}
        rows = (await self.session.execute(select(Organization).where(Organization.id.in_(ids)))).scalars()
        return {o.id: o for o in rows}

    async def page(
        self, *, kind: str | None, registration: str | None, min_a_level: int | None, region_codes: list[str] | None,
        q: str | None, limit: int, cursor: str | None,
    ) -> Page[Organization]:
        stmt = select(Organization)
        if kind is not None:
            stmt = stmt.where(Organization.kind == kind)
        if registration is not None:
            stmt = stmt.where(Organization.registration == registration)
        if min_a_level is not None:
            stmt = stmt.where(Organization.a_level >= min_a_level)
        if region_codes is not None:
            stmt = stmt.where(Organization.region_code.in_(region_codes))
        if q:
            stmt = stmt.where(Organization.name.contains(q, autoescape=True))
        keys = [SortKey(Organization.name), SortKey(Organization.id)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="orgs")
