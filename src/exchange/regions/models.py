"""The region tree: district → subdistrict → community → grid → building."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, TimestampMixin


class Level(enum.StrEnum):
    province = "province"
    city = "city"
    district = "district"
    subdistrict = "subdistrict"
    community = "community"
    grid = "grid"
    building = "building"


LEVEL_ORDER = {level: i for i, level in enumerate(Level)}


class Region(Base, TimestampMixin):
    """A region; ``path`` is the chain of codes from the root (``/510107/510107003000/``), so
    "everything under X" is one indexed prefix scan."""

    __tablename__ = "regions"
    __table_args__ = (Index("ix_regions_path", "path", postgresql_ops={"path": "text_pattern_ops"}),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    path: Mapped[str] = mapped_column(String(400))

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this region, itself included."""
        return [c for c in self.path.split("/") if c]
