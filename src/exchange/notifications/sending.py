"""The runner's job that sends due channel messages (email, SMS, WeChat), one per short transaction;
the send itself happens with no transaction open."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import db
from exchange.config import get_settings
from exchange.kit.clock import now
from exchange.notifications import service
from exchange.notifications.channels import Sender, senders
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


# -- as a periodic job of the runner (exchange.scheduled) --------------------------------------------

async def due(session: AsyncSession) -> list[uuid.UUID]:
    return await MessageRepository(session).due_ids(now(), 200)


async def send_one(session: AsyncSession, message_id: uuid.UUID) -> bool:
    """Send one message: the claim is committed first, so no transaction is open while the provider is
    called; the outcome is recorded in the transaction the runner commits."""

    claimed = await service.claim_message(session, message_id)
    if claimed is None:
        return False
    message, subject, body = claimed
    channel, address, language = message.channel, message.address, message.language
    await db.commit(session)
    error: str | None = None
    try:
        await senders(get_settings())[channel].send(address, subject, body, language)
    except Exception as exc:  # the provider's failure is recorded and retried, never raised
        error = f"{type(exc).__name__}: {exc}"
        log.warning("sending %s %s failed: %s", channel, message_id, error)
    await service.record_send(session, message_id, error)
    return error is None
