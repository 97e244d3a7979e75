"""crowdfunding that pays out: a campaign names its organization and the milestones of its deal; after the
payout it points at its own fund and the deal

Revision ID: w_18_crowdfunding
Revises: w_14_sheets
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "w_18_crowdfunding"
down_revision: str | None = "w_14_sheets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("organization_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("payout_plan", JSON, nullable=True))
        batch.add_column(sa.Column("payout_fund_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("deal_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(op.f("fk_campaigns_organization_id_organizations"), "organizations",
                                 ["organization_id"], ["id"])
        batch.create_foreign_key(op.f("fk_campaigns_payout_fund_id_funds"), "funds", ["payout_fund_id"], ["id"])
        batch.create_foreign_key(op.f("fk_campaigns_deal_id_deals"), "deals", ["deal_id"], ["id"])
        batch.create_index(batch.f("ix_campaigns_organization_id"), ["organization_id"])


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_index(batch.f("ix_campaigns_organization_id"))
        batch.drop_constraint(op.f("fk_campaigns_deal_id_deals"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_campaigns_payout_fund_id_funds"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_campaigns_organization_id_organizations"), type_="foreignkey")
        batch.drop_column("deal_id")
        batch.drop_column("payout_fund_id")
        batch.drop_column("payout_plan")
        batch.drop_column("organization_id")
