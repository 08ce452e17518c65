"""hipec: alarm level, episode, limit, forecast crossing; perfusion time of the acknowledgement
(issue 19)

Revision ID: hipec_0003
Revises: hipec_0002
Create Date: 2026-12-04 16:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'hipec_0003'
down_revision = 'hipec_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hipec_alarms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('episode', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('limit_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('predicted_crossing_s', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('ack_t_s', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hipec_alarms', schema=None) as batch_op:
        batch_op.drop_column('ack_t_s')
        batch_op.drop_column('predicted_crossing_s')
        batch_op.drop_column('limit_value')
        batch_op.drop_column('episode')
        batch_op.drop_column('level')
