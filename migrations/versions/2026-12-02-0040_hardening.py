"""hardening: account administration fields, shared rate counters, audit checkpoints, append-only audit rows

Revision ID: w_10_hardening
Revises: w_9_wiring
Create Date: 2026-12-02 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.db

revision: str = "w_10_hardening"
down_revision: str | None = "w_18_crowdfunding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("erased_at", exchange.db.UTCDateTime(timezone=True), nullable=True))

    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("window_start", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counters")),
    )
    op.create_index(op.f("ix_rate_counters_expires_at"), "rate_counters", ["expires_at"])

    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", exchange.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
    )

    _reindex_listing_terms()

    # Audit rows are append-only, like the ledger: the database refuses UPDATE and DELETE.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_no_{action.lower()} BEFORE {action} ON audit_events "
                       "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")


def _reindex_listing_terms() -> None:
    """The list search now also indexes characters and character pairs (folded to simplified
    Chinese): rebuild every listing's term rows with the current rules."""
    import json

    from exchange.listings.text import terms

    bind = op.get_bind()
    table = sa.table("listing_terms", sa.column("term"), sa.column("listing_type"), sa.column("listing_id"))
    for source, kind in (("opportunities", "opportunity"), ("offers", "offer"), ("needs", "need")):
        bind.execute(sa.text("DELETE FROM listing_terms WHERE listing_type = :kind"), {"kind": kind})
        batch: list[dict[str, object]] = []
        for listing_id, title, description, groups in bind.execute(
                sa.text(f"SELECT id, title, description, target_groups FROM {source}")):
            groups = json.loads(groups) if isinstance(groups, str) else (groups or [])
            words = terms(title, description) + [f"tg:{g}" for g in sorted(set(groups))]
            batch += [{"term": w, "listing_type": kind, "listing_id": listing_id} for w in words]
            if len(batch) >= 5000:
                bind.execute(table.insert(), batch)
                batch = []
        if batch:
            bind.execute(table.insert(), batch)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{action}")
    op.drop_table("audit_checkpoints")
    op.drop_index(op.f("ix_rate_counters_expires_at"), table_name="rate_counters")
    op.drop_table("rate_counters")
    with op.batch_alter_table("users") as batch:
        for column in ("erased_at", "token_version", "must_change_password", "phone"):
            batch.drop_column(column)
