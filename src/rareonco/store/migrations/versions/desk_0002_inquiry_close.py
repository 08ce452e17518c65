"""desk: close an inquiry without an answer on the merits (spam, duplicate, withdrawn)

Revision ID: desk_0002
Revises: desk_0001
Create Date: 2026-11-27 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'desk_0002'
down_revision = 'desk_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('desk_inquiries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('close_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('close_note', sa.Text(), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('closed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_desk_inquiries_closed_by_users', 'users',
                                    ['closed_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('desk_inquiries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_desk_inquiries_closed_by_users', type_='foreignkey')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closed_by')
        batch_op.drop_column('close_note')
        batch_op.drop_column('close_reason')
