"""Every query of the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import db
from exchange.audit.models import AuditCheckpoint, AuditEvent, AuditHead
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

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Insert events in the order given (a few thousand per statement), past the session."""
        conn = await self.session.connection()
        for start in range(0, len(rows), 5000):
            await db.insert_many(conn, AuditEvent.__table__, rows[start:start + 5000])

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

    async def head(self) -> AuditHead | None:
        stmt = select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def event_at(self, seq: int) -> AuditEvent | None:
        return (await self.session.execute(select(AuditEvent).where(AuditEvent.seq == seq))).scalar_one_or_none()

    async def latest_checkpoint(self, upto: int) -> AuditCheckpoint | None:
        stmt = select(AuditCheckpoint).where(AuditCheckpoint.seq <= upto).order_by(AuditCheckpoint.seq.desc()).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def save_checkpoint(self, seq: int, hash_: str, at: dt.datetime) -> None:
        """Record that the chain was intact up to ``seq`` (a concurrent walk may have recorded it already)."""
        insert = pg_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert
        await self.session.execute(insert(AuditCheckpoint).values(seq=seq, hash=hash_, verified_at=at)
                                   .on_conflict_do_nothing(index_elements=["seq"]))

    async def in_order(self, batch: int = 2000, *, after: int = 0, upto: int | None = None) -> AsyncIterator[AuditEvent]:
        """The events after ``after`` (up to ``upto``) in chain order, streamed in batches."""
        last = after
        while True:
            stmt = select(AuditEvent).where(AuditEvent.seq > last)
            if upto is not None:
                stmt = stmt.where(AuditEvent.seq <= upto)
            rows = (await self.session.execute(stmt.order_by(AuditEvent.seq).limit(batch))).scalars().all()
            if not rows:
                return
            for row in rows:
                yield row
            last = rows[-1].seq
            for row in rows:  # keep memory flat over a long chain, without touching the request's other objects
                self.session.expunge(row)
