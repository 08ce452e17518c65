"""desk: an inquiry the identity matcher could not settle waits for a coordinator (no patient,
referral or case yet; its files wait in desk_inquiry_files)

Revision ID: desk_0003
Revises: desk_0002
Create Date: 2026-12-04 19:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'desk_0003'
down_revision = 'desk_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('desk_inquiries', schema=None) as batch_op:
        batch_op.alter_column('patient_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('referral_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('identity_candidates', sa.JSON(), nullable=True))
    op.create_table(
        'desk_inquiry_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('inquiry_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=300), nullable=False),
        sa.Column('translation_status', sa.String(length=20), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['inquiry_id'], ['desk_inquiries.id']),
        sa.ForeignKeyConstraint(['uploaded_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_desk_inquiry_files_inquiry_id', 'desk_inquiry_files', ['inquiry_id'])


def downgrade() -> None:
    op.drop_index('ix_desk_inquiry_files_inquiry_id', table_name='desk_inquiry_files')
    op.drop_table('desk_inquiry_files')
    with op.batch_alter_table('desk_inquiries', schema=None) as batch_op:
        batch_op.drop_column('identity_candidates')
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('referral_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('patient_id', existing_type=sa.Integer(), nullable=False)
