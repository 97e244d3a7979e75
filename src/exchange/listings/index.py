"""Every query on the listing index tables: kept in sync on write, used by the list filters."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from exchange.errors import invalid
from exchange.listings.models import ListingRegion, ListingTerm
from exchange.listings.text import query_terms, terms
from exchange.regions.models import Region
from exchange.regions.repository import RegionRepository

_REGION_PATHS: dict[tuple[str, str], str] = {}
_REGION_PATHS_MAX = 50_000


def group_term(code: str) -> str:
    """The index word for a target group; segmentation never yields a word with a colon."""
    return f"tg:{code}"


class ListingIndex:
    """The region and term rows of one kind of listing (``opportunity``, ``offer``, ``need``)."""

    def __init__(self, session: AsyncSession, listing_type: str) -> None:
        self.session, self.listing_type = session, listing_type

    async def sync(self, listing_id: uuid.UUID, region_codes: Iterable[str], target_groups: Iterable[str],
                   *texts: str | None) -> str:
        """Replace the listing's region and term rows; returns the space-joined words (``search_text``)."""
        await self.sync_regions(listing_id, region_codes)
        return await self.sync_terms(listing_id, target_groups, *texts)

    async def rows_of_new(self, listing_id: uuid.UUID, region_codes: Iterable[str], target_groups: Iterable[str],
                          *texts: str | None) -> tuple[list[dict[str, Any]], list[tuple[str, uuid.UUID]], str]:
        """The region rows and the (term, listing id) pairs of a listing that has none yet, unwritten
        (``insert_rows`` writes many at once), and its ``search_text`` — what ``sync`` would write."""
        codes = sorted(set(region_codes))
        regions = await RegionRepository(self.session).get_many(codes)
        region_rows = [{"listing_type": self.listing_type, "listing_id": listing_id, "region_code": c,
                        "region_path": regions[c].path} for c in codes if c in regions]
        words = terms(*texts)
        term_rows = [(w, listing_id) for w in words + [group_term(g) for g in sorted(set(target_groups))]]
        return region_rows, term_rows, " ".join(words)

    async def insert_rows(self, region_rows: list[dict[str, Any]], term_rows: list[tuple[str, uuid.UUID]]) -> None:
        """Write the rows of new listings. The terms (some fifty per listing) go in sorted by term, so that each
        statement touches the primary key's pages in order; on SQLite straight to the driver, on PostgreSQL by
        ``COPY`` — both in the session's transaction."""
        conn = await self.session.connection()
        if region_rows:
            await conn.execute(insert(ListingRegion.__table__), region_rows)
        if not term_rows:
            return
        term_rows.sort()
        table = ListingTerm.__table__
        if conn.dialect.name == "sqlite":
            as_bound = table.c.listing_id.type.bind_processor(conn.dialect) or (lambda v: v)
            ids: dict[uuid.UUID, Any] = {}
            rows = [(term, self.listing_type, ids.get(lid) or ids.setdefault(lid, as_bound(lid)))
                    for term, lid in term_rows]
            await conn.exec_driver_sql(
                f"INSERT INTO {table.name} (term, listing_type, listing_id) VALUES (?, ?, ?)", rows)  # noqa: S608
        elif conn.dialect.name == "postgresql":
            raw = await conn.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                table.name, columns=["term", "listing_type", "listing_id"],
                records=[(term, self.listing_type, lid) for term, lid in term_rows])
        else:
            await conn.execute(insert(table), [{"term": term, "listing_type": self.listing_type, "listing_id": lid}
                                               for term, lid in term_rows])

    async def sync_regions(self, listing_id: uuid.UUID, region_codes: Iterable[str]) -> None:
        codes = sorted(set(region_codes))
        regions = await RegionRepository(self.session).get_many(codes)
        await self.session.execute(delete(ListingRegion).where(
            ListingRegion.listing_type == self.listing_type, ListingRegion.listing_id == listing_id))
        rows = [{"listing_type": self.listing_type, "listing_id": listing_id, "region_code": c,
                 "region_path": regions[c].path} for c in codes if c in regions]
        if rows:
            await self.session.execute(insert(ListingRegion), rows)

    async def sync_terms(self, listing_id: uuid.UUID, target_groups: Iterable[str], *texts: str | None) -> str:
        words = terms(*texts)
        rows = words + [group_term(g) for g in sorted(set(target_groups))]
        await self.session.execute(delete(ListingTerm).where(
            ListingTerm.listing_type == self.listing_type, ListingTerm.listing_id == listing_id))
        if rows:
            await self.session.execute(insert(ListingTerm), [
                {"term": w, "listing_type": self.listing_type, "listing_id": listing_id} for w in rows])
        return " ".join(words)

    async def region_filter(self, id_column: ColumnElement[Any], code: str) -> ColumnElement[bool]:
        """Listings whose place or areas overlap region ``code``: at it, under it, or containing it.

        Two indexed lookups: the region's ancestors (itself included) by code, and its subtree by
        path prefix. A sibling region matches neither. An unknown code is 422 ``unknown_region``."""
        path = await self._region_path(code)
        sub = select(ListingRegion.listing_id).where(
            ListingRegion.listing_type == self.listing_type,
            or_(ListingRegion.region_code.in_([c for c in path.split("/") if c]),
                ListingRegion.region_path.startswith(path, autoescape=True)),
        )
        return id_column.in_(sub)

    async def _region_path(self, code: str) -> str:
        """The region's path; remembered per database, since a region's place in the tree never changes
        (regions are added, never moved or deleted) — it saves the list's hot path a round trip."""
        key = (str(self.session.bind.url), code)
        path = _REGION_PATHS.get(key)
        if path is None:
            region = await self.session.get(Region, code)
            if region is None:
                raise invalid(["query", "region"], f"区域代码不存在：{code}", f"Unknown region code: {code}",
                              code="unknown_region")
            if len(_REGION_PATHS) >= _REGION_PATHS_MAX:
                _REGION_PATHS.clear()
            path = _REGION_PATHS[key] = region.path
        return path

    def group_filter(self, id_column: ColumnElement[Any], target_group: str) -> ColumnElement[bool]:
        """Listings serving ``target_group`` (kept as a ``tg:`` term: one indexed lookup on both databases)."""
        return id_column.in_(select(ListingTerm.listing_id).where(
            ListingTerm.term == group_term(target_group), ListingTerm.listing_type == self.listing_type))

    def text_filter(self, id_column: ColumnElement[Any], q: str) -> ColumnElement[bool] | None:
        """Listings whose text holds every word of ``q`` (one indexed term lookup per word)."""
        words = query_terms(q)
        if not words:
            return None
        clauses = [id_column.in_(select(ListingTerm.listing_id).where(
            ListingTerm.term == w, ListingTerm.listing_type == self.listing_type)) for w in words]
        return and_(*clauses)
