"""Every query of the expert pool."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import String, cast, or_, select

from exchange.accounts.models import User
from exchange.experts.models import Expert
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase


class ExpertRepository(RepositoryBase[Expert]):
    model = Expert

    async def by_user(self, user_id: uuid.UUID) -> Expert | None:
        return (await self.session.execute(select(Expert).where(Expert.user_id == user_id))).scalar_one_or_none()

    async def page(self, *, specialty: str | None, q: str | None, active: bool | None,
                   affiliation: uuid.UUID | None, limit: int, cursor: str | None) -> Page[Expert]:
        stmt = select(Expert).join(User, User.id == Expert.user_id)
        if active is not None:
            stmt = stmt.where(Expert.active.is_(active), User.is_active.is_(True) if active else Expert.id.is_not(None))
        if affiliation is not None:
            stmt = stmt.where(Expert.affiliation_organization_id == affiliation)
        if q:
            like = f"%{q.replace('%', '').replace('_', '')}%"
            stmt = stmt.where(or_(User.display_name.ilike(like), User.username.ilike(like), Expert.title.ilike(like)))
        if specialty:
            # JSON arrays differ between the databases; the list is short, so filter on the quoted code.
            stmt = stmt.where(cast(Expert.specialties, String).contains(f'"{specialty}"'))
        return await self.list_page(stmt, [SortKey(User.display_name), SortKey(Expert.id)], limit=limit,
                                    cursor=cursor, tag="experts")

    async def names(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not user_ids:
            return {}
        rows = await self.session.execute(select(User.id, User.display_name).where(User.id.in_(list(user_ids))))
        return {r.id: r.display_name for r in rows}

    async def drawable(self) -> list[Expert]:
        """Active experts whose accounts are active, in a stable order."""
        stmt = (select(Expert).join(User, User.id == Expert.user_id)
                .where(Expert.active.is_(True), User.is_active.is_(True), User.role == "expert")
                .order_by(Expert.user_id))
        return list((await self.session.execute(stmt)).scalars())
