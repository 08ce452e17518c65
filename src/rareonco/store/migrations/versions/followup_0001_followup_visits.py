"""follow-up clinic: planned and recorded visits

Revision ID: followup_0001
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = 'followup_0001'
down_revision = '0001'
branch_labels = ('followup',)
depends_on = None


def upgrade() -> None:
    op.create_table('followup_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('end_of_treatment', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('months_after_treatment', sa.Integer(), nullable=True),
    sa.Column('tests', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('disease_status', sa.String(length=16), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_followup_visits_case_id', 'followup_visits', ['case_id'], unique=False)
    op.create_index('ix_followup_visits_due', 'followup_visits', ['status', 'due_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_followup_visits_due', table_name='followup_visits')
    op.drop_index('ix_followup_visits_case_id', table_name='followup_visits')
    op.drop_table('followup_visits')
