"""Whether a place lies within an area of the region tree (the area itself or under it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.regions.repository import RegionRepository


async def within(session: AsyncSession, code: str | None, area: str | None) -> bool:
    """True when ``code`` is ``area`` or lies under it; False when either is unknown or missing."""
    if not code or not area:
        return False
    if code == area:
        return True
    region = await RegionRepository(session).get(code)
    return region is not None and area in region.ancestor_codes


async def ancestors(session: AsyncSession, code: str) -> list[str]:
    """The code itself and every region containing it (empty for an unknown code)."""
    region = await RegionRepository(session).get(code)
    return list(region.ancestor_codes) if region is not None else []
