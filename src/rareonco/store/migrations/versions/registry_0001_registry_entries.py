"""registry: one flat row per case with its survival times

Revision ID: registry_0001
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = 'registry_0001'
down_revision = '0001'
branch_labels = ('registry',)
depends_on = None


def upgrade() -> None:
    op.create_table('registry_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('morphology', sa.String(length=8), nullable=False),
    sa.Column('topography', sa.String(length=8), nullable=False),
    sa.Column('site_group', sa.String(length=16), nullable=False),
    sa.Column('age_years', sa.SmallInteger(), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('metastatic', sa.Boolean(), nullable=False),
    sa.Column('molecular', sa.String(length=40), nullable=False),
    sa.Column('chemotherapy', sa.Boolean(), nullable=False),
    sa.Column('surgery', sa.Boolean(), nullable=False),
    sa.Column('radiotherapy', sa.Boolean(), nullable=False),
    sa.Column('hipec', sa.Boolean(), nullable=False),
    sa.Column('margin', sa.String(length=4), nullable=False),
    sa.Column('huvos_grade', sa.SmallInteger(), nullable=True),
    sa.Column('best_response', sa.String(length=4), nullable=False),
    sa.Column('diagnosis_year', sa.SmallInteger(), nullable=False),
    sa.Column('diagnosis_date', sa.Date(), nullable=False),
    sa.Column('os_days', sa.Integer(), nullable=False),
    sa.Column('os_event', sa.Boolean(), nullable=False),
    sa.Column('efs_days', sa.Integer(), nullable=False),
    sa.Column('efs_event', sa.Boolean(), nullable=False),
    sa.Column('first_event', sa.SmallInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    op.create_index('ix_registry_entries_morphology', 'registry_entries', ['morphology'], unique=False)
    op.create_index('ix_registry_entries_site', 'registry_entries', ['site_group', 'age_years'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_registry_entries_site', table_name='registry_entries')
    op.drop_index('ix_registry_entries_morphology', table_name='registry_entries')
    op.drop_table('registry_entries')
