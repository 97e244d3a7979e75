"""documents: files attached to opportunities, bids, deals (and milestones), organizations and objections

Revision ID: w_12_documents
Revises: w_17_participation
Create Date: 2026-12-02 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.db

revision: str = "w_12_documents"
down_revision: str | None = "w_17_participation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER_TYPES = "'opportunity', 'bid', 'deal', 'organization', 'objection'"
DOCUMENT_TYPES = ", ".join(repr(t) for t in sorted({
    "notice", "bidding_documents", "technical_specifications", "evaluation_criteria", "clarifications", "other",
    "proposal", "price_schedule", "qualification", "contract", "milestone_evidence", "closing_report",
    "evaluation_report", "supervision", "invoice", "photo", "registration_certificate", "charter", "annual_report",
    "evidence"}))


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("owner_type", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("milestone_id", sa.Uuid(), nullable=True),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaces", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(f"owner_type IN ({OWNER_TYPES})", name=op.f("ck_documents_owner_type")),
        sa.CheckConstraint(f"document_type IN ({DOCUMENT_TYPES})", name=op.f("ck_documents_document_type")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_documents_size_positive")),
        sa.ForeignKeyConstraint(["milestone_id"], ["deal_milestones.id"], name=op.f("fk_documents_milestone_id_deal_milestones")),
        sa.ForeignKeyConstraint(["replaces"], ["documents.id"], name=op.f("fk_documents_replaces_documents"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name=op.f("fk_documents_uploaded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index("ix_documents_owner", "documents", ["owner_type", "owner_id", "created_at"])
    op.create_index(op.f("ix_documents_milestone_id"), "documents", ["milestone_id"])
    op.create_index(op.f("ix_documents_sha256"), "documents", ["sha256"])


def downgrade() -> None:
    op.drop_table("documents")
