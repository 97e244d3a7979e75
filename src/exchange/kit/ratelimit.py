"""Rate limits shared by every server process: fixed-window counters kept in the database.

Each attempt is counted first, in its own short transaction that commits at once, with one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` — so parallel requests on any number of processes
and servers each see a distinct count, and a request that fails afterwards (a wrong password is a
401, which rolls its own unit of work back) has still been counted.

Counting must happen before the request's own session touches the database: on SQLite the request's
transaction takes the write lock, and a second connection would wait for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, String, case, delete, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base
from exchange.kit.clock import now


class RateCounter(Base):
    """One key's count within its current window."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[dt.datetime]
    count: Mapped[int] = mapped_column(Integer)
    # Expired rows are removed now and then; this index keeps that cheap.
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class Verdict:
    count: int
    limit: int
    retry_after: float

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


async def _hit(session: AsyncSession, key: str, window: float, at: dt.datetime) -> tuple[int, dt.datetime]:
    fresh_before = at - dt.timedelta(seconds=window)
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    table = RateCounter.__table__
    stmt = insert(table).values(key=key, window_start=at, count=1, expires_at=at + dt.timedelta(seconds=window))
    expired = table.c.window_start <= fresh_before
    stamp = table.c.window_start.type
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((expired, 1), else_=table.c.count + 1),
            "window_start": case((expired, literal(at, stamp)), else_=table.c.window_start),
            "expires_at": case((expired, literal(at + dt.timedelta(seconds=window), stamp)),
                               else_=table.c.expires_at),
        },
    ).returning(table.c.count, table.c.window_start)
    count, start = (await session.execute(stmt)).one()
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    return int(count), start


async def hit(factory: async_sessionmaker[AsyncSession], key: str, *, limit: int, window: float) -> Verdict:
    """Count one attempt for ``key`` (committed at once) and say whether it is within ``limit``."""
    at = now()
    async with factory() as session:
        count, start = await _hit(session, key, window, at)
        if count == 1:  # a new window: a good moment to drop other keys' expired rows
            await session.execute(delete(RateCounter).where(RateCounter.expires_at < at - dt.timedelta(seconds=60)))
        await session.commit()
    retry = max(0.0, (start + dt.timedelta(seconds=window) - at).total_seconds())
    return Verdict(count=count, limit=limit, retry_after=retry)


async def forget(session: AsyncSession, key: str) -> None:
    """Drop ``key``'s count (in the caller's unit of work: it holds only if the request succeeds)."""
    await session.execute(delete(RateCounter).where(RateCounter.key == key))


async def give_back(session: AsyncSession, key: str) -> None:
    """Take one attempt off ``key``'s count (in the caller's unit of work)."""
    await session.execute(update(RateCounter).where(RateCounter.key == key, RateCounter.count > 0)
                          .values(count=RateCounter.count - 1))
