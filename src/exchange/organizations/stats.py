"""Registry statistics: organizations by community and by kind, legal form and registration (seed 001's table)."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.organizations.repository import RatingFactsRepository
from exchange.organizations.schemas import Breakdown, CommunityBreakdown, Count, OrganizationStats

Row = tuple[str | None, str, str | None, str | None, int]


def _breakdown(rows: list[Row]) -> Breakdown:
    kinds: Counter[str | None] = Counter()
    forms: Counter[str | None] = Counter()
    registrations: Counter[str | None] = Counter()
    for _, kind, form, registration, n in rows:
        kinds[kind] += n
        forms[form] += n
        registrations[registration] += n

    def counts(counter: Counter[str | None]) -> list[Count]:
        return [Count(value=v, count=n) for v, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] or ""))]

    return Breakdown(total=sum(r[4] for r in rows), by_kind=counts(kinds), by_legal_form=counts(forms),
                     by_registration=counts(registrations))


async def organization_stats(session: AsyncSession) -> OrganizationStats:
    repo = RatingFactsRepository(session)
    rows = await repo.counts_by_region()
    communities = await repo.communities()
    community_codes = {c.code for c in communities}
    based = {r.code: r for r in await repo.regions(r[0] for r in rows if r[0])}
    per_community: dict[str, list[Row]] = defaultdict(list)
    outside: list[Row] = []
    for row in rows:
        region = based.get(row[0] or "")
        home = next((c for c in reversed(region.ancestor_codes) if c in community_codes), None) if region else None
        (per_community[home] if home else outside).append(row)
    return OrganizationStats(
        all=_breakdown(rows),
        by_community=[CommunityBreakdown(region_code=c.code, name=c.name, parent_code=c.parent_code,
                                         **_breakdown(per_community.get(c.code, [])).model_dump()) for c in communities],
        outside_communities=_breakdown(outside),
    )
