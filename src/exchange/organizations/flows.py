"""Stories that start with an organization and read other domains: its star rating."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.needs.repository import NeedRepository
from exchange.offers.repository import OfferRepository
from exchange.organizations import rating as ratings
from exchange.organizations.models import Organization
from exchange.spaces import rating as space_rating


async def rating(session: AsyncSession, org: Organization) -> ratings.Rating:
    """The organization's rating from the registry, its published offers, the needs it claimed and the service
    it gave back for community spaces (hours, and the communities of those spaces)."""
    published, recent, _, areas = await OfferRepository(session).organization_facts(org.id, ratings.recent_since())
    needs = await NeedRepository(session).claimed_by_organization(org.id)
    spaces = await space_rating.service_facts(session, org.id)
    served = list(spaces.pop("served_region_codes", []))
    facts = {**ratings.list_facts(published, recent, needs), **spaces}
    return await ratings.rate(session, org, facts, [*areas, *served])
