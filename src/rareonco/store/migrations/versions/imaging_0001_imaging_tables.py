"""imaging: CT studies attached to a case, pelvic resection plan jobs (issue 9)

Revision ID: imaging_0001
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = 'imaging_0001'
down_revision = '0001'
branch_labels = ('imaging',)
depends_on = None


def upgrade() -> None:
    op.create_table('imaging_studies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('n_files', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_path', sa.String(length=1000), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('shape', sa.JSON(), nullable=False),
    sa.Column('spacing_mm', sa.JSON(), nullable=False),
    sa.Column('affine', sa.JSON(), nullable=False),
    sa.Column('orientation', sa.String(length=8), nullable=False),
    sa.Column('series_uid', sa.String(length=128), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_imaging_studies_case_id'), 'imaging_studies', ['case_id'], unique=False)
    op.create_index(op.f('ix_imaging_studies_sha256'), 'imaging_studies', ['sha256'], unique=False)
    op.create_table('imaging_plan_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('ct_id', sa.Integer(), nullable=False),
    sa.Column('mask_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('tumour_box_mm', sa.JSON(), nullable=True),
    sa.Column('margin_mm', sa.Float(), nullable=False),
    sa.Column('cuts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('error_field', sa.String(length=64), nullable=True),
    sa.Column('output_dir', sa.String(length=1000), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['ct_id'], ['imaging_studies.id'], ),
    sa.ForeignKeyConstraint(['event_id'], ['timeline_events.id'], ),
    sa.ForeignKeyConstraint(['mask_id'], ['imaging_studies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_imaging_plan_jobs_case_id'), 'imaging_plan_jobs', ['case_id'], unique=False)
    op.create_index(op.f('ix_imaging_plan_jobs_ct_id'), 'imaging_plan_jobs', ['ct_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_imaging_plan_jobs_ct_id'), table_name='imaging_plan_jobs')
    op.drop_index(op.f('ix_imaging_plan_jobs_case_id'), table_name='imaging_plan_jobs')
    op.drop_table('imaging_plan_jobs')
    op.drop_index(op.f('ix_imaging_studies_sha256'), table_name='imaging_studies')
    op.drop_index(op.f('ix_imaging_studies_case_id'), table_name='imaging_studies')
    op.drop_table('imaging_studies')
