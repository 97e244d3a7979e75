"""The fan-out job: the next event after the cursor, told to its people and queued for webhooks.

Events are handled one per transaction and strictly in order: ``apply`` locks the cursor row (a
second runner skips it), handles event ``last_id + 1`` only, and moves the cursor in the same
transaction, so each event is fanned out exactly once even with many runners. An event whose
fan-out fails is logged and passed (its savepoint is rolled back): one bad event never holds up
the ones behind it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.events.models import EventRecipient, EventRow
from exchange.events.repository import EventRepository
from exchange.fanout.models import EventCursor
from exchange.kit.clock import now
from exchange.notifications import parties
from exchange.notifications import service as notifications
from exchange.notifications.rules import WHO_IS_TOLD
from exchange.webhooks import service as webhooks

log = logging.getLogger("exchange.fanout")
CONSUMER = "fanout"
BATCH = 500


def feed_item(row: EventRow) -> dict[str, Any]:
    """An event as the feed and the webhooks show it."""
    return {"id": str(row.id), "type": row.type, "occurred_at": row.occurred_at.isoformat(),
            "entity_type": row.entity_type, "entity_id": row.entity_id, "data": row.data}


async def _cursor(session: AsyncSession, *, lock: bool) -> EventCursor | None:
    stmt = select(EventCursor).where(EventCursor.name == CONSUMER)
    if lock:
        stmt = stmt.with_for_update(skip_locked=True).execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def due(session: AsyncSession) -> Sequence[int]:
    """The ids of the events not yet fanned out (up to ``BATCH``), oldest first."""
    cursor = await _cursor(session, lock=False)
    after = cursor.last_id if cursor is not None else 0
    return [row.id for row in await EventRepository(session).in_order(after=after, limit=BATCH)]


async def apply(session: AsyncSession, event_id: int) -> bool:
    """Fan out event ``event_id`` if it is the next one; False when another runner has it or it is done."""
    cursor = await _cursor(session, lock=True)
    if cursor is None or event_id != cursor.last_id + 1:
        return False
    repo = EventRepository(session)
    rows = await repo.in_order(after=event_id - 1, limit=1)
    if not rows or rows[0].id != event_id:
        return False
    row = rows[0]
    recipients = (await repo.recipients([row.id]))[row.id]
    try:
        async with session.begin_nested():
            await fan_out(session, row, recipients)
    except Exception:
        log.exception("fan-out of event %s (%s) failed; it is passed", row.id, row.type)
    cursor.last_id, cursor.updated_at = event_id, now()
    await session.flush()
    return True


async def fan_out(session: AsyncSession, row: EventRow, recipients: Sequence[EventRecipient]) -> None:
    users = [r.user_id for r in recipients if r.user_id is not None]
    organizations = [r.organization_id for r in recipients if r.organization_id is not None]
    rule = WHO_IS_TOLD.get(row.type)
    if rule is not None and rule.parties:
        told = await parties.resolve(session, rule.parties, event_type=row.type, entity_type=row.entity_type,
                                     entity_id=row.entity_id, data=row.data, addressed_users=users,
                                     addressed_organizations=organizations)
        if told:
            name = await parties.name_of(session, row.entity_type, row.entity_id, row.data)
            await notifications.notify(session, event_id=row.id, event_type=row.type, entity_type=row.entity_type,
                                       entity_id=row.entity_id, params={"name": name}, user_ids=told)
    item = feed_item(row)
    await webhooks.enqueue(session, event_key=str(row.id), event_type=row.type,
                           payload={"type": row.type, "timestamp": item["occurred_at"], "data": item},
                           organization_ids=None if row.public else _unique(organizations))


def _unique(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return sorted(set(ids), key=str)

