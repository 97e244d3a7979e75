"""Index tables that make the three lists' region and text filters indexed queries.

They are kept in sync on every write of an opportunity, offer or need (``listings.index``)."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, Index, MetaData, String, Table, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base


class ListingRegion(Base):
    """One region (place or area) of a listing, with the region's path for "under X" prefix scans."""

    __tablename__ = "listing_regions"
    __table_args__ = (
        Index("ix_listing_regions_type_code", "listing_type", "region_code", "listing_id"),
        Index("ix_listing_regions_type_path", "listing_type", "region_path",
              postgresql_ops={"region_path": "text_pattern_ops"}),
        Index("ix_listing_regions_listing", "listing_id"),
    )

    listing_type: Mapped[str] = mapped_column(String(12), primary_key=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    region_path: Mapped[str] = mapped_column(String(400))


class ListingTerm(Base):
    """One segmented word of a listing's title and description (what ``q`` searches)."""

    __tablename__ = "listing_terms"
    __table_args__ = (Index("ix_listing_terms_listing", "listing_id"),)

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    listing_type: Mapped[str] = mapped_column(String(12), primary_key=True)
    listing_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


# On SQLite the terms live in a full-text table instead (one row per listing, its terms space-separated and
# ``id:<listing id>`` among them, so that a listing's row is found through the index): FTS5 writes a listing's
# fifty-odd terms as one row, where the table above takes fifty B-tree inserts. Created by the migrations on
# SQLite only; described here for queries, outside the models' metadata (autogenerate knows no virtual tables).
SEARCH = Table("listing_search", MetaData(), Column("terms", Text), Column("listing_type", String(12)),
               Column("listing_id", Uuid))


def is_search_table(name: str) -> bool:
    """The full-text table and the shadow tables FTS5 keeps beside it (migrations leave them alone)."""
    return name == SEARCH.name or name.startswith(f"{SEARCH.name}_")
