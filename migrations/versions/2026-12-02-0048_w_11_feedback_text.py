"""matching feedback: the text a verdict was given on, and an index for catching up with new verdicts

Revision ID: w_11_feedback_text
Revises: w_12_documents
Create Date: 2026-12-02 00:48:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.db

revision: str = "w_11_feedback_text"
down_revision: str | None = "w_9_wiring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match_feedback") as batch:
        batch.add_column(sa.Column("query_text", sa.String(length=2000), nullable=True))
    op.create_index("ix_match_feedback_created_at", "match_feedback", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_match_feedback_created_at", table_name="match_feedback")
    with op.batch_alter_table("match_feedback") as batch:
        batch.drop_column("query_text")
