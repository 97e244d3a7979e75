"""tenders: bids, panels, awards, deals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.db
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tender_calls',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('bid_deadline', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expert_user_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_tender_calls_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_calls'))
    )

    op.create_table('bids',
    sa.Column('opportunity_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('submitted_by', sa.Uuid(), nullable=False),
    sa.Column('offer_id', sa.Uuid(), nullable=True),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_bids_offer_id_offers')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_bids_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_bids_organization_id_organizations')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_bids_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bids')),
    sa.UniqueConstraint('opportunity_id', 'organization_id', name=op.f('uq_bids_opportunity_id_organization_id'))
    )
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bids_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bids_organization_id'), ['organization_id'], unique=False)

    op.create_table('panel_members',
    sa.Column('opportunity_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_panel_members_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_panel_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_members')),
    sa.UniqueConstraint('opportunity_id', 'user_id', name=op.f('uq_panel_members_opportunity_id_user_id'))
    )
    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_members_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_members_user_id'), ['user_id'], unique=False)

    op.create_table('bid_scores',
    sa.Column('bid_id', sa.Uuid(), nullable=False),
    sa.Column('expert_id', sa.Uuid(), nullable=False),
    sa.Column('scores', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('conflict_of_interest', sa.Boolean(), nullable=False),
    sa.Column('weighted_score', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_bid_scores_bid_id_bids')),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_bid_scores_expert_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_scores')),
    sa.UniqueConstraint('bid_id', 'expert_id', name=op.f('uq_bid_scores_bid_id_expert_id'))
    )
    with op.batch_alter_table('bid_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_scores_bid_id'), ['bid_id'], unique=False)

    op.create_table('roadshows',
    sa.Column('opportunity_id', sa.Uuid(), nullable=False),
    sa.Column('scheduled_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_roadshows_created_by_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_roadshows_opportunity_id_opportunities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roadshows'))
    )
    with op.batch_alter_table('roadshows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadshows_opportunity_id'), ['opportunity_id'], unique=False)

    op.create_table('awards',
    sa.Column('opportunity_id', sa.Uuid(), nullable=False),
    sa.Column('bid_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('price_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('standstill_ends_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('final_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_awards_bid_id_bids')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_awards_created_by_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_awards_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_awards_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awards_bid_id'), ['bid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_standstill_ends_at'), ['standstill_ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_status'), ['status'], unique=False)

    op.create_table('objections',
    sa.Column('award_id', sa.Uuid(), nullable=False),
    sa.Column('filed_by', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('resolution_reason', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.Uuid(), nullable=True),
    sa.Column('resolved_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_objections_award_id_awards')),
    sa.ForeignKeyConstraint(['filed_by'], ['users.id'], name=op.f('fk_objections_filed_by_users')),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_objections_resolved_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_award_id'), ['award_id'], unique=False)

    op.create_table('deals',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('award_id', sa.Uuid(), nullable=True),
    sa.Column('opportunity_id', sa.Uuid(), nullable=True),
    sa.Column('need_id', sa.Uuid(), nullable=True),
    sa.Column('offer_id', sa.Uuid(), nullable=True),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('buyer_organization_id', sa.Uuid(), nullable=True),
    sa.Column('fund_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('org_signed_by', sa.Uuid(), nullable=True),
    sa.Column('org_signed_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('buyer_signed_by', sa.Uuid(), nullable=True),
    sa.Column('buyer_signed_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('activated_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closing_report', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('evaluation', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('evaluated_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('termination_reason', sa.Text(), nullable=True),
    sa.Column('terminated_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_deals_award_id_awards')),
    sa.ForeignKeyConstraint(['buyer_organization_id'], ['organizations.id'], name=op.f('fk_deals_buyer_organization_id_organizations')),
    sa.ForeignKeyConstraint(['buyer_signed_by'], ['users.id'], name=op.f('fk_deals_buyer_signed_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_deals_created_by_users')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_deals_need_id_needs')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_deals_offer_id_offers')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_deals_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['org_signed_by'], ['users.id'], name=op.f('fk_deals_org_signed_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_deals_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_buyer_organization_id'), ['buyer_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_status'), ['status'], unique=False)

    op.create_table('deal_milestones',
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('report', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('reported_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('accepted_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('payment_id', sa.Uuid(), nullable=True),
    sa.Column('tranche', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_milestones_deal_id_deals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_milestones')),
    sa.UniqueConstraint('deal_id', 'seq', name=op.f('uq_deal_milestones_deal_id_seq'))
    )
    with op.batch_alter_table('deal_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_milestones_deal_id'), ['deal_id'], unique=False)

    op.create_table('deal_supervisions',
    sa.Column('deal_id', sa.Uuid(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_supervisions_deal_id_deals')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_deal_supervisions_supervisor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_supervisions'))
    )
    with op.batch_alter_table('deal_supervisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_supervisions_deal_id'), ['deal_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deal_supervisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_supervisions_deal_id'))

    op.drop_table('deal_supervisions')

    with op.batch_alter_table('deal_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_milestones_deal_id'))

    op.drop_table('deal_milestones')

    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_status'))
        batch_op.drop_index(batch_op.f('ix_deals_organization_id'))
        batch_op.drop_index(batch_op.f('ix_deals_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_deals_buyer_organization_id'))
        batch_op.drop_index(batch_op.f('ix_deals_award_id'))

    op.drop_table('deals')

    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_award_id'))

    op.drop_table('objections')

    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awards_status'))
        batch_op.drop_index(batch_op.f('ix_awards_standstill_ends_at'))
        batch_op.drop_index(batch_op.f('ix_awards_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_awards_bid_id'))

    op.drop_table('awards')

    with op.batch_alter_table('roadshows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadshows_opportunity_id'))

    op.drop_table('roadshows')

    with op.batch_alter_table('bid_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_scores_bid_id'))

    op.drop_table('bid_scores')

    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_panel_members_opportunity_id'))

    op.drop_table('panel_members')

    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bids_organization_id'))
        batch_op.drop_index(batch_op.f('ix_bids_opportunity_id'))

    op.drop_table('bids')

    op.drop_table('tender_calls')
