"""Recording events in the request's own transaction (an outbox).

:func:`record` queues an event on the session; just before the unit of work commits, the queue is
written — so a request that rolls back leaves no event, and one that commits leaves all of them.
Delivery (notifications, the feed, webhooks) reads the ``events`` table afterwards, from the job
runner; nothing is sent from inside a request."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.db import add_pre_commit_hook
from exchange.events.repository import EventRepository
from exchange.events.types import Event
from exchange.kit.clock import now
from exchange.kit.memory import gc_paused

PENDING = "events_pending"
# after the audit chain's hook (order 10): every transaction takes the two heads in the same order
HOOK_ORDER = 20


def record(session: AsyncSession, event: Event) -> None:
    """Queue ``event``; it is written in this session's transaction when that commits."""
    session.info.setdefault(PENDING, []).append(event)
    add_pre_commit_hook(session, write_pending, order=HOOK_ORDER)


def pending(session: AsyncSession) -> list[Event]:
    """The events recorded in this transaction and not yet written."""
    return list(session.info.get(PENDING, []))


async def write_pending(session: AsyncSession) -> None:
    queued: list[Event] = session.info.pop(PENDING, [])
    if not queued:
        return
    repo = EventRepository(session)
    head = await repo.lock_head()
    at = now()
    rows: list[dict[str, Any]] = []
    recipients: list[dict[str, Any]] = []
    with gc_paused():  # an import queues a hundred thousand: no full collection walks the rows while they are made
        for event in queued:
            head.last_id += 1
            entity_type, entity_id = event.entity()
            audience = event.audience
            rows.append({"id": head.last_id, "type": event.type.value, "occurred_at": at, "entity_type": entity_type,
                         "entity_id": str(entity_id), "data": event.data(), "public": audience.public})
            recipients += [{"event_id": head.last_id, "user_id": u} for u in sorted(audience.user_ids, key=str)]
            recipients += [{"event_id": head.last_id, "organization_id": o}
                           for o in sorted(audience.organization_ids, key=str)]
        await repo.add(rows, recipients)
