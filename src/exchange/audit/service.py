"""Recording and verifying the audit trail.

``record`` queues an event on the session; just before the unit of work commits, the queue is
written behind the chain's head (locked, so concurrent transactions append one after another)
in the same transaction as the change it describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.canonical import canonical, dumps
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
        "actor_id": actor_id, "action": canonical(action), "entity_type": canonical(entity_type),
        "entity_id": canonical(str(entity_id)), "summary": canonical(summary or {}), "public": public,
    })
    add_pre_commit_hook(session, write_pending)


def _content(event: AuditEvent) -> dict[str, Any]:
    return _content_of(event.id, event.seq, event.at, event.actor_id, event.action, event.entity_type,
                       event.entity_id, event.summary, event.public, event.prev_hash)


def _content_of(id: uuid.UUID, seq: int, at: dt.datetime, actor_id: uuid.UUID | None, action: str,
                entity_type: str, entity_id: str, summary: Any, public: bool, prev_hash: str) -> dict[str, Any]:
    return {
        "id": str(id), "seq": seq, "at": at.isoformat(),
        "actor_id": str(actor_id) if actor_id else None, "action": action,
        "entity_type": entity_type, "entity_id": entity_id, "summary": summary,
        "public": bool(public), "prev_hash": prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    """The hash of an event's content and its predecessor's hash, over the canonical form."""
    return hashlib.sha256(dumps(_content(event))).hexdigest()


def legacy_event_hash(event: AuditEvent) -> str:
    """How events written before the canonical form were hashed (verification accepts both)."""
    content = {
        "id": str(event.id), "seq": event.seq, "at": event.at.isoformat(),
        "actor_id": str(event.actor_id) if event.actor_id else None, "action": event.action,
        "entity_type": event.entity_type, "entity_id": event.entity_id, "summary": event.summary,
        "public": bool(event.public), "prev_hash": event.prev_hash,
    }
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


async def write_pending(session: AsyncSession) -> None:
    """Append the queued events behind the chain's head, in the order they were recorded (one executemany per
    few thousand: an import queues two events per row)."""
    pending = session.info.pop(PENDING, [])
    if not pending:
        return
    repo = AuditRepository(session)
    head = await repo.lock_head()
    at = now()
    rows = []
    for item in pending:  # ``record`` queued the text in canonical form: the hash need not walk it again
        row = {"id": uuid.uuid4(), "seq": head.seq + 1, "at": at, "prev_hash": head.hash, **item}
        row["hash"] = hashlib.sha256(dumps(_content_of(**row), is_canonical=True)).hexdigest()
        rows.append(row)
        head.seq, head.hash = row["seq"], row["hash"]
    await repo.append(rows)
    await session.flush()


def _hash_holds(event: AuditEvent) -> bool:
    return event.hash in (event_hash(event), legacy_event_hash(event))


@dataclass
class Verification:
    intact: bool
    events: int
    first_broken_id: uuid.UUID | None
    reason: str | None = None  # link | content | sequence | missing_tail | checkpoint
    verified_from: int = 0  # the sequence number this walk started after (0: the beginning)


async def verify(session: AsyncSession, *, full: bool = False) -> Verification:
    """Check the chain up to the recorded head (a plain read: it writes nothing).

    By default the walk starts at the newest checkpoint (after checking that its event still carries
    the recorded hash), so its cost is the events added since; ``full`` walks from the start. The
    chain's end must be the recorded head: deleting the newest events is found too. Checkpoints are
    recorded by the job runner (:func:`record_checkpoint`), never by a read."""
    result, _ = await _walk(session, full=full)
    return result


async def _walk(session: AsyncSession, *, full: bool) -> tuple[Verification, str]:
    """The verification, and the hash of the last event walked."""
    repo = AuditRepository(session)
    head = await repo.head()  # read first: events committed after it are left for the next walk
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    start = None if full else await repo.latest_checkpoint(head_seq)
    prev, expected, broken, reason = GENESIS, 1, None, None
    if start is not None:
        anchor = await repo.event_at(start.seq)
        if anchor is None or anchor.hash != start.hash or not _hash_holds(anchor):
            return await _walk(session, full=True)  # the checkpoint itself is in doubt: walk everything
        prev, expected = start.hash, start.seq + 1
    begin = expected - 1
    async for event in repo.in_order(after=begin, upto=head_seq):
        if broken is None:
            if event.seq != expected:
                broken, reason = event.id, "sequence"
            elif event.prev_hash != prev:
                broken, reason = event.id, "link"
            elif not _hash_holds(event):
                broken, reason = event.id, "content"
        prev, expected = event.hash, event.seq + 1
    last = expected - 1
    if broken is None and (last != head_seq or prev != head_hash):
        reason = "missing_tail"
    return Verification(intact=reason is None, events=last, first_broken_id=broken, reason=reason,
                        verified_from=begin), prev


CHAIN = "chain"  # the one item of the checkpoint job


async def checkpoint_due(session: AsyncSession) -> list[str]:
    """The job runner's check: events were appended since the newest checkpoint."""
    repo = AuditRepository(session)
    head = await repo.head()
    if head is None or head.seq == 0:
        return []
    latest = await repo.latest_checkpoint(head.seq)
    return [CHAIN] if latest is None or latest.seq < head.seq else []


async def record_checkpoint(session: AsyncSession, _key: str = CHAIN) -> bool:
    """Verify from the newest checkpoint and, when the chain is intact further than it, record a new
    checkpoint (a concurrent runner may have recorded the same one: that is harmless)."""
    result, last_hash = await _walk(session, full=False)
    if not result.intact or result.events <= result.verified_from:
        return False
    await AuditRepository(session).save_checkpoint(result.events, last_hash, now())
    return True
