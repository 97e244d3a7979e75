"""Stories that start with an organization and read other domains: its star rating."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.clock import now
from exchange.needs.repository import NeedRepository
from exchange.offers.repository import OfferRepository
from exchange.organizations import rating as ratings
from exchange.organizations.models import Organization
from exchange.organizations.schemas import DimensionBasis, RatingOut
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


async def rating_out(session: AsyncSession, org: Organization) -> RatingOut:
    """The rating as the API answers it (and the portal shows it)."""
    result = await rating(session, org)
    return RatingOut(
        organization_id=org.id, stars=result.stars, overall=result.overall,
        **{name: d.score for name, d in result.dimensions.items()},
        basis={name: DimensionBasis(**d.basis()) for name, d in result.dimensions.items()},
        computed_at=result.computed_at or now(),
    )
