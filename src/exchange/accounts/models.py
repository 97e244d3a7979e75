"""User accounts."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, TimestampMixin


class Role(enum.StrEnum):
    admin = "admin"
    buyer = "buyer"
    org = "org"
    manager = "manager"
    expert = "expert"
    evaluator = "evaluator"
    resident = "resident"
    community = "community"


ORG_ROLES = {Role.buyer, Role.org, Role.community}
STAFF_ROLES = {Role.admin, Role.manager}


class User(Base, IdMixin, TimestampMixin):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    # An administrator's reset sets this; until the user picks a new password every call but
    # ``POST /me/password`` (and ``GET /me``) answers 403 ``password_change_required``.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Carried in every token as ``tv``; raising it revokes every token issued before (deactivation,
    # a password change or reset, erasure).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    erased_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
