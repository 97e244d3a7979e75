"""The runner's job that sends due channel messages (email, SMS, WeChat), one per short transaction;
the send itself happens with no transaction open."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import db
from exchange.kit.clock import now
from exchange.notifications import service
from exchange.notifications.channels import Sender
from exchange.notifications.repository import MessageRepository

log = logging.getLogger("exchange.notifications")


async def send_due(factory: async_sessionmaker[AsyncSession], senders: dict[str, Sender], *, batch: int = 100) -> int:
    """Send every due message (up to ``batch``); returns how many were sent."""
    async with db.unit_of_work(factory) as session:
        due = await MessageRepository(session).due_ids(now(), batch)
    sent = 0
    for message_id in due:
        async with db.unit_of_work(factory) as session:
            claimed = await service.claim_message(session, message_id)
            if claimed is None:
                continue
            message, subject, body = claimed
            channel, address, language = message.channel, message.address, message.language
        error: str | None = None
        try:
            await senders[channel].send(address, subject, body, language)
        except Exception as exc:  # the provider's failure is recorded and retried, never raised
            error = f"{type(exc).__name__}: {exc}"
            log.warning("sending %s %s failed: %s", channel, message_id, error)
        async with db.unit_of_work(factory) as session:
            await service.record_send(session, message_id, error)
        sent += error is None
    return sent
