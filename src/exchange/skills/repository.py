"""Every query on skills."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.regions.models import Region
from exchange.skills.models import Skill


class SkillRepository(RepositoryBase[Skill]):
    model = Skill

    async def page(self, *, region: str | None, containing: Sequence[str] = (), category: str | None,
                   q: str | None, user_id: uuid.UUID | None,
                   active: bool | None, limit: int, cursor: str | None) -> Page[Skill]:
        stmt = select(Skill)
        if region is not None:  # overlapping the region: at or under it, or containing it (as the lists)
            stmt = stmt.join(Region, Region.code == Skill.region_code).where(or_(
                Region.path.contains(f"/{region}/", autoescape=True), Skill.region_code.in_(list(containing))))
        if category is not None:
            stmt = stmt.where(Skill.category == category)
        if q:
            like = f"%{q}%"
            stmt = stmt.where(or_(Skill.title.like(like), Skill.description.like(like)))
        if user_id is not None:
            stmt = stmt.where(Skill.user_id == user_id)
        if active is not None:
            stmt = stmt.where(Skill.active.is_(active))
        keys = [SortKey(Skill.created_at, descending=True), SortKey(Skill.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="skills")

    async def reaching(self, places: Sequence[str], limit: int) -> list[Skill]:
        """Active skills offered at one of ``places`` (a need's place and every region containing it)."""
        stmt = (select(Skill).where(Skill.region_code.in_(list(places)), Skill.active.is_(True))
                .order_by(Skill.updated_at.desc()).limit(limit))
        return list((await self.session.execute(stmt)).scalars())
