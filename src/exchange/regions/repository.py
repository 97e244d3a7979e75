"""Every query on the region tree."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.regions.models import Region

_HELD = "regions_read"


class RegionRepository(RepositoryBase[Region]):
    model = Region

    async def get_many(self, codes: Iterable[str]) -> dict[str, Region]:
        """Regions by code; those this session read before cost no query (a region never changes once added)."""
        held: dict[str, Region] = self.session.info.setdefault(_HELD, {})
        found: dict[str, Region] = {}
        missing = []
        for code in set(codes):
            if code in held:
                found[code] = held[code]
            else:
                missing.append(code)
        if missing:
            rows = (await self.session.execute(select(Region).where(Region.code.in_(missing)))).scalars()
            fresh = {r.code: r for r in rows}
            held |= fresh
            found |= fresh
        return found

    async def subtree(self, code: str) -> list[Region]:
        """The region and everything under it: one prefix scan on the indexed path."""
        region = await self.get(code)
        if region is None:
            return []
        stmt = select(Region).where(Region.path.startswith(region.path, autoescape=True)).order_by(Region.path)
        return list((await self.session.execute(stmt)).scalars())

    async def children(self, parent_code: str | None) -> list[Region]:
        cond = Region.parent_code.is_(None) if parent_code is None else Region.parent_code == parent_code
        return list((await self.session.execute(select(Region).where(cond).order_by(Region.code))).scalars())

    async def page(self, *, parent_code: str | None, under: str | None, level: str | None, q: str | None,
                   limit: int, cursor: str | None) -> Page[Region]:
        stmt = select(Region)
        if parent_code is not None:
            stmt = stmt.where(Region.parent_code == parent_code)
        if level is not None:
            stmt = stmt.where(Region.level == level)
        if under is not None:
            root = await self.get(under)
            stmt = stmt.where(Region.path.startswith(root.path, autoescape=True) if root else Region.code.is_(None))
        if q:
            stmt = stmt.where(Region.name.contains(q, autoescape=True) | Region.code.startswith(q, autoescape=True))
        return await self.list_page(stmt, [SortKey(Region.path)], limit=limit, cursor=cursor, tag="regions")

    async def all_regions(self) -> list[Region]:
        """The whole tree, parents before children (by path)."""
        return list((await self.session.execute(select(Region).order_by(Region.path))).scalars())

    async def all_parents(self) -> dict[str, str | None]:
        """code → parent_code for the whole tree (small: a district has a few thousand regions)."""
        rows = await self.session.execute(select(Region.code, Region.parent_code))
        return {code: parent for code, parent in rows}
