"""Crowdfunding campaigns (项目众筹) matched by a fund: 居民筹、组织办、基金配比."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import ticker


@ticker.register
async def end_due_campaigns(session: AsyncSession) -> int:
    """Campaigns end by the clock at ``ends_at`` (registered here so that any import of the package arms it)."""
    from exchange.campaigns.service import end_due

    return await end_due(session)
