"""courses: stop a course before its last cycle (toxicity, progression, the patient's choice...)

Revision ID: courses_0002
Revises: courses_0001
Create Date: 2026-11-26 12:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'courses_0002'
down_revision = 'courses_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stop_reason', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('stop_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('stopped_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('stopped_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_courses_stopped_by_users', 'users', ['stopped_by'],
                                    ['id'])


def downgrade() -> None:
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_constraint('fk_courses_stopped_by_users', type_='foreignkey')
        batch_op.drop_column('stopped_by')
        batch_op.drop_column('stopped_on')
        batch_op.drop_column('stop_note')
        batch_op.drop_column('stop_reason')
