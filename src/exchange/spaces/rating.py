"""What spaces tell an organization's rating: hours of service it reported giving back (activity) and
the communities of those spaces (coverage)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.organizations.rating import Facts
from exchange.spaces.repository import BookingRepository


async def service_facts(session: AsyncSession, organization_id: uuid.UUID) -> Facts:
    minutes, people, regions = await BookingRepository(session).service_given(organization_id)
    return {"space_service_hours": round(minutes / 60, 2), "space_people_served": people,
            "served_region_codes": regions}
