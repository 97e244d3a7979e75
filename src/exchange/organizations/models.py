"""The organizations registry: buyers, social organizations, foundations, communities."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import CheckConstraint, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class Kind(enum.StrEnum):
    social_org = "social_org"
    government = "government"
    mass_org = "mass_org"
    foundation = "foundation"
    enterprise = "enterprise"
    community = "community"


class LegalForm(enum.StrEnum):
    social_group = "social_group"
    social_service_agency = "social_service_agency"
    foundation = "foundation"
    filed = "filed"


class Registration(enum.StrEnum):
    registered = "registered"
    subdistrict_filed = "subdistrict_filed"
    community_filed = "community_filed"


class FunctionType(enum.StrEnum):
    """What a (community) social organization does, as the offices' tables group them."""

    service = "service"  # 为民服务
    charity = "charity"  # 公益慈善
    culture_sport = "culture_sport"  # 文体娱乐
    community_affairs = "community_affairs"  # 社区事务
    mutual_aid = "mutual_aid"  # 居民互助
    other = "other"  # 其他


FUNCTION_TYPE_ZH = {"service": "为民服务", "charity": "公益慈善", "culture_sport": "文体娱乐",
                    "community_affairs": "社区事务", "mutual_aid": "居民互助", "other": "其他"}


class OrgStatus(enum.StrEnum):
    active = "active"
    suspended = "suspended"


class Organization(Base, IdMixin, TimestampMixin):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    legal_form: Mapped[str | None] = mapped_column(String(30))
    registration: Mapped[str | None] = mapped_column(String(30))
    function_type: Mapped[str | None] = mapped_column(String(30), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    a_level: Mapped[int] = mapped_column(Integer, default=0)
    categories: Mapped[list[str]] = mapped_column(JSONType, default=list)
    service_region_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    member_count: Mapped[int | None] = mapped_column(Integer)
    founded_on: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=OrgStatus.active)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("function_type IS NULL OR function_type IN "
                        "('service', 'charity', 'culture_sport', 'community_affairs', 'mutual_aid', 'other')",
                        name="function_type"),
    )
