"""Every query on organizations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.organizations.models import Organization
from exchange.regions.models import Region


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


class RatingFactsRepository:
    """The queries behind an organization's star rating and the registry statistics."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def communities_reached(self, codes: Iterable[str]) -> tuple[int, int]:
        """(communities at, under or containing one of ``codes``; communities in the whole tree)."""
        codes = list(set(codes))
        total = int((await self.session.execute(
            select(func.count()).select_from(Region).where(Region.level == "community"))).scalar_one())
        if not codes:
            return 0, total
        regions = list((await self.session.execute(select(Region).where(Region.code.in_(codes)))).scalars())
        if not regions:
            return 0, total
        ancestors = {c for r in regions for c in r.ancestor_codes}
        under = or_(*[Region.path.startswith(r.path, autoescape=True) for r in regions])
        stmt = select(func.count()).select_from(Region).where(
            Region.level == "community", or_(under, Region.code.in_(ancestors))
        )
        return int((await self.session.execute(stmt)).scalar_one()), total

    async def counts_by(self, column: str) -> dict[str | None, int]:
        """Organizations counted by one of their columns (kind, legal_form, registration, region_code)."""
        col = getattr(Organization, column)
        rows = (await self.session.execute(select(col, func.count()).group_by(col))).all()
        return {value: int(n) for value, n in rows}

    async def counts_by_region(self) -> list[tuple[str | None, str, str | None, str | None, int]]:
        """(region_code, kind, legal_form, registration, count) for every combination that occurs."""
        stmt = select(Organization.region_code, Organization.kind, Organization.legal_form, Organization.registration,
                      func.count()).group_by(Organization.region_code, Organization.kind, Organization.legal_form,
                                             Organization.registration)
        return [(r, k, lf, reg, int(n)) for r, k, lf, reg, n in (await self.session.execute(stmt)).all()]

    async def counts_by_region_and_function_type(self) -> list[tuple[str | None, str | None, int]]:
        """(region_code, function_type, count) for every combination that occurs."""
        stmt = (select(Organization.region_code, Organization.function_type, func.count())
                .group_by(Organization.region_code, Organization.function_type))
        return [(r, f, int(n)) for r, f, n in (await self.session.execute(stmt)).all()]

    async def regions(self, codes: Iterable[str]) -> list[Region]:
        codes = list(set(codes))
        if not codes:
            return []
        return list((await self.session.execute(select(Region).where(Region.code.in_(codes)))).scalars())

    async def communities(self) -> list[Region]:
        stmt = select(Region).where(Region.level == "community").order_by(Region.path)
        return list((await self.session.execute(stmt)).scalars())
