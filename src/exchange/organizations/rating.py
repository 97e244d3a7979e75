"""An organization's star rating (评星定级) on four dimensions: activity 活跃度, standardization 规范化,
coverage 覆盖率 and influence 影响力 (seed 003), each 0–100, and 1–5 stars from their weighted mean.

Every dimension says what it was computed from (``basis``: the inputs and the formula in words), so a
rating can be checked by hand. Other domains feed their facts in through :func:`register_facts`:
a registered ``async fn(session, org_id) -> Facts`` returns named numbers, and the formulas below
use the names they know (``deals_delivered``, ``evaluation_average``, ``evaluations``,
``people_served``) when present — without them the rating is computed from the registry, the
offers and the claimed needs alone.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.clock import now
from exchange.organizations.models import Organization, Registration
from exchange.organizations.repository import RatingFactsRepository
from exchange.organizations.schemas import DimensionBasis, RatingOut

Facts = dict[str, Any]  # named numbers; ``served_region_codes`` (a list) adds places an organization served
FactSource = Callable[[AsyncSession, uuid.UUID], Awaitable[Facts]]
_sources: list[FactSource] = []

RECENT_DAYS = 180
WEIGHTS = {"activity": 0.3, "standardization": 0.3, "coverage": 0.2, "influence": 0.2}
REGISTRATION_POINTS = {Registration.registered: 40, Registration.subdistrict_filed: 25, Registration.community_filed: 15}


def register_facts(source: FactSource) -> FactSource:
    """Add a source of facts about organizations (usable as a decorator); its numbers join the inputs."""
    if source not in _sources:
        _sources.append(source)
    return source


@dataclass
class Dimension:
    score: int
    inputs: dict[str, Any]
    formula: str

    def basis(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "formula": self.formula}


@dataclass
class Rating:
    organization_id: uuid.UUID
    stars: int
    overall: int
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    computed_at: dt.datetime | None = None


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def activity(f: Facts) -> Dimension:
    extra = f.get("deals_delivered", 0)
    score = (min(f["published_offers"], 4) * 10 + min(f["recent_offers"], 3) * 10
             + min(f["needs_claimed"] * 5 + f["needs_fulfilled"] * 10, 30) + min(extra * 10, 20)
             + min(2 * f.get("space_service_hours", 0), 20))
    return Dimension(_clamp(score), {k: f.get(k, 0) for k in (
        "published_offers", "recent_offers", "needs_claimed", "needs_fulfilled", "deals_delivered",
        "space_service_hours")},
        f"10 per published offer (at most 40) + 10 per offer published in the last {RECENT_DAYS} days (at most 30) "
        "+ 5 per need claimed and 10 per need fulfilled or confirmed (at most 30) + 10 per deal delivered (at most 20) "
        "+ 2 per hour of service reported for community spaces (空间换服务, at most 20); capped at 100")


def standardization(f: Facts, org: Organization) -> Dimension:
    base = (REGISTRATION_POINTS.get(org.registration, 0) if org.registration else 0) \
        + (10 if org.credit_code else 0) + org.a_level * 10
    inputs: dict[str, Any] = {"registration": org.registration, "has_credit_code": bool(org.credit_code),
                              "a_level": org.a_level}
    formula = ("registration (registered 40, subdistrict-filed 25, community-filed 15, none 0) "
               "+ 10 with a valid unified social credit code + 10 per A-level; capped at 100")
    if "evaluation_average" in f:
        inputs["evaluation_average"] = f["evaluation_average"]
        formula += "; blended 70/30 with the average third-party evaluation score"
        return Dimension(_clamp(0.7 * min(base, 100) + 0.3 * f["evaluation_average"]), inputs, formula)
    return Dimension(_clamp(base), inputs, formula)


def coverage(f: Facts) -> Dimension:
    reached, total = f["communities_reached"], f["communities_total"]
    score = 100 * reached / total if total else 0
    return Dimension(_clamp(score), {"communities_reached": reached, "communities_total": total,
                                     "service_region_codes": f.get("service_region_count", 0)},
                     "100 × communities its service regions, published offers and the community spaces it gave "
                     "service in reach (at, under or containing them) ÷ all communities of the exchange")


def influence(f: Facts, org: Organization, today: dt.date) -> Dimension:
    members = org.member_count or 0
    years = max(0.0, (today - org.founded_on).days / 365.25) if org.founded_on else 0.0
    confirmed = f["needs_confirmed"]
    evaluations = f.get("evaluations", 0)
    served = f.get("people_served", 0)
    score = (min(15 * math.log10(members + 1), 30) + min(4 * years, 20) + min(confirmed * 5, 20)
             + min(org.a_level * 4, 20) + min(evaluations * 5 + 5 * math.log10(served + 1), 10))
    return Dimension(_clamp(score), {"member_count": members, "years_active": round(years, 1), "needs_confirmed": confirmed,
                                     "a_level": org.a_level, "evaluations": evaluations, "people_served": served},
                     "15 × log10(members + 1) (at most 30) + 4 per year since founding (at most 20) "
                     "+ 5 per need confirmed by residents (at most 20) + 4 per A-level (at most 20) "
                     "+ 5 per evaluation and 5 × log10(people served + 1) (at most 10); capped at 100")


def stars_for(overall: float) -> int:
    """1 star below 20, then one more per 20 points: 80 and above is 5 stars."""
    return max(1, min(5, 1 + int(overall // 20)))


async def gather_facts(session: AsyncSession, org: Organization) -> Facts:
    repo = RatingFactsRepository(session)
    published, recent, _, offer_areas = await repo.offer_facts(org.id, now() - dt.timedelta(days=RECENT_DAYS))
    needs = await repo.need_facts(org.id)
    supplied: Facts = {}
    for source in _sources:
        supplied.update(await source(session, org.id))
    served = list(supplied.pop("served_region_codes", []))
    reached, total = await repo.communities_reached([*org.service_region_codes, *offer_areas, *served])
    facts: Facts = {
        "published_offers": published, "recent_offers": recent,
        "needs_claimed": sum(needs.values()) - needs.get("open", 0),
        "needs_fulfilled": needs.get("fulfilled", 0) + needs.get("confirmed", 0),
        "needs_confirmed": needs.get("confirmed", 0),
        "communities_reached": reached, "communities_total": total,
        "service_region_count": len(org.service_region_codes),
    }
    facts.update(supplied)
    return facts


async def rate(session: AsyncSession, org: Organization) -> Rating:
    """The organization's rating now."""
    f = await gather_facts(session, org)
    at = now()
    dims = {"activity": activity(f), "standardization": standardization(f, org), "coverage": coverage(f),
            "influence": influence(f, org, at.date())}
    overall = sum(WEIGHTS[name] * d.score for name, d in dims.items())
    return Rating(organization_id=org.id, stars=stars_for(overall), overall=_clamp(overall), dimensions=dims,
                  computed_at=at)


async def rating_out(session: AsyncSession, org: Organization) -> RatingOut:
    """The rating as the API answers it (and the portal shows it)."""
    result = await rate(session, org)
    return RatingOut(
        organization_id=org.id, stars=result.stars, overall=result.overall,
        **{name: d.score for name, d in result.dimensions.items()},
        basis={name: DimensionBasis(**d.basis()) for name, d in result.dimensions.items()},
        computed_at=result.computed_at or now(),
    )
