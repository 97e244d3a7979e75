"""Filing a resident group as a community organization (孵化 / 备案, seeds 001 and 003)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class FilingStatus(enum.StrEnum):
    in_review = "in_review"
    approved = "approved"
    rejected = "rejected"


class FilingLevel(enum.StrEnum):
    community_filed = "community_filed"      # 社区备案: the community committee decides
    subdistrict_filed = "subdistrict_filed"  # 街道备案: the subdistrict (an admin of the exchange) decides


class FunctionType(enum.StrEnum):
    """Types by function (001, 003): 为民服务, 公益慈善, 文体娱乐, 社区事务, 居民互助, other."""

    service = "service"
    charity = "charity"
    culture_sport = "culture_sport"
    community_affairs = "community_affairs"
    mutual_aid = "mutual_aid"
    other = "other"


class Filing(Base, IdMixin, TimestampMixin):
    __tablename__ = "filings"
    __table_args__ = (
        Index("ix_filings_status_created", "status", "created_at", "id"),
        CheckConstraint("status IN ('in_review', 'approved', 'rejected')", name="status"),
        CheckConstraint("level IN ('community_filed', 'subdistrict_filed')", name="level"),
    )

    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    function_type: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    leader: Mapped[str] = mapped_column(String(100))
    members: Mapped[list[str]] = mapped_column(JSONType, default=list)
    charter: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=FilingStatus.in_review)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
