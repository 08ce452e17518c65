"""hipec: CSV imports with their data-quality findings

Revision ID: hipec_0002
Revises: hipec_0001
Create Date: 2026-11-27 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'hipec_0002'
down_revision = 'hipec_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hipec_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('n_samples', sa.Integer(), nullable=False),
    sa.Column('t_first_s', sa.Float(), nullable=False),
    sa.Column('t_last_s', sa.Float(), nullable=False),
    sa.Column('probes', sa.JSON(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('imported_by', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['procedure_id'], ['hipec_procedures.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hipec_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hipec_imports_procedure_id'), ['procedure_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hipec_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hipec_imports_procedure_id'))
    op.drop_table('hipec_imports')
