"""participation: proposals, skills, volunteer activities, filings, spaces

Revision ID: w_17_participation
Revises: 0005
Create Date: 2026-12-02 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.db

revision: str = 'w_17_participation'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('spaces',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_spaces_organization_id_organizations')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_spaces_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spaces'))
    )
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spaces_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spaces_region_code'), ['region_code'], unique=False)

    op.create_table('activities',
    sa.Column('organizer_user_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('starts_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('signup_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('published', 'cancelled')", name=op.f('ck_activities_status')),
    sa.CheckConstraint('signup_count >= 0 AND signup_count <= capacity', name=op.f('ck_activities_within_capacity')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_activities_organization_id_organizations')),
    sa.ForeignKeyConstraint(['organizer_user_id'], ['users.id'], name=op.f('fk_activities_organizer_user_id_users')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_activities_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_organizer_user_id'), ['organizer_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_region_code'), ['region_code'], unique=False)
        batch_op.create_index('ix_activities_starts', ['starts_at', 'id'], unique=False)

    op.create_table('filings',
    sa.Column('applicant_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('function_type', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=30), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('leader', sa.String(length=100), nullable=False),
    sa.Column('members', exchange.db.JSONType, nullable=False),
    sa.Column('charter', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IN ('community_filed', 'subdistrict_filed')", name=op.f('ck_filings_level')),
    sa.CheckConstraint("status IN ('in_review', 'approved', 'rejected')", name=op.f('ck_filings_status')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_filings_applicant_id_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_filings_decided_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_filings_organization_id_organizations')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_filings_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filings'))
    )
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filings_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_region_code'), ['region_code'], unique=False)
        batch_op.create_index('ix_filings_status_created', ['status', 'created_at', 'id'], unique=False)

    op.create_table('proposals',
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('on_behalf_organization_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('plan', sa.Text(), nullable=True),
    sa.Column('links', exchange.db.JSONType, nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('votes_abstain', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('rating_count', sa.Integer(), nullable=False),
    sa.Column('rating_sum', sa.Integer(), nullable=False),
    sa.Column('formed_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('publicized_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('collected', 'deliberating', 'formed', 'executing', 'evaluating', 'publicized', 'rejected', 'withdrawn')", name=op.f('ck_proposals_status')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposals_author_id_users')),
    sa.ForeignKeyConstraint(['on_behalf_organization_id'], ['organizations.id'], name=op.f('fk_proposals_on_behalf_organization_id_organizations')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_proposals_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_region_code'), ['region_code'], unique=False)
        batch_op.create_index('ix_proposals_status_created', ['status', 'created_at', 'id'], unique=False)

    op.create_table('skills',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('availability', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_skills_region_code_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skills_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skills'))
    )
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.create_index('ix_skills_region_active', ['region_code', 'active'], unique=False)
        batch_op.create_index(batch_op.f('ix_skills_user_id'), ['user_id'], unique=False)

    op.create_table('space_bookings',
    sa.Column('space_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by', sa.Uuid(), nullable=False),
    sa.Column('starts_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('pledged_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('given_minutes', sa.Integer(), nullable=True),
    sa.Column('people_served', sa.Integer(), nullable=True),
    sa.Column('report_summary', sa.Text(), nullable=True),
    sa.Column('reported_at', exchange.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'confirmed', 'reported', 'cancelled')", name=op.f('ck_space_bookings_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_space_bookings_period')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_space_bookings_decided_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_space_bookings_organization_id_organizations')),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_space_bookings_requested_by_users')),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_space_bookings_space_id_spaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space_bookings'))
    )
    with op.batch_alter_table('space_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_bookings_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_space_bookings_space_period', ['space_id', 'starts_at', 'ends_at'], unique=False)

    op.create_table('activity_attendance',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_activity_attendance_positive')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_attendance_activity_id_activities')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_activity_attendance_recorded_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_attendance_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_attendance')),
    sa.UniqueConstraint('activity_id', 'user_id', name=op.f('uq_activity_attendance_activity_id_user_id'))
    )
    with op.batch_alter_table('activity_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_attendance_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('activity_signups',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_signups_activity_id_activities')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_signups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_signups')),
    sa.UniqueConstraint('activity_id', 'user_id', name=op.f('uq_activity_signups_activity_id_user_id'))
    )
    with op.batch_alter_table('activity_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_signups_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_signups_user_id'), ['user_id'], unique=False)

    op.create_table('proposal_comments',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_comments_author_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_comments_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comments'))
    )
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_comments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_meetings',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('approved', 'rejected', 'deferred')", name=op.f('ck_proposal_meetings_decision')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_meetings_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_proposal_meetings_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_meetings'))
    )
    with op.batch_alter_table('proposal_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_meetings_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_ratings',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_proposal_ratings_score')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_ratings_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_ratings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_ratings')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_ratings_proposal_id_user_id'))
    )
    with op.batch_alter_table('proposal_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_ratings_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_votes',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', exchange.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("choice IN ('for', 'against', 'abstain')", name=op.f('ck_proposal_votes_choice')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_votes_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_votes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_votes')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_votes_proposal_id_user_id'))
    )
    with op.batch_alter_table('proposal_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_votes_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_skill_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_needs_claimed_skill_id_skills'), 'skills', ['claimed_skill_id'], ['id'])

    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_points_entries_ref'), ['ref'])



def downgrade() -> None:
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_points_entries_ref'), type_='unique')
        batch_op.drop_column('ref')

    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_needs_claimed_skill_id_skills'), type_='foreignkey')
        batch_op.drop_column('claimed_skill_id')

    with op.batch_alter_table('proposal_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_votes_proposal_id'))

    op.drop_table('proposal_votes')
    with op.batch_alter_table('proposal_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_ratings_proposal_id'))

    op.drop_table('proposal_ratings')
    with op.batch_alter_table('proposal_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_meetings_proposal_id'))

    op.drop_table('proposal_meetings')
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_comments_proposal_id'))

    op.drop_table('proposal_comments')
    with op.batch_alter_table('activity_signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_signups_user_id'))
        batch_op.drop_index(batch_op.f('ix_activity_signups_activity_id'))

    op.drop_table('activity_signups')
    with op.batch_alter_table('activity_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_activity_attendance_activity_id'))

    op.drop_table('activity_attendance')
    with op.batch_alter_table('space_bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_space_bookings_space_period')
        batch_op.drop_index(batch_op.f('ix_space_bookings_organization_id'))

    op.drop_table('space_bookings')
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skills_user_id'))
        batch_op.drop_index('ix_skills_region_active')

    op.drop_table('skills')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_status_created')
        batch_op.drop_index(batch_op.f('ix_proposals_region_code'))
        batch_op.drop_index(batch_op.f('ix_proposals_author_id'))

    op.drop_table('proposals')
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.drop_index('ix_filings_status_created')
        batch_op.drop_index(batch_op.f('ix_filings_region_code'))
        batch_op.drop_index(batch_op.f('ix_filings_applicant_id'))

    op.drop_table('filings')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_starts')
        batch_op.drop_index(batch_op.f('ix_activities_region_code'))
        batch_op.drop_index(batch_op.f('ix_activities_organizer_user_id'))
        batch_op.drop_index(batch_op.f('ix_activities_organization_id'))

    op.drop_table('activities')
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spaces_region_code'))
        batch_op.drop_index(batch_op.f('ix_spaces_organization_id'))

    op.drop_table('spaces')
