"""matching: matching feedback, index version and stored text analyses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_feedback",
        sa.Column("source_type", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("candidate_type", sa.String(length=20), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_match_feedback_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_feedback")),
    )
    op.create_index(op.f("ix_match_feedback_source_id"), "match_feedback", ["source_id"])
    op.create_index(op.f("ix_match_feedback_candidate_id"), "match_feedback", ["candidate_id"])
    for table in ("offers", "opportunities", "needs", "organizations"):
        op.create_index(f"ix_{table}_updated_at", table, ["updated_at"])
    for table in ("offers", "opportunities", "needs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("match_analysis", exchange.db.JSONType, nullable=True))


def downgrade() -> None:
    for table in ("offers", "opportunities", "needs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("match_analysis")
    for table in ("offers", "opportunities", "needs", "organizations"):
        op.drop_index(f"ix_{table}_updated_at", table_name=table)
    op.drop_index(op.f("ix_match_feedback_candidate_id"), table_name="match_feedback")
    op.drop_index(op.f("ix_match_feedback_source_id"), table_name="match_feedback")
    op.drop_table("match_feedback")
