"""The public notice board (公示) gathered from every domain that publishes notices: awards in standstill,
evaluations and closed deals (tenders and deals), and publicized community proposals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.deals import transparency
from exchange.proposals import notices as proposals

EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


async def notices(session: AsyncSession, limit: int = 100) -> list[dict[str, Any]]:
    """Every kind of notice, newest first."""
    items = [*await transparency.notices(session, limit), *await proposals.notices(session, limit)]
    items.sort(key=lambda i: i["at"] or EARLIEST, reverse=True)
    return items[:limit]
