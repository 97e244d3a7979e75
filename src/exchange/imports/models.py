"""Imports of spreadsheets and the rows they created (for idempotent re-imports)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class ImportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ImportKind(enum.StrEnum):
    opportunities = "opportunities"
    offers = "offers"
    needs = "needs"
    organizations = "organizations"
    users = "users"
    regions = "regions"


class Import(Base, IdMixin, TimestampMixin):
    """One uploaded file and what checking or importing it did."""

    __tablename__ = "imports"

    kind: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.queued)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # the upload, dropped once the import has run
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    finished_at: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name="status"),
        CheckConstraint("kind IN ('opportunities', 'offers', 'needs', 'organizations', 'users', 'regions')",
                        name="kind"),
    )


class ImportRef(Base):
    """A row's ``external_ref`` and what it created: a second import of the same row skips it.

    Refs are scoped to the importing organization (or to the staff for admins and managers), so two
    organizations numbering their rows 1, 2, 3 do not collide."""

    __tablename__ = "import_refs"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(100), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imports.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column()
