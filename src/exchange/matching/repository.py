"""Every query matching makes: rows as the engine sees them, and what changed since a moment."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.matching.models import MatchFeedback
from exchange.needs.models import Need
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Organization
from exchange.regions.models import Region

OFFER_COLUMNS = (Offer.id, Offer.title, Offer.description, Offer.category, Offer.target_groups, Offer.region_codes,
                 Offer.status, Offer.price_fen, Offer.pricing, Offer.capacity_per_month, Offer.organization_id,
                 Offer.match_analysis)
OPPORTUNITY_COLUMNS = (Opportunity.id, Opportunity.title, Opportunity.description, Opportunity.category,
                       Opportunity.target_groups, Opportunity.region_codes, Opportunity.status, Opportunity.budget_fen,
                       Opportunity.eligibility, Opportunity.bid_deadline, Opportunity.match_analysis)
# What an answered offer shows (``OfferOut``), and whether it may be answered now.
ANSWER_COLUMNS = (Offer.id, Offer.organization_id, Offer.title, Offer.description, Offer.category, Offer.target_groups,
                  Offer.region_codes, Offer.pricing, Offer.price_fen, Offer.capacity_per_month, Offer.status,
                  Offer.published_at, Offer.created_at, Offer.updated_at, Offer.version)
NEED_COLUMNS = (Need.id, Need.title, Need.description, Need.category, Need.target_groups, Need.region_code, Need.status,
                Need.match_analysis)


class MatchingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, stmt: Select[Any]) -> list[Any]:
        """Plain rows through the session's connection: no ORM result machinery (rows by the 100k)."""
        return list(await (await self.session.connection()).execute(stmt))

    async def regions(self) -> list[tuple[str, str | None, str]]:
        rows = await self.session.execute(select(Region.code, Region.parent_code, Region.level))
        return [tuple(r) for r in rows]  # type: ignore[misc]

    async def organizations(self, since: dt.datetime | None = None) -> list[Any]:
        stmt = select(Organization.id, Organization.registration, Organization.a_level, Organization.status)
        if since is not None:
            stmt = stmt.where(Organization.updated_at >= since)
        return await self._rows(stmt)

    async def offers(self, *, since: dt.datetime, org_ids: Iterable[uuid.UUID] = ()) -> list[Any]:
        """Offers changed since ``since``, or belonging to the given organizations (whose facts changed)."""
        stmt = select(*OFFER_COLUMNS)
        org_ids = list(org_ids)
        if org_ids:
            stmt = stmt.where((Offer.updated_at >= since) | Offer.organization_id.in_(org_ids))
        else:
            stmt = stmt.where(Offer.updated_at >= since)
        return await self._rows(stmt)

    async def published_offer_count(self) -> int:
        stmt = select(func.count()).select_from(Offer).where(Offer.status == "published")
        return int((await self.session.execute(stmt)).scalar_one())

    async def published_offer_batches(self, batch: int = 5000) -> AsyncIterator[list[Any]]:
        """Every published offer, ``batch`` rows at a time (a server-side cursor on PostgreSQL), so that
        building the index never holds all the rows at once."""
        stmt = select(*OFFER_COLUMNS).where(Offer.status == "published").execution_options(yield_per=batch)
        result = await (await self.session.connection()).stream(stmt)
        async for rows in result.partitions(batch):
            yield list(rows)

    async def opportunities(self, *, since: dt.datetime | None = None, open_only: bool = False) -> list[Any]:
        stmt = select(*OPPORTUNITY_COLUMNS)
        if since is not None:
            stmt = stmt.where(Opportunity.updated_at >= since)
        if open_only:
            stmt = stmt.where(Opportunity.status == "published")
        return await self._rows(stmt)

    async def needs(self, *, since: dt.datetime | None = None, open_only: bool = False) -> list[Any]:
        stmt = select(*NEED_COLUMNS)
        if since is not None:
            stmt = stmt.where(Need.updated_at >= since)
        if open_only:
            stmt = stmt.where(Need.status == "open")
        return await self._rows(stmt)

    async def answerable_offers(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        """The offers among ``ids`` that may be answered now (published, of an organization that is not
        suspended), as plain rows of ``ANSWER_COLUMNS``: one indexed read, no ORM objects."""
        if not ids:
            return {}
        stmt = (select(*ANSWER_COLUMNS).join(Organization, Organization.id == Offer.organization_id)
                .where(Offer.id.in_(ids), Offer.status == "published", Organization.status != "suspended"))
        return {r.id: r for r in await self._rows(stmt)}

    async def opportunities_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Opportunity]:
        if not ids:
            return {}
        rows = (await self.session.execute(select(Opportunity).where(Opportunity.id.in_(ids)))).scalars()
        return {o.id: o for o in rows}

    async def needs_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Need]:
        if not ids:
            return {}
        return {n.id: n for n in (await self.session.execute(select(Need).where(Need.id.in_(ids)))).scalars()}

    def add_feedback(self, feedback: MatchFeedback) -> None:
        self.session.add(feedback)

    async def feedback_since(self, since: dt.datetime | None) -> list[Any]:
        """Verdicts recorded since ``since`` (all without it), oldest first, each with the text of its
        source: the searched text, or the title and description of the need, opportunity or offer."""
        stmt = select(MatchFeedback.source_type, MatchFeedback.source_id, MatchFeedback.candidate_type,
                      MatchFeedback.candidate_id, MatchFeedback.verdict, MatchFeedback.query_text,
                      MatchFeedback.created_at, MatchFeedback.id)
        if since is not None:
            stmt = stmt.where(MatchFeedback.created_at >= since)
        rows = await self._rows(stmt.order_by(MatchFeedback.created_at, MatchFeedback.id))
        texts: dict[uuid.UUID, str] = {}
        for kind, model in (("need", Need), ("opportunity", Opportunity), ("offer", Offer)):
            ids = list({r.source_id for r in rows if r.source_type == kind and r.source_id and not r.query_text})
            if ids:
                found = await self._rows(select(model.id, model.title, model.description).where(model.id.in_(ids)))
                texts.update({r.id: f"{r.title}。{r.description}" for r in found})
        return [(r, r.query_text or texts.get(r.source_id)) for r in rows]

    async def feedback(self, limit: int) -> list[MatchFeedback]:
        stmt = select(MatchFeedback).order_by(MatchFeedback.created_at.desc()).limit(limit)
        return list((await self.session.execute(stmt)).scalars())
