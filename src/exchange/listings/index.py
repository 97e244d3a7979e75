"""Every query on the listing index tables: kept in sync on write, used by the list filters."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, insert, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from exchange import db
from exchange.errors import invalid
from exchange.listings.models import SEARCH, ListingRegion, ListingTerm
from exchange.listings.text import indexed, query_terms
from exchange.regions.models import Region
from exchange.regions.repository import RegionRepository

_REGION_PATHS: dict[tuple[str, str], str] = {}
_REGION_PATHS_MAX = 50_000


def group_term(code: str) -> str:
    """The index term for a target group; no text term holds a colon."""
    return f"tg:{code}"


def id_term(listing_id: uuid.UUID) -> str:
    """The term that finds a listing's own row of the full-text table (to replace it)."""
    return f"id:{listing_id.hex}"


def _match(words: Iterable[str]) -> str:
    """An FTS5 query that every one of ``words`` (each one token: see :mod:`exchange.listings.text`) must meet."""
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


# "the full-text row meets this query" (detail=none has no column filters: the table's name is the left side)
_MATCHES = literal_column(SEARCH.name).op("MATCH")

# One listing's index terms, unwritten: (listing id, terms).
SearchRow = tuple[uuid.UUID, list[str]]


class ListingIndex:
    """The region and term rows of one kind of listing (``opportunity``, ``offer``, ``need``)."""

    def __init__(self, session: AsyncSession, listing_type: str) -> None:
        self.session, self.listing_type = session, listing_type

    async def sync(self, listing_id: uuid.UUID, region_codes: Iterable[str], target_groups: Iterable[str],
                   *texts: str | None) -> str:
        """Replace the listing's region and term rows; returns the space-joined words (``search_text``)."""
        await self.sync_regions(listing_id, region_codes)
        return await self.sync_terms(listing_id, target_groups, *texts)

    @property
    def _full_text(self) -> bool:
        """On SQLite the terms live in the FTS5 table ``listing_search``; elsewhere in ``listing_terms``."""
        return self.session.get_bind().dialect.name == "sqlite"

    async def rows_of_new(self, listing_id: uuid.UUID, region_codes: Iterable[str], target_groups: Iterable[str],
                          words: list[str]) -> tuple[list[dict[str, Any]], SearchRow]:
        """The region rows and the index terms of a listing that has none yet, unwritten (``insert_rows``
        writes many at once); ``words`` are its text's terms (:func:`exchange.listings.text.indexed`)."""
        codes = sorted(set(region_codes))
        regions = await RegionRepository(self.session).get_many(codes)
        region_rows = [{"listing_type": self.listing_type, "listing_id": listing_id, "region_code": c,
                        "region_path": regions[c].path} for c in codes if c in regions]
        return region_rows, (listing_id, words + [group_term(g) for g in sorted(set(target_groups))])

    async def insert_rows(self, region_rows: list[dict[str, Any]], search_rows: list[SearchRow]) -> None:
        """Write the index rows of new listings, in the session's transaction: on SQLite one full-text row per
        listing; on PostgreSQL the term rows (some fifty per listing) by ``COPY``."""
        conn = await self.session.connection()
        if region_rows:
            await db.insert_many(conn, ListingRegion.__table__, region_rows)
        if not search_rows:
            return
        if self._full_text:
            as_bound = SEARCH.c.listing_id.type.bind_processor(conn.dialect) or (lambda v: v)
            await conn.exec_driver_sql(
                f"INSERT INTO {SEARCH.name} (terms, listing_type, listing_id) VALUES (?, ?, ?)",  # noqa: S608
                [(" ".join([id_term(lid), *words]), self.listing_type, as_bound(lid)) for lid, words in search_rows])
        elif conn.dialect.name == "postgresql":
            raw = await conn.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                ListingTerm.__tablename__, columns=["term", "listing_type", "listing_id"],
                records=[(term, self.listing_type, lid) for lid, words in search_rows for term in words])
        else:
            await conn.execute(insert(ListingTerm.__table__), [
                {"term": term, "listing_type": self.listing_type, "listing_id": lid}
                for lid, words in search_rows for term in words])

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
        words, search_text = indexed(*texts)
        row = (listing_id, words + [group_term(g) for g in sorted(set(target_groups))])
        if self._full_text:
            await self.session.execute(delete(SEARCH).where(_MATCHES(_match([id_term(listing_id)]))))
        else:
            await self.session.execute(delete(ListingTerm).where(
                ListingTerm.listing_type == self.listing_type, ListingTerm.listing_id == listing_id))
        await self.insert_rows([], [row])
        return search_text

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
        return self._holding(id_column, [group_term(target_group)])

    def text_filter(self, id_column: ColumnElement[Any], q: str) -> ColumnElement[bool] | None:
        """Listings whose text holds every word of ``q`` (one indexed term lookup per word)."""
        words = query_terms(q)
        return self._holding(id_column, words) if words else None

    def _holding(self, id_column: ColumnElement[Any], words: list[str]) -> ColumnElement[bool]:
        if self._full_text:
            return id_column.in_(select(SEARCH.c.listing_id).where(
                _MATCHES(_match(words)), SEARCH.c.listing_type == self.listing_type))
        return and_(*[id_column.in_(select(ListingTerm.listing_id).where(
            ListingTerm.term == w, ListingTerm.listing_type == self.listing_type)) for w in words])
