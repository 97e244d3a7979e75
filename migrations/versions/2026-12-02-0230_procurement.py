"""procurement: the expert pool, panel draws, clarification questions, call budgets and applications,
managers' consultations

Revision ID: w_18_procurement
Revises: 0005
Create Date: 2026-12-02 00:52:02.740196
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import exchange.db

revision: str = 'w_18_procurement'
down_revision: str | None = 'w_12_documents'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('experts',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('specialties', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('affiliation_organization_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['affiliation_organization_id'], ['organizations.id'], name=op.f('fk_experts_affiliation_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_experts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_experts_user_id'))
    )
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experts_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_experts_affiliation_organization_id'), ['affiliation_organization_id'], unique=False)

    op.create_table('panel_draws',
    sa.Column('opportunity_id', sa.Uuid(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('specialties', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('candidates', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('excluded', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('declined', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_panel_draws_created_by_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_panel_draws_opportunity_id_opportunities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_draws')),
    sa.UniqueConstraint('opportunity_id', name=op.f('uq_panel_draws_opportunity_id'))
    )
    op.create_table('tender_questions',
    sa.Column('opportunity_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('asked_by', sa.Uuid(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('amends_terms', sa.Boolean(), nullable=False),
    sa.Column('answered_by', sa.Uuid(), nullable=True),
    sa.Column('answered_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'answered')", name=op.f('ck_tender_questions_status_known')),
    sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_tender_questions_answered_by_users')),
    sa.ForeignKeyConstraint(['asked_by'], ['users.id'], name=op.f('fk_tender_questions_asked_by_users')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_tender_questions_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_tender_questions_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_questions'))
    )
    with op.batch_alter_table('tender_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_questions_opportunity_id'), ['opportunity_id'], unique=False)

    op.create_table('consultations',
    sa.Column('manager_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('party_organization_id', sa.Uuid(), nullable=True),
    sa.Column('need_id', sa.Uuid(), nullable=True),
    sa.Column('opportunity_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('consultation', 'pre_study', 'needs_justification', 'review', 'supervision')", name=op.f('ck_consultations_kind_known')),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_consultations_manager_id_users')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_consultations_need_id_needs')),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_consultations_opportunity_id_opportunities')),
    sa.ForeignKeyConstraint(['party_organization_id'], ['organizations.id'], name=op.f('fk_consultations_party_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_opportunity_id'), ['opportunity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_party_organization_id'), ['party_organization_id'], unique=False)

    op.create_table('call_applications',
    sa.Column('call_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('submitted_by', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('screening_note', sa.Text(), nullable=True),
    sa.Column('roadshow_scores', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('roadshow_score', sa.Float(), nullable=True),
    sa.Column('granted_fen', sa.BigInteger(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deal_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'shortlisted', 'screened_out', 'funded', 'declined')", name=op.f('ck_call_applications_status_known')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_call_applications_amount_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['tender_calls.id'], name=op.f('fk_call_applications_call_id_tender_calls')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_call_applications_deal_id_deals')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_call_applications_decided_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_call_applications_organization_id_organizations')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_call_applications_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_applications')),
    sa.UniqueConstraint('call_id', 'organization_id', name=op.f('uq_call_applications_call_id_organization_id'))
    )
    with op.batch_alter_table('call_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_applications_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_applications_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('tender_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('fund_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tender_calls_fund_id_funds'), 'funds', ['fund_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('tender_calls', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tender_calls_fund_id_funds'), type_='foreignkey')
        batch_op.drop_column('fund_id')
        batch_op.drop_column('budget_fen')

    with op.batch_alter_table('call_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_applications_organization_id'))
        batch_op.drop_index(batch_op.f('ix_call_applications_call_id'))

    op.drop_table('call_applications')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_party_organization_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_opportunity_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_need_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_manager_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_held_on'))

    op.drop_table('consultations')
    with op.batch_alter_table('tender_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_questions_opportunity_id'))

    op.drop_table('tender_questions')
    op.drop_table('panel_draws')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experts_affiliation_organization_id'))
        batch_op.drop_index(batch_op.f('ix_experts_active'))

    op.drop_table('experts')
