"""Every query of the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.models import AuditEvent, AuditHead
from exchange.kit.pagination import Page, SortKey, paginate

GENESIS = "0" * 64


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_head(self) -> AuditHead:
        stmt = select(AuditHead).where(AuditHead.id == 1).with_for_update()
        head = (await self.session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()
        if head is None:
            head = AuditHead(id=1, seq=0, hash=GENESIS)
            self.session.add(head)
            await self.session.flush()
        return head

    def add(self, event: AuditEvent) -> None:
        self.session.add(event)

    async def page(
        self, *, entity_id: str | None, entity_type: str | None, public_only: bool, limit: int, cursor: str | None
    ) -> Page[AuditEvent]:
        stmt = select(AuditEvent)
        if entity_id is not None:
            stmt = stmt.where(AuditEvent.entity_id == entity_id)
        if entity_type is not None:
            stmt = stmt.where(AuditEvent.entity_type == entity_type)
        if public_only:
            stmt = stmt.where(AuditEvent.public.is_(True))
        keys = [SortKey(AuditEvent.seq, descending=True)]
        return await paginate(self.session, stmt, keys, limit=limit, cursor=cursor, tag="audit")

    async def in_order(self, batch: int = 2000) -> AsyncIterator[AuditEvent]:
        """Every event in chain order, streamed in batches."""
        last = 0
        while True:
            rows = (await self.session.execute(
                select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
            )).scalars().all()
            if not rows:
                return
            for row in rows:
                yield row
            last = rows[-1].seq
            for row in rows:  # keep memory flat over a long chain, without touching the request's other objects
                self.session.expunge(row)
