"""board: addenda, corrections to the protocol of a meeting once it is locked

Revision ID: board_0002
Revises: board_0001
Create Date: 2026-12-04 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'board_0002'
down_revision = 'board_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'board_addenda',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['board_meetings.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_board_addenda_meeting_id'), 'board_addenda', ['meeting_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_board_addenda_meeting_id'), table_name='board_addenda')
    op.drop_table('board_addenda')
