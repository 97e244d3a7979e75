"""The document table: one row per uploaded file; the bytes live in the store under their SHA-256."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin


class OwnerType(StrEnum):
    opportunity = "opportunity"
    bid = "bid"
    deal = "deal"
    organization = "organization"
    objection = "objection"


# The document types each owner accepts (api.md → Documents).
DOCUMENT_TYPES: dict[OwnerType, tuple[str, ...]] = {
    OwnerType.opportunity: ("notice", "bidding_documents", "technical_specifications", "evaluation_criteria",
                            "clarifications", "other"),
    OwnerType.bid: ("proposal", "price_schedule", "qualification", "other"),
    OwnerType.deal: ("contract", "milestone_evidence", "closing_report", "evaluation_report", "supervision", "invoice",
                     "photo", "other"),
    OwnerType.organization: ("registration_certificate", "charter", "annual_report", "other"),
    OwnerType.objection: ("evidence",),
}
ALL_DOCUMENT_TYPES = sorted({t for types in DOCUMENT_TYPES.values() for t in types})


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Document(Base, IdMixin):
    """A file attached to an owner. Immutable once its owner is no longer editable; a correction is a
    new document that ``replaces`` the old one."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_in("owner_type", [o.value for o in OwnerType]), name="owner_type"),
        CheckConstraint(_in("document_type", ALL_DOCUMENT_TYPES), name="document_type"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("ix_documents_owner", "owner_type", "owner_id", "created_at"),
    )

    owner_type: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID]
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("deal_milestones.id"), index=True)
    document_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]
    replaces: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
