"""The runner's webhook job: attempt every due delivery, each in its own short transactions.

A delivery is claimed (locked with ``SKIP LOCKED``, its next attempt pushed past the timeout) and
committed, then sent with no transaction open (a slow receiver holds no lock and does not hold the
event feed back), then its outcome is recorded in a second transaction. A runner that dies between
the two leaves the lease to expire and another runner sends it again: at least once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import db
from exchange.config import get_settings
from exchange.kit.clock import now
from exchange.webhooks import service
from exchange.webhooks.guard import Resolver, system_resolve
from exchange.webhooks.repository import DeliveryRepository
from exchange.webhooks.sending import post, signed_headers

log = logging.getLogger("exchange.webhooks")


@dataclass(frozen=True)
class DeliveryOptions:
    allow_private: bool = False
    batch: int = 100
    concurrency: int = 16
    resolve: Resolver = system_resolve
    ssl_context: ssl.SSLContext | None = None  # None: the system's trusted authorities


def body_of(payload: dict[str, Any]) -> str:
    """The exact bytes sent (and signed): the same on every attempt."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


async def _attempt(factory: async_sessionmaker[AsyncSession], delivery_id: uuid.UUID, options: DeliveryOptions) -> bool:
    async with db.unit_of_work(factory) as session:
        claimed = await service.claim(session, delivery_id)
        if claimed is None:
            return False
        delivery, endpoint = claimed
        url, secret, timeout = endpoint.url, endpoint.secret, endpoint.timeout_seconds
        message_id, body = delivery.message_id, body_of(delivery.payload)
    outcome = await post(url, body, signed_headers(secret, message_id, body), timeout_seconds=timeout,
                         allow_private=options.allow_private, resolve=options.resolve, ssl_context=options.ssl_context)
    async with db.unit_of_work(factory) as session:
        await service.record_outcome(session, delivery_id, outcome)
    if not outcome.ok:
        log.info("webhook delivery %s to %s failed: %s", delivery_id, url, outcome.error or outcome.status_code)
    return True


async def deliver_due(factory: async_sessionmaker[AsyncSession], options: DeliveryOptions) -> int:
    """Attempt every due delivery (up to ``batch``); returns how many were attempted."""
    async with db.unit_of_work(factory) as session:
        due = await DeliveryRepository(session).due_ids(now(), options.batch)
    gate = asyncio.Semaphore(options.concurrency)

    async def one(delivery_id: uuid.UUID) -> bool:
        async with gate:
            try:
                return await _attempt(factory, delivery_id, options)
            except Exception:  # one broken delivery must not stop the others
                log.exception("webhook delivery %s failed unexpectedly", delivery_id)
                return False

    return sum(await asyncio.gather(*(one(d) for d in due)))


# -- as a periodic job of the runner (exchange.scheduled) --------------------------------------------

async def due(session: AsyncSession) -> list[uuid.UUID]:
    """Deliveries whose attempt is due."""
    return await DeliveryRepository(session).due_ids(now(), 200)


async def deliver(session: AsyncSession, delivery_id: uuid.UUID) -> bool:
    """One attempt at one delivery, in the runner's transaction for this item: the claim (a lease) is
    committed first, so no transaction is open while the receiver is called; the outcome is recorded
    in the transaction the runner then commits."""

    claimed = await service.claim(session, delivery_id)
    if claimed is None:
        return False
    delivery, endpoint = claimed
    url, secret, timeout = endpoint.url, endpoint.secret, endpoint.timeout_seconds
    message_id, body = delivery.message_id, body_of(delivery.payload)
    await db.commit(session)
    outcome = await post(url, body, signed_headers(secret, message_id, body), timeout_seconds=timeout,
                         allow_private=get_settings().webhook_allow_private)
    await service.record_outcome(session, delivery_id, outcome)
    if not outcome.ok:
        log.info("webhook delivery %s to %s failed: %s", delivery_id, url, outcome.error or outcome.status_code)
    return True
