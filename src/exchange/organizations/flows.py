"""Stories that start with an organization and read other domains: its star rating."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.needs.repository import NeedRepository
from exchange.offers.repository import OfferRepository
from exchange.organizations import rating as ratings
from exchange.organizations.models import Organization


async def rating(session: AsyncSession, org: Organization) -> ratings.Rating:
    """The organization's rating from the registry, its published offers and the needs it claimed."""
    published, recent, _, areas = await OfferRepository(session).organization_facts(org.id, ratings.recent_since())
    needs = await NeedRepository(session).claimed_by_organization(org.id)
    return await ratings.rate(session, org, ratings.list_facts(published, recent, needs), areas)
