"""Reading the feed: a page of events after a cursor, as one reader may see them.

The feed is gap-free for its reader because event ids are given in commit order with no gaps
(:mod:`exchange.events.models`): once event *n* is visible, every event before it is committed and
visible too, so a reader that has moved past *n* can never find an earlier event appear later. The
cursor is the id of the last event handed out to this reader (or the one it gave): it never moves
over events the reader may not see, so it tells nobody that a sealed bid was just submitted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import db
from exchange.errors import ExchangeError
from exchange.events.repository import EventRepository, Reader
from exchange.fanout.service import feed_item

POLL_SECONDS = 0.25
MAX_WAIT_SECONDS = 30


@dataclass
class FeedPage:
    items: list[dict[str, object]]
    next_cursor: str


def parse_cursor(value: str | None) -> int:
    if value in (None, ""):
        return 0
    try:
        position = int(value)  # type: ignore[arg-type]
        if position < 0:
            raise ValueError(value)
        return position
    except ValueError:
        raise ExchangeError("invalid_cursor", 422, "事件游标无效", "The event cursor is not valid",
                            errors=[{"loc": ["query", "after"], "msg": "invalid cursor", "msg_zh": "事件游标无效"}]) from None


async def read(session: AsyncSession, reader: Reader, *, after: int, types: Sequence[str], limit: int) -> FeedPage:
    rows = await EventRepository(session).in_order(after=after, types=types, reader=reader, limit=limit)
    return FeedPage(items=[feed_item(r) for r in rows], next_cursor=str(rows[-1].id if rows else after))


async def read_waiting(factory: async_sessionmaker[AsyncSession], reader: Reader, *, after: int,
                       types: Sequence[str], limit: int, wait: float) -> FeedPage:
    """A page; when it is empty, poll until an event comes or ``wait`` seconds pass (one short read
    transaction per poll, so a waiting reader holds no connection)."""
    deadline = time.monotonic() + min(wait, MAX_WAIT_SECONDS)
    while True:
        async with db.read_only(factory) as session:
            page = await read(session, reader, after=after, types=types, limit=limit)
        if page.items or time.monotonic() >= deadline:
            return page
        after = int(page.next_cursor)
        await asyncio.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))


async def follow(factory: async_sessionmaker[AsyncSession], reader: Reader, *, after: int,
                 types: Sequence[str]) -> AsyncIterator[dict[str, object]]:
    """Every event after ``after`` the reader may see, then each new one as it is committed."""
    while True:
        page = await read_waiting(factory, reader, after=after, types=types, limit=200, wait=MAX_WAIT_SECONDS)
        for item in page.items:
            yield item
        after = int(page.next_cursor)
