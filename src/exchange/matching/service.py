"""Matching a need, an opportunity, an offer or free text against the other side.

The engine ranks from its in-memory index; every answer is then re-read from the database, so
only listings that are matchable *now* are returned, with their current fields."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.audit import service as audit
from exchange.matching.engine import Match, Query, query_from_listing
from exchange.matching.models import MatchFeedback
from exchange.matching.repository import MatchingRepository
from exchange.matching.runtime import MatchingRuntime, need_listing, offer_listing, opportunity_listing, org_facts
from exchange.matching.schemas import FeedbackIn, MatchOut, ReasonOut, SearchIn
from exchange.needs import service as needs
from exchange.needs.schemas import need_out
from exchange.offers import service as offers
from exchange.offers.schemas import OfferOut
from exchange.opportunities import service as opportunities
from exchange.organizations.repository import OrganizationRepository
from exchange.regions.service import ensure_regions_exist
from exchange.vocabularies.service import ensure_codes

# Opportunities and needs: ask the engine for more than the page, so rows gone since the last
# catch-up can be dropped. Offers rank the page itself and catch up when one has gone (_rank_offers).
HEADROOM = 2


def _reasons(match: Match) -> list[ReasonOut]:
    return [ReasonOut.model_construct(rule=r.rule, score=round(float(r.score), 4), weight=round(float(r.weight), 4),
                                      detail=r.detail) for r in match.reasons]


def _order(matches: Sequence[Match], limit: int) -> list[Match]:
    """Eligible first, then by score; at most ``limit``."""
    return sorted(matches, key=lambda m: (not m.eligible, -m.score))[:limit]


async def _offers_out(session: AsyncSession, matches: list[Match]) -> list[MatchOut]:
    """The matches whose offers may be answered now (read again: published, organization not suspended).
    Built without validation: every field comes from a typed column or from the engine."""
    rows = await MatchingRepository(session).answerable_offers([uuid.UUID(m.listing.id) for m in matches])
    out = []
    for m in matches:
        row = rows.get(uuid.UUID(m.listing.id))
        if row is not None:
            out.append(MatchOut.model_construct(offer=OfferOut.model_construct(**row._mapping), score=_score(m),
                                                eligible=m.eligible, reasons=_reasons(m)))
    return out


def _score(m: Match) -> float:
    return round(min(100.0, max(0.0, float(m.score))), 2)


async def _demand_out(session: AsyncSession, matches: list[Match], limit: int, viewer: User | None) -> list[MatchOut]:
    repo = MatchingRepository(session)
    opp_rows = await repo.opportunities_by_id([uuid.UUID(m.listing.id) for m in matches if m.listing.kind == "opportunity"])
    need_rows = await repo.needs_by_id([uuid.UUID(m.listing.id) for m in matches if m.listing.kind == "need"])
    presented = {o.id: o for o in await opportunities.present_many(
        session, [o for o in opp_rows.values() if o.status == "published"])}
    out = []
    for m in matches:
        key = uuid.UUID(m.listing.id)
        if m.listing.kind == "opportunity" and key in presented:
            out.append(MatchOut(opportunity=presented[key], score=_score(m), eligible=m.eligible, reasons=_reasons(m)))
        elif m.listing.kind == "need" and key in need_rows and need_rows[key].status == "open":
            out.append(MatchOut(need=need_out(need_rows[key], viewer), score=_score(m), eligible=m.eligible,
                                reasons=_reasons(m)))
    return out[:limit]


async def _rank_offers(session: AsyncSession, runtime: MatchingRuntime, query: Query, limit: int,
                       include_ineligible: bool) -> list[MatchOut]:
    """The page of offers, each read again before it is answered. An offer withdrawn (or of an
    organization suspended) since this process last caught up is dropped, and the process catches
    up and ranks once more so that the page stays full; the engine is asked for the page only, which
    keeps its shortlist and its explanations to what is shown."""
    async def page() -> tuple[int, list[MatchOut]]:
        assert runtime.offers is not None
        found = runtime.offers.search(query, kind="offer", limit=limit, include_ineligible=include_ineligible)
        return len(found), await _offers_out(session, _order(found, limit))

    await runtime.ready(session)
    ranked, out = await page()
    if len(out) < ranked:
        await runtime.ready(session, force=True)
        ranked, out = await page()
    return out


async def for_need(session: AsyncSession, runtime: MatchingRuntime, *, user: User | None, need_id: uuid.UUID,
                   limit: int, include_ineligible: bool) -> list[MatchOut]:
    """Published offers that fit a resident's need."""
    need = await needs.get_or_404(session, need_id)
    return await _rank_offers(session, runtime, query_from_listing(need_listing(need)), limit, include_ineligible)


async def for_opportunity(session: AsyncSession, runtime: MatchingRuntime, *, user: User | None, opportunity_id: uuid.UUID,
                          limit: int, include_ineligible: bool) -> list[MatchOut]:
    """Published offers whose organizations could take on an opportunity (its eligibility is a hard rule)."""
    opp = await opportunities.get_visible(session, user, opportunity_id)
    return await _rank_offers(session, runtime, query_from_listing(opportunity_listing(opp)), limit, include_ineligible)


async def for_offer(session: AsyncSession, runtime: MatchingRuntime, *, user: User | None, offer_id: uuid.UUID,
                    limit: int, include_ineligible: bool) -> list[MatchOut]:
    """Open opportunities and needs an organization's offer could answer."""
    offer = await offers.get_visible(session, user, offer_id)
    org = await OrganizationRepository(session).get(offer.organization_id)
    listing = offer_listing(offer, {org.id: org_facts(org)} if org else {})
    query = query_from_listing(listing)
    await runtime.ready(session)
    assert runtime.demand is not None
    found: list[Match] = []
    for kind in ("opportunity", "need"):
        found += runtime.demand.search(query, kind=kind, limit=limit * HEADROOM, include_ineligible=include_ineligible)
    return await _demand_out(session, _order(found, limit * HEADROOM), limit, user)


async def search(session: AsyncSession, runtime: MatchingRuntime, body: SearchIn) -> list[MatchOut]:
    """Ad hoc: free text (and optional structure) against published offers."""
    await ensure_codes(session, "category", [body.category], ["body", "category"])
    await ensure_codes(session, "target_group", body.target_groups or [], ["body", "target_groups"])
    if body.region_code is not None and body.region_code not in runtime.regions:
        # Regions are never deleted: one the index knows exists; others are looked up.
        await ensure_regions_exist(session, [body.region_code], ["body", "region_code"])
    query = Query(text=body.text, category=body.category, target_groups=list(body.target_groups or []),
                  region_code=body.region_code, budget_fen=body.budget_fen)
    return await _rank_offers(session, runtime, query, body.limit, body.include_ineligible)


async def record_feedback(session: AsyncSession, *, user: User, body: FeedbackIn) -> MatchFeedback:
    feedback = MatchFeedback(id=uuid.uuid4(), created_by=user.id, **body.model_dump())
    MatchingRepository(session).add_feedback(feedback)
    await session.flush()
    audit.record(session, actor_id=user.id, action="match.feedback", entity_type=body.candidate_type,
                 entity_id=body.candidate_id, summary={"verdict": body.verdict, "source_type": body.source_type,
                                                       "source_id": str(body.source_id) if body.source_id else None})
    return feedback
