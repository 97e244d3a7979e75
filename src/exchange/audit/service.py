"""Recording and verifying the audit trail.

``record`` queues an event on the session; just before the unit of work commits, the queue is
written behind the chain's head (locked, so concurrent transactions append one after another)
in the same transaction as the change it describes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.models import AuditEvent
from exchange.audit.repository import GENESIS, AuditRepository
from exchange.db import add_pre_commit_hook
from exchange.kit.clock import now

PENDING = "audit_pending"


def record(
    session: AsyncSession, *, actor_id: uuid.UUID | None, action: str, entity_type: str,
    entity_id: uuid.UUID | str, summary: dict[str, Any] | None = None, public: bool = False,
) -> None:
    """Queue one audit event; it is written in this session's transaction when it commits.

    ``public`` marks events anyone may read (moves of published items); the rest are for
    managers and admins. Never put a sealed bid's existence, bidder or price in an event."""
    session.info.setdefault(PENDING, []).append({
        "actor_id": actor_id, "action": action, "entity_type": entity_type,
        "entity_id": str(entity_id), "summary": _jsonable(summary or {}), "public": public,
    })
    add_pre_commit_hook(session, write_pending)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def event_hash(event: AuditEvent) -> str:
    """The hash of an event's content and its predecessor's hash."""
    content = {
        "id": str(event.id), "seq": event.seq, "at": event.at.isoformat(),
        "actor_id": str(event.actor_id) if event.actor_id else None, "action": event.action,
        "entity_type": event.entity_type, "entity_id": event.entity_id, "summary": event.summary,
        "public": bool(event.public), "prev_hash": event.prev_hash,
    }
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


async def write_pending(session: AsyncSession) -> None:
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    repo = AuditRepository(session)
    head = await repo.lock_head()
    at = now()
    for item in pending:
        event = AuditEvent(id=uuid.uuid4(), seq=head.seq + 1, at=at, prev_hash=head.hash, **item)
        event.hash = event_hash(event)
        repo.add(event)
        head.seq, head.hash = event.seq, event.hash
    await session.flush()


@dataclass
class Verification:
    intact: bool
    events: int
    first_broken_id: uuid.UUID | None


async def verify(session: AsyncSession) -> Verification:
    """Walk the chain from the start; report the first event whose link or content is broken."""
    prev, expected_seq, count, broken = GENESIS, 1, 0, None
    async for event in AuditRepository(session).in_order():
        count += 1
        if broken is None and (
            event.seq != expected_seq or event.prev_hash != prev or event_hash(event) != event.hash
        ):
            broken = event.id
        prev, expected_seq = event.hash, event.seq + 1
    return Verification(intact=broken is None, events=count, first_broken_id=broken)
