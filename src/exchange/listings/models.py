"""Index tables that make the three lists' region and text filters indexed queries.

They are kept in sync on every write of an opportunity, offer or need (``listings.index``)."""

from __future__ import annotations

import uuid

from sqlalchemy import Index, String
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
