"""Every query about one user's data across the domains (for the export and the erasure)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.models import AuditEvent
from exchange.needs.models import Need, NeedSupport
from exchange.points.models import PointsEntry
from exchange.tenders.models import Objection

EXPORT_AUDIT_LIMIT = 10_000


class PersonalDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def needs_of(self, user_id: uuid.UUID, *, lock: bool = False) -> Sequence[Need]:
        """Needs the user posted or claimed."""
        stmt = select(Need).where(or_(Need.requester_id == user_id, Need.claimant_user_id == user_id))
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt.order_by(Need.created_at, Need.id))).scalars().all()

    async def supports_of(self, user_id: uuid.UUID) -> Sequence[NeedSupport]:
        stmt = select(NeedSupport).where(NeedSupport.user_id == user_id).order_by(NeedSupport.created_at)
        return (await self.session.execute(stmt)).scalars().all()

    async def points_of(self, user_id: uuid.UUID) -> Sequence[PointsEntry]:
        stmt = select(PointsEntry).where(PointsEntry.user_id == user_id).order_by(PointsEntry.created_at)
        return (await self.session.execute(stmt)).scalars().all()

    async def objections_of(self, user_id: uuid.UUID, *, lock: bool = False) -> Sequence[Objection]:
        stmt = select(Objection).where(Objection.filed_by == user_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt.order_by(Objection.created_at))).scalars().all()

    async def audit_by(self, user_id: uuid.UUID) -> Sequence[AuditEvent]:
        """What the user did, as the audit trail recorded it (newest first, at most 10,000 events)."""
        stmt = (select(AuditEvent).where(AuditEvent.actor_id == user_id).order_by(AuditEvent.seq.desc())
                .limit(EXPORT_AUDIT_LIMIT))
        return (await self.session.execute(stmt)).scalars().all()
