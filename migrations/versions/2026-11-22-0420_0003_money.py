"""money: funds, ledger, campaigns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = exchange.db.UTCDateTime(timezone=True)


def _timestamps() -> list[sa.Column]:
    return [sa.Column("created_at", UTC, nullable=False), sa.Column("updated_at", UTC, nullable=False)]


def upgrade() -> None:
    op.create_table(
        "funds",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("owner_organization_id", sa.Uuid(), nullable=False),
        sa.Column("parent_fund_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["owner_organization_id"], ["organizations.id"], name=op.f("fk_funds_owner_organization_id_organizations")),
        sa.ForeignKeyConstraint(["parent_fund_id"], ["funds.id"], name=op.f("fk_funds_parent_fund_id_funds")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_funds_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds")),
    )
    op.create_index(op.f("ix_funds_source"), "funds", ["source"])
    op.create_index(op.f("ix_funds_owner_organization_id"), "funds", ["owner_organization_id"])
    op.create_index(op.f("ix_funds_parent_fund_id"), "funds", ["parent_fund_id"])

    op.create_table(
        "fund_balances",
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("deposited_fen", sa.BigInteger(), nullable=False),
        sa.Column("available_fen", sa.BigInteger(), nullable=False),
        sa.Column("earmarked_fen", sa.BigInteger(), nullable=False),
        sa.Column("committed_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint("deposited_fen >= 0", name=op.f("ck_fund_balances_deposited_non_negative")),
        sa.CheckConstraint("available_fen >= 0", name=op.f("ck_fund_balances_available_non_negative")),
        sa.CheckConstraint("earmarked_fen >= 0", name=op.f("ck_fund_balances_earmarked_non_negative")),
        sa.CheckConstraint("committed_fen >= 0", name=op.f("ck_fund_balances_committed_non_negative")),
        sa.CheckConstraint("paid_fen >= 0", name=op.f("ck_fund_balances_paid_non_negative")),
        sa.CheckConstraint("deposited_fen = available_fen + earmarked_fen + committed_fen + paid_fen",
                           name=op.f("ck_fund_balances_buckets_add_up")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_fund_balances_fund_id_funds")),
        sa.PrimaryKeyConstraint("fund_id", name=op.f("pk_fund_balances")),
    )

    op.create_table(
        "ledger_transactions",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref_type", sa.String(20), nullable=False),
        sa.Column("ref_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_ledger_transactions_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_ledger_transactions_dedupe_key")),
    )
    op.create_index(op.f("ix_ledger_transactions_kind"), "ledger_transactions", ["kind"])
    op.create_index(op.f("ix_ledger_transactions_ref_id"), "ledger_transactions", ["ref_id"])
    op.create_index(op.f("ix_ledger_transactions_created_at"), "ledger_transactions", ["created_at"])

    op.create_table(
        "ledger_entries",
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("account", sa.String(120), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=True),
        sa.Column("bucket", sa.String(20), nullable=True),
        sa.Column("subaccount", sa.String(120), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref_type", sa.String(20), nullable=False),
        sa.Column("ref_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen <> 0", name=op.f("ck_ledger_entries_amount_not_zero")),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name=op.f("fk_ledger_entries_transaction_id_ledger_transactions")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_ledger_entries_fund_id_funds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index(op.f("ix_ledger_entries_transaction_id"), "ledger_entries", ["transaction_id"])
    op.create_index(op.f("ix_ledger_entries_account"), "ledger_entries", ["account"])
    op.create_index(op.f("ix_ledger_entries_fund_id"), "ledger_entries", ["fund_id"])
    op.create_index(op.f("ix_ledger_entries_subaccount"), "ledger_entries", ["subaccount"])

    op.create_table(
        "earmarks",
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("opportunity_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_earmarks_amount_non_negative")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_earmarks_fund_id_funds")),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"], name=op.f("fk_earmarks_opportunity_id_opportunities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earmarks")),
        sa.UniqueConstraint("fund_id", "opportunity_id", name=op.f("uq_earmarks_fund_id_opportunity_id")),
    )
    op.create_index(op.f("ix_earmarks_opportunity_id"), "earmarks", ["opportunity_id"])

    op.create_table(
        "deal_funds",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("committed_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("released_fen", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("committed_fen >= 0", name=op.f("ck_deal_funds_committed_non_negative")),
        sa.CheckConstraint("paid_fen >= 0", name=op.f("ck_deal_funds_paid_non_negative")),
        sa.CheckConstraint("released_fen >= 0", name=op.f("ck_deal_funds_released_non_negative")),
        sa.CheckConstraint("paid_fen + released_fen <= committed_fen", name=op.f("ck_deal_funds_never_overpaid")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_deal_funds_fund_id_funds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_funds")),
        sa.UniqueConstraint("deal_id", "fund_id", name=op.f("uq_deal_funds_deal_id_fund_id")),
    )
    op.create_index(op.f("ix_deal_funds_deal_id"), "deal_funds", ["deal_id"])

    op.create_table(
        "payments",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("milestone_id", sa.Uuid(), nullable=False),
        sa.Column("fund_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_payments_amount_non_negative")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_payments_fund_id_funds")),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], name=op.f("fk_payments_organization_id_organizations")),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name=op.f("fk_payments_transaction_id_ledger_transactions")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_payments_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("deal_id", "milestone_id", name=op.f("uq_payments_deal_id_milestone_id")),
    )
    op.create_index(op.f("ix_payments_deal_id"), "payments", ["deal_id"])
    op.create_index(op.f("ix_payments_fund_id"), "payments", ["fund_id"])
    op.create_index(op.f("ix_payments_organization_id"), "payments", ["organization_id"])

    op.create_table(
        "campaigns",
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("target_fen", sa.BigInteger(), nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        sa.Column("need_id", sa.Uuid(), nullable=True),
        sa.Column("match_fund_id", sa.Uuid(), nullable=False),
        sa.Column("match_ratio_num", sa.BigInteger(), nullable=False),
        sa.Column("match_ratio_den", sa.BigInteger(), nullable=False),
        sa.Column("match_cap_fen", sa.BigInteger(), nullable=False),
        sa.Column("on_shortfall", sa.String(10), nullable=False),
        sa.Column("raised_fen", sa.BigInteger(), nullable=False),
        sa.Column("matched_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("raised_fen >= 0", name=op.f("ck_campaigns_raised_non_negative")),
        sa.CheckConstraint("matched_fen >= 0", name=op.f("ck_campaigns_matched_non_negative")),
        sa.CheckConstraint("matched_fen <= match_cap_fen", name=op.f("ck_campaigns_matched_within_cap")),
        sa.CheckConstraint("match_ratio_num >= 0 AND match_ratio_den > 0", name=op.f("ck_campaigns_ratio_valid")),
        sa.ForeignKeyConstraint(["need_id"], ["needs.id"], name=op.f("fk_campaigns_need_id_needs")),
        sa.ForeignKeyConstraint(["match_fund_id"], ["funds.id"], name=op.f("fk_campaigns_match_fund_id_funds")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_campaigns_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_ends_at"), "campaigns", ["ends_at"])
    op.create_index(op.f("ix_campaigns_need_id"), "campaigns", ["need_id"])
    op.create_index(op.f("ix_campaigns_match_fund_id"), "campaigns", ["match_fund_id"])
    op.create_index(op.f("ix_campaigns_status"), "campaigns", ["status"])

    op.create_table(
        "contributions",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("matched_fen", sa.BigInteger(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("refunded", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_contributions_amount_positive")),
        sa.CheckConstraint("matched_fen >= 0", name=op.f("ck_contributions_matched_non_negative")),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_contributions_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_contributions_user_id_users")),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"],
                                name=op.f("fk_contributions_transaction_id_ledger_transactions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributions")),
    )
    op.create_index(op.f("ix_contributions_campaign_id"), "contributions", ["campaign_id"])
    op.create_index(op.f("ix_contributions_user_id"), "contributions", ["user_id"])

    _append_only("ledger_entries")
    _append_only("ledger_transactions")


def _append_only(table: str) -> None:
    """The ledger is append-only: the database itself refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END")


def downgrade() -> None:
    bind = op.get_bind()
    for table in ("contributions", "campaigns", "payments", "deal_funds", "earmarks", "ledger_entries",
                  "ledger_transactions", "fund_balances", "funds"):
        op.drop_table(table)
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
