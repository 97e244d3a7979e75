"""Every query on the points ledger."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from exchange.kit.repository import RepositoryBase
from exchange.points.models import PointsEntry


class PointsRepository(RepositoryBase[PointsEntry]):
    model = PointsEntry

    async def balance(self, user_id: uuid.UUID) -> int:
        stmt = select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(PointsEntry.user_id == user_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def entries(self, user_id: uuid.UUID, limit: int = 500) -> list[PointsEntry]:
        stmt = (select(PointsEntry).where(PointsEntry.user_id == user_id)
                .order_by(PointsEntry.created_at.desc(), PointsEntry.id).limit(limit))
        return list((await self.session.execute(stmt)).scalars())

    async def for_need(self, need_id: uuid.UUID, kind: str) -> PointsEntry | None:
        stmt = select(PointsEntry).where(PointsEntry.need_id == need_id, PointsEntry.kind == kind)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def by_ref(self, ref: str) -> PointsEntry | None:
        return (await self.session.execute(select(PointsEntry).where(PointsEntry.ref == ref))).scalar_one_or_none()
