"""Every query of the events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import db
from exchange.events.models import EventHead, EventRecipient, EventRow

CHUNK = 5000  # rows per insert statement


@dataclass(frozen=True)
class Reader:
    """Whoever reads the feed: anonymous (both None), a user, and the organization it acts for."""

    user_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_head(self) -> EventHead:
        stmt = select(EventHead).where(EventHead.id == 1).with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one()

    async def add(self, rows: Sequence[dict[str, Any]], recipients: Sequence[dict[str, Any]]) -> None:
        """Insert the events, then the parties they are addressed to (each list in one executemany, past the
        session: nothing reads them back in this transaction, and an import writes a hundred thousand)."""
        await self.session.flush()  # the head's new ``last_id`` first
        conn = await self.session.connection()
        for start in range(0, len(rows), CHUNK):
            await db.insert_many(conn, EventRow.__table__, list(rows[start:start + CHUNK]))
        recipients = [{"user_id": None, "organization_id": None, **r} for r in recipients]
        for start in range(0, len(recipients), CHUNK):
            await db.insert_many(conn, EventRecipient.__table__, recipients[start:start + CHUNK])

    async def in_order(self, *, after: int = 0, types: Sequence[str] = (), entity_id: uuid.UUID | str | None = None,
                       reader: Reader | None = None, limit: int | None = None) -> list[EventRow]:
        """Events after ``after``, oldest first. ``reader`` limits them to what that reader may see
        (public ones, and those addressed to the user or its organization); None: every event."""
        stmt = select(EventRow).where(EventRow.id > after).order_by(EventRow.id)
        if types:
            stmt = stmt.where(EventRow.type.in_(list(types)))
        if entity_id is not None:
            stmt = stmt.where(EventRow.entity_id == str(entity_id))
        if reader is not None:
            stmt = stmt.where(or_(EventRow.public.is_(True), EventRow.id.in_(self._addressed(reader))))
        if limit is not None:
            stmt = stmt.limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    @staticmethod
    def _addressed(reader: Reader) -> object:
        parties = []
        if reader.user_id is not None:
            parties.append(EventRecipient.user_id == reader.user_id)
        if reader.organization_id is not None:
            parties.append(EventRecipient.organization_id == reader.organization_id)
        if not parties:
            return select(EventRecipient.event_id).where(False)
        return select(EventRecipient.event_id).where(or_(*parties))

    async def recipients(self, event_ids: Sequence[int]) -> dict[int, list[EventRecipient]]:
        """The parties each event is addressed to."""
        out: dict[int, list[EventRecipient]] = {i: [] for i in event_ids}
        if not event_ids:
            return out
        stmt = select(EventRecipient).where(EventRecipient.event_id.in_(list(event_ids))).order_by(EventRecipient.id)
        for row in (await self.session.execute(stmt)).scalars():
            out[row.event_id].append(row)
        return out
