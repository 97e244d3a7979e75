"""sheets: organizations' function type; imports and the rows they created

Revision ID: w_14_sheets
Revises: w_9_wiring
Create Date: 2026-12-02 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import exchange.db

revision: str = "w_14_sheets"
down_revision: str | None = "w_13_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION_TYPES = "('service', 'charity', 'culture_sport', 'community_affairs', 'mutual_aid', 'other')"


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("function_type", sa.String(length=30), nullable=True))
        batch.create_index(batch.f("ix_organizations_function_type"), ["function_type"])
        batch.create_check_constraint(op.f("ck_organizations_function_type"),
                                      f"function_type IS NULL OR function_type IN {FUNCTION_TYPES}")
    op.create_table(
        "imports",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("finished_at", exchange.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f("ck_imports_status")),
        sa.CheckConstraint("kind IN ('opportunities', 'offers', 'needs', 'organizations', 'users', 'regions')",
                           name=op.f("ck_imports_kind")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_imports_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index(op.f("ix_imports_author_id"), "imports", ["author_id"])
    op.create_table(
        "import_refs",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("external_ref", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=op.f("fk_import_refs_import_id_imports")),
        sa.PrimaryKeyConstraint("kind", "scope", "external_ref", name=op.f("pk_import_refs")),
    )
    op.create_index(op.f("ix_import_refs_import_id"), "import_refs", ["import_id"])
    op.create_index(op.f("ix_import_refs_entity_id"), "import_refs", ["entity_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_import_refs_entity_id"), table_name="import_refs")
    op.drop_index(op.f("ix_import_refs_import_id"), table_name="import_refs")
    op.drop_table("import_refs")
    op.drop_index(op.f("ix_imports_author_id"), table_name="imports")
    op.drop_table("imports")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_constraint(op.f("ck_organizations_function_type"), type_="check")
        batch.drop_index(batch.f("ix_organizations_function_type"))
        batch.drop_column("function_type")
