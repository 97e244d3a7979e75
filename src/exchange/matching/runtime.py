"""The per-process matching index, built from the database and kept fresh.

Each server process holds two in-memory indexes: published offers, and open opportunities and
needs. Before a match it catches up with the rows changed since its last look (an indexed
``updated_at`` query, at most once per ``sync_seconds``), so a listing published or withdrawn
through another process shows within that interval; and results are re-read from the database
before they are returned, so a withdrawn offer is never answered even inside the interval."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import time
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.chinese.analysis import analysis_from_json
from exchange.kit.clock import now
from exchange.kit.memory import gc_paused
from exchange.matching.engine import Listing, MatchIndex, OrgFacts, Query, RegionTree
from exchange.matching.frozen import FrozenStore
from exchange.matching.repository import MatchingRepository

log = logging.getLogger("exchange.matching")

# Rows committed slightly out of timestamp order are still seen: each catch-up looks back this far.
LOOKBACK = dt.timedelta(seconds=10)


def region_tree(rows: list[tuple[str, str | None, str]]) -> RegionTree:
    return RegionTree({c: p for c, p, _ in rows}, {c: lvl for c, _, lvl in rows})


def org_facts(row: Any) -> OrgFacts:
    return OrgFacts(id=str(row.id), registration=row.registration, a_level=row.a_level or 0,
                    suspended=row.status == "suspended")


def offer_listing(row: Any, orgs: dict[uuid.UUID, OrgFacts]) -> Listing:
    return Listing(
        id=str(row.id), kind="offer", title=row.title, description=row.description, category=row.category,
        target_groups=list(row.target_groups or []), region_codes=list(row.region_codes or []), status=row.status,
        price_fen=row.price_fen, pricing=row.pricing, capacity_per_month=row.capacity_per_month,
        org=orgs.get(row.organization_id) or OrgFacts(id=str(row.organization_id)),
        analysis=analysis_from_json(row.match_analysis),
    )


def opportunity_listing(row: Any) -> Listing:
    return Listing(
        id=str(row.id), kind="opportunity", title=row.title, description=row.description, category=row.category,
        target_groups=list(row.target_groups or []), region_codes=list(row.region_codes or []), status=row.status,
        budget_fen=row.budget_fen, eligibility=dict(row.eligibility or {}),
        analysis=analysis_from_json(row.match_analysis),
    )


def need_listing(row: Any) -> Listing:
    return Listing(
        id=str(row.id), kind="need", title=row.title, description=row.description, category=row.category,
        target_groups=list(row.target_groups or []), region_codes=[row.region_code],
        status="open" if row.status == "open" else row.status,
        analysis=analysis_from_json(row.match_analysis),
    )


class MatchingRuntime:
    """Holds the indexes of one process."""

    def __init__(self, sync_seconds: float = 1.0, *, snapshot_root: str | None = None, database_url: str = "",
                 shared_min_offers: int = 20_000, rebuild_share: float = 0.05) -> None:
        from exchange.matching.snapshot import SnapshotDir

        self.sync_seconds = sync_seconds
        # With a snapshot root, offers (once there are ``shared_min_offers``) are served from one
        # memory-mapped snapshot per host; a new one is made when the offers changed since exceed
        # ``rebuild_share`` of it.
        # PostgreSQL only: SQLite serialises transactions, and the building child would wait on the
        # request that waits on it (an embedded database is a small deployment anyway).
        shared = bool(snapshot_root) and database_url.startswith("postgresql")
        self.snapshots = SnapshotDir(snapshot_root, database_url) if shared else None
        self.shared_min_offers = shared_min_offers
        self.rebuild_share = rebuild_share
        self.offers: MatchIndex | None = None
        self.demand: MatchIndex | None = None
        self.orgs: dict[uuid.UUID, OrgFacts] = {}
        self.regions = RegionTree({})
        self.region_count = 0
        self.watermark: dt.datetime | None = None
        self.last_sync = 0.0
        self.build_seconds: float | None = None
        self.learnt: set[uuid.UUID] = set()  # verdicts already fed to the current indexes
        self._lock = asyncio.Lock()

    async def ready(self, session: AsyncSession, *, force: bool = False) -> None:
        """Build the indexes on first use; afterwards catch up when the last look is older than sync_seconds."""
        async with self._lock:
            if self.offers is None:
                await self._build(session)
            elif force or time.monotonic() - self.last_sync >= self.sync_seconds:
                await self._catch_up(session)

    async def _load_regions(self, repo: MatchingRepository) -> None:
        rows = await repo.regions()
        self.regions = region_tree(rows)
        self.region_count = len(rows)

    async def _build(self, session: AsyncSession) -> None:
        self.learnt = set()
        # The rows read here (decoded JSON included) become long-lived objects too: collections
        # paused from the first query, not only while indexing (see ``gc_paused``).
        started = time.perf_counter()
        with gc_paused():
            await self._build_paused(session)
        # The index is millions of long-lived objects: a full collection walking them costs
        # hundreds of milliseconds on some unlucky request. Frozen, the collector skips them.
        gc.collect()
        gc.freeze()
        self.build_seconds = time.perf_counter() - started
        assert self.offers is not None and self.demand is not None
        log.info("matching index built: %d offers, %d opportunities+needs in %.2fs",
                 len(self.offers), len(self.demand), self.build_seconds)

    async def _build_paused(self, session: AsyncSession) -> None:
        mark = now() - LOOKBACK
        repo = MatchingRepository(session)
        await self._load_regions(repo)
        self.orgs = {r.id: org_facts(r) for r in await repo.organizations()}
        offers = MatchIndex(self.regions, kinds=("offer",))
        if self.snapshots is not None and await repo.published_offer_count() >= self.shared_min_offers:
            base = FrozenStore(await self.snapshots.ensure())
            offers.attach_base(base, {str(k): v for k, v in self.orgs.items()})
            # Offers changed since the snapshot hide its rows and live in this process's memory.
            since = dt.datetime.fromisoformat(base.manifest["watermark"])
            offers.upsert_many(offer_listing(r, self.orgs) for r in await repo.offers(since=since))
        else:
            async for rows in repo.published_offer_batches():
                offers.upsert_many(offer_listing(r, self.orgs) for r in rows)
        demand = MatchIndex(self.regions, kinds=("opportunity", "need"))
        demand.upsert_many([opportunity_listing(r) for r in await repo.opportunities(open_only=True)]
                           + [need_listing(r) for r in await repo.needs(open_only=True)])
        self.offers, self.demand, self.watermark = offers, demand, mark
        await self._learn(repo, None)
        self.last_sync = time.monotonic()

    async def _catch_up(self, session: AsyncSession) -> None:
        assert self.offers is not None and self.demand is not None and self.watermark is not None
        repo = MatchingRepository(session)
        mark, since = now() - LOOKBACK, self.watermark
        regions = await repo.regions()
        if len(regions) != self.region_count:
            # A new region changes containment for every listing: rebuild (rare: regions are set up once).
            self.offers = None
            await self._build(session)
            return
        changed_orgs = await repo.organizations(since)
        for row in changed_orgs:
            self.orgs[row.id] = org_facts(row)
        for row in await repo.offers(since=since, org_ids=[r.id for r in changed_orgs]):
            self.offers.upsert(offer_listing(row, self.orgs))
        for row in await repo.opportunities(since=since):
            self.demand.upsert(opportunity_listing(row))
        for row in await repo.needs(since=since):
            self.demand.upsert(need_listing(row))
        await self._learn(repo, since)
        self.watermark = mark
        self.last_sync = time.monotonic()
        await self._follow_snapshot(session)

    async def _follow_snapshot(self, session: AsyncSession) -> None:
        """Move to a newer snapshot another process made, or make one when this process holds too many
        offers of its own (changed since the snapshot it maps)."""
        assert self.offers is not None
        base = self.offers.base
        if self.snapshots is None or base is None:
            return
        own = self.offers.own_rows("offer")
        if own > max(1000, self.rebuild_share * base.n):
            await self.snapshots.ensure(rebuild_from=base.directory)
        elif self.snapshots.current_name() in (None, base.directory.name):
            return
        self.offers = None
        await self._build(session)


    async def _learn(self, repo: MatchingRepository, since: dt.datetime | None) -> None:
        """Feed managers' verdicts recorded since ``since`` to the indexes (each verdict once)."""
        assert self.offers is not None and self.demand is not None
        for row, source_text in await repo.feedback_since(since):
            if row.id in self.learnt or not source_text:
                continue
            index = self.offers if row.candidate_type == "offer" else self.demand
            if index.learn(Query(text=source_text), str(row.candidate_id), row.verdict == "good", kind=row.candidate_type):
                self.learnt.add(row.id)


async def keep_fresh(app: Any) -> None:
    """Background task of ``serve``: build at start-up, then catch up every ``sync_seconds``."""
    runtime: MatchingRuntime = app.state.matching
    while True:
        try:
            async with app.state.session_factory() as session:
                # Lock order: the database transaction first, then the index lock — as requests do —
                # so that SQLite's single writer lock and the index lock never wait on each other.
                await session.execute(text("SELECT 1"))
                await runtime.ready(session, force=True)
                await session.rollback()
        except Exception:  # the next round tries again; requests still catch up themselves
            log.exception("matching sync failed")
        await asyncio.sleep(runtime.sync_seconds)
